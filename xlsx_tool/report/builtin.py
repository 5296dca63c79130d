"""Where the built-in Word templates are and what they are called, without loading their builder.

The templates ship as the package ``xlsx_tool.templates`` (the top-level ``templates/`` folder of
the project, built by :mod:`.build`): ``report-<format id>.docx`` in the official look,
``report-<format id>-<look>.docx`` in any other (e.g. ``report-2021-simple.docx``).
"""
from __future__ import annotations

from pathlib import Path

#: The package holding the built-in templates.
TEMPLATE_PACKAGE = "xlsx_tool.templates"
#: The name of the official look (:data:`.page_style.OFFICIAL`), whose file names carry no suffix.
OFFICIAL_LOOK = "official"


def template_name(format_id: str, look: str = OFFICIAL_LOOK) -> str:
    """``report-2021.docx`` (official look) or ``report-2021-simple.docx``."""
    return f"report-{format_id}.docx" if look == OFFICIAL_LOOK else f"report-{format_id}-{look}.docx"


def template_folder() -> Path:
    """The folder holding the built-in templates (installed or in a source checkout)."""
    from .. import templates

    return Path(templates.__file__).resolve().parent
