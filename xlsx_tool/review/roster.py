"""The roster (单位名单): the units a review office expects a report from, one name a line.

Accepted: ``.xlsx``/``.xls``/``.ods`` (first sheet, first column that has text), ``.csv`` (first
column; UTF-8, UTF-8 with BOM, GBK as saved by Chinese Excel, or UTF-16) and ``.txt`` (one name a
line, same encodings).  A heading such as 单位名称 in the first row is skipped, blank lines and
numbering columns are ignored, names are matched after :func:`~.units.norm_name` (spaces and
full/half width).  A roster is untrusted like any input: at most :data:`MAX_BYTES` and
:data:`MAX_NAMES`; spreadsheets go through the same guards as a workbook.  Raises
:class:`~xlsx_tool.findings.UserError` R06 (exit 2) when the file cannot be used.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..findings import Code, Finding, UserError, make
from ..inputs import read_input
from .units import norm_name

MAX_BYTES = 5 * 2**20
MAX_NAMES = 100_000
MAX_NAME_LENGTH = 100
#: First-row texts taken as a heading, not a unit.
HEADINGS = {norm_name(h) for h in ("单位", "单位名称", "名称", "机关名称", "单位名单", "部门", "部门名称",
                                   "机关", "报送单位", "填报单位", "序号", "编号")}
TEXT_SUFFIXES = (".csv", ".txt")
SHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass
class Roster:
    """``names`` as written, in file order without repeats; ``by_key``: normalised name → name;
    ``findings``: R07 for names listed twice; ``source``: the file."""
    source: str
    names: list[str] = field(default_factory=list)
    by_key: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def __contains__(self, key: str) -> bool:
        return key in self.by_key

    def __len__(self) -> int:
        return len(self.names)


def read_roster(path) -> Roster:
    """Read a roster file (see the module docstring).  The bytes come through the one guarded
    read of :func:`xlsx_tool.inputs.read_input`: F01 missing, F02 a folder, F14 a FIFO or a
    device (never blocks, never reads without end)."""
    p, subject = Path(path), str(path)
    suffix = p.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        data = read_input(p, MAX_BYTES, too_big=Code.R06, unreadable=Code.R06, hint="单位名单通常只有几 KB",
                          allow_empty=True)
        cells = _text_cells(data, subject, csv_file=suffix == ".csv")
    elif suffix in SHEET_SUFFIXES:
        cells = _sheet_cells(p, subject)
    else:
        if p.is_dir():
            raise UserError(Code.F02, subject)
        if not p.exists():
            raise UserError(Code.F01, subject)
        raise UserError(Code.R06, subject, f"扩展名为“{p.suffix or '（无）'}”；可用 .xlsx、.xls、.ods、.csv、.txt")
    return _roster(subject, cells)


def _decode(data: bytes, subject: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise UserError(Code.R06, subject, "文件开头标明是 UTF-16 编码，但内容不是有效的 UTF-16 文字（请另存为 UTF-8 编码）") from None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise UserError(Code.R06, subject, "无法识别文字编码（请另存为 UTF-8 或 GBK 编码）")


def _text_cells(data: bytes, subject: str, *, csv_file: bool) -> list[str]:
    text = _decode(data, subject)
    if "\x00" in text:
        raise UserError(Code.R06, subject, "这不是文本文件")
    if not csv_file:
        return text.splitlines()
    rows = csv.reader(io.StringIO(text, newline=""))    # lines may end in \r (Excel for Mac), \n or \r\n
    try:
        return [_first_text(row) for row in rows]
    except csv.Error as exc:
        why = (f"有一个单元格超过 {csv.field_size_limit()} 个字符（可能是引号没有配对）" if "field limit" in str(exc)
               else "引号没有配对，或单元格中有不成对的引号")
        raise UserError(Code.R06, subject, f"CSV 格式有误：{why}；请用 Excel/WPS 打开后另存为 CSV") from None


def _first_text(row) -> str:
    """The first cell of a row that is not empty and not a bare number (a 序号 column)."""
    for cell in row:
        text = "" if cell is None else str(cell).strip()
        if text and not _is_number(text):
            return text
    return ""


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def _sheet_cells(p: Path, subject: str) -> list[str]:
    from ..workbook import files

    try:
        grids = files.open_workbook(p).grids
        first = next(iter(grids.values()), None)
    except UserError as err:
        if err.code in (Code.F01.name, Code.F02.name, Code.F14.name):
            raise
        raise UserError(Code.R06, subject, f"{err.finding.title}{'：' + err.finding.message if err.finding.message else ''}") from None
    if not first:
        return []
    return [_first_text(row) for row in first]


def _roster(subject: str, cells: list[str]) -> Roster:
    roster = Roster(subject)
    repeats: list[str] = []
    for i, raw in enumerate(cells):
        name = " ".join(str(raw).split())
        key = norm_name(name)
        if not key or (not roster.names and not repeats and key in HEADINGS):
            continue
        if len(name) > MAX_NAME_LENGTH:
            raise UserError(Code.R06, subject, f"第 {i + 1} 行有 {len(name)} 个字，不像单位名称")
        if key in roster.by_key:
            repeats.append(name)
            continue
        if len(roster.names) >= MAX_NAMES:
            raise UserError(Code.R06, subject, f"超过 {MAX_NAMES} 个单位")
        roster.by_key[key] = name
        roster.names.append(name)
    if not roster.names:
        raise UserError(Code.R06, subject, "文件中没有单位名称")
    if repeats:
        shown = "、".join(dict.fromkeys(repeats[:8]))
        roster.findings.append(make(Code.R07, f"{len(repeats)} 个名称重复出现（{shown}）", file=subject))
    return roster
