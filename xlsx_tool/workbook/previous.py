"""Starting from last year's report, and writing a workbook again with explanations.

(The ``prefill`` of this year's template from last year's report is :func:`.prefill.prefill_from`.)
* :func:`find_beside` — last year's workbook beside this year's, by the tool's own naming: the
  report year in the file name replaced by the year before (``2026年政府信息公开年报数据.xlsx`` →
  ``2025年政府信息公开年报数据.xlsx``; .xlsx, .xls or .ods).
* :func:`rewrite_with_explanations` — a new copy of a filled workbook with the 说明 sheet filled
  in (for the web page); the source is never modified.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..findings import Code, UserError
from .files import EXTENSIONS

#: The template's default file name (``cli template`` without ``-o``), ``{year}`` = the report year.
DEFAULT_NAME = "{year}年政府信息公开年报数据.xlsx"


def beside_candidates(path: str | Path, year: int) -> list[Path]:
    """Where last year's workbook of ``path`` (a report of ``year``) would be, by the tool's
    naming: every ``year`` in the file name → ``year - 1``, with each workbook extension (the
    same one first); then the template's default name for ``year - 1`` in the same folder."""
    path = Path(path)
    out: list[Path] = []
    stem = path.stem
    if str(year) in stem:
        old = re.sub(rf"(?<!\d){year}(?!\d)", str(year - 1), stem)
        suffixes = [path.suffix.lower()] + [e for e in EXTENSIONS if e != path.suffix.lower()]
        out += [path.with_name(old + s) for s in suffixes]
    out.append(path.with_name(DEFAULT_NAME.format(year=year - 1)))
    return [p for p in dict.fromkeys(out) if p != path]


def find_beside(path: str | Path, year: int | None) -> Path | None:
    """The first of :func:`beside_candidates` that is a file, or ``None``."""
    if year is None:
        return None
    return next((p for p in beside_candidates(path, year) if p.is_file()), None)


def rewrite_with_explanations(src, out, explanations, *, force: bool = False) -> Path:
    """Write to ``out`` a new template holding everything read from the filled workbook ``src``
    (基本信息, 正文, 注, choices, every readable number, and last year's data it kept) with the
    说明 sheet holding ``explanations`` (replacing what ``src`` had: pass
    ``data.explanations + new`` to add).  ``src`` is never modified.

    Raises :class:`UserError`: F.. when ``src`` cannot be read; S01/S03 when a sheet is missing or
    its labels were changed, V02 when a cell holds something that is not a number (rewriting would lose them: correct
    ``src`` first); O01–O05 for ``out`` (O04: ``out`` is ``src``).  ``ValueError`` for malformed ``explanations``."""
    from .. import outputs
    from .read import read_workbook
    from .prefill import prefill_of
    from .template import write_template

    outputs.check_target(out, force=force, inputs=(src,))      # O01–O05 before any work
    data = read_workbook(src)
    lost = [c for c, v in data.inputs.items() if v is None and c not in data.blank]
    unread = [f for f in data.findings if f.code in (Code.S01.name, Code.S03.name)]
    if unread:
        f = unread[0]
        raise UserError(Code[f.code], str(src), f"{f.message or f.title}；重写会丢失这些数据，请先恢复")
    if lost:
        shown = "、".join(f"{data.fmt.cells[c].sheet}!{data.address(c)}" for c in lost[:5])
        more = f"等 {len(lost)} 个单元格" if len(lost) > 5 else ""
        raise UserError(Code.V02, str(src), f"{shown}{more}的内容无法按数字读取，重写会丢失它们；请先在表格软件中改正")
    values = {k: v for k, v in prefill_of(data).items() if v is not None}
    previous = data.carried.as_report() if data.carried is not None else None
    return write_template(out, data.fmt.id, year=data.year or data.fmt.first_year, prefill=values,
                          previous=previous, explanations=explanations, force=force)
