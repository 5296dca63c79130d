"""The published PDF of a rendered report, through headless LibreOffice (see :mod:`office`)."""
from __future__ import annotations

from pathlib import Path

from . import office, outputs


def to_pdf(docx: str | Path, out: str | Path | None = None, *, force: bool = False) -> Path:
    """Convert a rendered ``.docx`` to PDF beside it (or at ``out``); returns the PDF path.

    ``UserError`` F10 when LibreOffice is not installed or fails; O01–O03 for the output.
    """
    docx = Path(docx)
    target = outputs.check_target(out or docx.with_suffix(".pdf"), force=force, inputs=(docx,))
    return outputs.write_bytes(target, office.convert(docx, "pdf"), force=force, inputs=(docx,))
