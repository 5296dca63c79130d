"""A :class:`~.document.Document` into :class:`PublishedReport`: structure, tables, findings.

Steps: sections (:mod:`.structure`) → title, agency, year and 基本信息 (:mod:`.info`) → the format
and the tables (:mod:`.tables`, :mod:`.resolve`) → 正文 (:mod:`.narrative`) → findings: the
structure (P03–P07), the format against the year (P10), each table's reading (P11–P24, V codes for
printed numbers that no cell of that type can hold), the cross-checks as printed
(:mod:`.printed`).  Blank printed cells stay blank (``blank``), non-numbers stay out of the inputs
(P14), totals are kept as printed in :attr:`PublishedReport.printed`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..findings import Code, Finding, make
from ..formats import model, registry
from ..formats.content import ReportData
from ..formats.geometry import SEP
from ..formats.values import parse_number
from . import info as info_mod
from . import narrative as narrative_mod
from . import printed as printed_mod
from .cells import NUM
from .document import Document, Grid
from .labels import norm
from .resolve import resolve
from .rows import grid_rows, text_rows
from .split import EMPTY, Blank, Placeholder
from .structure import find
from .tables import choose

#: Words of a table that is not an official one but is often printed with them.
EXTRA_TABLE_WORDS = ("信息处理费", "通知收取", "实际收取", "收费金额", "收取件数")


@dataclass
class PublishedReport(ReportData):
    """:class:`ReportData` read from a published report, plus what only a printed report has:
    ``printed`` (total cell id → the number printed there, :data:`~.split.EMPTY` when printed
    blank; totals whose row was not found are absent), ``uncertain`` (cell id → the printed text
    that could not be read for sure), ``placeholders`` (input cell id → a printed non-number such
    as ``—``), ``title`` as printed and ``pages``."""
    printed: dict = field(default_factory=dict)
    uncertain: dict = field(default_factory=dict)
    placeholders: dict = field(default_factory=dict)
    title: str = ""
    pages: int = 0

    def unreadable(self) -> set[str]:
        """The inputs not known (see :meth:`ReportData.unreadable`) and every printed cell that
        could not be read (``uncertain``, P17/P25)."""
        return super().unreadable() | set(self.uncertain)


def _titles() -> list[str]:
    fmt = model.load(registry.available()[-1])
    return [s["title"] for s in fmt.report_sections]


def build(doc: Document) -> PublishedReport:
    st = find(doc, _titles())
    title, org, year = info_mod.title_of(doc, st)
    found: list[Finding] = []
    guessed = None
    if year is None:
        guessed = info_mod.year_from_text(st)
    fmt, matches, others = choose(st, year or guessed)
    data = PublishedReport(fmt, source=doc.source, kind=doc.kind, title=title, pages=doc.pages)
    data.info = {f["id"]: "" for f in fmt.info}
    data.info.update(info_mod.basic_info(st))
    data.info["org_name"] = org
    data.info["year"] = str(year or guessed or "")
    data.narrative, pages = narrative_mod.narrative(st, fmt)
    data.notes = {tl.id: "" for tl in fmt.tables}
    data.notes.update(narrative_mod.table_notes(st, fmt))
    found += _info_findings(data, year, guessed)
    found += narrative_mod.structure_findings(st, fmt, data.narrative, doc.source)
    report_year = year or guessed
    if report_year is not None and not fmt.serves(report_year):
        try:
            right = model.load(registry.for_year(report_year)).label
        except (KeyError, ValueError):
            right = ""
        if right:
            found.append(make(Code.P10, f"报告年度为 {report_year}，统计表按 {fmt.label} 印制，"
                                        f"该年度应使用 {right}", file=doc.source, labels="统计表"))
    for tl in fmt.tables:
        for c in tl.cells:
            if c.is_input:
                data.inputs[c.id] = None
        m = matches[tl.id]
        if not m.pairs:
            found.append(make(Code.P01, f"未找到“{tl.heading}”的数字", file=doc.source, labels=tl.heading))
            data.blank.update(c.id for c in tl.cells if c.is_input)
            continue
        found += _table(data, tl, m)
    found += _extra_tables(doc, st, others)
    data.findings = found
    data.findings += printed_mod.findings(data)
    return data


def _info_findings(data: PublishedReport, year, guessed) -> list[Finding]:
    fmt = data.fmt
    missing = [f["label"] for f in fmt.info if f.get("required") and not data.info.get(f["id"])]
    out = []
    if missing:
        out.append(make(Code.P02, "未找到：" + "、".join(missing), file=data.source, labels="基本信息",
                        extra={"missing": missing}))
    if year is None and guessed:
        out.append(make(Code.P02, f"标题中没有报告年度，按正文推断为 {guessed} 年", file=data.source,
                        labels=SEP.join(("基本信息", "报告年度"))))
    return out


def _table(data: PublishedReport, tl: model.TableLayout, m) -> list[Finding]:
    fmt = data.fmt
    tv = resolve(m, data.source)
    out = list(tv.findings)
    blanks, places = [], []
    for cid, v in tv.values.items():
        cell = fmt.cells[cid]
        where = cell.label_path
        if v is EMPTY or isinstance(v, Blank):
            if cell.is_input:
                data.blank.add(cid)
                blanks.append(SEP.join(cell.rows + cell.cols))
            else:
                data.printed[cid] = EMPTY
            continue
        if isinstance(v, Placeholder):
            places.append(f"{SEP.join(cell.rows + cell.cols)}“{v.text}”")
            if cell.is_input:
                data.placeholders[cid] = v.text
            else:
                data.printed[cid] = v
            continue
        p = parse_number(str(v), cell.type)
        if p.code is not None:
            out.append(make(p.code, f"原文为“{v}”", file=data.source, labels=where))
            if not cell.is_input:
                data.uncertain[cid] = str(v)
            continue
        if cell.is_input:
            data.inputs[cid] = p.value
        else:
            data.printed[cid] = p.value
    for cid, text in tv.uncertain.items():
        data.uncertain[cid] = text
    for leaf in tv.missing:
        data.blank.update(c.id for c in leaf.cells if c.is_input)
    if tv.missing:
        shown = "、".join(SEP.join(x for x in (lf.caption,) + lf.groups + (lf.label,) if x) for lf in tv.missing)
        out.append(make(Code.P12, f"原文中没有：{shown}", file=data.source, labels=tl.heading,
                        extra={"rows": [lf.label for lf in tv.missing]}))
    if blanks:
        out.append(make(Code.P13, f"{len(blanks)} 个单元格空白：" + "；".join(blanks[:10]) + ("等" if len(blanks) > 10 else ""),
                        file=data.source, labels=tl.heading, extra={"cells": blanks}))
    if places:
        out.append(make(Code.P14, "；".join(places[:10]) + ("等" if len(places) > 10 else ""),
                        file=data.source, labels=tl.heading, extra={"cells": places}))
    printed_notes = [r.label for r in m.rows if re.match(r"^\s*(?:注|备注|说明)\s*[:：]", r.label)]
    if printed_notes:                 # a 注 printed as the table's last row
        data.notes[tl.id] = "\n".join([n for n in (data.notes.get(tl.id, ""),) if n] + printed_notes)
    if tv.notes:
        note = data.notes.get(tl.id, "")
        data.notes[tl.id] = "\n".join([n for n in (note,) if n] + tv.notes)
    for choice, unit in tv.units.items():
        data.choices[choice] = unit
        out.append(make(Code.P24, f"原文金额后印有“{unit}”", file=data.source, labels=tl.heading))
    out += _strays(m, tl, data.source)
    return out


def _strays(m, tl: model.TableLayout, source: str) -> list[Finding]:
    """P23 (rows printed twice) and P22 (rows matching no official row), one finding each per table."""
    from .labels import similarity

    matched = {id(lf): row for row, lf, _ in m.pairs}
    twice, unknown = [], []
    for row in m.stray:
        best = max(m.spec.leaves, key=lambda lf: similarity(lf.norm, norm(row.label)))
        if similarity(best.norm, norm(row.label)) >= 0.9 and id(best) in matched:
            same = [t.value for t in row.tokens] == [t.value for t in matched[id(best)].tokens]
            twice.append(f"“{row.printed[:80]}”{'（与前面的数字相同）' if same else '（与前面的数字不同）'}")
        else:
            unknown.append(f"“{row.printed[:80]}”")
    out = []
    for code, rows in ((Code.P23, twice), (Code.P22, unknown)):
        if rows:
            more = f"等 {len(rows)} 行" if len(rows) > 5 else ""
            out.append(make(code, "原文为" + "；".join(rows[:5]) + more, file=source, labels=tl.heading,
                            extra={"rows": rows[:100], "count": len(rows)}))
    return out


def _extra_tables(doc: Document, st, others: list[Grid]) -> list[Finding]:
    out = []
    for grid in others:
        text = grid.text()
        rows = grid_rows(grid)
        if any(r.has_values for r in rows) and any(w in text for w in EXTRA_TABLE_WORDS):
            out.append(make(Code.P21, f"表格内容：{text[:80]}", file=doc.source, labels="其他表格",
                            extra={"text": text[:400]}))
    seen = {f.extra.get("text", "")[:40] for f in out}
    for sec in st.sections:
        paras = [b for b in sec.blocks if not isinstance(b, Grid)]
        for b in paras:
            t = norm(b.text)
            if sum(w in t for w in ("通知收取件数", "通知收取金额", "实际收取金额", "收取情况")) >= 2 and any(tok.kind == NUM or tok.kind == "run"
                                                                   for r in text_rows([b]) for tok in r.tokens):
                if t[:40] not in seen:
                    out.append(make(Code.P21, f"原文：{b.text[:80]}", file=doc.source,
                                    labels=sec.heading, extra={"text": b.text[:400]}))
                    seen.add(t[:40])
    return out
