"""Every way a printed row's values can fill the table's columns, for digits run together.

A row of ``n`` columns printed as tokens (:mod:`.cells`) is read as a tuple of ``n`` values.
Bounded tokens fill one column each; a :data:`~.cells.RUN` of digits fills one or more columns
(``5100000`` → seven one-digit cells, or fewer wider ones).  A split part is a valid number of
its column's type: no leading zero (``05``), a decimal point only for money and amounts, a sign
only for the signed 本年增/减.  Blank cells are assumed only when the digits cannot fill the row
(a run never hides a blank), and when there are more tokens than columns every way of leaving
the extra ones out is a reading.  Readings with the same values are one reading.

:func:`readings` returns the distinct readings, or ``None`` when there are more than ``limit``
(then the row is uncertain).  Choosing among several is the table's business (:mod:`.resolve`).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

from ..formats.values import MAX_VALUE
from .cells import BLANK, PLACE, RUN, Token, number

#: Readings of one row considered at most.
LIMIT = 5000
#: Steps (cuts tried, tokens left out) spent on one row at most before it is declared uncertain.
STEPS = 200_000


class _Budget(Exception):
    """Raised when a row needs more than :data:`STEPS` steps (hostile input)."""


@dataclass(frozen=True)
class Blank:
    """A printed empty cell (never 0)."""
    def __repr__(self) -> str:
        return "BLANK"


@dataclass(frozen=True)
class Placeholder:
    """A printed non-number (``/``, ``—``, ``无``), kept as text."""
    text: str


EMPTY = Blank()


@dataclass(frozen=True)
class Reading:
    """One way to read a row: ``values`` per column; ``how`` says what it took: ``split`` (a run
    was cut), ``dropped`` (tokens left out), ``blanks`` (cells assumed blank)."""
    values: tuple
    how: frozenset = frozenset()


def _valid(part: str, ctype: str) -> bool:
    body = part
    if part[:1] in "+-":
        if ctype != "signed_count" or len(part) == 1:
            return False
        body = part[1:]
    if not body or body.startswith(".") or body.endswith("."):
        return False
    if "." in body:
        if ctype not in ("money", "amount") or body.count(".") > 1:
            return False
        whole = body.split(".")[0]
        if len(whole) > 1 and whole.startswith("0"):
            return False
    elif len(body) > 1 and body.startswith("0"):
        return False
    if "-" in body or "+" in body:
        return False
    v = number(body)
    return v is not None and abs(v) <= MAX_VALUE


def _value(tok: Token):
    if tok.kind == BLANK:
        return EMPTY
    if tok.kind == PLACE:
        return Placeholder(tok.text)
    return tok.value


def _cuts(digits: str, k: int, types: list[str], budget: list[int]):
    """Every way to cut ``digits`` into ``k`` valid parts for columns of ``types``."""
    budget[0] -= 1
    if budget[0] < 0:
        raise _Budget
    if len(digits) < k or len(digits) > k * 12:
        return
    if k == 1:
        if _valid(digits, types[0]):
            yield (digits,)
        return
    for i in range(1, len(digits) - k + 2):
        head = digits[:i]
        if not _valid(head, types[0]):
            continue
        for rest in _cuts(digits[i:], k - 1, types[1:], budget):
            yield (head,) + rest


def _as_number(part: str):
    return number(part.lstrip("+"))


def _units(tok: Token) -> int:
    """Most columns a token can fill: a run of ``d`` digits fills at most ``d``."""
    if tok.kind != RUN:
        return 1
    return sum(ch.isdigit() for ch in tok.text)


def _fits(value, ctype: str) -> bool:
    """A value may stand in a column of ``ctype``: decimals only for money/amounts, a sign only
    for the signed 本年增/减 (blanks and placeholders fit anywhere)."""
    if value is EMPTY or isinstance(value, Placeholder) or value is None:
        return True
    if value < 0 and ctype != "signed_count":
        return False
    if value != int(value) and ctype not in ("money", "amount"):
        return False
    return True


def readings(tokens: list[Token], types: list[str], limit: int = LIMIT, *,
             blanks: bool = False) -> list[Reading] | None:
    """Distinct readings of ``tokens`` as ``len(types)`` columns (see the module docstring).

    ``blanks``: also the readings in which some columns were printed blank and the digits fill
    fewer, wider cells (for text rows, where a blank cell leaves no trace); without it blanks are
    assumed only when the digits cannot fill the row."""
    try:
        return _readings(tokens, types, limit, [STEPS], blanks)
    except _Budget:
        return None


def _readings(tokens: list[Token], types: list[str], limit: int, budget: list[int],
              blanks: bool) -> list[Reading] | None:
    n = len(types)
    lo, hi = len(tokens), sum(_units(t) for t in tokens)
    out: dict[tuple, Reading] = {}
    generic = "amount" if any(t in ("money", "amount") for t in types) else (
        "signed_count" if "signed_count" in types else "count")

    def add(vals: tuple, how: set) -> None:
        if not all(_fits(v, t) for v, t in zip(vals, types)):
            return
        if vals not in out:
            out[vals] = Reading(vals, frozenset(how))
        if len(out) > limit:
            raise _Budget

    if lo > n:
        for drop in itertools.combinations(range(lo), lo - n):
            budget[0] -= len(tokens)
            if budget[0] < 0:
                raise _Budget
            kept = [t for i, t in enumerate(tokens) if i not in drop]
            for r in _readings(kept, types, limit, budget, False):
                add(r.values, set(r.how) | {"dropped"})
        return list(out.values())

    def fill(ti: int, left: int, acc: tuple, split: bool):
        """Every way to make exactly ``left`` more cells from ``tokens[ti:]``."""
        budget[0] -= 1
        if budget[0] < 0:
            raise _Budget
        if ti == len(tokens):
            if left == 0:
                yield acc, split
            return
        tok = tokens[ti]
        rest = tokens[ti + 1:]
        if tok.kind != RUN:
            if left >= 1:
                yield from fill(ti + 1, left - 1, acc + (_value(tok),), split)
            return
        for k in range(1, _units(tok) + 1):
            if k + len(rest) > left or k + sum(_units(t) for t in rest) < left:
                continue
            for parts in _cuts(tok.text, k, [generic] * k, budget):
                yield from fill(ti + 1, left - k, acc + tuple(_as_number(p) for p in parts), split or k > 1)

    b_min = max(0, n - hi)
    b_max = min(max(b_min, n - lo), b_min + 2) if blanks else b_min
    for b in range(b_min, b_max + 1):
        for vals, split in fill(0, n - b, (), False):
            how = {"split"} if split else set()
            if b == 0:
                add(vals, how)
                continue
            for where in itertools.combinations(range(n), b):
                budget[0] -= n
                if budget[0] < 0:
                    raise _Budget
                it = iter(vals)
                add(tuple(EMPTY if col in where else next(it) for col in range(n)), how | {"blanks"})
    return list(out.values())
