"""The web server survives what a network and its users throw at it, and keeps its files to itself.

Memory is measured as the server process's own peak resident size (VmHWM of /proc/<pid>/status),
never as wall-clock time.
"""
from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import pytest

import fills
from needs import require
from web_harness import Client, Server, multipart
from xlsx_tool.workbook.template import write_template

YEAR = 2025


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("wb") / "填报.xlsx"
    return write_template(path, "2021", year=YEAR, prefill=fills.complete("2021")).read_bytes()


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path)
    yield srv
    srv.stop()


def files_under(folder: Path) -> list[Path]:
    return [p for p in Path(folder).rglob("*") if not p.is_dir()]


def raw(server: Server, data: bytes, *, read: bool = True) -> bytes:
    with socket.create_connection((server.host, server.port), timeout=30) as s:
        s.sendall(data)
        if not read:
            return b""
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except (ConnectionResetError, socket.timeout):
            pass
        return out


def test_nothing_is_written_outside_the_applications_folder_and_all_of_it_goes_at_shutdown(server, good):
    c = Client(server)
    r = c.post("/template", [("year", str(YEAR)), ("org", "某某镇人民政府")])
    assert r.status == 200 and r.body.startswith(b"PK")
    page = c.check(good)
    report = c.get(re.search(r'href="(/result/[^"]+/report\.docx)"', page.text).group(1))
    assert report.status == 200 and report.body.startswith(b"PK")
    assert files_under(server.base / "cwd") == [] and files_under(server.base / "home") == []
    tops = [p.name for p in (server.base / "tmp").iterdir()]
    assert len(tops) == 1 and tops[0].startswith("xlsx_tool_web_")
    assert (server.base / "tmp" / tops[0]).stat().st_mode & 0o077 == 0          # private to the user
    assert server.stop() == 0
    assert files_under(server.base / "tmp") == [] and list((server.base / "tmp").iterdir()) == []
    assert "已停止，上传和生成的文件已删除" in server.output()
    assert "Traceback" not in server.output()


@pytest.mark.office
def test_the_pdf_conversion_also_stays_inside_the_applications_folder(server, good):
    from xlsx_tool import office

    require(None if office.soffice() else "找不到 soffice 命令", "网页 PDF 测试")
    c = Client(server)
    page = c.check(good)
    pdf = c.get(re.search(r'href="(/result/[^"]+/report\.pdf)"', page.text).group(1))
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF")
    assert files_under(server.base / "cwd") == [] and files_under(server.base / "home") == []
    assert len(list((server.base / "tmp").iterdir())) == 1
    server.stop()
    assert list((server.base / "tmp").iterdir()) == []


def test_malformed_requests_are_answered_and_the_server_goes_on(server, good):
    c = Client(server)
    token = c.csrf()
    cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
    host = f"{server.host}:{server.port}"
    raw(server, b"THIS IS NOT HTTP\r\n\r\n")
    raw(server, b"GET / HTTP/1.1\r\nHost: " + host.encode() + b"\r\nX-Long: " + b"a" * 200_000 + b"\r\n\r\n")
    raw(server, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(300))          # a TLS hello
    assert b" 400 " in raw(server, (f"POST /check HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\n"
                                    f"Content-Type: multipart/form-data\r\nContent-Length: 4\r\n\r\nabcd").encode())
    body, ctype = multipart([("csrf", token)], [("workbook", "a.xlsx", good)])
    r = c.request("POST", "/check", body[: len(body) // 2] + b"--garbage--\r\n",
                  {"Content-Type": ctype, "Origin": f"http://{host}"})
    assert r.status in (400, 422) and "Traceback" not in r.text
    assert c.get("/", headers={"Cookie": "===;;; \x7f bad"}).status == 200
    for path in ("/static/..%2f..%2fapp.py", "/static/../app.py", "/result/..%2f..%2fsessions", "/result/x/report.exe",
                 "/review/%00", "/" + "a" * 5000):
        r = c.get(path)
        assert r.status in (400, 404), path
        assert b"import" not in r.body and "Traceback" not in r.text
    assert c.request("PUT", "/check", b"", {"Origin": f"http://{host}"}).status == 405
    assert server.alive()
    assert "检查通过" in c.check(good).text
    assert "Traceback" not in server.output()


def test_a_client_that_disconnects_mid_upload_leaves_nothing_behind(server, good):
    c = Client(server)
    token = c.csrf()
    cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
    boundary = "----cut"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="workbook"; filename="a.xlsx"\r\n\r\n').encode()
    for _ in range(3):
        request = (f"POST /check HTTP/1.1\r\nHost: {server.host}:{server.port}\r\nCookie: {cookie}\r\n"
                   f"Origin: http://{server.host}:{server.port}\r\n"
                   f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {5 * 2**20}\r\n\r\n")
        raw(server, request.encode() + head + b"x" * 2**20, read=False)
    def left() -> list:
        """Unfinished uploads (.part) and items of the sessions that still hold something."""
        parts = [p for p in files_under(server.base / "tmp") if p.suffix == ".part"]
        sessions = list((server.base / "tmp").glob("xlsx_tool_web_*/sessions/s-*"))
        return parts + [s for s in sessions if list(s.iterdir())]
    deadline = time.monotonic() + 300      # a wait for the server to notice, not a speed limit
    while time.monotonic() < deadline and left():
        time.sleep(0.1)
    assert left() == []                    # the unfinished uploads and their items are gone
    assert server.alive() and "检查通过" in c.check(good).text


@pytest.mark.slow
def test_a_hundred_uploads_in_a_row_do_not_grow_the_servers_memory(server, good, tmp_path):
    """VmHWM of the server process after 10 warm-up uploads and after 100 more (the checking itself
    happens in the worker processes, which are replaced every 200 jobs each)."""
    bad = write_template(tmp_path / "错.xlsx", "2021", year=YEAR,
                         prefill={**fills.complete("2021"), "request_new_natural": 9}).read_bytes()
    c = Client(server)

    def one(n: int) -> None:
        page = c.check(bad if n % 2 else good, name=f"第{n}次.xlsx")
        assert page.status == 200 and ("检查通过" in page.text or "发现" in page.text)

    for n in range(10):
        one(n)
    warm = server.status("VmHWM")
    for n in range(100):
        one(n)
    grown = server.status("VmHWM") - warm
    assert grown < 20 * 1024, f"VmHWM grew by {grown} KiB over 100 uploads"
    assert server.status("VmRSS") < warm + 20 * 1024
