"""This year's report against last year's (衔接): the continuity rules of the format data, rows
copied unchanged, paragraphs copied unchanged and the text repeat rate.  Everything here is a 提示:
agencies can have reasons (a reorganisation, an amended document), which they give in 说明.

* Y01–Y03 — each link of :mod:`xlsx_tool.formats.carry` that does not hold (表三 二、上年结转 vs
  last year's 四、结转下年度继续办理 per column; 2021 现行有效件数 = 上年 + 本年制发 − 本年废止;
  2019 对外公开总数量 and 上一年项目数量), naming both files, both cells and every number;
  checked only when last year's report is of the year before.
* Y04 — a table row whose inputs (stocks such as 现行有效件数 and the cells a continuity rule derives
  from last year left out, see ``stale_rows`` in the data) are non-zero and identical to last
  year's same row while other numbers of the report changed; when no number changed at all, one
  finding for the whole report.
* Y05 — a 正文 paragraph identical to one of last year's (whitespace aside).
* Y06 — the overall repeat rate (:mod:`.repeat`) above the data's threshold, naming the sections
  that repeat most.
* I06/I07 (as 提示) — last year's report is of another agency or not of the year before.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import NOTE, Code, Finding, make
from ..formats import carry
from ..formats.content import ReportData
from ..formats.geometry import SEP, a1
from ..formats.values import format_number, plain
from . import repeat


@dataclass
class Continuity:
    """What :func:`compare` found: ``findings`` (Y codes, and I06/I07 as 提示) and
    ``repeat_rates`` (see :func:`.repeat.repeat_rates`; JSON-ready)."""
    findings: list[Finding] = field(default_factory=list)
    repeat_rates: dict = field(default_factory=dict)


def same_org(a: str, b: str) -> bool:
    norm = lambda s: "".join(unicodedata.normalize("NFKC", s or "").split())   # noqa: E731
    return not norm(a) or not norm(b) or norm(a) == norm(b)


def name_of(data: ReportData) -> str:
    """How a message names a report's file: ``“2025年报数据.xlsx”``."""
    return f"“{Path(data.source).name}”" if data.source else "（上年报告）"


def identity_notes(this: ReportData, last: ReportData) -> list[Finding]:
    """I06/I07 as 提示 when ``last`` is not this agency's report of the year before."""
    out = []
    where = dict(file=this.source, sheet=this.fmt.info_sheet)
    if not same_org(this.info.get("org_name", ""), last.info.get("org_name", "")):
        out.append(make(Code.I06, f"本报告为“{this.info.get('org_name')}”，上年报告{name_of(last)}为"
                                  f"“{last.info.get('org_name')}”", severity=NOTE, **where))
    if this.year is not None and last.year != this.year - 1:
        said = f"{last.year} 年度" if last.year else "没有写明年度"
        out.append(make(Code.I07, f"本报告为 {this.year} 年度，上年报告{name_of(last)}{said}；"
                                  "表格的衔接检查未进行，只比较了正文", severity=NOTE, **where))
    return out


def compare(this: ReportData, last: ReportData) -> Continuity:
    """Every continuity finding of ``this`` against ``last`` and the repeat rates (module docstring)."""
    found = identity_notes(this, last)
    consecutive = this.year is not None and last.year == this.year - 1
    if consecutive:
        found += _links(this, last)
        found += _stale_rows(this, last)
    found += _copied_paragraphs(this, last)
    rates = repeat.repeat_rates(this, last)
    found += _repeat_note(this, last, rates)
    return Continuity(found, rates)


def _cell_text(data: ReportData, cid: str) -> str:
    c = data.fmt.cells[cid]
    return f"{c.sheet}!{data.address(cid)}（{SEP.join(c.rows[-1:] + c.cols[-1:])}）"


def _links(this: ReportData, last: ReportData) -> list[Finding]:
    out = []
    now, before = this.inputs, last.inputs
    for link in carry.links(this.fmt.id, last.fmt.id):
        ids_now = [link.cell] + [t.cell for t in link.this_terms]
        if any(now.get(i) is None for i in ids_now) or any(before.get(t.cell) is None for t in link.last_terms):
            continue
        if link.holds(now, before):
            continue
        actual, expected = now[link.cell], link.expected(now, before)
        parts = [(t.sign, f"上年{_cell_text(last, t.cell)} {format_number(before[t.cell])}") for t in link.last_terms]
        parts += [(t.sign, f"本年{_cell_text(this, t.cell)} {format_number(now[t.cell])}") for t in link.this_terms]
        formula = "".join(f"{'' if k == 0 and sign > 0 else ' − ' if sign < 0 else ' + '}{text}"
                          for k, (sign, text) in enumerate(parts))
        if len(parts) > 1:
            formula += f" = {format_number(expected)}"
        diff = actual - expected
        msg = (f"本报告{_cell_text(this, link.cell)}为 {format_number(actual)}，按上年报告{name_of(last)}应为"
               f"{formula}，{'多' if diff > 0 else '少'} {format_number(abs(diff))}（{link.title}）")
        c = this.fmt.cells[link.cell]
        out.append(make(Code[link.code], msg, file=this.source, sheet=c.sheet, cell=this.address(link.cell),
                        labels=c.label_path, left=f"本年{_cell_text(this, link.cell)}", right=formula,
                        left_value=plain(actual), right_value=plain(expected), difference=plain(diff),
                        extra={"rule": link.title, "source": link.source, "previous_file": last.source,
                               "previous_cells": {t.cell: last.address(t.cell) for t in link.last_terms}}))
    return out


def _rows(data: ReportData) -> dict[tuple[str, str], list[str]]:
    """(table, row key) → input cell ids of that printed row, left to right."""
    out: dict[tuple[str, str], list[str]] = {}
    for tl in data.fmt.tables:
        for c in sorted(tl.cells, key=lambda c: (c.row, c.col)):
            if c.is_input:
                out.setdefault((tl.id, c.row_key), []).append(c.id)
    return out


def _stale_rows(this: ReportData, last: ReportData) -> list[Finding]:
    spec = carry.stale_rows_spec(this.fmt.id)
    derived = {link.cell for link in carry.links(this.fmt.id, last.fmt.id)}   # follow last year by rule
    shared = [cid for cid in this.fmt.cells if this.fmt.cells[cid].is_input and cid in last.fmt.cells
              and cid not in derived and not carry.ignored(this.fmt.id, cid)]
    now, before = this.inputs, last.inputs
    known = [cid for cid in shared if now.get(cid) is not None and before.get(cid) is not None]
    changed = {cid for cid in known if now[cid] != before[cid]}
    candidates = []
    for (table, _), ids in _rows(this).items():
        ids = [i for i in ids if i in known]
        if not ids or any(i in changed for i in ids):
            continue
        nonzero = [now[i] for i in ids if now[i]]
        if len(nonzero) >= spec["min_nonzero_cells"] or sum(nonzero, 0) >= spec["min_sum"]:
            candidates.append(ids)
    if not candidates:
        return []
    if not changed:
        return [make(Code.Y04, f"表格中可比较的 {len(known)} 个数字与上年报告{name_of(last)}完全相同，"
                               "请确认是否照抄了上年的表格", title="表格数字与上年报告完全相同", file=this.source,
                     extra={"previous_file": last.source})]
    out = []
    for ids in candidates:
        c = this.fmt.cells[ids[0]]
        span = f"{this.address(ids[0])}:{this.address(ids[-1])}" if len(ids) > 1 else this.address(ids[0])
        shown = "、".join(format_number(now[i]) for i in ids)
        row = c.row_label or c.table_title
        out.append(make(Code.Y04, f"{c.sheet}“{row}”一行（{span}）的数字与上年报告{name_of(last)}同一行完全相同"
                                  f"（{shown}），而本年其他 {len(changed)} 个数字有变化", file=this.source, sheet=c.sheet,
                        cell=this.address(ids[0]), labels=SEP.join((c.table_title,) + c.rows),
                        extra={"cells": ids, "previous_file": last.source}))
    return out


def _paragraph_where(data: ReportData, sid: str, i: int) -> dict:
    fmt = data.fmt
    where = dict(file=data.source, sheet=fmt.narrative_sheet,
                 labels=SEP.join((fmt.narrative_sheet, fmt.section_label(sid), f"第{i + 1}段")))
    rows = data.paragraph_rows.get(sid, ())
    if i < len(rows):
        where["cell"] = a1(rows[i], 1)
    return where


def _copied_paragraphs(this: ReportData, last: ReportData) -> list[Finding]:
    minimum = repeat.settings(this.fmt.id)["min_paragraph_chars"]
    before = {}
    for sid, paras in last.narrative.items():
        for k, p in enumerate(paras):
            before.setdefault(repeat.same_paragraph(p), (sid, k))
    out = []
    for s in this.fmt.narrative:
        for i, p in enumerate(this.narrative.get(s["id"], [])):
            key = repeat.same_paragraph(p)
            if len(repeat.normalise(p)) < minimum or key not in before:
                continue
            sid, k = before[key]
            quote = p if len(p) <= 30 else p[:30] + "…"
            out.append(make(Code.Y05, f"本段与上年报告{name_of(last)}“{last.fmt.section_label(sid)}”第{k + 1}段完全相同："
                                      f"“{quote}”", extra={"section": s["id"], "paragraph": i + 1,
                                                          "previous_file": last.source},
                            **_paragraph_where(this, s["id"], i)))
    return out


def _repeat_note(this: ReportData, last: ReportData, rates: dict) -> list[Finding]:
    overall = rates.get("overall")
    if overall is None or overall <= rates["threshold"]:
        return []
    labels = {s["id"]: s["label"] for s in this.fmt.narrative}
    worst = sorted(((r, sid) for sid, r in rates["sections"].items() if r), reverse=True)[:3]
    most = "、".join(f"{labels[sid]} {repeat.percent(r)}" for r, sid in worst)
    return [make(Code.Y06, f"本年正文与上年报告{name_of(last)}的重复率为 {repeat.percent(overall)}"
                           f"（超过 {repeat.percent(rates['threshold'])}），重复最多的是：{most}",
                 file=this.source, sheet=this.fmt.narrative_sheet,
                 extra={"repeat_rates": rates, "previous_file": last.source})]
