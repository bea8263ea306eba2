"""How dates read on every page, e-mail and report, per language: the one place that decides.

Django picks ``<language>/formats.py`` here (``FORMAT_MODULE_PATH``) before its own locale
formats, for ``|date``, ``{% localize %}`` and ``django.utils.formats.date_format`` alike. Each
language writes the month as a word, so no reader takes 3 November for 11 March: the short
formats are the long ones, so a template that asks for ``SHORT_DATE_FORMAT`` cannot bring the
ambiguous "11/03/2026" back.

Forms read dates as ISO (``YYYY-MM-DD``) first, which is what ``<input type="date">`` sends
and shows as its value whatever the reader's language; the browser displays it in the
reader's locale. Django adds its ISO input formats to these anyway; listing ISO first also
makes a date form field render its value as ISO.
"""

#: Dates typed into a form (every date field here is an ``<input type="date">``).
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
