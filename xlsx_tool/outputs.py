"""Writing output files safely: refuse to clobber, never touch the input, write atomically.

Every file the tool writes goes through :func:`atomic_write`: the content is written to a
temporary file in the target folder and renamed over the target only when complete, so an
interrupted run leaves either the old file or the new one, never half of one.
"""
from __future__ import annotations

import errno
import os
import secrets
from contextlib import contextmanager
from pathlib import Path

from .findings import Code, UserError


def check_target(out: str | Path, *, force: bool = False, inputs: tuple = ()) -> Path:
    """Validate an output path before any work is done; returns it as a ``Path``.

    ``UserError`` O04 if it is one of ``inputs``; O01 if it exists and not ``force``; O02 if its
    folder is missing; O03 if the folder is not writable; O05 if the target is a folder.
    """
    out = Path(out)
    for src in inputs:
        if src and Path(src).exists() and out.exists() and os.path.samefile(src, out):
            raise UserError(Code.O04, str(out))
        if src and os.path.abspath(src) == os.path.abspath(out):
            raise UserError(Code.O04, str(out))
    if out.is_dir():
        raise UserError(Code.O05, str(out))
    if out.exists() and not force:
        raise UserError(Code.O01, str(out))
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(Code.O02, str(folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(Code.O03, str(folder))
    return out


@contextmanager
def atomic_write(out: str | Path, *, force: bool = False, inputs: tuple = ()):
    """Yield a temporary path beside ``out``; on success rename it to ``out``, else delete it.

    Checks ``out`` first (:func:`check_target`); an ``OSError`` while writing or renaming becomes
    ``UserError`` O03.  The finished file gets the usual permissions (``0666 & ~umask``).

    Usage::

        with atomic_write(target, force=args.force) as tmp:
            workbook_writer(tmp)
    """
    out = check_target(out, force=force, inputs=inputs)
    tmp: Path | None = None
    try:
        # the name is set before the file exists and one ``finally`` covers creation to rename, so
        # an interruption (Ctrl-C) at any moment still removes it (mkstemp names it only afterwards)
        try:
            for _ in range(100):
                tmp = out.parent / f".~{out.stem}.{secrets.token_hex(4)}{out.suffix}.tmp"
                try:
                    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                    break
                except FileExistsError:
                    tmp = None
            else:
                raise FileExistsError(errno.EEXIST, "no free temporary file name")
        except OSError as exc:
            raise UserError(Code.O03, str(out.parent), reason(exc)) from None
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # 0600 would hide the file from colleagues
        os.replace(tmp, out)
    except OSError as exc:
        busy = "；文件可能正被 Excel/WPS/Word 打开，请关闭后重试" if isinstance(exc, PermissionError) else ""
        raise UserError(Code.O03, str(out), f"{reason(exc)}{busy}") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


#: The usual reasons a write fails, in the user's language (``strerror`` is English).
_REASONS = {errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "只读的磁盘或文件夹",
            errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "磁盘配额已用完", errno.ENOENT: "无法在此处创建文件",
            errno.ENAMETOOLONG: "文件名或路径过长", errno.EBUSY: "文件正被占用", errno.EIO: "磁盘读写出错"}


def reason(exc: OSError) -> str:
    """Why a write failed, in Chinese (the system's text is kept for unusual errors)."""
    return _REASONS.get(exc.errno) or f"系统错误：{exc.strerror or exc}"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_bytes(out: str | Path, content: bytes, *, force: bool = False, inputs: tuple = ()) -> Path:
    """Atomically write ``content`` to ``out`` (same checks as :func:`check_target`)."""
    with atomic_write(out, force=force, inputs=inputs) as tmp:
        tmp.write_bytes(content)
    return Path(out)
