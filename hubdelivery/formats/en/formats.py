"""The portal's named date formats in US English (Django's en formats otherwise)."""

# Nov 29, 2026
MEDIUM_DATE = "M j, Y"
# Nov 29
SHORT_MONTH_DAY = "M j"
# Sun Nov 29
SHORT_WEEKDAY_MONTH_DAY = "D M j"
# Sun Nov 29, 2026
SHORT_WEEKDAY_DATE = "D M j, Y"
# Sunday, November 29
WEEKDAY_MONTH_DAY = "l, F j"
# Sunday, November 29, 2026
WEEKDAY_DATE = "l, F j, Y"
# Nov 29, 2026 3:05 PM EST
MEDIUM_DATETIME_ZONE = "M j, Y g:i A T"
# Nov 29, 3:05 PM
MEDIUM_MONTH_DAY_TIME = "M j, g:i A"
