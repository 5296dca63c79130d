"""Writing output files safely: refuse to clobber, never touch the input, write atomically.

Every file the tool writes goes through :func:`atomic_write`: the content is written to a
temporary file ``.~<name>.<random>.tmp`` in the target folder and published only when complete,
so an interrupted run leaves either the old file or the new one, never half of one (Ctrl-C,
SIGTERM and SIGHUP remove the temporary file: see :mod:`xlsx_tool.cli`).

* Without ``force`` the final name is created exclusively (a hard link, or ``rename`` on
  Windows, fails when the name exists): of two runs racing to the same new file exactly one
  wins, the other gets O01.  On a file system without hard links (FAT/exFAT, some network
  shares) the name is claimed with ``O_CREAT | O_EXCL`` first and then replaced.
* With ``force`` the target is replaced only if it is a regular file (or missing); a FIFO, a
  device, a socket or a symbolic link to another folder is refused (O07).  A symbolic link to a
  file in the same folder is followed: that file is replaced.
* The output's extension must match what is written (``suffix``; O06), its name must fit the
  file system (255 bytes, O08), and a full disk is O09 — all before or instead of a traceback.
"""
from __future__ import annotations

import errno
import os
import secrets
import stat
from contextlib import contextmanager
from pathlib import Path

from .findings import Code, UserError

#: Longest file name (bytes, in the file system's encoding) on the usual file systems.
NAME_MAX = 255
#: What a suffix holds, for the message of O06.
KINDS = {".docx": "Word 报告", ".pdf": "PDF 文件", ".xlsx": "Excel 工作簿", ".json": "JSON 文件"}
#: Extensions replaced (not appended to) when suggesting a name: ``报告.pdf`` → ``报告.docx``.
DOCUMENT_SUFFIXES = {".pdf", ".doc", ".docx", ".docm", ".dotx", ".xls", ".xlsx", ".xlsm", ".ods", ".odt",
                     ".wps", ".et", ".txt", ".html", ".htm", ".json", ".csv", ".rtf", ".tmp", ".bak"}
#: errno values of ``link()`` on a file system that cannot make hard links.
NO_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOSYS, errno.EACCES,
            getattr(errno, "ENOTSUP", -1), getattr(errno, "EOPNOTSUPP", -1)}


def suggest(out: Path, suffix: str) -> Path:
    """``out`` with ``suffix``: its document extension replaced, or ``suffix`` appended."""
    if out.suffix.lower() in DOCUMENT_SUFFIXES:
        return out.with_suffix(suffix)
    return out.with_name(out.name + suffix)


def _check_suffix(out: Path, suffix: str | None) -> None:
    if suffix is None or out.suffix.lower() == suffix:
        return
    kind = KINDS.get(suffix, suffix)
    got = f"的扩展名是 {out.suffix}" if out.suffix else "没有扩展名"
    raise UserError(Code.O06, str(out), f"输出文件名{got}，而写入的是 {kind}（{suffix}）；"
                                        f"请改为 {suggest(out, suffix)}")


def _check_name(out: Path) -> None:
    """O08 when a component of ``out`` is longer than the file system allows."""
    for part in out.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            shown = part if len(part) <= 40 else part[:20] + "…" + part[-12:]
            raise UserError(Code.O08, str(out), f"其中“{shown}”有 {len(os.fsencode(part))} 字节")


def _lstat(path: Path) -> os.stat_result | None:
    """``lstat`` of ``path``, ``None`` when it does not exist; other failures → UserError."""
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise _error(exc, path) from None


def _follow(out: Path) -> Path:
    """The file a symbolic link ``out`` names, when it is in the same folder; else O07."""
    target = Path(os.path.realpath(out))
    if target.parent != Path(os.path.realpath(out.parent)):
        raise UserError(Code.O07, str(out), f"它是指向 {target} 的符号链接，目标在另一个文件夹")
    return target


def check_target(out: str | Path, *, force: bool = False, inputs: tuple = (),
                 suffix: str | None = None) -> Path:
    """Validate an output path before any work is done; returns the path to write.

    ``suffix`` (e.g. ``".docx"``): the extension the content needs.  ``UserError`` O08 name too
    long; O04 it is one of ``inputs``; O05 a folder; O06 wrong or missing extension; O07 a FIFO,
    device, socket or a symbolic link to another folder; O01 it exists and not ``force``; O02 its
    folder is missing; O03 the folder is not writable.  A symbolic link to a file in the same
    folder is followed (the returned path is that file).
    """
    out = Path(out)
    _check_name(out)
    st = _lstat(out)
    if st is not None and stat.S_ISLNK(st.st_mode):
        out = _follow(out)
        st = _lstat(out)
    for src in inputs:
        if not src:
            continue
        same = os.path.abspath(src) == os.path.abspath(out)
        try:
            same = same or (st is not None and Path(src).exists() and os.path.samefile(src, out))
        except OSError:
            pass
        if same:
            raise UserError(Code.O04, str(out))
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UserError(Code.O05, str(out))
    _check_suffix(out, suffix)
    if st is not None and not stat.S_ISREG(st.st_mode):
        kind = "管道（FIFO）" if stat.S_ISFIFO(st.st_mode) else "套接字" if stat.S_ISSOCK(st.st_mode) else "设备"
        raise UserError(Code.O07, str(out), f"它是一个{kind}")
    if st is not None and not force:
        raise UserError(Code.O01, str(out))
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(Code.O02, str(folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(Code.O03, str(folder))
    return out


def _temporary(out: Path) -> Path:
    """A fresh temporary name beside ``out`` that fits in :data:`NAME_MAX` bytes."""
    stem = out.stem
    while True:
        name = f".~{stem}.{secrets.token_hex(4)}{out.suffix}.tmp"
        if len(os.fsencode(name)) <= NAME_MAX or not stem:
            return out.parent / name
        stem = stem[:-1]


@contextmanager
def atomic_write(out: str | Path, *, force: bool = False, inputs: tuple = (), suffix: str | None = None):
    """Yield a temporary path beside ``out``; on success publish it as ``out``, else delete it.

    Checks ``out`` first (:func:`check_target`).  Without ``force`` the final name is created
    exclusively (O01 if another process made it meanwhile).  An ``OSError`` while writing or
    publishing (also one wrapped by a library, e.g. xlsxwriter's ``FileCreateError``) becomes
    ``UserError`` O09 (disk full), O08 (name too long) or O03.  The finished file gets the usual
    permissions (``0666 & ~umask``).

    Usage::

        with atomic_write(target, force=args.force, suffix=".xlsx") as tmp:
            workbook_writer(tmp)
    """
    out = check_target(out, force=force, inputs=inputs, suffix=suffix)
    tmp: Path | None = None
    claim: list[Path] = []     # a placeholder at ``out`` to remove if interrupted (no hard links)
    try:
        # the name is set before the file exists and one ``finally`` covers creation to rename, so
        # an interruption (Ctrl-C, SIGTERM) at any moment still removes it
        for _ in range(100):
            tmp = _temporary(out)
            try:
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                break
            except FileExistsError:
                tmp = None
        else:
            raise FileExistsError(errno.EEXIST, "no free temporary file name")
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # 0600 would hide the file from colleagues
        if force:
            check_target(out, force=True, inputs=inputs)    # still a regular file (or gone)?
            os.replace(tmp, out)
        else:
            _publish_new(tmp, out, claim)
    except UserError:
        raise
    except Exception as exc:  # noqa: BLE001 — an OSError, maybe wrapped by the writing library
        os_error = _os_error(exc)
        if os_error is None:
            raise
        raise _error(os_error, out) from None
    finally:
        if tmp is not None:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
        for placeholder in claim:
            placeholder.unlink(missing_ok=True)


def _publish_new(tmp: Path, out: Path, claim: list) -> None:
    """Give ``tmp`` the name ``out``, which must not exist (O01 if it does).  On a file system
    without hard links the empty placeholder is listed in ``claim`` until it is replaced."""
    if os.name == "nt":
        try:
            os.rename(tmp, out)              # fails when ``out`` exists: atomic and exclusive
        except FileExistsError:
            raise UserError(Code.O01, str(out)) from None
        return
    try:
        os.link(tmp, out)                    # fails when ``out`` exists
        return
    except FileExistsError:
        raise UserError(Code.O01, str(out)) from None
    except OSError as exc:
        if exc.errno not in NO_LINKS:
            raise
    try:                                     # no hard links here: claim the name, then replace it
        os.close(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise UserError(Code.O01, str(out)) from None
    claim.append(out)
    os.replace(tmp, out)
    claim.clear()


def _os_error(exc: BaseException) -> OSError | None:
    """The ``OSError`` behind ``exc``: itself, its explicit cause, or its first argument."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError):
            return exc
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
        exc = inner or exc.__cause__
    return None


#: The usual reasons a write fails, in the user's language (``strerror`` is English).
_REASONS = {errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "只读的磁盘或文件夹",
            errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "磁盘配额已用完", errno.ENOENT: "无法在此处创建文件",
            errno.ENAMETOOLONG: "文件名或路径过长", errno.EBUSY: "文件正被占用", errno.EIO: "磁盘读写出错",
            errno.EFBIG: "文件超过了该磁盘允许的大小"}


def reason(exc: OSError) -> str:
    """Why a write failed, in Chinese (the system's text is kept for unusual errors)."""
    return _REASONS.get(exc.errno) or f"系统错误：{exc.strerror or exc}"


def _error(exc: OSError, out: Path) -> UserError:
    """The UserError for a failed write of ``out``: O09 disk full, O08 name too long, else O03."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return UserError(Code.O09, str(out), reason(exc))
    if exc.errno == errno.ENAMETOOLONG:
        return UserError(Code.O08, str(out), reason(exc))
    busy = "；文件可能正被 Excel/WPS/Word 打开，请关闭后重试" if isinstance(exc, PermissionError) else ""
    return UserError(Code.O03, str(out), f"{reason(exc)}{busy}")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_bytes(out: str | Path, content: bytes, *, force: bool = False, inputs: tuple = (),
                suffix: str | None = None) -> Path:
    """Atomically write ``content`` to ``out`` (same checks as :func:`check_target`); returns
    the path written (a symbolic link in the same folder is followed)."""
    with atomic_write(out, force=force, inputs=inputs, suffix=suffix) as tmp:
        tmp.write_bytes(content)
    return Path(out)
