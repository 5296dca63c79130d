"""The web page is safe by default: each security point of issue 14, tested against the real
server over HTTP (one browser = one :class:`web_harness.Client`, with its own cookie).
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import fills
from web_harness import Client, Server, problem_on
from xlsx_tool.web import config
from xlsx_tool.workbook.template import write_template

YEAR = 2025


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("srv"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("wb") / "填报.xlsx"
    return write_template(path, "2021", year=YEAR, prefill=fills.complete("2021")).read_bytes()


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening socket on ``port`` (from /proc/net/tcp and tcp6)."""
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hexport = local.rsplit(":", 1)
            if int(hexport, 16) == port and state == "0A":
                out.add(address)
    return out


# -- who can reach it ----------------------------------------------------------------------------
def test_by_default_it_listens_on_loopback_only_and_says_so(server):
    assert listening_addresses(server.port) == {"0100007F"}          # 127.0.0.1
    assert "只有本机可以访问" in server.output()
    page = Client(server).get("/").text
    assert "仅本机可以访问本页面（127.0.0.1:" in page
    assert server.code is None


def test_a_server_open_to_the_network_needs_the_access_code_it_printed(tmp_path, good):
    srv = Server(tmp_path, "--host", "0.0.0.0")
    try:
        assert listening_addresses(srv.port) == {"00000000"}
        assert re.fullmatch(r"[2-9a-z]{4}-[2-9a-z]{4}-[2-9a-z]{4}", srv.code)
        c = Client(srv)
        r = c.get("/")
        assert r.status == 303 and r.header("location") == "/login"
        assert "对局域网开放" in c.get("/login").text
        token = c.csrf("/login")
        r = c.post("/check", files=[("workbook", "a.xlsx", good)], token=token)
        assert r.status == 403 and "W06" in r.text
        r = c.post("/login", [("code", "not-the-code")], token=token)
        assert r.status == 403 and problem_on(r.text) == "W06"
        r = c.post("/login", [("code", srv.code.upper())], token=token)
        assert r.status == 303
        assert c.check(good).status == 200
        assert Client(srv).get("/review").status == 303            # another browser still must log in
    finally:
        srv.stop()


def test_guessing_the_access_code_is_limited_per_address(tmp_path):
    srv = Server(tmp_path, "--host", "0.0.0.0", "--password", "secret-code-1")
    try:
        assert srv.code == "secret-code-1"
        c = Client(srv)
        token = c.csrf("/login")
        answers = [c.post("/login", [("code", f"guess-{n}")], token=token).status
                   for n in range(config.MAX_LOGIN_FAILURES + 1)]
        assert answers[:config.MAX_LOGIN_FAILURES] == [403] * config.MAX_LOGIN_FAILURES
        assert answers[-1] == 429
        assert c.post("/login", [("code", "secret-code-1")], token=token).status == 429   # even the right one
    finally:
        srv.stop()


def test_a_short_password_for_the_network_is_refused(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "xlsx_tool.cli", "serve", "--no-browser", "--host", "0.0.0.0",
                           "--port", "0", "--password", "123"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "访问码太短" in proc.stderr


def test_a_port_in_use_is_said_in_chinese(server):
    proc = subprocess.run([sys.executable, "-m", "xlsx_tool.cli", "serve", "--no-browser",
                           "--port", str(server.port)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and f"端口 {server.port} 已被占用" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_another_host_name_is_refused_while_local_only(server):
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 cannot use the clerk's server."""
    c = Client(server)
    r = c.get("/", headers={"Host": f"evil.example:{server.port}"})
    assert r.status == 400 and "W05" not in r.header("set-cookie")
    assert "127.0.0.1 或 localhost" in r.text
    assert c.get("/", headers={"Host": f"localhost:{server.port}"}).status == 200


# -- forms and headers ---------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["no token", "wrong token", "another session's token", "token after the file"])
def test_a_form_without_this_sessions_token_is_refused(server, good, how):
    c = Client(server)
    c.get("/")
    token = {"no token": None, "wrong token": "x" * 43,
             "another session's token": Client(server).csrf()}.get(how, c.csrf())
    if how == "token after the file":
        body, ctype = _file_then_token(good, token)
        r = c.request("POST", "/check", body, {"Content-Type": ctype, "Content-Length": str(len(body)),
                                               "Origin": f"http://{server.host}:{server.port}"})
    else:
        r = c.post("/check", files=[("workbook", "a.xlsx", good)], token=token)
    assert r.status == 403 and problem_on(r.text) == "W05"
    assert "页面已过期或请求来源不明" in r.text


def _file_then_token(data: bytes, token: str) -> tuple[bytes, str]:
    b = "----x"
    body = (f'--{b}\r\nContent-Disposition: form-data; name="workbook"; filename="a.xlsx"\r\n\r\n').encode() + data + \
        (f'\r\n--{b}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n--{b}--\r\n').encode()
    return body, f"multipart/form-data; boundary={b}"


@pytest.mark.parametrize("headers", [{"Origin": "http://evil.example"}, {"Origin": "null"},
                                     {"Origin": None, "Referer": "http://evil.example/page"},
                                     {"Origin": None, "Sec-Fetch-Site": "cross-site"}])
def test_a_form_posted_from_another_site_is_refused(server, good, headers):
    c = Client(server)
    token = c.csrf()
    r = c.post("/check", files=[("workbook", "a.xlsx", good)], token=token, origin=headers.get("Origin"),
               headers={k: v for k, v in headers.items() if k != "Origin"})
    assert r.status == 403 and "请求来自其他网站" in r.text


def test_every_answer_carries_the_security_headers(server, good):
    c = Client(server)
    result = c.check(good)
    report = c.get(re.search(r'href="(/result/[^"]+/report\.docx)"', result.text).group(1))
    answers = {"page": c.get("/"), "result": result, "download": report, "static": c.get("/static/style.css"),
               "missing": c.get("/nothing-here"), "refused": c.post("/check", token=None)}
    for name, r in answers.items():
        assert "script-src 'self'" in r.header("content-security-policy"), name
        assert "frame-ancestors 'none'" in r.header("content-security-policy"), name
        assert r.header("x-content-type-options") == "nosniff", name
        assert r.header("x-frame-options") == "DENY", name
        assert r.header("referrer-policy") == "same-origin", name
        assert r.header("server") == "", name
    assert answers["page"].header("cache-control") == "no-store"
    assert answers["download"].header("cache-control") == "no-store"
    assert "attachment" in answers["download"].header("content-disposition")
    cookie = c.get("/", headers={"Cookie": None}).header("set-cookie")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = answers["page"].text
    assert "<script>" not in page and "style=" not in page and "http://" not in page.split("</head>")[0]


# -- files -----------------------------------------------------------------------------------------
def test_another_session_cannot_open_or_download_the_first_ones_files(server, good):
    owner, other = Client(server), Client(server)
    page = owner.check(good)
    result = re.search(r'href="(/result/[^"]+)/report\.docx"', page.text).group(1)
    paths = [result, result + "/report.docx", result + "/report.pdf"]
    assert owner.get(paths[1]).status == 200
    other.get("/")
    for path in paths:
        assert other.get(path).status == 404
        assert Client(server).get(path).status == 404                          # no cookie at all
        forged = Client(server)
        forged.cookies[f"xlsx_tool_{server.port}"] = "A" * 43
        assert forged.get(path).status == 404
    assert owner.get(result).status == 200


def test_a_file_over_the_size_limit_is_refused_and_nothing_stays(server):
    c = Client(server)
    big = b"PK\x03\x04" + b"\0" * (config.MAX_FILE_BYTES + 1)
    r = c.post("/check", files=[("workbook", "巨大.xlsx", big)])
    assert r.status == 413 and problem_on(r.text) == "W01"
    assert "巨大.xlsx" in r.text and f"{config.MAX_FILE_BYTES // 2**20} MB" in r.text
    assert not [p for p in Path(server.base, "tmp").rglob("*") if p.is_file() and p.stat().st_size > 2**20]


def test_a_request_declaring_more_than_the_batch_limit_is_refused_before_reading(server):
    c = Client(server)
    token = c.csrf()
    boundary = "----big"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{token}\r\n').encode()
    import http.client

    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    conn.putrequest("POST", "/check", skip_accept_encoding=True)
    conn.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in c.cookies.items()))
    conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    conn.putheader("Content-Length", str(config.MAX_BATCH_BYTES + 1))
    conn.putheader("Origin", f"http://{server.host}:{server.port}")
    conn.endheaders(head)
    r = conn.getresponse()
    assert r.status == 413 and "W02" in r.read().decode()
    conn.close()
    assert server.alive()


def test_more_files_than_a_form_takes_are_refused(server, good):
    r = Client(server).post("/check", files=[("workbook", f"{n}.xlsx", good) for n in range(3)])
    assert r.status == 413 and problem_on(r.text) == "W02"


def test_the_type_is_judged_from_the_content_not_the_name(server, good):
    c = Client(server)
    page = c.check(good, name="年报.pdf")            # a workbook called .pdf is read as a workbook
    assert "检查通过" in page.text and "年报.xlsx" in page.text
    r = c.check(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", name="年报.xlsx")
    assert r.status == 422 and problem_on(r.text) == "W04" and "PDF 文档" in r.text
    r = c.check(b"<!doctype html><html><body><table></table></body></html>", name="年报.xlsx")
    assert problem_on(r.text) == "W04" and "网页" in r.text


def test_an_upload_never_shows_the_servers_folders(server):
    r = Client(server).check(b"\x00\x01garbage" * 10, name="乱码.xlsx")
    assert problem_on(r.text) == "F03" and "乱码.xlsx" in r.text
    assert str(server.base) not in r.text and "xlsx_tool_web_" not in r.text


def test_a_form_that_takes_no_file_refuses_one(server, good):
    r = Client(server).post("/forget", files=[("x", "a.xlsx", good)])
    assert r.status == 413 and problem_on(r.text) == "W02"
