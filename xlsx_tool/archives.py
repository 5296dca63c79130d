"""Judging a zip package by its directory before anything inflates it (.xlsx, .docx, .ods).

A workbook, a Word template and a published Word report are zip packages; each reader refuses one
whose directory announces too many members, too many bytes or a suspicious compression ratio,
with its own code (F06, F20, F25).  The judgement is here once; the limits are the reader's.
``zipfile`` stops inflating a member at its announced size and checks the CRC, so the announced
sizes bound the work.
"""
from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ZipLimits:
    """``entries``: members; ``total``: bytes of all members inflated; ``member``: bytes of one
    member inflated (a number, or a function of the member's name; ``None``: no limit of its
    own); ``ratio``: inflated ÷ compressed size, judged for members of at least ``ratio_from``
    bytes (small members of office files compress far better than 100:1)."""
    entries: int
    total: int
    member: int | Callable[[str], int] | None = None
    ratio: int = 100
    ratio_from: int = 2**20


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


def over_limit(infos: list[zipfile.ZipInfo], limits: ZipLimits) -> str | None:
    """What in the directory ``infos`` is over ``limits``, in Chinese (``压缩包内有 12000 个文件，
    超过 10000 个的上限``; the total names its largest member; a member over its ratio or size is
    named with its inflated size), or ``None`` when nothing is."""
    if len(infos) > limits.entries:
        return f"压缩包内有 {len(infos)} 个文件，超过 {limits.entries} 个的上限"
    total = sum(i.file_size for i in infos)
    if total > limits.total:
        big = max(infos, key=lambda i: i.file_size)
        return f"解压后共 {_mb(total)}（其中 {big.filename} 有 {_mb(big.file_size)}），超过 {_mb(limits.total)} 的上限"
    for i in infos:
        if i.file_size >= limits.ratio_from and i.file_size > limits.ratio * max(i.compress_size, 1):
            return f"{i.filename} 解压后有 {_mb(i.file_size)}，压缩比超过 {limits.ratio}:1（可能是压缩炸弹）"
        cap = limits.member(i.filename) if callable(limits.member) else limits.member
        if cap is not None and i.file_size > cap:
            return f"{i.filename} 解压后有 {_mb(i.file_size)}，超过 {_mb(cap)} 的上限"
    return None
