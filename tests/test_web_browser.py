"""The web page in a real browser (headless Chromium through Selenium and Debian's chromedriver).

A clerk's whole job: download the template, fill it (openpyxl, as Excel would save it), upload it,
see the wrong cell highlighted with the expected value on hover, fix it, upload again, download
the Word report and find the numbers where a reader sees them.  Also: a hostile file answered in
the page, a second browser that cannot open the first one's pages or files, the access-code page
of a server open to the network, and the review office's page.

Screenshots of every page are written to ``$XLSX_TOOL_SCREENSHOTS`` when set (to look at them).
"""
from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import pytest

import fills
from web_harness import Server, chrome, need_chromium, wait_for_download

pytestmark = pytest.mark.browser

YEAR = 2025          # a 2021-format year


def shot(driver, name: str, *, whole: bool = True) -> None:
    """Save a screenshot of the whole page (or only the window, keeping a hover) when asked to."""
    folder = os.environ.get("XLSX_TOOL_SCREENSHOTS")
    if folder and not whole:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))
    elif folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(1366, max(768, min(height + 140, 6000)))
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))
        driver.set_window_size(1366, 768)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    need_chromium()
    srv = Server(tmp_path_factory.mktemp("server"))
    yield srv
    srv.stop()


@pytest.fixture
def browser(tmp_path):
    need_chromium()
    driver = chrome(tmp_path / "profile", tmp_path / "downloads")
    driver.implicitly_wait(0)
    yield driver, tmp_path / "downloads"
    driver.quit()


def wait_page(driver, css: str, timeout: float = 60):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def fill_by_name(src: Path, out: Path, values: dict) -> Path:
    """Type ``values`` (field id → value) into the cells the template names, as a clerk would."""
    import openpyxl

    from openpyxl.utils.cell import coordinate_from_string

    wb = openpyxl.load_workbook(src)
    for name, value in values.items():
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        col, row = coordinate_from_string(ref.replace("$", "").split(":")[0])
        for i, text in enumerate(value if isinstance(value, list) else [value]):   # 正文: a paragraph a row
            wb[sheet][f"{col}{row + i}"] = text
    wb.save(out)
    return out


def upload(driver, server, path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver.get(server.url + "/")
    driver.find_element(By.CSS_SELECTOR, "#check input[name=workbook]").send_keys(str(path))
    driver.find_element(By.CSS_SELECTOR, "#check button[type=submit]").click()
    wait_page(driver, "#summary, #problem")


def test_a_clerk_gets_from_template_to_word_report_in_the_browser(server, browser, tmp_path):
    from docx import Document
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from xlsx_tool.formats import model

    driver, downloads = browser
    driver.get(server.url + "/")
    assert "填写本单位的年度报告" in driver.page_source
    Select(driver.find_element(By.ID, "year")).select_by_value(str(YEAR))
    assert "2021 格式" in driver.find_element(By.ID, "format-hint").text
    driver.find_element(By.ID, "org").send_keys("某某镇人民政府")
    shot(driver, "1-clerk")
    driver.find_element(By.CSS_SELECTOR, "#template button[type=submit]").click()
    template = wait_for_download(downloads, ".xlsx")
    assert template.name == f"某某镇人民政府{YEAR}年政府信息公开年报数据.xlsx"

    values = {k: v for k, v in fills.complete("2021").items() if k != "org_name"}
    values["request_new_natural"] = 5            # 2 more new requests than handled: X01 in 自然人
    filled = fill_by_name(template, tmp_path / "2025年报数据.xlsx", values)
    upload(driver, server, filled)
    summary = driver.find_element(By.ID, "summary").text
    assert "发现" in summary and "错误" in summary
    cell = driver.find_element(By.ID, "cell-request_new_natural")
    assert "mark-error" in cell.get_attribute("class")
    assert cell.text.startswith("5")
    finding = driver.find_element(By.CSS_SELECTOR, 'li.finding[data-code="X01"]')
    assert "左边" in finding.text and "处理：" in finding.text
    assert finding.get_attribute("data-sheet") == "表三"
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
    ActionChains(driver).move_to_element(cell).perform()
    tip = cell.find_element(By.CSS_SELECTOR, ".tip")
    assert tip.is_displayed()
    assert "应为 3（现为 5）" in tip.text              # 一 5 + 二 1 = 6, （七） 3 + 四 1 = 4
    shot(driver, "2-hover", whole=False)
    assert not driver.find_elements(By.ID, "download-docx")
    shot(driver, "2-result-with-error")

    values["request_new_natural"] = 3
    fixed = fill_by_name(template, tmp_path / "2025年报数据（改）.xlsx", values)
    upload(driver, server, fixed)
    assert "检查通过" in driver.find_element(By.ID, "summary").text
    assert not driver.find_elements(By.CSS_SELECTOR, ".mark-error")
    shot(driver, "3-result-ok")
    before = {p.name for p in downloads.iterdir()}
    driver.find_element(By.ID, "download-docx").click()
    report = wait_for_download(downloads, ".docx", before=before)

    doc = Document(str(report))
    fmt = model.load("2021")
    assert any("某某镇人民政府" in p.text for p in doc.paragraphs)
    tables = [s["table"] for s in fmt.report_sections if s.get("table")]
    request = dict(zip(tables, doc.tables))["request"]
    tl = fmt.table("request")
    first = min(b.row for b in tl.boxes)
    at = {cid: request.cell(fmt.cells[cid].row - first, fmt.cells[cid].col).text
          for cid in ("request_new_natural", "request_new_total", "request_carried_out_total")}
    assert at == {"request_new_natural": "3", "request_new_total": "18", "request_carried_out_total": "6"}


def test_a_hostile_file_is_answered_in_the_page_as_on_the_command_line(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    driver, _ = browser
    bomb = tmp_path / "炸弹.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 2**20))
    upload(driver, server, bomb)
    problem = driver.find_element(By.ID, "problem")
    assert problem.get_attribute("data-code") == "F06"
    assert "文件过大或结构可疑" in problem.text and "压缩比超过" in problem.text and "炸弹.xlsx" in problem.text
    assert "/tmp" not in driver.page_source and str(server.base) not in driver.page_source
    shot(driver, "4-hostile")
    assert server.alive()


def test_another_browser_cannot_open_the_first_ones_result_or_report(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    from xlsx_tool.workbook.template import write_template

    driver, _ = browser
    path = write_template(tmp_path / "填报.xlsx", "2021", year=YEAR, prefill=fills.complete("2021"))
    upload(driver, server, path)
    result_url = driver.current_url
    report_url = driver.find_element(By.ID, "download-docx").get_attribute("href")
    other = chrome(tmp_path / "other-profile", tmp_path / "other-downloads")
    try:
        for url in (result_url, report_url):
            other.get(url)
            assert "找不到这个页面或文件" in other.page_source
            assert "检查通过" not in other.page_source
        shot(other, "5-other-session")
        assert not list((tmp_path / "other-downloads").iterdir())
    finally:
        other.quit()
    driver.get(result_url)                      # the owner still sees it
    assert "检查通过" in driver.page_source


def test_the_review_page_and_help_page_render(server, browser):
    from selenium.webdriver.common.by import By

    from xlsx_tool.web import features

    driver, _ = browser
    driver.get(server.url + "/review")
    assert "批量审核" in driver.page_source
    if not features.available("review"):
        assert "此功能尚未安装" in driver.find_element(By.ID, "review-missing").text
        assert not driver.find_element(By.CSS_SELECTOR, "#batch button[type=submit]").is_enabled()
    shot(driver, "6-review")
    driver.get(server.url + "/about")
    assert "安全与隐私" in driver.page_source
    shot(driver, "7-about")


def test_a_server_open_to_the_network_asks_every_browser_for_the_access_code(browser, tmp_path):
    from selenium.webdriver.common.by import By

    need_chromium()
    srv = Server(tmp_path / "lan", "--host", "0.0.0.0")
    try:
        assert srv.code and len(srv.code) >= 12
        driver, _ = browser
        driver.get(f"http://127.0.0.1:{srv.port}/")
        assert driver.current_url.endswith("/login")
        assert "局域网开放" in driver.page_source
        shot(driver, "8-login")
        driver.find_element(By.ID, "code").send_keys("wrong-code")
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        assert wait_page(driver, "#problem").get_attribute("data-code") == "W06"
        driver.find_element(By.ID, "code").send_keys(srv.code)
        driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait_page(driver, "#template")
        assert "填写本单位的年度报告" in driver.page_source
    finally:
        srv.stop()


def test_pages_work_without_javascript(server, tmp_path):
    """Forms post and pages draw with JavaScript switched off (progressive enhancement only)."""
    need_chromium()
    from selenium.webdriver.common.by import By

    from xlsx_tool.workbook.template import write_template

    driver = chrome(tmp_path / "nojs", tmp_path / "nojs-downloads")
    try:
        driver.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        path = write_template(tmp_path / "填报.xlsx", "2021", year=YEAR,
                              prefill={**fills.complete("2021"), "request_new_natural": 9})
        upload(driver, server, path)
        assert driver.find_element(By.ID, "cell-request_new_natural").get_attribute("class").count("mark-error")
        time.sleep(0.1)
    finally:
        driver.quit()


def test_the_review_office_runs_a_batch_in_the_browser(browser, tmp_path):
    """The review office's batch, through the real review (roster kept, overview, search, findings)."""
    from selenium.webdriver.common.by import By


    from xlsx_tool.workbook.template import write_template

    need_chromium()
    srv = Server(tmp_path / "srv")
    driver, downloads = browser
    try:
        folder = tmp_path / "各单位"
        folder.mkdir()
        paths = [write_template(folder / f"{org}.xlsx", "2021", year=YEAR,
                                prefill={**fills.complete("2021"), "org_name": org, **extra})
                 for org, extra in (("甲镇人民政府", {}), ("乙镇人民政府", {"request_new_natural": 9}),
                                    ("丁乡人民政府", {"request_new_business": "３"}))]
        roster = tmp_path / "单位名单.txt"
        roster.write_text("甲镇人民政府\n乙镇人民政府\n丙镇人民政府\n丁乡人民政府\n", "utf-8")
        driver.get(f"http://127.0.0.1:{srv.port}/review")
        driver.find_element(By.ID, "roster-file").send_keys(str(roster))
        driver.find_element(By.CSS_SELECTOR, "#roster button[type=submit]").click()
        assert wait_page(driver, "#roster-name").text == "单位名单.txt"
        driver.find_element(By.ID, "files").send_keys("\n".join(str(p) for p in paths))
        driver.find_element(By.CSS_SELECTOR, "#batch button[type=submit]").click()
        wait_page(driver, "#overview")
        rows = driver.find_elements(By.CSS_SELECTOR, "#units tbody tr[data-name]")
        assert len(rows) == 4                                      # three files and 丙镇, not submitted
        assert "丙镇人民政府" in driver.find_element(By.CSS_SELECTOR, ".missing-units").text
        shot(driver, "9-review-overview")
        driver.find_element(By.CSS_SELECTOR, 'th[data-sort="errors"] a').click()
        driver.find_element(By.CSS_SELECTOR, 'th[data-sort="errors"] a').click()     # descending
        first = driver.find_element(By.CSS_SELECTOR, "#units tbody tr[data-name]")
        assert first.get_attribute("data-name").startswith("乙镇人民政府")
        driver.find_element(By.ID, "unit-search").send_keys("丁乡")
        shown = [r for r in driver.find_elements(By.CSS_SELECTOR, "#units tbody tr[data-name]") if r.is_displayed()]
        assert [r.get_attribute("data-name").split()[0] for r in shown] == ["丁乡人民政府"]
        driver.find_element(By.ID, "download-findings").click()
        assert wait_for_download(downloads, ".xlsx").name == "审核结果.xlsx"
    finally:
        srv.stop()


def test_a_clerk_writes_explanations_for_notes_into_a_copy(browser, tmp_path):
    """说明 typed on the page go into a copy of the workbook (sheet 说明), never into the upload."""
    import openpyxl
    from selenium.webdriver.common.by import By


    from xlsx_tool.workbook.template import write_template

    need_chromium()
    srv = Server(tmp_path / "srv")
    driver, downloads = browser
    try:
        path = write_template(tmp_path / "本单位.xlsx", "2021", year=YEAR,
                              prefill={**fills.complete("2021"), "request_new_business": "３",
                                       "proactive_penalty_decisions": "4"})
        upload(driver, srv, path)
        assert "检查通过" in driver.find_element(By.ID, "summary").text
        boxes = driver.find_elements(By.CSS_SELECTOR, "li.finding.note textarea")
        assert len(boxes) >= 1
        boxes[0].send_keys("数字由 WPS 导入，已核实。")
        shot(driver, "10-explanations")
        driver.find_element(By.CSS_SELECTOR, "#findings-form button[type=submit]").click()
        copy = wait_for_download(downloads, ".xlsx")
        assert copy.name == "本单位（含说明）.xlsx"
        rows = [r[:3] for r in openpyxl.load_workbook(copy)["说明"].iter_rows(values_only=True)]
        assert any(r[2] == "数字由 WPS 导入，已核实。" and r[0] for r in rows), rows
    finally:
        srv.stop()
