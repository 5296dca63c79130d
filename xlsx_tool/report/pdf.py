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


def _families() -> str | None:
    """Every family fontconfig knows (``fc-list``), or ``None`` when it cannot be asked."""
    import shutil
    import subprocess

    if shutil.which("fc-list") is None:
        return None
    try:
        # bytes, not text=True: under a non-UTF-8 locale (LANG=C, PYTHONUTF8=0) the font names
        # would not decode with the locale's codec
        return subprocess.run(["fc-list", ":", "family"], capture_output=True,
                              timeout=20).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return None


def missing_official_fonts() -> list[str]:
    """The official typefaces fontconfig does not know here (``[]`` when ``fc-list`` is absent,
    e.g. on Windows, where LibreOffice uses the system's fonts directly)."""
    families = _families()
    if families is None:
        return []
    return [name for name, aliases in OFFICIAL_FONTS.items() if not any(a in families for a in aliases)]


def font_note() -> str:
    """The 提示 printed after ``render --pdf`` when official typefaces are missing ('' otherwise):
    which ones, what stands in for each (:data:`xlsx_tool.office.STAND_INS`) or which Debian
    packages would provide the stand-ins."""
    missing = missing_official_fonts()
    if not missing:
        return ""
    families = _families() or ""
    used, absent = [], []
    for name in missing:
        face = next(face for names, face, _ in office.STAND_INS if name in names)
        (used if face in families else absent).append(f"{name}→{face}")
    text = f"提示：本机没有 {'、'.join(missing)} 字体，PDF 使用了替代字体"
    if used:
        text += f"（{'，'.join(used)}，标题、正文、各级标题仍各用不同字体）"
    if absent:
        text += ("；替代字体也未安装，可能全文只用一种字体（Debian/Ubuntu 可安装 fonts-noto-cjk、"
                 "fonts-arphic-ukai、fonts-arphic-uming）")
    return text + "，版式与正式公文不同。正式发布请在装有这些字体的电脑上生成 PDF，或用 Word/WPS 打开 .docx 另存为 PDF。"
