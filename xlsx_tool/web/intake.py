"""Taking an upload in: receive the form into an item folder, then name each file by its content.

:func:`take_form` applies the session's disk quota and the request limits of :mod:`.uploads`;
:func:`place` sniffs one received file (:mod:`.sniff`) and moves it to the name it is read
under, or refuses it: content of a kind this form does not take (W04), or of a kind whose reader
is not installed (W09).  A file whose content is not recognised at all — or, where published
reports are taken too, plain text named as a workbook (a renamed CSV) — keeps a workbook suffix, so the workbook reader judges it and answers
exactly as ``xlsx-tool check``/``review`` would (F03 …).
"""
from __future__ import annotations

import os
from pathlib import Path

from ..findings import Code, UserError
from . import features
from .errors import session, web
from . import sniff as sniffing
from .sniff import UNKNOWN, Kind, sniff, stored_name, unique_in
from .uploads import Form, Gone, Rejected, receive

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
#: What each kind of input accepts, by sniffed group.
WORKBOOK = ("workbook",)
ANY_REPORT = ("workbook", "published", "exchange")
#: Groups whose reader another part of the package provides: group → feature name.
NEEDS = {"published": "published", "exchange": "exchange"}


async def take_form(request, item, *, max_files: int | None = None) -> Form:
    """The form of ``request`` received into ``item.folder`` (raises :class:`Rejected`/:class:`Gone`)."""
    state, sess = web(request), session(request)
    settings = state.settings
    declared = request.headers.get("content-length", "")
    need = int(declared) if declared.isdigit() else 0
    if not state.store.make_room(sess, min(need, settings.max_batch_bytes), settings.max_session_bytes):
        raise Rejected(413, UserError(Code.W02, "本浏览器保存的文件",
                                      f"合计超过 {settings.max_session_bytes // 2**20} MB，请稍后再试"))
    return await receive(request, item.folder, csrf=sess.csrf, max_file=settings.max_file_bytes,
                         max_batch=settings.max_batch_bytes,
                         max_files=settings.max_batch_files if max_files is None else max_files)


def judge(path: Path, display: str, accept: tuple[str, ...]) -> Kind:
    """The kind ``path`` is read as, or ``UserError`` W04/W09 (see the module docstring)."""
    kind = sniff(path)
    suffix = Path(display).suffix.lower()
    if kind == sniffing.TXT and suffix in WORKBOOK_SUFFIXES and "published" in accept:
        kind = UNKNOWN       # plain text named as a workbook: a renamed CSV, not a published report
    if kind.group in accept:
        feature = NEEDS.get(kind.group)
        if feature and not features.available(feature):
            raise UserError(Code.W09, display, f"文件内容是{kind.label}；{features.NAMES[feature]}")
        return kind
    if kind == UNKNOWN and "workbook" in accept:
        return Kind(suffix if suffix in WORKBOOK_SUFFIXES else ".xlsx", kind.label, "workbook")
    wanted = "电子表格（.xlsx、.xls、.ods）" if accept == WORKBOOK else "年报工作簿或已发布的年报"
    raise UserError(Code.W04, display, f"文件内容是{kind.label}，这里需要{wanted}")


def place(upload, folder: Path, accept: tuple[str, ...]) -> Path:
    """Move a received file to ``folder`` under the name its content calls for; returns the path."""
    kind = judge(upload.path, upload.name, accept)
    target = unique_in(folder, stored_name(upload.name, kind))
    os.replace(upload.path, target)
    upload.path = target
    return target


__all__ = ["take_form", "place", "judge", "Rejected", "Gone", "WORKBOOK", "ANY_REPORT"]
