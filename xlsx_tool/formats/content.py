"""The content of one annual report, as read from a filled workbook, a sample file or a published
report.

This is what passes between the pipeline steps: the reader builds it, ``check`` judges it,
``render`` prints it.  Numbers are ``int`` for counts and ``decimal.Decimal`` for money (万元, 6
decimals kept exactly) and amounts; a blank or unusable input is ``None``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..findings import Finding
from .model import Format
from .values import Number


@dataclass
class ReportData:
    """One agency's report for one year.

    ``info``: 基本信息 by field id (``org_name``, ``year``, …, all text); ``narrative``: 正文 section
    id → its non-empty paragraphs in order; ``notes``: table id (``proactive``/``request``/
    ``reconsideration_litigation``) → the 注 printed under it ('' when none); ``choices``: e.g.
    ``{"procurement_unit": "元"}``; ``inputs``: every input cell id → its value (``None`` = blank
    or invalid); ``blank``: the ids of the inputs left blank (a subset of those that are
    ``None``); ``findings``: what reading found (coercions, blanks, structure).

    Where things were found, so that findings point at the clerk's actual cells even when rows
    were moved: ``addresses`` (numeric cell id → ``D6``), ``paragraph_rows`` (正文 section id →
    0-based row of each kept paragraph) and ``kind`` (``xlsx``/``xls``/``ods``, ``sample``, or
    the form of a published report).  Empty when the source has no cells (a sample file).
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
    kind: str = ""
    addresses: dict[str, str] = field(default_factory=dict)
    paragraph_rows: dict[str, list[int]] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        try:
            return int(str(self.info.get("year", "")).strip())
        except ValueError:
            return None

    def values(self) -> dict[str, Number]:
        """Every numeric cell id → value: the inputs (blank → 0) and every total recomputed from
        them (never the workbook's cached results)."""
        return self.fmt.evaluate(self.inputs)

    def address(self, cell_id: str) -> str:
        """Where a numeric cell was read (``D6``), else where the template puts it."""
        return self.addresses.get(cell_id) or self.fmt.cells[cell_id].a1
