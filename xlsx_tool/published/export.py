"""A report read from any source into a filled workbook of our own template (``import``).

Numbers go into the input cells as printed; a printed blank stays blank, a printed ``/`` ``—``
``无`` is written as that text, an uncertain cell gets the printed text it came from (so ``check``
stops at it until someone types the number).  Totals: where the printed total equals what the
formula computes, the formula stays; where it differs (or was printed blank, or is uncertain) the
printed content is written over the formula, so ``check`` reports it (S04 for a number that does
not add up, S05 for a blank) exactly as for a clerk who typed over a total.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from ..findings import Code, UserError
from ..formats import model
from ..formats.content import ReportData
from .split import EMPTY, Blank, Placeholder


def _number(v) -> bool:
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)


def prefill(data: ReportData) -> dict[str, object]:
    """``prefill`` for :func:`~xlsx_tool.workbook.template.write_template` (see module doc)."""
    fmt = data.fmt
    uncertain = getattr(data, "uncertain", {})
    placeholders = getattr(data, "placeholders", {})
    printed = getattr(data, "printed", {})
    out: dict[str, object] = {}
    for cid, cell in fmt.cells.items():
        if not cell.is_input:
            continue
        v = data.inputs.get(cid)
        if v is not None:
            out[cid] = v
        elif cid in uncertain:
            out[cid] = f"?{uncertain[cid]}"[:250]
        elif cid in placeholders:
            out[cid] = placeholders[cid]
    def leaves_sum(cid: str) -> Decimal:
        vals = [out.get(x) for x in fmt.leaves(cid)]
        return sum((Decimal(str(v)) for v in vals if _number(v)), Decimal(0))

    for cid, cell in fmt.cells.items():
        if cell.is_input:
            continue
        if cid in uncertain:
            out[cid] = f"?{uncertain[cid]}"[:250]
            continue
        if cid not in printed:
            continue
        p = printed[cid]
        if p is EMPTY or isinstance(p, Blank):
            out[cid] = None
        elif isinstance(p, Placeholder):
            out[cid] = p.text
        elif _number(p) and Decimal(str(p)) != leaves_sum(cid):
            out[cid] = p
    out.update({k: v for k, v in data.info.items() if v})
    out.update({k: v for k, v in data.choices.items() if v})
    for sid, paras in data.narrative.items():
        if sid in {s["id"] for s in fmt.narrative}:
            out[model.narrative_name(sid)] = fit_paragraphs(paras, fmt.paragraph_rows)
    for tid, note in data.notes.items():
        if note:
            out[fmt.table(tid).note_id] = note
    return out


def fit_paragraphs(paras: list[str], rows: int) -> list[str]:
    """At most ``rows`` paragraphs: the ones beyond the last row go into it, one per line (the
    reader splits them again)."""
    if len(paras) <= rows:
        return list(paras)
    return list(paras[:rows - 1]) + ["\n".join(paras[rows - 1:])]


def write_workbook(data: ReportData, out, *, year: int | None = None, org: str | None = None,
                   force: bool = False, inputs: tuple = ()) -> Path:
    """Write the filled workbook for ``data``; ``UserError`` F13 when no report year is known."""
    from .. import outputs
    from ..workbook.template import write_template

    year = year or data.year
    if year is None:
        raise UserError(Code.F13, str(data.source), "未能从报告中读出报告年度，请用 --year 指定，如 --year 2025",
                        exit_code=2)
    pf = prefill(data)
    pf["year"] = year
    if org:
        pf["org_name"] = org
    outputs.check_target(out, force=force, inputs=inputs)
    return write_template(out, data.fmt.id, year=year, org=org or data.info.get("org_name", ""),
                          prefill=pf, force=force)
