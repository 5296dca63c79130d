"""Unpacking a .zip of reports that the review office uploads, without trusting it.

Before anything is written the directory is judged as a whole (:func:`check_members`): at most
:data:`~.config.MAX_ZIP_MEMBERS` files; no absolute path, drive letter or ``..`` in any name; no
symbolic link; no encrypted member; each member at most the per-file limit, all of them at most
:data:`~.config.MAX_ZIP_TOTAL_BYTES`, and no member bigger than
:data:`~.config.ZIP_RATIO_MIN_BYTES` packed more than :data:`~.config.MAX_ZIP_RATIO`:1.  One bad
member refuses the whole archive (W03, naming it): a review office wants to know its archive is
odd, not to get a partial result.  Unpacking then counts the bytes really inflated, so a member
whose header lies about its size is stopped at its limit.  Names packed by Windows without the
UTF-8 flag are read as GBK (what Chinese Windows writes).  Only the base name of each member is
kept; system clutter (``__MACOSX/``, ``Thumbs.db``, ``desktop.ini``, ``~$`` lock files) is skipped.
"""
from __future__ import annotations

import re
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..findings import Code, UserError
from . import config
from .sniff import safe_name, unique_in

_DRIVE = re.compile(r"^[A-Za-z]:")
_CLUTTER = ("__macosx/", "thumbs.db", "desktop.ini", ".ds_store")


@dataclass
class Member:
    """One unpacked member: where it is, and its name inside the archive (shown to the user)."""
    path: Path
    name: str


def member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author typed it.  Not flagged UTF-8: UTF-8 all the same when
    the bytes are valid UTF-8 (``zip`` on Linux and macOS writes them so, without the flag),
    else GBK (as Chinese Windows packs it); a GBK name is almost never valid UTF-8."""
    name = info.filename
    if not info.flag_bits & 0x800:
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            return name
        for encoding in ("utf-8", "gbk"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
    return name


def _clutter(name: str) -> bool:
    low = name.lower()
    base = low.rstrip("/").rsplit("/", 1)[-1]
    return low.startswith("__macosx/") or base in _CLUTTER or base.startswith(("~$", "._"))


def check_members(infos: list[zipfile.ZipInfo], subject: str, *, max_file: int) -> list[zipfile.ZipInfo]:
    """The members to unpack (files, no clutter); ``UserError`` W03 for anything unsafe."""
    if len(infos) > config.MAX_ZIP_MEMBERS:
        raise UserError(Code.W03, subject, f"压缩包内有 {len(infos)} 个文件，最多 {config.MAX_ZIP_MEMBERS} 个")
    keep, total = [], 0
    for info in infos:
        name = member_name(info)
        unix = name.replace("\\", "/")
        if unix.startswith("/") or _DRIVE.match(unix) or ".." in unix.split("/"):
            raise UserError(Code.W03, subject, f"“{name}”的路径指向压缩包以外（绝对路径或含“..”）")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise UserError(Code.W03, subject, f"“{name}”是符号链接")
        if info.is_dir() or _clutter(unix):
            continue
        if info.flag_bits & 0x1:
            raise UserError(Code.W03, subject, f"“{name}”设置了密码，请解除压缩包密码后再上传")
        if info.file_size > max_file:
            raise UserError(Code.W03, subject, f"“{name}”解压后 {info.file_size / config.MB:.1f} MB，"
                                               f"超过每个文件 {max_file // config.MB} MB 的限制")
        if info.file_size > config.ZIP_RATIO_MIN_BYTES and \
                info.file_size > config.MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise UserError(Code.W03, subject, f"“{name}”的压缩比超过 {config.MAX_ZIP_RATIO}:1（可能是“压缩炸弹”）")
        total += info.file_size
        if total > config.MAX_ZIP_TOTAL_BYTES:
            raise UserError(Code.W03, subject, f"解压后合计超过 {config.MAX_ZIP_TOTAL_BYTES // config.MB} MB")
        keep.append(info)
    return keep


def unpack(archive: Path, dest: Path, subject: str, *, max_file: int) -> list[Member]:
    """Unpack the reports in ``archive`` into ``dest`` (flat, unique base names); ``UserError``
    W03 for an unsafe or oversized archive, F03 for one that is not a readable zip."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise UserError(Code.F03, subject, "压缩包已损坏，无法打开") from None
    out: list[Member] = []
    with zf:
        members = check_members(zf.infolist(), subject, max_file=max_file)
        budget = config.MAX_ZIP_TOTAL_BYTES
        for info in members:
            name = member_name(info)
            target = unique_in(dest, safe_name(name, "压缩包中的文件"))
            limit = min(info.file_size, max_file)
            written = 0
            try:
                with zf.open(info) as src, open(target, "xb") as dst:
                    while True:
                        chunk = src.read(256 * 1024)
                        if not chunk:
                            break
                        written += len(chunk)
                        if written > limit or written > budget:
                            raise UserError(Code.W03, subject, f"“{name}”解压后的大小与压缩包记录不符")
                        dst.write(chunk)
            except UserError:
                target.unlink(missing_ok=True)
                raise
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
                target.unlink(missing_ok=True)
                raise UserError(Code.F03, subject, f"压缩包中的“{name}”无法解压（{type(exc).__name__}）") from None
            budget -= written
            out.append(Member(target, name))
    return out


def clear(folder: Path) -> None:
    """Remove everything in ``folder`` (after a refused archive)."""
    for p in folder.iterdir():
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)
