"""Reports as the ``prefill`` of :func:`~xlsx_tool.workbook.template.write_template`.

* :func:`prefill_of` — a report's whole content, so that any report the tool reads (a sample, an
  exchange JSON, a published report, a combined sum) becomes a workbook that reads back to the
  same content;
* :func:`prefill_from` — this year's template from last year's report (any format, any source
  :func:`xlsx_tool.sources.read_any` reads): 基本信息 but the year, the 正文 paragraphs, and the
  cells the format data carries over (:mod:`xlsx_tool.formats.carry`: 表三 二、上年结转 from last
  year's 四、结转下年度继续办理; the 2019 format's 上一年项目数量).
"""
from __future__ import annotations

from ..formats import carry, model, registry
from ..formats.content import ReportData

#: Excel's limit on the characters of one cell.
CELL_CHARS = 32_767
#: 基本信息 fields never taken from last year's report.
NOT_CARRIED = ("year",)


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


def prefill_from(last: ReportData, year: int, *, format_id: str | None = None) -> dict:
    """The ``prefill`` mapping (see :func:`.template.write_template`) for report ``year`` in
    ``format_id`` (default: the format of ``year``) from last year's report ``last``.

    Numbers: only the ``carry`` links of the format data, from last year's values; a link with an
    unreadable input of last year (``None``) is left blank.  The 正文 keeps at most the format's
    paragraphs per section; choices carry over between reports of the same format."""
    fid = format_id or registry.for_year(year)
    fmt = model.load(fid)
    out: dict = {"year": year}
    for f in fmt.info:
        value = str(last.info.get(f["id"], "") or "").strip()
        if f["id"] not in NOT_CARRIED and value:
            out[f["id"]] = value[:f["max_length"]] if f.get("max_length") else value
    sections = {s["id"] for s in fmt.narrative}
    for sid, paragraphs in last.narrative.items():
        if sid in sections and paragraphs:
            out[model.narrative_name(sid)] = [p[:CELL_CHARS] for p in list(paragraphs)[:fmt.paragraph_rows]]
    readable = {cid: v for cid, v in last.inputs.items() if v is not None}
    for link in carry.links(fid, last.fmt.id):
        if link.kind == "carry" and all(t.cell in readable for t in link.last_terms):
            out[link.cell] = link.last_part(readable)
    if last.fmt.id == fid:
        choices = {spec["id"] for tl in fmt.tables for spec in tl.choices_spec}
        out.update((k, v) for k, v in last.choices.items() if k in choices and v)
    return out
