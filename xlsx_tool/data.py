"""The content of one annual report, as read from a filled workbook or a sample file.

This is what passes between the pipeline steps: ``read`` builds it, ``check`` judges it,
``render`` prints it.  Numbers are ``int`` for counts and ``decimal.Decimal`` for money (万元, 6
decimals kept exactly) and amounts; a blank or unusable input is ``None``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .findings import Finding
from .model import Format

Number = int | Decimal


@dataclass
class ReportData:
    """One agency's report for one year.

    ``info``: 基本信息 by field id (``org_name``, ``year``, …, all text); ``narrative``: 正文 section
    id → its non-empty paragraphs in order; ``notes``: table id (``proactive``/``request``/``appeal``)
    → the 注 printed under it ('' when none); ``choices``: e.g. ``{"procurement_unit": "元"}``;
    ``inputs``: every input cell id → its value (``None`` = blank or invalid); ``blank``: the ids
    of the inputs left blank (a subset of those that are ``None``); ``findings``: what reading
    found (coercions, blanks, structure).
    """
    fmt: Format
    source: str = ""
    info: dict[str, str] = field(default_factory=dict)
    narrative: dict[str, list[str]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    choices: dict[str, str] = field(default_factory=dict)
    inputs: dict[str, Number | None] = field(default_factory=dict)
    blank: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        try:
            return int(str(self.info.get("year", "")).strip())
        except ValueError:
            return None

    def values(self) -> dict[str, Number]:
        """Every numeric cell id → value: the inputs (blank → 0) and every total recomputed from
        them (never the workbook's cached results)."""
        out: dict[str, Number] = {}

        def value(cid: str) -> Number:
            if cid not in out:
                cell = self.fmt.cells[cid]
                if cell.total_of:
                    out[cid] = sum((value(p) for p in cell.total_of), 0)
                else:
                    v = self.inputs.get(cid)
                    out[cid] = 0 if v is None else v
            return out[cid]

        for cid in self.fmt.cells:
            value(cid)
        return out


def format_number(value) -> str:
    """A cell value as printed: ``12``, ``-8``, ``24252.311082`` (no exponent, no trailing zeros)."""
    if value is None:
        return "0"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return str(value)
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if d == 0:
        return "0"
    text = format(d.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
