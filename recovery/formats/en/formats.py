"""The site's own named date formats (settings.FORMAT_MODULE_PATH), used through
recovery.l10n and the |date filter ({{ day|date:"LONG_DATE" }}). Django's own names (DATE_FORMAT...)
are left as Django ships them. English: "1 December 2026", as the pages always wrote it."""

LONG_DATE = "j F Y"  # 1 December 2026
WEEKDAY_LONG_DATE = "l j F Y"  # Tuesday 1 December 2026
WEEKDAY_DAY = "l j F"  # Tuesday 1 December
SHORT_DAY = "j M"  # 1 Dec (chart axes)
MONTH_YEAR = "F Y"  # December 2026
DAY_MONTH = "j F"  # 1 December
LONG_DATETIME = "j F Y, H:i"  # 1 December 2026, 14:30
LONG_DATETIME_ZONE = "j F Y, H:i e"  # 1 December 2026, 14:30 America/New_York
WEEKDAY_LONG_DATETIME = "l j F Y, H:i"  # Tuesday 1 December 2026, 14:30
WEEKDAY_DAY_TIME = "l j F, H:i"  # Tuesday 1 December, 14:30
