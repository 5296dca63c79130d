"""Whether the 正文 has what the format requires: empty sections (N07/N08) and 六 saying 无 while
there were fees (N10).

The requirements are the format data's ``"narrative_content"`` (see its ``_about``): the 2021 format
(国办公开办函〔2021〕30号) asks 一、总体情况 to cover 主动公开、依申请公开、政府信息管理、平台建设、
监督保障 — its five sub-sections are required (错误 N07) — and every report needs 五、存在的主要
问题及改进情况 (错误); the 2019 format names no sub-sections, so there they are 提示 (N08), with one
错误 when the whole of 一 is empty.  A section is empty when it is blank, only says 无 (or another of
the data's ``empty_words``) or has fewer than ``min_chars`` characters, spaces and punctuation not
counted.  When every sub-section of 一 is empty but 一's own paragraphs are long (a report written
without sub-headings, typical of published reports read back), one 提示 says so instead.

N10: 六、其他需要报告的事项 empty or 无 while 表二 records fees collected (2021: 本年收费金额 > 0) or
another section says 信息处理费 were collected.  Linear in the text.
"""
from __future__ import annotations

import re
import unicodedata

from ..findings import Code, Finding, make
from ..formats import registry
from ..formats.content import WORKBOOK_KINDS, ReportData
from ..formats.geometry import SEP, a1
from ..formats.values import format_number

#: Length of 一's own text above which empty sub-sections are taken as "not split into sub-sections".
UNSPLIT_MIN_CHARS = 200
#: Mentions of a fee word looked at per paragraph (bounded work on any text).
MAX_MENTIONS = 50
_NEGATION = re.compile(r"未|不|没有|无|免")
_COLLECTED = re.compile(r"收取|收缴|收费|缴纳")
_ZERO = re.compile(r"(?<![\d.])0(?:\.0+)?\s*(?:万?元)")


_NOT_CONTENT = re.compile(r"[\W_]+")


def core(text: str) -> str:
    """``text`` without spaces, punctuation and symbols (what counts as content)."""
    return _NOT_CONTENT.sub("", unicodedata.normalize("NFKC", text))


def content_spec(format_id: str) -> dict:
    data = registry.raw(format_id).get("narrative_content") or {}
    return {"min_chars": int(data.get("min_chars", 10)),
            "empty_words": {core(w) for w in data.get("empty_words", ["无"])} | {""},
            "required": list(data.get("required", [])), "expected": list(data.get("expected", [])),
            "required_any": list(data.get("required_any", [])), "source": data.get("source", ""),
            "nothing_to_report": data.get("nothing_to_report") or {}}


def emptiness(paragraphs: list[str], spec: dict) -> str | None:
    """Why a section counts as empty (``空白``/``只写了“无”``/``不足 N 个字``), or ``None``."""
    text = core("".join(paragraphs))
    if not text:
        return "空白"
    if text in spec["empty_words"]:
        return f"只写了“{''.join(paragraphs).strip()[:20]}”"
    if len(text) < spec["min_chars"]:
        return f"只有 {len(text)} 个字（不足 {spec['min_chars']} 个字）"
    return None


def _where(data: ReportData, sid: str) -> dict:
    fmt = data.fmt
    where = dict(file=data.source, sheet=fmt.narrative_sheet,
                 labels=SEP.join((fmt.narrative_sheet, fmt.section_label(sid))))
    if data.kind in WORKBOOK_KINDS:
        rows = data.paragraph_rows.get(sid) or [fmt.narrative_rows()[sid][1]]
        where["cell"] = a1(rows[0], 1)
    return where


def findings(data: ReportData) -> list[Finding]:
    """N07/N08 for empty sections and N10 for 六 (see the module docstring), in section order.

    A published report gets N10 only: its missing and empty parts are the reader's P03/P07, said
    as a reader of the published text would look for them (and a report that writes 一、总体情况
    without the （一）…（五） headings is common in print)."""
    fmt = data.fmt
    spec = content_spec(fmt.id)
    sections = [s["id"] for s in fmt.narrative]
    why = {sid: emptiness(data.narrative.get(sid, []), spec) for sid in sections}
    if data.published:
        return list(_nothing_to_report(data, spec, why))
    out: list[Finding] = []
    done: set[str] = set()
    for group in spec["required_any"]:
        members = [m for m in group.get("sections", []) if m in why]
        if members and all(why[m] for m in members):
            out.append(make(Code.N07, f"“{group.get('label', '')}”各部分都没有内容（{spec['source']}）",
                            extra={"sections": members}, **_where(data, members[0])))
            done.update(members)
    children: dict[str, list[str]] = {}
    for s in fmt.narrative:
        if s.get("parent"):
            children.setdefault(s["parent"], []).append(s["id"])
    for parent, kids in children.items():
        own = len(core("".join(data.narrative.get(parent, []))))
        if parent not in done and own >= UNSPLIT_MIN_CHARS and all(why.get(k) for k in kids):
            labels = "、".join(fmt.section_label(k) for k in kids)
            out.append(make(Code.N08, f"“{fmt.section_label(parent)}”没有分{labels}填写，这几部分都是空的；"
                                      "请把相应内容移到各部分（年报格式要求分别说明）", extra={"sections": kids},
                            **_where(data, parent)))
            done.update(kids)
    for sid in sections:
        if sid in done or not why[sid]:
            continue
        label = fmt.section_label(sid)
        if sid in spec["required"]:
            out.append(make(Code.N07, f"“{label}”{why[sid]}（{spec['source']}）", extra={"section": sid},
                            **_where(data, sid)))
        elif sid in spec["expected"]:
            out.append(make(Code.N08, f"“{label}”{why[sid]}", extra={"section": sid}, **_where(data, sid)))
    out.extend(_nothing_to_report(data, spec, why))
    return out


def _fee_fact(text: str, word: str) -> str | None:
    """A clause of ``text`` saying fees named ``word`` were collected (not 未收取/0元), or ``None``;
    at most :data:`MAX_MENTIONS` mentions are looked at."""
    start, seen = text.find(word), 0
    while start != -1 and seen < MAX_MENTIONS:
        seen += 1
        lo, hi = max(0, start - 12), min(len(text), start + len(word) + 12)
        left = re.split(r"[，。；;,]", text[lo:start])[-1]
        right = re.split(r"[，。；;,]", text[start:hi])[0]
        clause = left + right
        if _COLLECTED.search(clause) and not _NEGATION.search(left) and not _ZERO.search(clause):
            return clause
        start = text.find(word, start + len(word))
    return None


def _nothing_to_report(data: ReportData, spec: dict, why: dict) -> list[Finding]:
    rule = spec["nothing_to_report"]
    sid = rule.get("section")
    if not sid or sid not in why or not why[sid]:
        return []
    fmt, values = data.fmt, data.values()
    reasons = []
    for cid in rule.get("cells", []):
        if cid in fmt.cells and values.get(cid, 0) > 0:
            c = fmt.cells[cid]
            reasons.append(f"{c.sheet}“{SEP.join(c.rows[-1:] + c.cols[-1:])}”为 {format_number(values[cid])}")
    for other, paragraphs in data.narrative.items():
        if other == sid:
            continue
        for word in rule.get("fee_words", []):
            for para in paragraphs:
                fact = _fee_fact(para, word)
                if fact:
                    reasons.append(f"{fmt.section_label(other)}写有“{fact}”")
                    break
    if not reasons:
        return []
    return [make(Code.N10, f"“{fmt.section_label(sid)}”{why[sid]}，但{'；'.join(reasons[:3])}",
                 extra={"section": sid}, **_where(data, sid))]
