"""The published PDF of a rendered report, through headless LibreOffice (see :mod:`xlsx_tool.office`)."""
from __future__ import annotations

from pathlib import Path

from .. import office, outputs


def to_pdf(docx: str | Path, out: str | Path | None = None, *, force: bool = False) -> Path:
    """Convert a rendered ``.docx`` to PDF beside it (or at ``out``); returns the PDF path.

    ``UserError`` F10 when LibreOffice is not installed or fails; O01–O09 for the output (its
    name must end in ``.pdf``).
    """
    docx = Path(docx)
    target = outputs.check_target(out or docx.with_suffix(".pdf"), force=force, inputs=(docx,), suffix=".pdf")
    return outputs.write_bytes(target, office.convert(docx, "pdf"), force=force, inputs=(docx,), suffix=".pdf")


#: The typefaces the built-in templates ask for (GB/T 9704-2012) and names they also go by.
OFFICIAL_FONTS = {"仿宋_GB2312": ("仿宋_GB2312", "仿宋", "FangSong"),
                  "方正小标宋简体": ("方正小标宋简体", "FZXiaoBiaoSong-B05S"),
                  "黑体": ("黑体", "SimHei"),
                  "楷体_GB2312": ("楷体_GB2312", "楷体", "KaiTi")}


def missing_official_fonts() -> list[str]:
    """The official typefaces fontconfig does not know here (``[]`` when ``fc-list`` is absent,
    e.g. on Windows, where LibreOffice uses the system's fonts directly)."""
    import shutil
    import subprocess

    if shutil.which("fc-list") is None:
        return []
    try:
        # bytes, not text=True: under a non-UTF-8 locale (LANG=C, PYTHONUTF8=0) the font names
        # would not decode with the locale's codec
        families = subprocess.run(["fc-list", ":", "family"], capture_output=True,
                                  timeout=20).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return []
    return [name for name, aliases in OFFICIAL_FONTS.items() if not any(a in families for a in aliases)]
