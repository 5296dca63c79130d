"""Headless LibreOffice, run safely: the PDF output and the office-suite tests use it.

Every run gets its own throw-away profile (``-env:UserInstallation``; otherwise ``soffice`` hands
the job to a running instance and returns at once), works on a private copy of the document (a
stale ``.~lock.NAME#`` beside a document stops it loading), starts in its own session and has
its whole process group killed afterwards (``soffice`` is a shell wrapper around ``soffice.bin``).
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


@contextmanager
def profile():
    """A fresh LibreOffice user profile folder, removed afterwards; yields its ``file://`` URL."""
    folder = tempfile.mkdtemp(prefix="xlsx_tool_lo_")
    try:
        yield Path(folder).as_uri()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(args: list[str], *, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``soffice`` with ``args`` headless in a fresh profile; kill its process group after.

    Raises ``UserError(Code.F10)`` when LibreOffice is missing, fails or times out.
    """
    exe = soffice()
    if exe is None:
        raise UserError(Code.F10, "未找到 LibreOffice（soffice）")
    with profile() as url:
        cmd = [exe, f"-env:UserInstallation={url}", "--headless", "--norestore", "--nologo", *args]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
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
