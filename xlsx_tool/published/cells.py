"""What a printed table cell holds: a number, nothing, a placeholder, or digits run together.

A grid cell's boundaries are known (``bounded``): ``5100000`` there is one number.  In text
copied from a page the boundaries are gone: a chunk of digits is a :data:`RUN` that may stand for
several cells; spaces still separate cells.  Kinds:

* ``num`` — a number (``12``, ``-8``, ``59237.2449``, ``1,234``), possibly with a unit (``1018703元``)
  or an annotation (``55（含自然失效29件）`` → 55, note ``含自然失效29件``);
* ``run`` — digits whose cell boundaries are unknown (text only);
* ``blank`` — printed empty;
* ``place`` — printed but not a number: ``/``, ``—``, ``无`` … (kept as text, never read as 0).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..formats import values
from ..formats.values import Number

NUM, RUN, BLANK, PLACE = "num", "run", "blank", "place"
#: Printed in place of a number; kept as what they are.
PLACEHOLDERS = {"/", "\\", "-", "--", "—", "——", "–", "~", "×", "x", "X", "无", "空", "暂无", "不适用", "／", "－", "*"}
UNITS = ("万元", "元", "件", "项", "个", "条", "次", "宗")
_NUMBER = r"[+\-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_ANNOTATED = re.compile(rf"^({_NUMBER})\s*({'|'.join(UNITS)})?\s*[(\[]([^()\[\]]{{1,80}})[)\]]\s*$")
_WITH_UNIT = re.compile(rf"^({_NUMBER})\s*({'|'.join(UNITS)})$")
_PLAIN = re.compile(rf"^{_NUMBER}$")
_GROUPED = re.compile(r"^[+\-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DIGITS = re.compile(r"^[+\-]?\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class Token:
    """One printed value: ``kind`` (see module doc), ``text`` as printed, ``value`` for ``num``,
    ``note`` (annotation) and ``unit`` when printed with the number."""
    kind: str
    text: str
    value: Number | None = None
    note: str = ""
    unit: str = ""

    @property
    def digits(self) -> str:
        return self.text


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u2212", "-").replace("\ufe63", "-").strip()


def number(text: str) -> Number | None:
    """``12`` → 12, ``1,234`` → 1234, ``59237.2449`` → Decimal; ``None`` when not a number."""
    d, _ = values.as_decimal(text)
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() and "." not in text else d


def is_placeholder(text: str) -> bool:
    t = _nfkc(text).replace(" ", "")
    return t in PLACEHOLDERS or (len(t) >= 2 and set(t) <= {"-", "—", "–", "/", "－"})


def parse(text: str, bounded: bool) -> list[Token] | None:
    """The value tokens of one printed cell (a grid cell, or a chunk of a text line); ``None``
    when the text is not a value at all (a label)."""
    raw = _nfkc(text)
    if not raw:
        return [Token(BLANK, "")]
    if is_placeholder(raw):
        return [Token(PLACE, text.strip())]
    m = _ANNOTATED.match(raw)
    if m:
        return [Token(NUM, m.group(1), number(m.group(1).replace(",", "")), note=m.group(3).strip(),
                      unit=m.group(2) or "")]
    m = _WITH_UNIT.match(raw)
    if m:
        return [Token(NUM if bounded or _GROUPED.match(m.group(1)) else RUN, m.group(1),
                      number(m.group(1).replace(",", "")), unit=m.group(2))]
    parts = raw.split()
    if len(parts) > 1:
        out = []
        for p in parts:
            sub = parse(p, bounded)
            if sub is None:
                return None
            out.extend(sub)
        return out
    if _GROUPED.match(raw):
        return [Token(NUM, raw, number(raw.replace(",", "")))]
    if _DIGITS.match(raw):
        if bounded or len(raw.lstrip("+-")) == 1:
            return [Token(NUM, raw, number(raw))]
        return [Token(RUN, raw, number(raw))]
    return None


def join_notes(tokens) -> list[str]:
    return [t.note for t in tokens if t.note]
