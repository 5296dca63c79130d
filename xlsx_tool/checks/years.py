"""Years written in the 正文 and the 注: another year's work (N02) and this year's plans (N09).

One forward pass over a text: every ``YYYY年`` is looked at with a bounded window around it, the
bracket depth and the start of its sentence are carried along, so the work is linear in the text
(a 1 MB paragraph full of years and brackets takes well under a second).

A year ``y`` ≠ the report year is a slip (N02) when

* it opens a sentence: ``2025年，…`` / ``2025年3月，…`` (after an optional ``（一）``/``1.``/``一是``),
  unless a later year is followed by a plan (``2027年，我局将继续…``);
* or a verb of this year's work follows it in the same clause before any document word
  (``2025年本机关新收政府信息公开申请…``, ``2019年文昌镇通过政务微博…发布``);
* ``截至2025年12月31日/年底`` in a sentence that never names the report year;
* ``2024年度结转`` unless it is last year's or this year's; ``结转至2026年`` unless next year's.

Not slips: years inside 《》〔〕“”（）「」【】[], ranges (``2019-2021年``), ``较/与/比/自/于/截至/根据/
按照…2025年``, ``2025年以来/底/起/前/后/和…``, a year naming a document (``2025年政府信息公开工作要点``,
a document word before any verb), ``2025年发布的…`` (a verb used as attribute), later years with
将/拟/计划/力争….

A plan in the report year (N09, for the section the format data names, 五): ``2026年我局将继续…`` in
a 2026 report, where next year's plans belong.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)\s*年(度)?")
_WORK = re.compile(r"通过|发布|(?<!信息)(?<!政务)(?<!申请)公开|收到|新收|受理|办理|办结|答复|开展|制发|印发|出台|转发"
                   r"|组织|召开|举办|完成|更新|推送|贯彻|落实|推进|坚持|加强|深化|做好|围绕|聚焦|实现|建立|健全|完善"
                   r"|修订|制定|累计|共计")
_DOC = re.compile(r"报告|年报|要点|方案|规划|计划|纲要|目标|通知|意见|办法|规定|条例|决定|预算|决算|考核|清单|目录|指南"
                  r"|标准|公报|白皮书|行动|工程|项目")
_FUTURE = re.compile(r"将|拟|计划|力争|争取|继续|进一步|预计|打算|下一步")
_PLAN = re.compile(r"将(?:继续|进一步|持续|加大|加强|着力|重点|认真|全面|不断|积极|切实|深入|大力|进行|开展|推进|做好"
                   r"|围绕|聚焦|建立|完善|健全|提升|强化)|拟|计划|力争|争取|打算|预计|下一步")
_BEFORE = re.compile(r"(?:截至|截止|自|从|较|比|与|同|于|对|至|到|和|及|或|、|针对|根据|按照|依据|对照|结合|对比|相比"
                     r"|[-—–~～])\s*$")
_AFTER = re.compile(r"\s*(?:以来|起|底|末|初|前|后|以前|之前|之后|至|到|和|及|或|、|[-—–~～]|\d{1,2}月)")
_OPENING_PREFIX = re.compile(r"\s*(?:[（(][一二三四五六七八九十\d]{1,3}[）)]|[一二三四五六七八九十\d]{1,3}[、.．]"
                             r"|[一二三四五六七八九十]是)?\s*")
_OPENING_AFTER = re.compile(r"\s*(?:\d{1,2}月(?:份)?(?:\d{1,2}日)?|上半年|下半年|全年|期间|内|中)?\s*[，,：:]")
_AS_OF = re.compile(r"\s*(?:12月31日|底|末)")
_CARRIED = re.compile(r"\s*(?:结转|转结)")
_CARRIED_TO = re.compile(r"结转(?:至|到)\s*$")
_CLAUSE_END = re.compile(r"[。；;！!？?\n]")
_TOKENS = re.compile(r"(?P<y>(?<!\d)(?P<d>\d{4})(?!\d)\s*年度?)|(?P<o>[《〔“「【\[［（(])|(?P<c>[》〕”」】\]］）)])"
                     r"|(?P<e>[。；;！!？?\n])")
_COMMA = re.compile(r"[，,：:]")
_OPEN, _CLOSE = "《〔“「【[［（(", "》〕”」】]］）)"
WINDOW = 30
BACK = 12


@dataclass(frozen=True)
class Mention:
    """One ``YYYY年`` in a text (outside brackets): the year, where, the text of its sentence
    before it (at most :data:`BACK` characters) and after it up to the clause end (``window``: at
    most :data:`WINDOW` characters; ``tail``: twice that, for quoting), and the sentence around it
    (bounded)."""
    year: int
    start: int
    end: int
    written: str
    before: str
    window: str
    sentence: str
    tail: str


def mentions(text: str) -> Iterator[Mention]:
    """Every ``YYYY年`` (1990–2100) of ``text`` outside brackets, in order; one scan for years,
    brackets and clause ends together (see the module docstring)."""
    depth = [0] * len(_OPEN)
    sentence_start = 0
    for m in _TOKENS.finditer(text):
        kind = m.lastgroup
        if kind == "o":
            depth[_OPEN.index(m.group(0))] += 1
        elif kind == "c":
            k = _CLOSE.index(m.group(0))
            depth[k] = max(0, depth[k] - 1)
        elif kind == "e":
            sentence_start = m.end()
        else:
            if any(depth):      # inside 《》（）“”…: a title, a citation, an aside
                continue
            y = int(m.group("d"))
            if not 1990 <= y <= 2100:
                continue
            stop = _CLAUSE_END.search(text, m.end(), m.end() + 3 * WINDOW)
            sentence_end = stop.start() if stop else min(len(text), m.end() + 3 * WINDOW)
            yield Mention(y, m.start(), m.end(), m.group("y"),
                          text[max(sentence_start, m.start() - BACK):m.start()],
                          text[m.end():min(sentence_end, m.end() + WINDOW)],
                          text[max(sentence_start, m.start() - 2 * WINDOW):sentence_end],
                          text[m.end():min(sentence_end, m.end() + 2 * WINDOW)])


def _clause(mention: Mention, upto: int | None = None) -> str:
    """The quoted clause: the year and its window up to the first comma after ``upto``."""
    w = mention.tail
    stop = _COMMA.search(w, upto or 0)
    clause = mention.written + (w[:stop.start()] if stop else w)
    return clause if len(clause) <= 60 else clause[:60] + "…"


def _slip(mm: Mention, year: int) -> tuple[str, str] | None:
    """``(kind, clause)`` when a mention of another year is a slip: kind ``year``, ``carried`` or
    ``as_of``; else ``None``."""
    y, after, before = mm.year, mm.window, mm.before
    if _CARRIED_TO.search(before):
        return None if y == year + 1 else ("carried_to", _clause(mm))
    if _CARRIED.match(after):
        return None if y in (year - 1, year) else ("carried", _clause(mm))
    if re.search(r"(?:截至|截止)\s*$", before):
        if _AS_OF.match(after) and str(year) not in mm.sentence:
            return "as_of", _clause(mm)
        return None
    if _BEFORE.search(before) or _AFTER.match(after):
        if not (_OPENING_PREFIX.fullmatch(before) and _OPENING_AFTER.match(after)):
            return None
    later_plan = y > year and _FUTURE.search(mm.sentence[mm.sentence.find(mm.written):])
    if _OPENING_PREFIX.fullmatch(before) and _OPENING_AFTER.match(after):
        return None if later_plan else ("year", _clause(mm, _OPENING_AFTER.match(after).end()))
    comma = _COMMA.search(after)
    verb = _WORK.search(after)
    if not verb or later_plan:
        return None
    if after[verb.end():verb.end() + 1] == "的":
        return None
    doc = _DOC.search(after, 0, comma.start() if comma else len(after))
    if doc and doc.start() < verb.start():
        return None
    return "year", _clause(mm, verb.end())


def scan(text: str, year: int, plans: bool = False) -> tuple[list[tuple[int, str]], list[str]]:
    """One pass for both: :func:`year_slips` and, when ``plans``, :func:`report_year_plans`."""
    slips, planned = [], []
    for mm in mentions(text):
        if mm.year != year or _CARRIED_TO.search(mm.before):
            found = _slip(mm, year)
            if found:
                slips.append((mm.year, found[1]))
        elif plans and not _BEFORE.search(mm.before):
            plan = _PLAN.search(mm.window)
            if plan:
                planned.append(_clause(mm, plan.end()))
    return slips, planned


def year_slips(text: str, year: int) -> list[tuple[int, str]]:
    """``(year written, quoted clause)`` for each year in ``text`` that slipped in from another
    year (see the module docstring); linear in ``len(text)``."""
    return scan(text, year)[0]


def report_year_plans(text: str, year: int) -> list[str]:
    """Quoted clauses where the report ``year`` is followed by a plan (将继续/计划/力争…)."""
    return scan(text, year, plans=True)[1]
