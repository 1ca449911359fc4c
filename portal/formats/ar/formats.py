# Arabic pages keep Western digits (as the charts do) with CLDR's separators for them (ar, latn):
# "1,234,567.5".
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
