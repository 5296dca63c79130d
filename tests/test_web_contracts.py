"""The page's wiring to the parts of the package it calls: with a part absent the page says
“此功能尚未安装”; with the real parts the review office's batch (roster reused, .zip checked,
progress, overview sortable and searchable, findings workbook, combined report with the refused
units), the template prefilled from last year's report and the explanations written into a copy
all work end to end over HTTP.
"""
from __future__ import annotations

import hashlib
import io
import re
import time
import zipfile
from urllib.parse import quote, unquote

import pytest

import fills
from web_harness import Client, Server, problem_on
from xlsx_tool.web import config, features
from xlsx_tool.workbook.template import write_template

YEAR = 2025


def workbook(tmp_path, name: str, year: int = YEAR, **overrides) -> bytes:
    fill = {**fills.complete("2021"), **overrides}
    return write_template(tmp_path / name, "2021", year=year, prefill=fill).read_bytes()


def zipped(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


# -- without the other parts ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("plain"))
    yield srv
    srv.stop()


def test_each_missing_part_is_said_on_the_page_not_hidden(plain, tmp_path):
    c = Client(plain)
    home = c.get("/").text
    review = c.get("/review").text
    for name, page, words in (("prefill", home, "此功能尚未安装：用上年数据预填模板"),
                              ("continuity", home, "此功能尚未安装：与上年数据的衔接检查"),
                              ("review", review, "此功能尚未安装")):
        if features.available(name):
            continue
        assert words in page, name
    if not features.available("review"):
        r = c.post("/review", files=[("files", "a.xlsx", workbook(tmp_path, "a.xlsx"))])
        assert r.status == 422 and problem_on(r.text) == "W09"
    if not features.available("explain"):
        page = c.check(workbook(tmp_path, "b.xlsx", request_new_natural="３"))
        assert "此功能尚未安装：把说明写入工作簿副本" in page.text
        item = re.search(r'action="(/result/[^"]+/explain)"', page.text).group(1)
        r = c.post(item, [("exp-0", "说明")])
        assert r.status == 422 and problem_on(r.text) == "W09"


# -- with the doubles --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("srv"))
    yield srv
    srv.stop()
    assert "Traceback" not in srv.output()


def wait_done(c: Client, job: str) -> dict:
    import json

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = json.loads(c.get(job + "/status").text)
        if not status["running"]:
            return status
        time.sleep(0.1)
    raise AssertionError("the batch did not finish")


def test_the_review_office_checks_a_zip_with_its_roster_and_combines(server, tmp_path):
    import openpyxl

    c = Client(server)
    roster = "甲镇人民政府\n乙镇人民政府\n丙镇人民政府\n".encode()
    assert c.post("/review/roster", files=[("roster", "单位名单.txt", roster)]).status == 303
    assert "单位名单.txt" in c.get("/review").text                         # kept for the next batch
    batch = zipped({"甲镇/甲镇.xlsx": workbook(tmp_path, "甲.xlsx", org_name="甲镇人民政府"),
                    "乙镇.xlsx": workbook(tmp_path, "乙.xlsx", org_name="乙镇人民政府", request_new_natural=9),
                    "照片.png": b"\x89PNG\r\n\x1a\n" + bytes(100), "__MACOSX/._乙镇.xlsx": b"junk"})
    r = c.post("/review", [("use_roster", "1")], [("files", "各单位.zip", batch)])
    assert r.status == 303
    job = r.header("location")
    status = wait_done(c, job)
    assert status["done"] == status["total"] == 2 and not status["failed"]
    page = c.get(job).text
    rows = re.findall(r'<tr class="(ok|bad)" data-name="([^"]+)"', page)
    assert sorted(name.split()[0] for _, name in rows) == ["丙镇人民政府", "乙镇人民政府", "甲镇人民政府"]
    assert "丙镇人民政府" in page.split("未报送的单位")[1]
    assert "照片.png" in page and "PNG 图片" in page
    by_errors = c.get(job + "?sort=errors&order=desc").text
    assert re.findall(r'data-name="(\S+)', by_errors)[0] == "乙镇人民政府"
    found = c.get(job + "?q=" + quote("甲镇")).text
    assert re.findall(r'data-name="(\S+)', found) == ["甲镇人民政府"]
    book = c.get(job + "/findings.xlsx")
    assert book.status == 200
    ws = openpyxl.load_workbook(io.BytesIO(book.body))["问题清单"]
    assert any(row[0] == "乙镇人民政府" and "X01" in row for row in ws.iter_rows(values_only=True))

    assert c.post(job + "/combine", [("org", "某某县人民政府")]).status == 303
    combined = c.get(job + "/combined.xlsx")
    assert combined.status == 200
    wb = openpyxl.load_workbook(io.BytesIO(combined.body))
    sheet, ref = next(iter(wb.defined_names["request_new_business"].destinations))
    assert wb[sheet][ref.replace("$", "")].value == 3          # 甲 only: 乙 has an error and is refused
    refused = c.get(job).text
    assert "乙镇人民政府" in refused and "未汇总" in refused
    assert c.get(job + "/combined.docx").status == 404     # no report before the 正文 is written:
    assert "在“正文”中撰写本级的报告" in refused            # the page says what comes next

    other = Client(server)
    other.get("/review")
    for path in (job, job + "/status", job + "/findings.xlsx", job + "/combined.xlsx"):
        assert other.get(path).status == 404
    assert "单位名单.txt" not in other.get("/review").text


@pytest.mark.parametrize("members, words", [
    ({"../../evil.xlsx": b"x"}, "指向压缩包以外"),
    ({"/etc/evil.xlsx": b"x"}, "指向压缩包以外"),
    ({"C:/Windows/evil.xlsx": b"x"}, "指向压缩包以外"),
    ({f"{n}.xlsx": b"x" for n in range(config.MAX_ZIP_MEMBERS + 1)}, "最多"),
    ({"炸弹.xlsx": b"\0" * (5 * 2**20)}, "压缩比超过"),
])
def test_an_unsafe_zip_is_refused_whole(server, members, words):
    c = Client(server)
    token = c.csrf("/review")
    items = lambda: {p for p in (server.base / "tmp").rglob("i-*") if p.is_dir()}   # noqa: E731
    before = items()
    r = c.post("/review", files=[("files", "各单位.zip", zipped(members))], token=token)
    assert r.status == 422 and problem_on(r.text) == "W03" and words in r.text
    assert not [p for p in server.base.rglob("evil.xlsx")]
    assert items() == before                                   # nothing of it kept


def test_the_page_offers_the_same_report_year_as_the_command_line(server):
    """In December the report being written is this year's (as ``xlsx-tool template`` defaults),
    not last year's: the year preselected on the page is ``registry.default_year()``."""
    from xlsx_tool.formats import registry

    home = Client(server).get("/").text
    selected = re.search(r'<option value="(\d{4})"[^>]*\bselected\b', home).group(1)
    assert int(selected) == registry.default_year()


def test_a_prefilled_template_carries_last_years_numbers(server, tmp_path):
    import openpyxl

    c = Client(server)
    last = workbook(tmp_path, "2024.xlsx", year=YEAR - 1, request_carried_out_natural=1)   # last year's, same agency
    r = c.post("/template", [("year", str(YEAR)), ("org", "")], [("previous", "2024年报.xlsx", last)])
    assert r.status == 200, r.text[:2000]
    wb = openpyxl.load_workbook(io.BytesIO(r.body))
    sheet, ref = next(iter(wb.defined_names["request_carried_in_natural"].destinations))
    assert wb[sheet][ref.replace("$", "")].value == 1


def test_explanations_are_written_into_a_copy_never_the_upload(server, tmp_path):
    import openpyxl

    c = Client(server)
    data = workbook(tmp_path, "c.xlsx", request_new_natural="３")        # full-width digit: a 提示 (V05)
    page = c.check(data, name="本单位.xlsx").text
    index = re.search(r'name="exp-(\d+)"', page).group(1)
    action = re.search(r'action="(/result/[^"]+/explain)"', page).group(1)
    r = c.post(action, [(f"exp-{index}", "数字由 WPS 导入，已核实。")])
    assert r.status == 200
    assert "本单位（含说明）.xlsx" in unquote(r.header("content-disposition"))
    wb = openpyxl.load_workbook(io.BytesIO(r.body))
    rows = [r[:3] for r in wb["说明"].iter_rows(values_only=True)]
    assert ("V05", "表三!D6", "数字由 WPS 导入，已核实。") in rows
    stored = [p for p in (server.base / "tmp").rglob("本单位.xlsx")]
    assert len(stored) == 1 and hashlib.sha256(stored[0].read_bytes()).digest() == hashlib.sha256(data).digest()
