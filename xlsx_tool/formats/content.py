"""The content of one annual report, as read from a filled workbook, a sample file or a published
report.

This is what passes between the pipeline steps: the reader builds it, ``check`` judges it,
``render`` prints it.  Numbers are ``int`` for counts and ``decimal.Decimal`` for money (万元, 6
decimals kept exactly) and amounts; a blank or unusable input is ``None``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..findings import Finding
from .model import Format, load
from .values import Number


@dataclass(frozen=True)
class Explanation:
    """One written explanation (说明) of a 提示, from the workbook's 说明 sheet.

    ``code``: the finding code it explains (``Y01``); ``cell``: where (``表三!D7`` or ``D7``; ''
    = every finding of that code); ``text``: the explanation as written; ``row``: 0-based row on
    the 说明 sheet it was read from (``None`` when it did not come from a sheet)."""
    code: str
    cell: str = ""
    text: str = ""
    row: int | None = None


@dataclass
class Carried:
    """What a template made with ``template --previous`` keeps of last year's report (the hidden
    sheet 上年参考), so that the workbook can be checked against it anywhere.

    ``source``: last year's file name; ``year``/``org``: its 报告年度 and 机关名称; ``format_id``:
    its format; ``values``: every numeric input cell id of that format → value; ``narrative``:
    section id → the paragraphs copied into this year's 正文."""
    source: str
    year: int | None
    org: str
    format_id: str
    values: dict[str, Number] = field(default_factory=dict)
    narrative: dict[str, list[str]] = field(default_factory=dict)

    def as_report(self) -> "ReportData":
        """Last year's report as far as it was kept (numbers, 正文, 机关名称, 年度)."""
        info = {"org_name": self.org, "year": "" if self.year is None else str(self.year)}
        return ReportData(load(self.format_id), source=self.source, info=info,
                          narrative={k: list(v) for k, v in self.narrative.items()},
                          inputs=dict(self.values), kind="carried")


#: ``ReportData.kind`` of a report read from a filled workbook, and of one read from a published
#: report (web page, Word, PDF, text; :mod:`xlsx_tool.published`).
WORKBOOK_KINDS = frozenset({"xlsx", "xls", "ods"})
PUBLISHED_KINDS = frozenset({"html", "docx", "pdf", "txt", "md", "doc", "wps"})


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

    Year to year: ``explanations`` (the 说明 sheet: :class:`Explanation` per filled row) and
    ``carried`` (last year's report as kept in a template made with ``--previous``, or ``None``).
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
    explanations: list[Explanation] = field(default_factory=list)
    carried: Carried | None = None

    @property
    def year(self) -> int | None:
        try:
            return int(str(self.info.get("year", "")).strip())
        except ValueError:
            return None

    @property
    def published(self) -> bool:
        """Read from a published report (its structure is judged by the reader's P codes)."""
        return self.kind in PUBLISHED_KINDS

    def unreadable(self) -> set[str]:
        """Input cell ids whose value is not known: not a number, an error value, a sign such as
        "/" (``None``), as opposed to blank (``blank``, counted as 0 where the message says so)."""
        return {cid for cid, v in self.inputs.items() if v is None and cid not in self.blank}

    def values(self) -> dict[str, Number]:
        """Every numeric cell id → value: the inputs (blank → 0) and every total recomputed from
        them (never the workbook's cached results)."""
        return self.fmt.evaluate(self.inputs)

    def address(self, cell_id: str) -> str:
        """Where a numeric cell was read (``D6``), else where the template puts it."""
        return self.addresses.get(cell_id) or self.fmt.cells[cell_id].a1
