"""The generated workbook and the rendered Word report print every official table exactly as the
official format does: compared cell by cell with an independent transcription of each table
(``tests/fixtures/official/<format>/<sheet>.md``, typed from the official documents, not from the
format data), merged cells included.  A one-character change to a label in the format data fails.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from fills import balanced
from xlsx_tool.formats import model, registry
from xlsx_tool.report import render
from xlsx_tool.workbook import read as reader
from xlsx_tool.workbook.template import write_template

FIXTURES = Path(__file__).parent / "fixtures" / "official"
FORMATS = ["2019", "2021"]
SHEETS = ["表二", "表三", "表四"]
UNIT_SUFFIX = re.compile(r"（单位：(?:元|万元)）$")


def transcription(format_id: str, sheet: str) -> list[list[str]]:
    """The fixture as a grid of marks (see tests/fixtures/official/README.md)."""
    rows = []
    for line in (FIXTURES / format_id / f"{sheet}.md").read_text("utf-8").splitlines():
        if not line.startswith("|") or re.fullmatch(r"\|(?:-+\|)+", line.strip()):
            continue
        rows.append([c.strip() for c in line.strip()[1:-1].split("|")])
    assert len({len(r) for r in rows}) == 1, f"{format_id}/{sheet}: rows of different widths"
    return rows


def differences(got: list[list[str]], want: list[list[str]], *, unit_suffix: bool = False) -> list[str]:
    """``行3列2：应为“…”，实为“…”`` for every differing cell; sizes too."""
    out = []
    if len(got) != len(want) or any(len(g) != len(w) for g, w in zip(got, want)):
        out.append(f"大小不同：应为 {len(want)}×{len(want[0])}，实为 {len(got)}×{len(got[0]) if got else 0}")
    for r, (g_row, w_row) in enumerate(zip(got, want)):
        for c, (g, w) in enumerate(zip(g_row, w_row)):
            if g == w or (unit_suffix and "单位" not in w and UNIT_SUFFIX.sub("", g) == w and g != w):
                continue
            out.append(f"行{r + 1}列{c + 1}：应为“{w}”，实为“{g}”")
    return out


# -- the workbook ---------------------------------------------------------------------------------
def sheet_grid(ws, top: int, rows: int, cols: int) -> list[list[str]]:
    """Marks of the sheet region ``rows`` × ``cols`` from 0-based row ``top``, column A."""
    merged = {}
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                merged[(r, c)] = (rng.min_row, rng.min_col)
    grid = []
    for r in range(top + 1, top + rows + 1):
        line = []
        for c in range(1, cols + 1):
            origin = merged.get((r, c), (r, c))
            if origin != (r, c):
                line.append("<" if origin[0] == r else "^")
                continue
            v = ws.cell(r, c).value
            if isinstance(v, (int, float)) or (isinstance(v, str) and v.startswith("=SUM(")):
                line.append("#")
            else:
                line.append("" if v is None else str(v))
        grid.append(line)
    return grid


def workbook_differences(path: Path, format_id: str, sheet: str) -> list[str]:
    ws = openpyxl.load_workbook(path)[sheet]
    want = transcription(format_id, sheet)
    got = sheet_grid(ws, model.FIRST_TABLE_ROW, len(want), len(want[0]))
    below = [ws.cell(model.FIRST_TABLE_ROW + len(want) + 1, c).value for c in range(1, len(want[0]) + 1)]
    extra = [] if all(v is None for v in below) else [f"表格下方紧接着还有一行：{below}"]
    return differences(got, want) + extra


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """A filled template per format (every input a number, totals formulas)."""
    folder = tmp_path_factory.mktemp("official")
    return {fid: write_template(folder / f"{fid}.xlsx", fid, year=registry.year_span(fid)[0],
                                prefill=balanced(fid)) for fid in FORMATS}


@pytest.mark.parametrize("sheet", SHEETS)
@pytest.mark.parametrize("format_id", FORMATS)
def test_the_workbook_prints_each_official_table_cell_by_cell(filled, format_id, sheet):
    assert workbook_differences(filled[format_id], format_id, sheet) == []


# -- the Word report ------------------------------------------------------------------------------
def word_grid(table) -> list[list[str]]:
    """Marks of a Word table: ``gridSpan`` → ``<``, ``vMerge`` continuation → ``^``."""
    grid = []
    for tr in table._tbl.iterchildren(qn("w:tr")):
        line = []
        for tc in tr.iterchildren(qn("w:tc")):
            pr = tc.tcPr
            span = int(pr.find(qn("w:gridSpan")).get(qn("w:val"))) if pr is not None and pr.find(qn("w:gridSpan")) is not None else 1
            vmerge = pr.find(qn("w:vMerge")) if pr is not None else None
            cont = vmerge is not None and vmerge.get(qn("w:val")) in (None, "continue")
            text = "".join(t.text or "" for t in tc.iter(qn("w:t"))).strip()
            if cont:
                line.extend(["^"] * span)
                continue
            line.append("#" if re.fullmatch(r"-?\d+(?:\.\d+)?", text) else text)
            line.extend(["<"] * (span - 1))
        grid.append(line)
    return grid


@pytest.fixture(scope="module")
def reports(filled, tmp_path_factory):
    folder = tmp_path_factory.mktemp("official-docx")
    out = {}
    for fid, path in filled.items():
        data = reader.read_workbook(path)
        out[fid] = Document(str(render.render_docx(data, folder / f"{fid}.docx")))
    return out


def word_table(doc, format_id: str, sheet: str):
    want = transcription(format_id, sheet)
    first = want[0][0]
    for table in doc.tables:
        cell = table._tbl.find(f".//{qn('w:t')}")
        if cell is not None and "".join(t.text or "" for t in table._tbl.iter(qn("w:t"))).startswith(first):
            return table
    raise AssertionError(f"{format_id} 的报告中没有以“{first}”开头的表格")


@pytest.mark.parametrize("sheet", SHEETS)
@pytest.mark.parametrize("format_id", FORMATS)
def test_the_word_report_prints_each_official_table_cell_by_cell(reports, format_id, sheet):
    got = word_grid(word_table(reports[format_id], format_id, sheet))
    assert differences(got, transcription(format_id, sheet), unit_suffix=True) == []


# -- the transcriptions catch what they are for ----------------------------------------------------
def test_a_one_character_change_to_a_label_in_the_format_data_is_caught(tmp_path):
    data = json.loads((Path(registry.__file__).parent / "2021.json").read_text("utf-8"))
    data["id"], data["first_year"] = "2099", 2099
    header = data["tables"][0]["blocks"][0]["columns"][0]
    assert header["label"] == "本年制发件数"
    header["label"] = "本年制法件数"                       # 发 → 法: one character
    (tmp_path / "2099.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    registry.add_directory(tmp_path)
    try:
        path = write_template(tmp_path / "typo.xlsx", "2099", year=2099, prefill=balanced("2099"))
        found = workbook_differences(path, "2021", "表二")
    finally:
        registry.remove_directory(tmp_path)
    assert found == ["行2列2：应为“本年制发件数”，实为“本年制法件数”"]
