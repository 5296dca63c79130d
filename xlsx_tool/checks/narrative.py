"""正文 (narrative) paragraphs against the tables: placeholders, contradictions and year slips.

* **Placeholders** (N03): a placeholder (:mod:`xlsx_tool.formats.placeholders`) that names no
  cell or several; N05: one written with doubled braces ``{{…}}`` (replaced all the same).
* **Contradictions** (N01): :data:`CLAIMS`, the phrases clerks write with a number ("本年新收政府
  信息公开申请335件") and the cells that number must equal.
* **Year slips** (N02, :mod:`.years`): a year other than the report year written as this year's
  ("2019年文昌镇通过政务微博…发布" in a 2020 report), in every paragraph and in the 注 under
  each table; and (N09) a plan in 五 dated in the report year instead of the next.

Locations: a finding names the sheet 正文 and ``labels`` = ``正文 › （二）依申请公开 › 第1段``, and
the cell when the report was read from a workbook (``ReportData.paragraph_rows``); a 注 finding
names its table's sheet and 注 cell.  Every check is linear in the text.
"""
from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from ..findings import Code, Finding, make
from ..formats import placeholders, registry
from ..formats.content import ReportData
from ..formats.geometry import SEP, a1
from ..formats.model import Format, load
from ..formats.values import Number, format_number
from .years import report_year_plans, scan, year_slips

__all__ = ["findings", "contradictions", "year_slips", "report_year_plans", "cn_int", "CLAIMS", "Claim"]

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
#: A quotation (“…”, 「…」, 『…』) of at most a sentence's length.
_QUOTED = re.compile(r"“[^“”\n]{1,60}”|「[^「」\n]{1,60}」|『[^『』\n]{1,60}』")


def _paragraphs(data: ReportData) -> Iterator[tuple[str, int, str, dict]]:
    """``(section id, index, paragraph, where)``; ``where`` = the Finding location keywords."""
    fmt, rows = data.fmt, data.paragraph_rows
    labels = {s["id"]: s["label"] for s in fmt.narrative}
    for sid, paras in data.narrative.items():
        for i, para in enumerate(paras):
            where = dict(sheet=fmt.narrative_sheet,
                         labels=SEP.join((fmt.narrative_sheet, labels.get(sid, sid), f"第{i + 1}段")))
            if rows and i < len(rows.get(sid, ())):
                where["cell"] = a1(rows[sid][i], 1)
            yield sid, i, para, where


def _unresolved_finding(fmt: Format, placeholder: str, sid: str, i: int, where: dict) -> Finding:
    content = placeholders.content_of(placeholder)
    found = placeholders.lookup(fmt, content)
    by_id = placeholders.is_field_id(content)
    shown = ["{" + cid + "}" if by_id else placeholders.placeholder_for(fmt, cid) for cid in found.candidates[:8]]
    more = f"等 {len(found.candidates)} 个" if len(found.candidates) > 8 else ""
    if found.reason == "ambiguous":
        msg = f"占位符“{placeholder}”对应多个单元格，请写得更具体，如：{'、'.join(shown)}{more}。"
    elif found.reason == "sheet":
        names = [tl.sheet for tl in fmt.tables]
        sheets = "、".join(names[:-1]) + " 或 " + names[-1] if len(names) > 1 else names[0]
        msg = f"占位符“{placeholder}”中的表名无法识别，表名应为 {sheets}。"
    else:
        hint = f"是否想写：{'、'.join(shown)}？" if shown else "请核对表名和行、列标签。"
        msg = f"占位符“{placeholder}”没有对应的单元格。{hint}"
    return make(Code.N03, msg, extra={"section": sid, "paragraph": i + 1, "placeholder": placeholder,
                                      "candidates": list(found.candidates)}, **where)


# -- contradictions (N01) ------------------------------------------------------------------------
_N = r"(?P<n>\d{1,3}(?:,\d{3}){1,3}|\d{1,12}|[零〇一二两三四五六七八九十百千万]{1,12})\s*件"
_BE = r"(?:数量)?\s*(?:共计|合计|总计|累计|共|计|为|达|是|:|：)?\s*"
_NOT = r"(?:未(?:发生|出现|产生|收到|接到|受理|被申请|被提起)|没有(?:发生|出现|收到|接到)?|无(?!法|论|正当|偿|需)|不存在)"
_GAP = r"[^，。；,;\d\n]{0,14}?"


@dataclass(frozen=True)
class Claim:
    """A phrase stating a table number.  ``pattern``: regex; ``{N}`` = the stated number + 件,
    ``{BE}`` = optional 共/为/合计…; a pattern without ``{N}`` states zero (未收到…).
    ``targets``: each an expression the number must equal — ids joined by ``+`` (summed), ``|``
    for alternatives (first id the format has: 2021|2019), fnmatch globs allowed.  ``accept``:
    other expressions the number may equal instead (another usual way of counting, 口径);
    ``own``: a statistic of this agency only — skipped when the words just before it say it is one
    the agency keeps as a reconsideration body or for others (备案, 受理, 办理…)."""
    pattern: str
    targets: tuple[str, ...]
    accept: tuple[str, ...] = ()
    own: bool = False


#: Ordered specific → general; a text span matched by one claim is not matched by a later one.
CLAIMS: tuple[Claim, ...] = (
    # 本年新收政府信息公开申请335件 / 共收到申请12件 (only the number right after the phrase)
    Claim(r"(?:本年度?共?)?(?:新收到?|收到|接到)(?:各类|的)?(?:政府信息公开|信息公开|公开)?申请(?!人){BE}{N}", ("request_new_total",)),
    # 受理/收办/办理政府信息公开申请338件: often counted with the carried-over requests, or as handled
    Claim(r"(?:受理|收办|办理)了?(?:各类|的)?(?:政府信息公开|信息公开|依申请公开)?申请(?!人){BE}{N}", ("request_new_total",),
          accept=("request_new_total+request_carried_in_total", "request_outcome_total_total")),
    # 上年结转3件 / 上年结转政府信息公开申请3件
    Claim(r"上年度?结转(?:的)?(?:政府信息公开)?(?:申请)?{BE}{N}", ("request_carried_in_total",)),
    # 结转下年度继续办理4件
    Claim(r"结转(?:至|到)?下一?年度?(?:继续办理)?(?:的)?(?:申请)?{BE}{N}", ("request_carried_out_total",)),
    # 办结334件 → （七）总计
    Claim(r"办结(?:政府信息公开)?(?:申请)?{BE}{N}", ("request_outcome_total_total",)),
    # 予以公开63件 / 部分公开17件 / 不予公开… / 无法提供… / 不予处理… / 其他处理… (the groups summed)
    Claim(r"予以公开(?:的)?(?:申请)?{BE}{N}", ("request_disclosed_total",)),
    Claim(r"部分公开(?:的)?(?:申请)?{BE}{N}", ("request_partial_total",)),
    Claim(r"不予公开(?:的)?(?:申请)?{BE}{N}", ("request_withheld_*_total",)),
    Claim(r"无法提供(?:的)?(?:申请)?{BE}{N}", ("request_unable_*_total",)),
    Claim(r"不予处理(?:的)?(?:申请)?{BE}{N}", ("request_not_processed_*_total",)),
    Claim(r"其他处理(?:的)?(?:申请)?{BE}{N}", ("request_otherwise*_total",)),
    # 表四: the two kinds of suit before the general 行政诉讼
    Claim(r"(?:未经(?:行政)?复议)?直接(?:提起)?(?:行政)?(?:起诉|诉讼)(?:案件)?{BE}{N}", ("litigation_direct_total",), own=True),
    Claim(r"复议后(?:提起)?(?:行政)?(?:起诉|诉讼)(?:案件)?{BE}{N}", ("litigation_after_reconsideration_total",), own=True),
    # 行政复议和行政诉讼均为0件 → both totals
    Claim(r"行政复议(?:和|及|与|、|或)(?:行政)?诉讼(?:案件)?(?:均为|均|都为|都是|各|各为|{BE}){N}",
          ("reconsideration_total", "litigation_direct_total+litigation_after_reconsideration_total"), own=True),
    # 被申请行政复议6件
    Claim(r"(?:被申请)?行政复议(?:案件|申请)?{BE}{N}", ("reconsideration_total",), own=True),
    # 被提起行政诉讼6件 → 直接起诉 + 复议后起诉
    Claim(r"(?:被提起)?行政诉讼(?:案件)?{BE}{N}", ("litigation_direct_total+litigation_after_reconsideration_total",), own=True),
    # 未收到政府信息公开申请 (states zero)
    Claim(r"(?:未|没有)(?:收到|接到|受理)过?(?:任何)?(?:的)?(?:政府信息公开|信息公开|依申请公开)?申请(?!人)", ("request_new_total",)),
    # 未发生…行政复议和行政诉讼 / …行政复议 / …行政诉讼 (state zero)
    Claim(_NOT + _GAP + r"行政复议(?:和|及|与|、|或)(?:行政)?诉讼",
          ("reconsideration_total", "litigation_direct_total+litigation_after_reconsideration_total")),
    Claim(_NOT + _GAP + r"行政复议", ("reconsideration_total",)),
    Claim(_NOT + _GAP + r"行政诉讼", ("litigation_direct_total+litigation_after_reconsideration_total",)),
    # 表二: 行政许可决定1286件 / 行政处罚决定57件 / 行政强制决定4件 (件 only: 项 = 2019 项目数量)
    Claim(r"行政许可(?:处理)?(?:决定)?书?{BE}{N}", ("proactive_licensing_decisions",)),
    Claim(r"行政处罚(?:处理)?(?:决定)?书?{BE}{N}", ("proactive_penalty_decisions",)),
    Claim(r"行政强制(?:处理)?(?:决定)?书?{BE}{N}", ("proactive_compulsion_decisions",)),
    # 制发行政规范性文件5件 / 废止…2件 / 现行有效行政规范性文件36件 (2019: 本年新制作数量, 对外公开总数量 differ in meaning → 2021 only except 制发)
    Claim(r"(?:制发|印发|出台|制定)了?(?:行政)?规范性文件{BE}{N}", ("proactive_normative_issued|proactive_normative_made",)),
    Claim(r"废止了?(?:行政)?规范性文件{BE}{N}", ("proactive_normative_repealed",)),
    Claim(r"现行有效(?:的)?(?:行政)?规范性文件{BE}{N}", ("proactive_normative_in_force",)),
    Claim(r"(?:制发|印发|出台|制定)了?规章{BE}{N}", ("proactive_rules_issued|proactive_rules_made",)),
    Claim(r"现行有效(?:的)?规章{BE}{N}", ("proactive_rules_in_force",)),
)


def _glob(ids, pattern: str) -> list[str]:
    """The ids matching ``pattern``: itself, or with one ``*`` standing for any characters (a
    regular expression per pattern would cost every ``check`` its compile time)."""
    if "*" not in pattern:
        return [pattern] if pattern in ids else []
    if pattern.count("*") > 1:
        return fnmatch.filter(ids, pattern)
    head, tail = pattern.split("*")
    return [i for i in ids if i.startswith(head) and i.endswith(tail) and len(i) >= len(head) + len(tail)]


def _target_ids(fmt: Format, expr: str) -> list[str] | None:
    """Cell ids of a claim target, or ``None`` when the format lacks one of its terms."""
    ids: list[str] = []
    for term in expr.split("+"):
        got = next((hit for alt in term.split("|") if (hit := _glob(fmt.cells, alt))), None)
        if not got:
            return None
        ids.extend(got)
    return ids


@lru_cache(maxsize=None)
def _compiled(fmt_id: str) -> list[tuple[re.Pattern, list[list[str]], list[list[str]], bool]]:
    fmt = load(fmt_id)
    out = []
    for claim in CLAIMS:
        targets = [_target_ids(fmt, t) for t in claim.targets]
        if all(targets):
            accept = [ids for ids in (_target_ids(fmt, t) for t in claim.accept) if ids]
            out.append((re.compile(claim.pattern.replace("{BE}", _BE).replace("{N}", _N)), targets, accept,
                        claim.own))
    return out


#: Words just before a 行政复议/行政诉讼 count that make it another body's statistic (the agency as
#: reconsideration body, or cases it files for others): not compared with 表四.
_OTHERS = re.compile(r"备案|受理|审理|办理|收到|接收|审结|办结|作出|收案|立案|复议机关|代理|应诉")


_CN_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9)))
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_int(text: str) -> int | None:
    """``"335"``/``"1,286"``/``"十二"``/``"一百零五"``/``"三"`` → int; ``None`` if not a number."""
    text = text.replace(",", "")
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS and ch != "万" for ch in text):
        return None
    if not any(ch in _CN_UNITS or ch == "万" for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total = section = num = 0
    for ch in text:
        if ch in _CN_DIGITS:
            num = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (num or 1) * _CN_UNITS[ch]
            num = 0
        else:
            total, section, num = total + (section + num) * 10000, 0, 0
    return total + section + num


def contradictions(fmt: Format, text: str, values: Mapping[str, Number]) -> Iterator[tuple[str, int | None, list[str], Number]]:
    """``(phrase, stated number or None for a "none" phrase, cell ids, table value)`` for every
    phrase of :data:`CLAIMS` in ``text`` whose number differs from the tables.  Words inside
    quotation marks (a slogan such as “办结一件申请、解决一个问题”, a document's title) state no
    count and are not read."""
    text = _QUOTED.sub(lambda m: "　" * len(m.group(0)), text.translate(_FULLWIDTH_DIGITS))
    taken = bytearray(len(text))          # characters already matched by an earlier claim
    for rx, targets, accept, own in _compiled(fmt.id):
        for m in rx.finditer(text):
            start, end = m.span()
            if taken.find(1, start, end) != -1:
                continue
            taken[start:end] = b"\x01" * (end - start)
            if own and _OTHERS.search(text, max(0, start - 8), start):
                continue
            stated = cn_int(m.group("n")) if "n" in rx.groupindex else None
            if "n" in rx.groupindex and stated is None:
                continue
            if any(sum((values[i] for i in ids), 0) == stated for ids in accept):
                continue
            for ids in targets:
                actual = sum((values[i] for i in ids), 0)
                if actual != (stated or 0):
                    yield m.group(0), stated, ids, actual


def _cells_label(fmt: Format, ids: list[str]) -> str:
    names = [SEP.join(c.rows[-1:] + c.cols[-1:] if c.rows else c.cols[-2:]) for c in map(fmt.cells.get, ids)]
    return names[0] if len(names) == 1 else "、".join(names) + " 之和"


# -- all narrative findings for check -----------------------------------------------------------
def _slip_message(y: int, clause: str, year: int) -> str:
    if "结转" in clause:
        return (f"“{clause}”写的是 {y} 年，本报告为 {year} 年度报告"
                f"（上年结转是 {year - 1} 年结转来的申请，结转下年度是结转到 {year + 1} 年的申请）。")
    return f"“{clause}”写的是 {y} 年，本报告为 {year} 年度报告。"


def _note_where(data: ReportData, table_id: str) -> dict:
    tl = data.fmt.table(table_id)
    return dict(sheet=tl.sheet, cell=a1(tl.note.row, tl.note.col) if tl.note else "",
                labels=SEP.join((tl.heading, "注")))


#: Characters of 正文 and 注 looked at for N01/N02/N09 (a long real report has a few tens of
#: thousands); the rest gets one N11 提示.  Keeps every check bounded whatever a workbook holds.
MAX_TEXT = 200_000
#: Findings of one code listed per paragraph; the rest are counted in one more finding.
MAX_PER_PARAGRAPH = 5


def _capped(found: list[Finding], code: Code, where: dict, extra: dict) -> list[Finding]:
    """``found`` (all of ``code``) with at most :data:`MAX_PER_PARAGRAPH`, and a line counting the rest."""
    if len(found) <= MAX_PER_PARAGRAPH:
        return found
    rest = len(found) - MAX_PER_PARAGRAPH
    return found[:MAX_PER_PARAGRAPH] + [make(code, f"本段另有 {rest} 处同类问题，未逐一列出", extra=dict(extra, more=rest), **where)]


def _unknown(fmt: Format, unreadable: set[str]) -> set[str]:
    """The cells whose value is not known: ``unreadable`` (:meth:`ReportData.unreadable`: not a
    number in a workbook, not read from a published report) and every total over one of them."""
    out = set(unreadable)
    grown = bool(out)
    while grown:
        grown = False
        for cid, cell in fmt.cells.items():
            if cid not in out and cell.total_of and out.intersection(cell.total_of):
                out.add(cid)
                grown = True
    return out


def findings(data: ReportData) -> list[Finding]:
    """N03 (unresolved placeholders), N01 (numbers contradicting the tables), N02 (another
    year's work, in the paragraphs and the 注) and N09 (a plan in 五 dated in the report year) for
    the narrative of ``data``; N01/N02 look at the text after substitution, at most
    :data:`MAX_TEXT` characters in all (N11 beyond)."""
    fmt, values, year = data.fmt, data.values(), data.year
    text_of, unresolved = placeholders.substitute(fmt, data.narrative, values)
    wheres = {(sid, i): where for sid, i, _, where in _paragraphs(data)}
    out = [_unresolved_finding(fmt, ph, sid, i, wheres[sid, i]) for sid, i, ph in unresolved]
    out += _doubled_braces(data, wheres, values)
    plans = (registry.raw(fmt.id).get("narrative_content") or {}).get("plans")
    budget = MAX_TEXT
    texts = [(text_of[sid][i], where, {"section": sid, "paragraph": i + 1}, sid == plans)
             for sid, i, _, where in _paragraphs(data)]
    texts += [(note, _note_where(data, tid), {"note": tid}, False) for tid, note in data.notes.items()
              if note and tid in {tl.id for tl in fmt.tables}]
    total = sum(len(t[0]) for t in texts)
    unknown = _unknown(fmt, data.unreadable())
    for text, where, extra, is_plans in texts:
        text = text[:budget]
        budget -= len(text)
        if not text:
            continue
        n01 = []
        for phrase, stated, ids, actual in contradictions(fmt, text, values) if "section" in extra else ():
            if unknown.intersection(ids):        # the table's number could not be read: nothing to compare
                continue
            sheet = fmt.cells[ids[0]].sheet
            said = f"{stated} 件" if stated is not None else f"“{phrase}”"
            msg = f"“{phrase}”：正文写 {said}，{sheet}为 {format_number(actual)} 件（{_cells_label(fmt, ids)}）。"
            n01.append(make(Code.N01, msg, left="正文", right=_cells_label(fmt, ids),
                            left_value=stated or 0, right_value=actual, difference=(stated or 0) - actual,
                            extra=dict(extra, phrase=phrase, cells=ids), **where))
        out += _capped(n01, Code.N01, where, extra)
        if year is None:
            continue
        slips, planned = scan(text, year, plans=is_plans)
        out += _capped([make(Code.N02, _slip_message(y, clause, year), extra=dict(extra, year=y, phrase=clause), **where)
                        for y, clause in slips], Code.N02, where, extra)
        out += _capped([make(Code.N09, f"“{clause}”：{fmt.section_label(extra['section'])}中的改进计划写的是 {year} 年"
                                       f"（本报告年度），应为下一年度（{year + 1} 年）。",
                             extra=dict(extra, year=year, phrase=clause), **where) for clause in planned],
                       Code.N09, where, extra)
    if total > MAX_TEXT:
        out.append(make(Code.N11, f"正文和表下的注共 {total} 个字，只核对了前 {MAX_TEXT} 个字中的数字和年份",
                        sheet=fmt.narrative_sheet, extra={"characters": total, "checked": MAX_TEXT}))
    return out


def _doubled_braces(data: ReportData, wheres: dict, values: Mapping[str, Number]) -> list[Finding]:
    """N05 for each placeholder written ``{{…}}`` (replaced as if written with one brace)."""
    out = []
    for (sid, i), where in wheres.items():
        for typed, single in placeholders.doubled(data.fmt, data.narrative[sid][i]):
            cell = placeholders.lookup(data.fmt, placeholders.content_of(single)).cell
            out.append(make(Code.N05, f"“{typed}”应写作“{single}”，已按其替换为 {format_number(values[cell])}",
                            extra={"section": sid, "paragraph": i + 1, "placeholder": typed}, **where))
    return out


registry.on_change(_compiled.cache_clear)
