"""Derived rates and key figures, defined in the format data and evaluated here by generic code.

The data (``common.json``, overridable per format) lists

* ``rates`` — each ``{"id", "name", "numerator", "denominator", "formula", "source"}``; numerator
  and denominator are sums of field ids, a leading ``-`` subtracts (``"-reconsideration_pending"``).
  Shipped: 实质公开率 = (予以公开 + 部分公开) ÷ 办理结果总计, 不予公开率, 本机关不掌握占比 (表三
  “总计”列), 结转率 = 结转下年度 ÷ (本年新收 + 上年结转), 复议纠错率 = 结果纠正 ÷ (总计 − 尚未审结)
  and the same for both groups of 行政诉讼 (表四);
* ``key_figures`` — each ``{"id", "name", "cells"}``, a sum of field ids (本年新收, 办理结果总计,
  结转下年度, 行政复议总计, 行政诉讼总计): what a review office compares across units.

:func:`derived` gives a rate as a ``Decimal`` fraction (0.857… for 85.7 %), ``None`` when the
denominator is 0 (printed “—” by :func:`percent`).  A data file naming an unknown field id is a
``ValueError`` when the format's rates are first used (a mistake in the data, not in user input).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from . import registry
from .model import Format, load
from .values import Number

#: Printed for a rate whose denominator is 0.
NO_VALUE = "—"


@dataclass(frozen=True)
class RateSpec:
    """One derived rate of the format data: ``numerator``/``denominator`` as ``(sign, field id)``."""
    id: str
    name: str
    numerator: tuple[tuple[int, str], ...]
    denominator: tuple[tuple[int, str], ...]
    formula: str = ""
    source: str = ""


@dataclass(frozen=True)
class KeyFigure:
    """One key figure of the format data: the sum of ``cells``."""
    id: str
    name: str
    cells: tuple[str, ...]


def _terms(fmt: Format, where: str, items) -> tuple[tuple[int, str], ...]:
    if not isinstance(items, list) or not items:
        raise ValueError(f"format data {fmt.id}: {where} must be a non-empty list of field ids")
    out = []
    for item in items:
        sign, cid = (-1, item[1:]) if str(item).startswith("-") else (1, str(item))
        if cid not in fmt.cells:
            raise ValueError(f"format data {fmt.id}: {where} names unknown field id {cid!r}")
        out.append((sign, cid))
    return tuple(out)


@lru_cache(maxsize=None)
def _specs(format_id: str) -> tuple[tuple[RateSpec, ...], tuple[KeyFigure, ...]]:
    fmt, data = load(format_id), registry.raw(format_id)
    rates, seen = [], set()
    for r in data.get("rates", []):
        if r["id"] in seen:
            raise ValueError(f"format data {format_id}: rate id {r['id']!r} appears twice")
        seen.add(r["id"])
        rates.append(RateSpec(r["id"], r["name"], _terms(fmt, f"rate {r['id']} numerator", r["numerator"]),
                              _terms(fmt, f"rate {r['id']} denominator", r["denominator"]),
                              r.get("formula", ""), r.get("source", "")))
    keys = tuple(KeyFigure(k["id"], k["name"], tuple(c for _, c in _terms(fmt, f"key figure {k['id']}", k["cells"])))
                 for k in data.get("key_figures", []))
    return tuple(rates), keys


def specs(fmt: Format) -> tuple[RateSpec, ...]:
    """The derived rates of ``fmt``, in data order."""
    return _specs(fmt.id)[0]


def key_figures(fmt: Format) -> tuple[KeyFigure, ...]:
    """The key figures of ``fmt``, in data order."""
    return _specs(fmt.id)[1]


def _sum(terms, values: Mapping[str, Number]) -> Number:
    return sum((sign * (values.get(cid) or 0) for sign, cid in terms), 0)


def derived(fmt: Format, values: Mapping[str, Number]) -> dict[str, Decimal | None]:
    """Rate id → numerator ÷ denominator as a ``Decimal`` fraction (12 significant digits), or
    ``None`` when the denominator is 0 (nothing to rate).  ``values``: every numeric cell id →
    its value, totals included (:meth:`ReportData.values`)."""
    out: dict[str, Decimal | None] = {}
    for spec in specs(fmt):
        den = _sum(spec.denominator, values)
        if den == 0:
            out[spec.id] = None
            continue
        out[spec.id] = (Decimal(_sum(spec.numerator, values)) / Decimal(den)).quantize(Decimal("1e-12"))
    return out


def figures(fmt: Format, values: Mapping[str, Number]) -> dict[str, Number]:
    """Key figure id → its value (a sum of cells)."""
    return {k.id: _sum([(1, c) for c in k.cells], values) for k in key_figures(fmt)}


def percent(value: Decimal | None, digits: int = 1) -> str:
    """``Decimal("0.8571")`` → ``85.7%``; ``None`` → ``—``."""
    if value is None:
        return NO_VALUE
    q = Decimal(1).scaleb(-digits)
    return f"{(value * 100).quantize(q, rounding=ROUND_HALF_UP)}%"


def as_json(fmt: Format, values: Mapping[str, Number]) -> dict[str, dict]:
    """Rate id → ``{"name", "value" (a fraction rounded to 6 decimals, or null), "text" ("85.7%" or
    "—"), "formula", "numerator", "denominator"}`` (numerator/denominator as numbers)."""
    rates = derived(fmt, values)
    out = {}
    for spec in specs(fmt):
        v = rates[spec.id]
        num, den = _sum(spec.numerator, values), _sum(spec.denominator, values)
        out[spec.id] = {"name": spec.name, "value": None if v is None else round(float(v), 6),
                        "text": percent(v), "formula": spec.formula,
                        "numerator": _json_number(num), "denominator": _json_number(den)}
    return out


def _json_number(v: Number):
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


registry.on_change(_specs.cache_clear)
