"""Number formats that differ from Django's for a language of the portal (FORMAT_MODULE_PATH).

Only what is set here replaces Django's own (django/conf/locale/<lang>/formats.py): CLDR's grouping,
which Django's Arabic (no grouping, "," for decimals) and Simplified Chinese (no separator) lack.
Pages only: files and the API never localise (docs/translations.md).
"""
