"""Date and number formats per language (settings.FORMAT_MODULE_PATH), read before Django's.

Beside Django's named formats, the portal's own (the `*_DATE` names below), for the patterns
its pages use; a template asks for one by name with `{% load portal_formats %}` and
`{{ value|local_date:"WEEKDAY_DATE" }}` (accounts.templatetags.portal_formats), so a page
reads "Sunday, November 29, 2026" in English and "domingo 29 de noviembre de 2026" in
Spanish. English keeps Django's own formats."""
