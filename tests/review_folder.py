"""A review office's folder, as the issue describes it: some clean units, some with errors, one
hostile file, one of the wrong year, one unit submitted twice, and a roster with two units that
did not submit.

``build(folder) -> Folder`` writes it (every workbook through the real template writer) and says
what a review must find.  Units fill :func:`fills.balanced` with a few changes, so the expected
sums are easy to state: each clean unit has 本年新收 18 (表三 总计 column).
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import fills
from xlsx_tool.workbook.template import write_template

YEAR = 2024
CLEAN = ("甲镇人民政府", "乙镇人民政府", "丙县财政局")
WITH_ERRORS = {"丁镇人民政府": {"request_new_natural": 9},            # X01: 表三 D 列不平
               "戊县教育局": {"request_new_business": "无"}}          # V02: not a number
WRONG_YEAR = "己镇人民政府"
DUPLICATE = "甲镇人民政府"
MISSING = ("庚镇人民政府", "辛县水务局")


@dataclass
class Folder:
    units: Path
    roster: Path
    files: dict[str, Path]
    hostile: Path
    duplicate: Path


def unit(folder: Path, name: str, org: str, *, year: int = YEAR, **changes) -> Path:
    fill = fills.balanced("2021")
    fill.update(fills.narrative())
    fill["org_name"] = org
    fill["narrative_overview"] = [f"{org}认真贯彻落实《中华人民共和国政府信息公开条例》。"]
    fill.update(changes)
    return write_template(folder / name, "2021", year=year, prefill=fill)


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 2**20))
    return buf.getvalue()


def build(root: Path) -> Folder:
    units = root / "各单位 2024"
    (units / "乡镇").mkdir(parents=True)
    (units / "部门").mkdir()
    (units / "补交").mkdir()
    files = {}
    for org in CLEAN:
        sub = "乡镇" if org.endswith("镇人民政府") else "部门"
        files[org] = unit(units / sub, f"{org}.xlsx", org)
    for org, changes in WITH_ERRORS.items():
        sub = "乡镇" if org.endswith("镇人民政府") else "部门"
        files[org] = unit(units / sub, f"{org}.xlsx", org, **changes)
    files[WRONG_YEAR] = unit(units / "乡镇", f"{WRONG_YEAR}（去年的）.xlsx", WRONG_YEAR, year=2023)
    duplicate = unit(units / "补交", f"{DUPLICATE} 修改版.xlsx", DUPLICATE)
    hostile = units / "部门" / "来历不明.xlsx"
    hostile.write_bytes(zip_bomb())
    (units / "部门" / "~$甲镇人民政府.xlsx").write_bytes(b"lock")         # an Excel lock file: ignored
    roster = root / "单位名单.csv"
    # as Excel saves a CSV on a Chinese Windows: GBK, a heading, a 序号 column, a full-width name
    names = list(CLEAN) + list(WITH_ERRORS) + [WRONG_YEAR] + list(MISSING)
    names[2] = "丙县　财政局"        # a full-width space: still 丙县财政局
    lines = ["序号,单位名称"] + [f"{i},{n}" for i, n in enumerate(names, start=1)]
    roster.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return Folder(units, roster, files, hostile, duplicate)
