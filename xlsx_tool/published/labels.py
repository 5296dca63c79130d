"""Printed labels against the official ones: normalising and a tolerant similarity.

Reports print the official labels with spaces inside (``三、 本 年 度``), ASCII or full-width
brackets, ``1、`` for ``1.``, straight quotes, typos (``先行有效件数``, ``其他法律行政止公开``,
``本公开数量``), abbreviations (``1.逾期不补正``) and, in text copied from a page, the row's
group labels or the table's header run into the row label.  :func:`similarity` scores a printed
text against one official label from 0 to 1; :func:`norm` is the form both are compared in.
"""
from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher
from functools import lru_cache

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "「": '"', "」": '"', "〔": "[", "〕": "]",
                         "【": "[", "】": "]", "，": ",", "；": ";", "：": ":", "．": ".", "。": "."})
_ITEM_COMMA = re.compile(r"(?<![\d.])(\d{1,2})\s*[、,]")
#: Enumeration markers a label starts with: 一、 （一） 1.
MARKER = re.compile(r"[一二三四五六七八九十]{1,3}、|\([一二三四五六七八九十]{1,3}\)|(?<![\d.])\d{1,2}\.(?!\d)")


@lru_cache(maxsize=4096)
def norm(text: str) -> str:
    """NFKC, no spaces, unified brackets/quotes/punctuation, ``1、`` → ``1.``."""
    t = unicodedata.normalize("NFKC", text or "").translate(_QUOTES)
    t = "".join(t.split())
    t = _ITEM_COMMA.sub(r"\1.", t)
    return t.strip(":").replace("(", "(").replace(")", ")")


def marker(text: str) -> str:
    """The enumeration marker a normalised label starts with (``(三)``, ``1.``), or ''."""
    m = MARKER.match(text)
    return m.group(0) if m else ""


def tails(text: str) -> list[str]:
    """The normalised text and each suffix starting at an enumeration marker in it (the row's
    own label after group labels or header text run into it), last marker first."""
    out = [text]
    for m in reversed(list(MARKER.finditer(text))):
        if m.start() > 0:
            out.append(text[m.start():])
    return out


@lru_cache(maxsize=65536)
def similarity(label: str, text: str) -> float:
    """How well printed ``text`` reads as official ``label`` (both normalised), 0–1.

    1.0 identical; 0.95 the text ends with the label (a group label or header before it); 0.9
    contains it; 0.7–0.9 the text is a part of the label (cut off); otherwise the difflib ratio
    against the end of the text, or for an abbreviation (most of the text's characters found in
    order in the label) at most 0.75.  Enumeration markers must agree when both have one.
    """
    if not label or not text:
        return 0.0
    best = 0.0
    for t in tails(text):
        lm, tm = marker(label), marker(t)
        if lm and tm and lm != tm:
            continue
        if t == label:
            return 1.0
        if t.endswith(label):
            score = 0.95
        elif label in t:
            score = 0.9
        elif t in label and len(t) >= 3:
            score = 0.7 + 0.2 * len(t) / len(label)
        else:
            window = t[-(len(label) + 3):]
            score = SequenceMatcher(None, label, window, autojunk=False).ratio()
            if len(t) >= 4 and (not lm or tm == lm):
                covered = lcs(t, label) / len(t)
                if covered >= 0.8:
                    score = max(score, 0.55 + 0.2 * covered)
        best = max(best, score)
    return best


def lcs(a: str, b: str) -> int:
    """Length of the longest common subsequence of two short strings."""
    if len(a) * len(b) > 40_000:
        return 0
    prev = [0] * (len(b) + 1)
    for ch in a:
        cur = [0]
        for j, other in enumerate(b):
            cur.append(prev[j] + 1 if ch == other else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def best_window(label: str, text: str, minimum: float = 0.8) -> tuple[str, float]:
    """The part of ``text`` that reads most like ``label`` (a misprinted header word), with its
    difflib ratio; ``("", 0)`` below ``minimum``."""
    best, found = 0.0, ""
    n = len(label)
    for size in (n, n - 1, n + 1):
        if size < 2 or best >= minimum:
            continue
        for i in range(0, max(len(text) - size + 1, 0)):
            window = text[i:i + size]
            if window[0] != label[0] and window[-1] != label[-1]:
                continue
            r = SequenceMatcher(None, label, window, autojunk=False).ratio()
            if r > best:
                best, found = r, window
    if best < minimum:
        return "", 0.0
    # the misprint itself: from the first matched character (less the label's characters before
    # it, read as substituted) to the last (plus those after it)
    at = text.find(found)
    lo, hi = max(0, at - 3), min(len(text), at + len(found) + 3)
    blocks = [b for b in SequenceMatcher(None, label, text[lo:hi], autojunk=False).get_matching_blocks() if b.size]
    if not blocks:
        return found, best
    first, last = blocks[0], blocks[-1]
    start = max(lo, lo + first.b - first.a)
    end = min(hi, lo + last.b + last.size + (len(label) - last.a - last.size))
    return text[start:end], best


def contains_label(text: str, label: str) -> bool:
    """Whether a normalised ``label`` occurs in normalised ``text``."""
    return bool(label) and label in text
