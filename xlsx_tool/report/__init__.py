"""The Word report: its context, rendering, the built-in templates and their builder, lint, PDF.

* :mod:`.context` — the names a Word template can use (``context(data)``);
* :mod:`.render` — ``render_docx``; :mod:`.pdf` — the PDF through LibreOffice;
* :mod:`.build` — the built-in templates, laid out from the format model;
* :mod:`.lint` (reading through :mod:`.docx_parts`) — ``xlsx-tool lint-template``;
* :mod:`.fields` — every field described for people (``xlsx-tool fields``).
"""
