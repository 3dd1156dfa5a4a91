"""The site's own named date formats (settings.FORMAT_MODULE_PATH), used through
recovery.l10n and the |date filter ({{ day|date:"LONG_DATE" }}). Django's own names (DATE_FORMAT...)
are left as Django ships them. English: "1 December 2026", as the pages always wrote it."""

LONG_DATE = "j F Y"  # 1 December 2026
WEEKDAY_LONG_DATE = "l j F Y"  # Tuesday 1 December 2026
WEEKDAY_DAY = "l j F"  # Tuesday 1 December
SHORT_DAY = "j M"  # 1 Dec (chart axes)
MONTH_YEAR = "F Y"  # December 2026
