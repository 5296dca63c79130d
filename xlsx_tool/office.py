"""Headless LibreOffice, run safely: the PDF output and the office-suite tests use it.

Every run gets its own throw-away profile (``-env:UserInstallation``; otherwise ``soffice`` hands
the job to a running instance and returns at once), works on a private copy of the document (a
stale ``.~lock.NAME#`` beside a document stops it loading), starts in its own session and has
its whole process group killed afterwards (``soffice`` is a shell wrapper around ``soffice.bin``).

The profile also holds a fontconfig file (``fonts.conf``, given to ``soffice`` as
``FONTCONFIG_FILE``; it includes the system's configuration first): where the official typefaces
of GB/T 9704-2012 are not installed, each is replaced by a different installed CJK face
(:data:`STAND_INS`), so that a PDF made here still tells the title, headings, body and tables
apart instead of setting everything in one fallback face.  Installed official fonts always win.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .findings import Code, UserError

#: Official typeface names (and the names they also go by) → the installed face standing in for
#: them, and its weight: Debian's fonts-arphic-uming, fonts-noto-cjk and fonts-arphic-ukai.
STAND_INS = (
    (("仿宋_GB2312", "仿宋", "FangSong", "FangSong_GB2312", "STFangsong"), "AR PL UMing CN", None),
    (("方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05S", "小标宋"), "Noto Serif CJK SC", "bold"),
    (("宋体", "SimSun", "NSimSun", "新宋体"), "Noto Serif CJK SC", None),
    (("黑体", "SimHei"), "Noto Sans CJK SC", None),
    (("楷体_GB2312", "楷体", "KaiTi", "KaiTi_GB2312", "STKaiti"), "AR PL UKai CN", None),
)
SYSTEM_FONTS_CONF = "/etc/fonts/fonts.conf"

CANDIDATES = ("soffice", "libreoffice", "/usr/lib/libreoffice/program/soffice",
              "/opt/libreoffice/program/soffice", "/Applications/LibreOffice.app/Contents/MacOS/soffice",
              r"C:\Program Files\LibreOffice\program\soffice.exe")


def soffice() -> str | None:
    """Path of the LibreOffice executable, or ``None`` when it is not installed."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def fonts_conf(system: str | None = None) -> str:
    """The fontconfig file of the private profile: the system's configuration, then for each
    official typeface its stand-in accepted right after it (used only when it is missing)."""
    from xml.sax.saxutils import escape

    system = system or os.environ.get("FONTCONFIG_FILE") or SYSTEM_FONTS_CONF
    rules = []
    for names, face, weight in STAND_INS:
        for name in names:
            if weight:   # a heavier face of the family: only where the official one is missing
                rules.append(
                    f'  <match target="pattern"><test name="family"><string>{escape(name)}</string></test>'
                    f'<edit name="family" mode="append" binding="strong"><string>{escape(face)}</string></edit>'
                    f'<edit name="weight" mode="assign"><const>{weight}</const></edit></match>')
            else:
                rules.append(f"  <alias binding=\"strong\"><family>{escape(name)}</family>"
                             f"<accept><family>{escape(face)}</family></accept></alias>")
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
            f'  <include ignore_missing="yes">{escape(system)}</include>\n' + "\n".join(rules) + "\n</fontconfig>\n")


@contextmanager
def profile():
    """A fresh LibreOffice user profile folder holding ``fonts.conf`` (:func:`fonts_conf`),
    removed afterwards; yields the folder."""
    folder = Path(tempfile.mkdtemp(prefix="xlsx_tool_lo_"))
    try:
        (folder / "fonts.conf").write_text(fonts_conf(), "utf-8")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(args: list[str], *, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``soffice`` with ``args`` headless in a fresh profile; kill its process group after.

    Raises ``UserError(Code.F10)`` when LibreOffice is missing, fails or times out.
    """
    exe = soffice()
    if exe is None:
        raise UserError(Code.F10, "未找到 LibreOffice（soffice）")
    with profile() as folder:
        cmd = [exe, f"-env:UserInstallation={folder.as_uri()}", "--headless", "--norestore", "--nologo", *args]
        env = {**os.environ, "FONTCONFIG_FILE": str(folder / "fonts.conf")}
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                                env=env)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            out, err = b"", b"timeout"
            proc.returncode = -1
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError, AttributeError):
                pass
            proc.wait()
    result = subprocess.CompletedProcess(cmd, proc.returncode, out.decode(errors="replace"), err.decode(errors="replace"))
    if proc.returncode != 0:
        raise UserError(Code.F10, "LibreOffice 转换失败", (result.stderr or result.stdout).strip()[:200])
    return result


def convert(src: str | Path, target: str, *, timeout: float = 120) -> bytes:
    """Convert a document with LibreOffice and return the converted file's bytes.

    ``target`` is a ``--convert-to`` filter such as ``pdf``, ``ods``, ``xls`` or ``xlsx``.
    The source is copied to a private folder first; nothing is written beside it.
    """
    src = Path(src)
    with tempfile.TemporaryDirectory(prefix="xlsx_tool_conv_") as work:
        copy = Path(work) / ("input" + src.suffix)
        shutil.copyfile(src, copy)
        outdir = Path(work) / "out"
        run(["--convert-to", target, "--outdir", str(outdir), str(copy)], timeout=timeout)
        produced = list(outdir.glob("input.*"))
        if not produced:
            raise UserError(Code.F10, f"LibreOffice 未能转换 {src.name}")
        return produced[0].read_bytes()
