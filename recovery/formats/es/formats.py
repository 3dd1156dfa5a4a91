"""Spanish versions of the site's named date formats (see ../en/formats.py)."""

LONG_DATE = r"j \d\e F \d\e Y"  # 1 de diciembre de 2026
WEEKDAY_LONG_DATE = r"l j \d\e F \d\e Y"  # martes 1 de diciembre de 2026
WEEKDAY_DAY = r"l j \d\e F"  # martes 1 de diciembre
SHORT_DAY = "j b"  # 1 dic
MONTH_YEAR = r"F \d\e Y"  # diciembre de 2026
