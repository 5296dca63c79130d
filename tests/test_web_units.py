"""The web page's parts on their own: judging files by content, names from browsers and zips,
unpacking an archive, sessions and their expiry, what a marked cell says on hover."""
from __future__ import annotations

import io
import json
import stat
import zipfile
from pathlib import Path

import pytest

import fills
from xlsx_tool.checks.check import check
from xlsx_tool.findings import UserError
from xlsx_tool.web import archive, config, sessions, sniff, view
from xlsx_tool.workbook.read import read_workbook
from xlsx_tool.workbook.template import write_template


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("data, kind", [
    (b"%PDF-1.7\n", sniff.PDF),
    (b"<!DOCTYPE html><html><head><title>x</title></head></html>", sniff.HTML),
    ("\ufeff<html><body><p>年报</p></body></html>".encode(), sniff.HTML),
    ("项目,数值\n本年新收,3\n".encode("gbk"), sniff.TXT),
    (b'{"format": "2021"}', sniff.JSON),
    (b"", sniff.UNKNOWN),
    (bytes(range(256)) * 10, sniff.UNKNOWN),
])
def test_a_file_is_judged_by_its_content(tmp_path, data, kind):
    assert sniff.sniff(write(tmp_path, "名字.xlsx", data)) == kind


def test_containers_are_told_apart_by_what_they_hold(tmp_path):
    book = write_template(tmp_path / "a.xlsx", "2021", year=2025).rename(tmp_path / "a.pdf")   # a workbook named .pdf
    assert sniff.sniff(book) == sniff.XLSX
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    assert sniff.sniff(write(tmp_path, "b.xlsx", buf.getvalue())) == sniff.DOCX
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("甲镇.xlsx", book.read_bytes())
    assert sniff.sniff(write(tmp_path, "c.xlsx", buf.getvalue())) == sniff.ZIP
    assert sniff.sniff(write(tmp_path, "d.xlsx", b"\x89PNG\r\n\x1a\n")).label == "PNG 图片"


@pytest.mark.parametrize("raw, name", [
    ("C:\\fakepath\\2026年报数据.xlsx", "2026年报数据.xlsx"),
    ("../../etc/passwd", "passwd"),
    ("a\x00b\x1fc<>:\"|?*.xlsx", "abc.xlsx"),
    ("\u202e年报xslx.exe", "年报xslx.exe"),
    ("..", "上传的文件"),
    ("", "上传的文件"),
    (" 年报 .xlsx. ", "年报 .xlsx"),
])
def test_a_name_from_a_browser_or_a_zip_is_made_safe(raw, name):
    assert sniff.safe_name(raw) == name


def test_a_long_name_keeps_its_suffix():
    name = sniff.safe_name("很" * 300 + ".xlsx")
    assert len(name) == sniff.MAX_NAME_CHARS and name.endswith(".xlsx")


def test_a_stored_name_takes_the_suffix_of_the_content():
    assert sniff.stored_name("报表.pdf", sniff.XLSX) == "报表.xlsx"
    assert sniff.stored_name("报表", sniff.XLSX) == "报表.xlsx"


def make_zip(members, *, symlink: str | None = None, gbk: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        if symlink:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "/etc/passwd")
        if gbk:           # as Chinese Windows packs it: GBK bytes, no UTF-8 flag
            zf.writestr("X" * len(gbk.encode("gbk")), b"data")
    data = buf.getvalue()
    return data.replace(b"X" * len(gbk.encode("gbk")), gbk.encode("gbk")) if gbk else data


def test_a_zip_is_unpacked_flat_with_windows_names_and_without_clutter(tmp_path):
    data = make_zip({"乡镇/甲镇.xlsx": b"a", "乙镇.xlsx": b"b", "__MACOSX/._乙镇.xlsx": b"x", "Thumbs.db": b"x",
                     "~$甲镇.xlsx": b"x", "空文件夹/": b""}, gbk="丙镇.xlsx")
    src = write(tmp_path, "各单位.zip", data)
    out = tmp_path / "out"
    out.mkdir()
    members = archive.unpack(src, out, "各单位.zip", max_file=config.MAX_FILE_BYTES)
    assert sorted(m.path.name for m in members) == ["丙镇.xlsx", "乙镇.xlsx", "甲镇.xlsx"]
    assert sorted(p.name for p in out.iterdir()) == ["丙镇.xlsx", "乙镇.xlsx", "甲镇.xlsx"]


def test_a_zip_from_linux_zip_keeps_its_utf8_names_without_the_flag(tmp_path):
    """Info-ZIP ``zip`` (Linux, macOS) stores UTF-8 bytes without the UTF-8 flag: the names
    stay Chinese, neither read as GBK (涓侀晣) nor as cp437 (Σ╕üΘòç)."""
    names = {"乡镇/丁镇.xlsx": "丁镇.xlsx", "乡镇/丁镇-修改版.xlsx": "丁镇-修改版.xlsx", "部门/坏文件.xlsx": "坏文件.xlsx"}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, name in enumerate(names):
            zf.writestr(f"{i}" * len(name.encode("utf-8")), b"a")
    data = buf.getvalue()
    for i, name in enumerate(names):                     # the raw UTF-8 bytes, flag bit 11 unset
        data = data.replace(f"{i}".encode() * len(name.encode("utf-8")), name.encode("utf-8"))
    infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert not any(i.flag_bits & 0x800 for i in infos)
    assert [archive.member_name(i) for i in infos] == list(names)
    out = tmp_path / "out"
    out.mkdir()
    members = archive.unpack(write(tmp_path, "各单位.zip", data), out, "各单位.zip", max_file=config.MAX_FILE_BYTES)
    assert sorted(m.path.name for m in members) == sorted(names.values())


@pytest.mark.parametrize("members, extra, words", [
    ({"../x.xlsx": b"a"}, {}, "指向压缩包以外"),
    ({"a/../../x.xlsx": b"a"}, {}, "指向压缩包以外"),
    ({"\\\\server\\x.xlsx": b"a"}, {}, "指向压缩包以外"),
    ({"D:\\x.xlsx": b"a"}, {}, "指向压缩包以外"),
    ({}, {"symlink": "链接.xlsx"}, "符号链接"),
    ({"大.xlsx": b"\0" * (2 * 2**20)}, {}, "压缩比超过"),
])
def test_an_unsafe_zip_is_refused_before_anything_is_written(tmp_path, members, extra, words):
    src = write(tmp_path, "各单位.zip", make_zip(members, **extra))
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(UserError) as err:
        archive.unpack(src, out, "各单位.zip", max_file=config.MAX_FILE_BYTES)
    assert err.value.code == "W03" and words in err.value.text()
    assert list(out.iterdir()) == []


def test_a_zip_member_over_the_file_limit_is_refused(tmp_path):
    import os

    src = write(tmp_path, "各单位.zip", make_zip({"大.xlsx": os.urandom(3 * 2**20)}))
    with pytest.raises(UserError) as err:
        archive.unpack(src, tmp_path, "各单位.zip", max_file=2 * 2**20)
    assert err.value.code == "W03" and "超过每个文件 2 MB" in err.value.text()


# -- sessions ------------------------------------------------------------------------------------------
@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(sessions.time, "monotonic", lambda: now[0])
    return now


def test_each_session_has_its_own_private_folder_and_items(tmp_path, clock):
    store = sessions.SessionStore(tmp_path, keep_seconds=60, max_sessions=10)
    (ta, a), (tb, b) = store.create(), store.create()
    item = store.new_item(a, "check")
    assert item.folder.parent == a.folder and a.folder.stat().st_mode & 0o077 == 0
    assert store.item(a, item.id) is item
    assert store.item(b, item.id) is None and store.item(None, item.id) is None
    assert store.get(ta) is a and store.get("x" * 43) is None and store.get("x" * 500) is None
    assert ta not in str(a.folder) and a.key != ta               # the cookie is neither a path nor the key


def test_an_idle_session_is_deleted_with_its_files_but_not_while_a_job_runs(tmp_path, clock):
    store = sessions.SessionStore(tmp_path, keep_seconds=60, max_sessions=10)
    (ta, a), (tb, b) = store.create(), store.create()
    (store.new_item(a, "check").folder / "年报.xlsx").write_bytes(b"x")
    busy = store.new_item(b, "review")
    busy.busy = True
    clock[0] += 61
    assert store.sweep() == 1
    assert not a.folder.exists() and store.get(ta) is None
    assert b.folder.exists() and store.get(tb) is b
    busy.busy = False
    clock[0] += 61
    assert store.get(tb) is None and not b.folder.exists()       # expired on its next request too
    store.close()
    assert list(tmp_path.iterdir()) == []


def test_a_full_store_makes_room_from_empty_idle_sessions_only(tmp_path, clock):
    store = sessions.SessionStore(tmp_path, keep_seconds=3600, max_sessions=2)
    _, a = store.create()
    store.new_item(a, "check")
    store.create()
    assert store.create() is None
    clock[0] += sessions.EMPTY_SESSION_SECONDS + 1
    assert store.create() is not None and len(store) == 2 and a.folder.exists()


def test_a_session_keeps_its_newest_items_within_its_quota(tmp_path, clock):
    store = sessions.SessionStore(tmp_path, keep_seconds=3600, max_sessions=2)
    _, s = store.create()
    first = store.new_item(s, "check")
    (first.folder / "a.bin").write_bytes(b"x" * 1000)
    clock[0] += 1
    second = store.new_item(s, "check")
    (second.folder / "b.bin").write_bytes(b"x" * 1000)
    assert store.make_room(s, 500, 2000)
    assert store.item(s, first.id) is None and store.item(s, second.id) is second
    assert not store.make_room(s, 5000, 2000)


# -- what the page shows ------------------------------------------------------------------------------
def test_a_marked_cell_says_what_it_should_hold(tmp_path):
    fill = {**fills.complete("2021"), "request_new_natural": 5}
    data = read_workbook(write_template(tmp_path / "a.xlsx", "2021", year=2025, prefill=fill))
    shown = view.check_view(check(data), "a.xlsx")
    json.dumps(shown, ensure_ascii=False)                            # stored as JSON
    cells = {b["id"]: b for t in shown["tables"] for row in t["rows"] for b in row if b.get("id")}
    assert cells["request_new_natural"]["level"] == "error"
    assert cells["request_new_natural"]["marks"][0]["tip"].startswith("若只改这一格，应为 3（现为 5）")
    assert cells["request_carried_in_natural"]["marks"][0]["tip"].startswith("X01")    # 1 − 2 < 0: no advice
    assert cells["request_carried_out_natural"]["marks"][0]["tip"].startswith("若只改这一格，应为 3（现为 1）")
    assert "marks" not in cells["request_new_business"]
    outcome = cells["request_outcome_total_natural"]["marks"][0]["tip"]     # （七）总计: a formula
    assert outcome.startswith("这一格是合计（公式）") and "应为" not in outcome
    assert [g["sheet"] for g in shown["groups"]] == ["表三"]
    assert shown["findings"][0]["cell_id"] == "request_new_natural"


def test_findings_are_grouped_in_workbook_order():
    from xlsx_tool.formats import model

    fmt = model.load("2021")
    items = [{"sheet": "表四", "severity": "错误"}, {"sheet": "", "severity": "错误"},
             {"sheet": "说明", "severity": "提示"}, {"sheet": "基本信息", "severity": "提示"}]
    assert [g["sheet"] for g in view.group_findings(fmt, items)] == ["文件", "基本信息", "表四", "说明"]


@pytest.mark.parametrize("host, local", [("127.0.0.1", True), ("127.0.0.2", True), ("::1", True),
                                         ("[::1]", True), ("localhost", True), ("0.0.0.0", False),
                                         ("192.168.1.10", False), ("office-pc", False)])
def test_only_loopback_counts_as_local(host, local):
    assert config.is_loopback(host) is local
    assert config.Settings(host=host).needs_code is (not local)


def test_the_readme_states_the_pages_limits_as_the_page_does():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    for line in config.Settings().limits_text():
        assert line in readme, line
    assert readme.startswith("# ") and readme.index("xlsx-tool serve") < readme.index("## 快速开始")


# -- the worker pool -------------------------------------------------------------------------------------
def _die() -> dict:
    import os

    os._exit(9)


def _sleep() -> dict:
    import time

    time.sleep(60)
    return {}


def _greedy() -> dict:
    from xlsx_tool.web.work import job

    return job(lambda: {"size": len(bytearray(8 * 2**30))})(".")


def _fine() -> dict:
    import os

    return {"pid": os.getpid()}


def test_a_worker_that_dies_or_hangs_is_answered_w07_and_replaced(tmp_path):
    import asyncio

    from xlsx_tool.web.pool import Pool

    async def scenario():
        pool = Pool(1, tmp_path, timeout=60)
        try:
            first = await pool.run(_fine)
            died = await pool.run(_die, subject="炸弹.xlsx")
            after = await pool.run(_fine)
            hung = await pool.run(_sleep, timeout=1, subject="慢.xlsx")
            again = await pool.run(_fine)
            greedy = await pool.run(_greedy)
            return first, died, after, hung, again, greedy
        finally:
            pool.close()

    first, died, after, hung, again, greedy = asyncio.run(scenario())
    assert died["fatal"]["code"] == "W07" and "炸弹.xlsx" in died["fatal"]["text"]
    assert hung["fatal"]["code"] == "W07" and "超过 1 秒" in hung["fatal"]["text"]
    assert greedy["fatal"]["code"] == "W07" and "内存" in greedy["fatal"]["text"]
    assert len({first["pid"], after["pid"], again["pid"]}) == 3       # a fresh worker each time


def test_the_roster_is_kept_when_older_items_make_room(tmp_path, clock):
    store = sessions.SessionStore(tmp_path, keep_seconds=3600, max_sessions=2)
    _, s = store.create()
    roster = store.new_item(s, "roster")
    for _ in range(sessions.MAX_ITEMS + 5):
        clock[0] += 1
        store.new_item(s, "check")
    assert store.item(s, roster.id) is roster and len(s.items) <= sessions.MAX_ITEMS + 1


def test_plain_text_named_as_a_workbook_is_judged_by_the_workbook_reader(tmp_path):
    """On the review page (which also takes published reports) a renamed CSV is not read as a
    published report: it goes to the workbook reader, which answers as `review` does (F03)."""
    from xlsx_tool.web import intake

    path = tmp_path / "upload"
    path.write_text("单位,件数\n甲镇,3\n", "utf-8")
    assert intake.judge(path, "坏文件.xlsx", intake.ANY_REPORT).group == "workbook"
    assert intake.judge(path, "年报.txt", intake.ANY_REPORT).group == "published"
