"""US Spanish: Django's Spanish words with US conventions (decimal point, comma grouping,
12-hour clock, month/day/year short dates, weeks from Sunday)."""

DATE_FORMAT = r"j \d\e F \d\e Y"
TIME_FORMAT = "g:i A"
DATETIME_FORMAT = r"j \d\e F \d\e Y, g:i A"
YEAR_MONTH_FORMAT = r"F \d\e Y"
MONTH_DAY_FORMAT = r"j \d\e F"
SHORT_DATE_FORMAT = "m/d/Y"
SHORT_DATETIME_FORMAT = "m/d/Y g:i A"
FIRST_DAY_OF_WEEK = 0
# ISO first: <input type="date"> and "time" show and send it whatever the language.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"]
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M:%S.%f", "%H:%M", "%I:%M %p"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M %p",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3

# The portal's named formats (hubdelivery/formats/en/formats.py has the English ones).
# 29 Nov 2026
MEDIUM_DATE = "j M Y"
# 29 Nov
SHORT_MONTH_DAY = "j M"
# dom 29 Nov
SHORT_WEEKDAY_MONTH_DAY = "D j M"
# dom 29 Nov 2026
SHORT_WEEKDAY_DATE = "D j M Y"
# domingo 29 de noviembre
WEEKDAY_MONTH_DAY = r"l j \d\e F"
# domingo 29 de noviembre de 2026
WEEKDAY_DATE = r"l j \d\e F \d\e Y"
# 29 Nov 2026 3:05 PM EST
MEDIUM_DATETIME_ZONE = "j M Y g:i A T"
# 29 Nov, 3:05 PM
MEDIUM_MONTH_DAY_TIME = "j M, g:i A"
