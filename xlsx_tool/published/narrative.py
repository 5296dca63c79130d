"""正文 from the sections, and what the structure itself says (P03–P07).

一、总体情况 is split by its sub-headings into the format's subsections (（一）主动公开 …
（五）监督保障), matched by topic words whatever their number; a sub-heading naming another topic
(``（二）健全规章制度``) stays in the text of 总体情况.  A sub-heading that ends with ``。`` or stands
alone is dropped from the paragraph, as the workbook prints the subsection labels itself.
五 → 存在的主要问题及改进情况, 六 → 其他需要报告的事项.  Text inside 二、三、四 that is not a table
(a 注 under a table) becomes that table's note.
"""
from __future__ import annotations

import re

from ..findings import Code, Finding, make
from ..formats import model
from ..formats.geometry import SEP
from .document import Para
from .labels import norm
from .structure import Structure, paragraphs

_SUB = re.compile(r"^[（(]([一二三四五六七八九十])[)）]\s*")
_INLINE_SUB = re.compile(r"(?<=[。；！])(?=[（(][一二三四五六七八九十][)）])")
_NOTE = re.compile(r"^(?:注|备注|说明)\s*[:：]")


def _split_inline(text: str) -> list[str]:
    return [p for p in _INLINE_SUB.split(text) if p.strip()]


def _topics(fmt: model.Format) -> list[tuple[str, str]]:
    """``(section id, topic words)`` of the subsections of 总体情况."""
    out = []
    for s in fmt.narrative:
        if s.get("level", 1) == 2:
            out.append((s["id"], norm(_SUB.sub("", s["label"]))))
    return out


def narrative(st: Structure, fmt: model.Format) -> tuple[dict[str, list[str]], dict[str, list[int]]]:
    """正文 section id → paragraphs, and → page of each paragraph."""
    ids = {i: s.get("narrative") for i, s in enumerate(fmt.report_sections)}
    out: dict[str, list[str]] = {s["id"]: [] for s in fmt.narrative}
    pages: dict[str, list[int]] = {s["id"]: [] for s in fmt.narrative}
    topics = _topics(fmt)
    for sec in st.sections:
        sid = ids.get(sec.index)
        if not sid:
            continue
        current = sid
        for text, page in paragraphs(sec.blocks):
            for part in _split_inline(text):
                target, body = current, part
                m = _SUB.match(part)
                if m and sid == "overview":
                    head = norm(part[m.end():m.end() + 24])
                    hits = sorted((head.find(t[1]), i) for i, t in enumerate(topics) if t[1] and 0 <= head.find(t[1]) <= 10)
                    topic = topics[hits[0][1]] if hits else None
                    if topic:
                        target = current = topic[0]
                        body = _drop_heading(part, m.end(), topic[1])
                    else:
                        target = current = sid
                if body:
                    out[target].append(body)
                    pages[target].append(page)
    return out, pages


def _drop_heading(text: str, start: int, topic: str) -> str:
    cut = re.search(r"[。：:]", text[start:start + 30])
    if cut and topic in norm(text[start:start + cut.end()]):
        return text[start + cut.end():].strip()
    if len(text) <= 30:
        return ""
    return text


def table_notes(st: Structure, fmt: model.Format) -> dict[str, str]:
    """A 注 printed in a table's section (``注：本表数据…``) → the table's note."""
    ids = {i: s.get("table") for i, s in enumerate(fmt.report_sections)}
    out: dict[str, str] = {}
    for sec in st.sections:
        tid = ids.get(sec.index)
        if not tid:
            continue
        notes = [b.text.strip() for b in sec.blocks if isinstance(b, Para) and _NOTE.match(b.text.strip())]
        if notes:
            out[tid] = "\n".join(notes)
    return out


def structure_findings(st: Structure, fmt: model.Format, narrative_: dict[str, list[str]],
                       source: str) -> list[Finding]:
    """P03 missing parts, P04 renamed headings, P05 extra parts, P06 order, P07 empty parts."""
    official = fmt.report_sections
    found = [s for s in st.sections if s.index >= 0]
    out = []
    if not st.sections:
        return [make(Code.P03, "未找到“一、总体情况”至“六、其他需要报告的事项”任何一部分的标题，正文未读取",
                     file=source, labels="报告结构")]
    missing = [f"{s['number']}、{s['title']}" for i, s in enumerate(official) if i not in {x.index for x in found}]
    if missing:
        out.append(make(Code.P03, "未找到：" + "；".join(missing), file=source, labels="报告结构",
                        extra={"missing": missing}))
    renamed = [f"“{s.heading}”（官方：{official[s.index]['number']}、{official[s.index]['title']}）"
               for s in found if norm(s.title) != norm(official[s.index]["title"])]
    if renamed:
        out.append(make(Code.P04, "；".join(renamed), file=source, labels="报告结构"))
    extra = [s.heading for s in st.sections if s.index < 0]
    seen: set[int] = set()
    for s in found:
        if s.index in seen:
            extra.append(s.heading)
        seen.add(s.index)
    if extra:
        out.append(make(Code.P05, "：".join(["多出的部分", "；".join(f"“{h}”" for h in extra)]), file=source,
                        labels="报告结构", extra={"extra": extra}))
    order = [s.index for s in found]
    if order != sorted(order):
        shown = "、".join(s.heading for s in found)
        out.append(make(Code.P06, f"原文顺序：{shown}", file=source, labels="报告结构"))
    labels = {s["id"]: s["label"] for s in fmt.narrative}
    for sid in ("overview", "problems"):
        paras = narrative_.get(sid, [])
        if sid == "overview":
            paras = [p for k, v in narrative_.items() if k.startswith("overview") for p in v]
        section_found = any(official[s.index].get("narrative") == sid for s in found)
        if section_found and (not paras or all(norm(p).strip(".") in ("无", "暂无") for p in paras)):
            out.append(make(Code.P07, f"“{labels[sid]}”{'只写了“无”' if paras else '没有内容'}", file=source,
                            labels=SEP.join(("正文", labels[sid]))))
    return out
