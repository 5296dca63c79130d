"""Reading an input file: the one way every reader of the tool takes the bytes of a file it was given.

A workbook, a published report, exchange JSON, a roster, a Word template: whatever a user names is
untrusted, and a name can stand for something that is no file at all — a named pipe that blocks
the reader forever, ``/dev/zero`` behind a symbolic link that never ends, a socket.  Every reader
therefore gets its bytes from :func:`read_input`, which

* looks at the path without opening it (missing, a folder, a suffix the reader does not take);
* refuses anything but a regular file (F14), also behind a symbolic link;
* opens it without blocking (``O_NONBLOCK``: opening a FIFO with no writer would wait forever),
  checks again on the open descriptor (the path may have been swapped meanwhile), and
* reads at most ``limit + 1`` bytes, so a file that grows (or lies about its size) is never read
  past its reader's limit.

Each reader names its own codes for "too big" and "unreadable" (a workbook says F06/F03, a
published report F25/F23, a roster R06 …); the codes for a missing file, a folder, another type
and a non-regular file are the same everywhere unless the reader says otherwise.  Ground floor:
imports nothing of the package but :mod:`.findings`.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from .findings import Code, UserError

#: What each kind of special file is called in a message.
_NOT_REGULAR = ((stat.S_ISFIFO, "命名管道（FIFO）"), (stat.S_ISCHR, "字符设备（如 /dev/zero）"),
                (stat.S_ISBLK, "块设备"), (stat.S_ISSOCK, "套接字"))
_OPEN_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
               | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0))


def megabytes(n: int) -> str:
    """``314572800`` → ``"300"``, ``8912896`` → ``"8.5"`` (MB, at most one decimal)."""
    text = f"{n / 2**20:.1f}"
    return text[:-2] if text.endswith(".0") else text


def not_regular(st: os.stat_result) -> str | None:
    """What a non-regular file is, in Chinese (``命名管道（FIFO）``), or ``None`` for a regular file."""
    if stat.S_ISREG(st.st_mode):
        return None
    return next((name for test, name in _NOT_REGULAR if test(st.st_mode)), "特殊文件")


def read_input(path, limit: int, *, suffixes: tuple[str, ...] | None = None, suffix_detail: str = "",
               too_big: Code = Code.F06, unreadable: Code = Code.F03, missing: Code = Code.F01,
               missing_detail: str = "", folder: Code = Code.F02, folder_detail: str = "",
               hint: str = "", allow_empty: bool = False) -> bytes:
    """The bytes of the input file ``path``, at most ``limit`` of them, or a :class:`UserError`:

    ``missing`` (F01) when there is nothing at ``path``; ``folder`` (F02) for a folder; F07 when
    ``suffixes`` is given and the name ends otherwise (``suffix_detail`` follows the suffix in
    the message); F14 for a FIFO, a device or a socket (never opened in a way that could block,
    never read); ``too_big`` when the file holds more than ``limit`` bytes (``hint`` says what is
    usual); ``unreadable`` when it cannot be opened or read, or is empty (unless ``allow_empty``).
    """
    p, subject = Path(path), str(path)
    try:
        st = os.stat(p)
    except (FileNotFoundError, NotADirectoryError):
        raise UserError(missing, subject, missing_detail) from None
    except (OSError, ValueError) as exc:        # a name too long, a NUL byte, no permission
        raise UserError(unreadable, subject, f"无法打开：{_why(exc)}") from None
    if stat.S_ISDIR(st.st_mode):
        raise UserError(folder, subject, folder_detail)
    if suffixes is not None and p.suffix.lower() not in suffixes:
        raise UserError(Code.F07, subject, f"扩展名为“{p.suffix or '（无）'}”{suffix_detail}")
    _regular(st, subject)
    if st.st_size > limit:
        raise _too_big(too_big, subject, f"文件有 {megabytes(st.st_size)} MB，", limit, hint)
    try:
        fd = os.open(p, _OPEN_FLAGS)
    except OSError as exc:
        raise UserError(unreadable, subject, f"无法打开：{_why(exc)}") from None
    try:
        _regular(os.fstat(fd), subject)         # the path may have been swapped since os.stat
        chunks, total = [], 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise _too_big(too_big, subject, "文件", limit, hint)
    except OSError as exc:
        raise UserError(unreadable, subject, f"无法读取：{_why(exc)}") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if not data and not allow_empty:
        raise UserError(unreadable, subject, "文件为空（0 字节）")
    return data


_REASONS = {errno.ENAMETOOLONG: "文件名或路径过长", errno.EACCES: "没有读取权限", errno.EPERM: "没有读取权限",
            errno.ELOOP: "符号链接循环", errno.EISDIR: "这是文件夹", errno.EIO: "磁盘读取错误"}


def _why(exc: BaseException) -> str:
    """An ``OSError`` in Chinese where the usual ones are concerned (``strerror`` is English)."""
    return _REASONS.get(getattr(exc, "errno", None), None) or getattr(exc, "strerror", None) or str(exc)


def _regular(st: os.stat_result, subject: str) -> None:
    kind = not_regular(st)
    if kind is not None:
        raise UserError(Code.F14, subject, f"这是{kind}")


def _too_big(code: Code, subject: str, what: str, limit: int, hint: str) -> UserError:
    usual = f"（{hint}）" if hint else ""
    return UserError(code, subject, f"{what}超过 {megabytes(limit)} MB 的上限{usual}；请确认选对了文件")
