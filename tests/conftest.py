"""Shared fixtures for reading and checking filled workbooks.

* ``balanced_prefill(format_id)`` — a complete, correct fill (every cross-check holds);
* ``make_filled_workbook(...)`` — that fill (plus overrides) written by ``write_template`` into
  ``tmp_path``;
* ``edit_with_openpyxl(src, change)`` — load a workbook with openpyxl, apply ``change(wb)``, save
  to a NEW file (fine for tests; never done to a clerk's file);
* ``rewrite_cell_xml(src, sheet, a1, new_xml)`` — replace one ``<c>`` element in the sheet XML, to
  plant what openpyxl cannot write (a formula with a cached result);
* ``convert_with_soffice(src, ext)`` — headless LibreOffice conversion (skips when missing).
"""
from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from fills import OVERVIEW, YEAR, balanced, narrative
from needs import require
from xlsx_tool.workbook.template import write_template


# Hypothesis: "quick" while developing, "ci" (CI=true, as .ci/run sets it) for the long runs.  Tests
# set no max_examples of their own unless they are deliberately small (each example is a workbook).
settings.register_profile("quick", max_examples=500, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=10_000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "quick"))


def _balanced(format_id: str) -> dict:
    fill = balanced(format_id)
    fill.update(narrative())
    fill["narrative_overview"] = list(OVERVIEW)
    fill["note_request"] = "注：本表含上年度结转。"
    return fill


@pytest.fixture
def balanced_prefill():
    """``balanced_prefill("2021")`` → prefill dict of a correct report."""
    return _balanced


@pytest.fixture
def make_filled_workbook(tmp_path):
    """``make_filled_workbook(format_id="2021", name="fill.xlsx", report_year=None, **overrides)``:
    the balanced fill with ``overrides`` (id → value; ``None`` blanks a cell) written to
    ``tmp_path``; ``report_year`` is the template's year (overrides may plant a bad ``year``)."""
    def make(format_id: str = "2021", name: str = "fill.xlsx", report_year: int | None = None,
             **overrides) -> Path:
        fill = _balanced(format_id)
        fill.update(overrides)
        return write_template(tmp_path / name, format_id, year=report_year or YEAR[format_id],
                              prefill=fill)
    return make


@pytest.fixture
def edit_with_openpyxl(tmp_path):
    """``edit_with_openpyxl(src, change, name="edited.xlsx")`` → path of the changed copy."""
    import openpyxl

    def edit(src: Path, change, name: str = "edited.xlsx") -> Path:
        wb = openpyxl.load_workbook(src)
        change(wb)
        out = tmp_path / name
        wb.save(out)
        return out
    return edit


@pytest.fixture
def rewrite_cell_xml(tmp_path):
    """``rewrite_cell_xml(src, sheet, "D6", "<f>1+2</f><v>3</v>")`` → copy whose cell D6 on
    ``sheet`` holds that inner XML (style kept).  Works on xlsxwriter output (sheetN.xml by order)."""
    def rewrite(src: Path, sheet: str, a1: str, inner: str, name: str = "rewritten.xlsx") -> Path:
        with zipfile.ZipFile(src) as zin:
            names = re.findall(r'<sheet name="([^"]+)"', zin.read("xl/workbook.xml").decode())
            part = f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"
            xml = zin.read(part).decode()
            pattern = re.compile(rf'<c r="{a1}"([^>]*?)(/>|>.*?</c>)')
            m = pattern.search(xml)
            assert m, f"{a1} not found in {part}"
            attrs = re.sub(r'\s+t="[^"]*"', "", m.group(1))
            xml = xml[:m.start()] + f'<c r="{a1}"{attrs}>{inner}</c>' + xml[m.end():]
            out = tmp_path / name
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
                for item in zin.infolist():
                    data = xml.encode() if item.filename == part else zin.read(item.filename)
                    zout.writestr(item, data)
        return out
    return rewrite


@pytest.fixture
def convert_with_soffice(tmp_path):
    """``convert_with_soffice(src, "ods")`` → converted copy in ``tmp_path`` (through
    :func:`xlsx_tool.office.convert`: private profile and copy, process group killed).  Skips
    without LibreOffice, except under ``CI=true`` where the office suite must be installed."""
    from xlsx_tool import office

    require(None if office.soffice() else "找不到 soffice 命令", ".ods/.xls 读取测试")

    def convert(src: Path, ext: str) -> Path:
        out = tmp_path / f"{src.stem}.{ext}"
        out.write_bytes(office.convert(src, ext))
        return out
    return convert
