"""How much of this year's 正文 repeats last year's (重复率), and paragraphs copied unchanged.

Method (settings in the format data, ``"repeat_rate"``): both years' text loses spaces,
punctuation and symbols, and every run of digits becomes one sign ``#`` (so ``2025年`` and
``2026年``, or a count that changed, still read as the same words).  A character of this year's
text *repeats* when it lies inside a run of ``ngram`` (10) consecutive characters that also occurs
somewhere in last year's 正文 (any section: text moves between sections).  A section's rate is
its repeating characters ÷ its characters; the overall rate the same over all sections.  Ten
characters is longer than the stock phrases every report shares (“政府信息公开工作”): unrelated
reports of two agencies share about 2 %, a report partly rewritten 30–50 %, one with only the
year changed about 100 %.  At most ``max_chars`` characters of each year are compared, so the work
is linear and bounded.
"""
from __future__ import annotations

import re
import unicodedata

from ..formats import registry
from ..formats.content import ReportData

_DIGITS = re.compile(r"\d+")


def settings(format_id: str) -> dict:
    data = registry.raw(format_id).get("repeat_rate") or {}
    return {"ngram": int(data.get("ngram", 10)), "threshold": float(data.get("threshold", 0.5)),
            "min_paragraph_chars": int(data.get("min_paragraph_chars", 10)),
            "max_chars": int(data.get("max_chars", 100_000))}


_NOT_CONTENT = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """What is compared: NFKC, no spaces, punctuation, symbols or controls, digit runs → ``#``."""
    return _DIGITS.sub("#", _NOT_CONTENT.sub("", unicodedata.normalize("NFKC", text)))


def same_paragraph(text: str) -> str:
    """The key two paragraphs are "the same" by: NFKC without any whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _covered(text: str, grams: set[str], n: int) -> int:
    """How many characters of ``text`` lie in an ``n``-gram found in ``grams`` (linear)."""
    count, until = 0, 0
    for i in range(len(text) - n + 1):
        if text[i:i + n] in grams:
            start = max(i, until)
            count += i + n - start
            until = i + n
    return count


def repeat_rates(this: ReportData, last: ReportData) -> dict:
    """``{"overall": rate, "sections": {section id: rate}, "characters": {section id: count},
    "ngram": n, "threshold": t, "previous": last year's file}``; rates are fractions 0–1 rounded
    to 4 places, ``None`` for a section (or a report) without text."""
    cfg = settings(this.fmt.id)
    n, budget = cfg["ngram"], cfg["max_chars"]
    last_text = normalise("".join(p for paras in last.narrative.values() for p in paras))[:budget]
    grams = {last_text[i:i + n] for i in range(len(last_text) - n + 1)}
    sections, chars = {}, {}
    total = repeated = 0
    for s in this.fmt.narrative:
        text = normalise("".join(this.narrative.get(s["id"], [])))[:max(budget - total, 0)]
        chars[s["id"]] = len(text)
        if not text:
            sections[s["id"]] = None
            continue
        hit = _covered(text, grams, n)
        sections[s["id"]] = round(hit / len(text), 4)
        total += len(text)
        repeated += hit
    return {"overall": round(repeated / total, 4) if total else None, "sections": sections,
            "characters": chars, "ngram": n, "threshold": cfg["threshold"], "previous": last.source}


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.0f}%"
