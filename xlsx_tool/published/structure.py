"""The report's structure: title → agency and year, preamble, the six sections and their text.

Headings are found by their numeral and title, also inside one long paragraph (text copied from a
page often runs the whole report together): every ``一、`` … ``七、`` followed by text that reads as
one of the official titles (:func:`heading_score`) is a candidate, and the best-scoring sequence
in reading order wins, so that a table row such as ``四、结转下年度继续办理`` is never taken for the
heading ``四、政府信息公开行政复议、行政诉讼情况``.  What comes before the first heading is the
preamble; the blocks between two headings are that section (tables included).

Lines of text (a .txt, a PDF page) are joined into paragraphs: a line continues the previous one
unless that one ended a sentence and this one starts a new item, follows a blank line, or the
previous line was visibly short — also across a page break (:func:`paragraphs`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .document import Document, Grid, Para

NUMERALS = "一二三四五六七八九十"
#: Numerals followed by 、 examined as possible headings at most (a report has a few dozen).
MAX_CANDIDATES = 3000
_HEAD = re.compile(r"([一二三四五六七八九])\s*[、.．]\s*")
_END = "。！？!?；;：:"
_ITEM = re.compile(r"^(?:[一二三四五六七八九十]{1,3}[、.．是]|[（(][一二三四五六七八九十\d]{1,3}[)）]|\d{1,2}[.．、]\D|[①-⑳])")
_CJK_DIGIT = re.compile(r"(?<=[\u3400-\u9fff\uff08\uff09\u3001-\u303f\uff0c\uff1b\uff1a])[ \u00a0\u3000]+(?=[0-9])|(?<=[0-9%％])[ \u00a0\u3000]+(?=[\u3400-\u9fff\uff08\uff09\u3001-\u303f\uff0c\uff1b\uff1a])")


@dataclass
class Section:
    """One numbered part of the report: ``number`` (1–9), the printed ``heading`` and ``title``
    (its text after the numeral), the official ``index`` it was matched to (0-based, -1 for an
    extra part), and its ``blocks`` (paragraph pieces and grids)."""
    number: int
    heading: str
    title: str
    index: int
    score: float
    blocks: list = field(default_factory=list)


@dataclass
class Structure:
    preamble: list = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    def section(self, index: int) -> Section | None:
        return next((s for s in self.sections if s.index == index), None)


def heading_score(title: str, following: str) -> tuple[float, int]:
    """``(score, length)``: how well the text after a numeral reads as ``title`` and how many
    characters of it the heading takes."""
    best, length = 0.0, 0
    compact = following[:len(title) + 16]
    plain = "".join(compact.split())
    if plain.startswith(title):
        return 1.0, _span_of(compact, len(title))
    for n in range(max(2, len(title) - 3), min(len(plain), len(title) + 14) + 1):
        r = SequenceMatcher(None, title, plain[:n], autojunk=False).ratio()
        if r > best + 1e-9:
            best, length = r, n
    return best, _span_of(compact, length)


def _span_of(text: str, visible: int) -> int:
    """Characters of ``text`` covering its first ``visible`` non-space characters."""
    seen = 0
    for i, ch in enumerate(text):
        if not ch.isspace():
            seen += 1
            if seen == visible:
                return i + 1
    return len(text)


def find(doc: Document, titles: list[str]) -> Structure:
    """Split the document at its section headings (see the module docstring)."""
    candidates = []              # (position in reading order, numeral, score, heading end, index)
    examined = 0
    for bi, block in enumerate(doc.blocks):
        if isinstance(block, Grid):
            continue
        text = block.text
        for m in _HEAD.finditer(text):
            examined += 1
            if examined > MAX_CANDIDATES:
                break
            number = NUMERALS.index(m.group(1)) + 1
            before = text[:m.start()].rstrip()
            at_start = not before or before[-1] in _END + "》」”）)" or before[-1].isdigit() or before.endswith(("元", "万元"))
            scores = [(heading_score(t, text[m.end():]), i) for i, t in enumerate(titles)]
            (score, length), index = max(scores, key=lambda s: s[0][0])
            own = heading_score(titles[number - 1], text[m.end():]) if number <= len(titles) else (0.0, 0)
            if own[0] >= score - 0.05 and number <= len(titles):
                (score, length), index = own, number - 1
            if score < 0.6 and m.start() == 0 and len(text) <= 30 and not re.search(r"\d", text):
                score, length, index = 0.3, len(text) - m.end(), -1      # an extra part, e.g. 七、…
            elif score < 0.6 or not (at_start or score >= 0.85):
                continue
            candidates.append((bi, m.start(), m.end() + length, number, index, score,
                               text[m.start():m.end() + length]))
    chosen = _best_sequence(candidates)
    st = Structure()
    cuts: dict[int, list] = {}
    for c in chosen:
        cuts.setdefault(c[0], []).append(c)
    current = st.preamble
    for bi, block in enumerate(doc.blocks):
        if isinstance(block, Grid):
            current.append(block)
            continue
        pos = 0
        for c in sorted(cuts.get(bi, []), key=lambda c: c[1]):
            _, start, end, number, index, score, heading = c
            if block.text[pos:start].strip():
                current.append(Para(block.text[pos:start].strip(), block.page, block.line, block.gap_before))
            title = heading[heading.find("、") + 1:] if "、" in heading else heading[2:]
            sec = Section(number, "".join(heading.split()), "".join(title.split()), index, score)
            st.sections.append(sec)
            current = sec.blocks
            pos = end
        rest = block.text[pos:].strip()
        if rest:
            current.append(Para(rest.lstrip("。．.：: "), block.page, block.line, block.gap_before if pos == 0 else False))
    return st


def _best_sequence(cands: list) -> list:
    """The candidates in reading order with strictly increasing numerals, most total score."""
    cands = sorted(cands, key=lambda c: (c[0], c[1]))
    best: list[tuple[float, list]] = []
    for i, c in enumerate(cands):
        score, seq = c[5], [c]
        for j in range(i):
            prev = cands[j]
            if prev[3] < c[3] and best[j][0] + c[5] > score:
                score, seq = best[j][0] + c[5], best[j][1] + [c]
        best.append((score, seq))
    return max(best, key=lambda b: (b[0], -len(b[1])))[1] if best else []


# -- paragraphs ---------------------------------------------------------------------------------
def tidy(text: str) -> str:
    """A paragraph as printed, without the spaces PDF text puts between Chinese and digits."""
    return _CJK_DIGIT.sub("", text).strip()


def paragraphs(blocks: list) -> list[tuple[str, int]]:
    """``(paragraph, page)`` from paragraph pieces, joining lines (see the module docstring)."""
    paras = [b for b in blocks if isinstance(b, Para) and b.text.strip()]
    widths = [len(p.text) for p in paras if p.line]
    full = sorted(widths)[int(len(widths) * 0.8)] if len(widths) >= 5 else 0
    out: list[list] = []
    prev: Para | None = None
    for p in paras:
        text = p.text.strip()
        join = False
        if prev is not None and out and (p.line or prev.line):
            ended = out[-1][0].rstrip()[-1:] in _END
            starts_item = bool(_ITEM.match(text))
            short = full and prev.line and len(prev.text) < 0.8 * full
            if not ended:
                join = not (starts_item and short)
            else:
                join = not (starts_item or p.gap_before or short or not p.line)
        if join:
            out[-1][0] = out[-1][0] + text
        else:
            out.append([text, p.page])
        prev = p
    return [(tidy(t), page) for t, page in out if tidy(t)]
