"""Spanish versions of the site's named date formats (see ../en/formats.py)."""

LONG_DATE = r"j \d\e F \d\e Y"  # 1 de diciembre de 2026
WEEKDAY_LONG_DATE = r"l j \d\e F \d\e Y"  # martes 1 de diciembre de 2026
WEEKDAY_DAY = r"l j \d\e F"  # martes 1 de diciembre
SHORT_DAY = "j b"  # 1 dic
MONTH_YEAR = r"F \d\e Y"  # diciembre de 2026
DAY_MONTH = r"j \d\e F"  # 1 de diciembre
LONG_DATETIME = r"j \d\e F \d\e Y, H:i"  # 1 de diciembre de 2026, 14:30
LONG_DATETIME_ZONE = r"j \d\e F \d\e Y, H:i e"
WEEKDAY_LONG_DATETIME = r"l j \d\e F \d\e Y, H:i"  # martes 1 de diciembre de 2026, 14:30
WEEKDAY_DAY_TIME = r"l j \d\e F, H:i"  # martes 1 de diciembre, 14:30
