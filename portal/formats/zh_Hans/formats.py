# CLDR's Simplified Chinese: groups of three with a comma, "1,234,567.5" (Django's has no separator).
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
