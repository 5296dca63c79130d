"""A report's content as the ``prefill`` of :func:`~xlsx_tool.workbook.template.write_template`, so
that any report the tool reads (an exchange JSON, a published report, a combined sum) becomes a
workbook that reads back to the same content.
"""
from __future__ import annotations

from ..formats import model
from ..formats.content import ReportData


def prefill_of(data: ReportData, *, info: bool = True, narrative: bool = True) -> dict:
    """Defined-name id → value for every input cell of ``data`` (``None`` stays blank), 基本信息
    (when ``info``), 正文 (when ``narrative``), 注 and choices.

    A section with more paragraphs than the sheet has rows keeps every paragraph: the overflow
    goes into the last row, one paragraph per line (the reader splits a cell's lines into
    paragraphs, so the content reads back unchanged)."""
    fmt = data.fmt
    out: dict = {cid: data.inputs.get(cid) for cid, c in fmt.cells.items() if c.is_input}
    if info:
        out.update({f["id"]: str(data.info.get(f["id"], "") or "") for f in fmt.info})
    if narrative:
        for s in fmt.narrative:
            paras = [p for p in data.narrative.get(s["id"], []) if p.strip()]
            if len(paras) > fmt.paragraph_rows:
                keep = fmt.paragraph_rows - 1
                paras = paras[:keep] + ["\n".join(paras[keep:])]
            out[model.narrative_name(s["id"])] = paras
    for tl in fmt.tables:
        out[tl.note_id] = data.notes.get(tl.id, "") or ""
        for spec, _, _ in tl.choices:
            if data.choices.get(spec["id"]):
                out[spec["id"]] = data.choices[spec["id"]]
    return out
