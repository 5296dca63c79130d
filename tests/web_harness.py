"""Helpers for the web page's tests: the real ``xlsx-tool serve`` in a subprocess, a small HTTP
client that behaves like one browser (its own cookie; headers under the test's control), and
headless Chromium driven by Selenium through Debian's chromedriver.

The server runs with its own ``TMPDIR``, ``HOME`` and working folder inside the test's folder, so
a test can see every file it writes anywhere.  It is stopped with SIGINT (Ctrl+C).
"""
from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from interrupts import CTRL_C_AT_DEFAULT
from needs import require

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROME_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", "--lang=zh-CN", "--window-size=1366,768")
STARTUP_SECONDS = 60


class Server:
    """``xlsx-tool serve --no-browser --port 0 [args]`` with private TMPDIR/HOME/cwd under ``base``."""

    def __init__(self, base: Path, *args: str, script: str | None = None):
        """``script``: a Python file to run instead of ``-m xlsx_tool.cli``."""
        self.base = Path(base)
        for sub in ("tmp", "home", "cwd"):
            (self.base / sub).mkdir(parents=True, exist_ok=True)
        self.out = self.base / "server.out"
        self.err = self.base / "server.err"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "PYTHONIOENCODING"))}
        env.update(TMPDIR=str(self.base / "tmp"), HOME=str(self.base / "home"), PYTHONIOENCODING="utf-8",
                   LANG="C.UTF-8", PYTHONUNBUFFERED="1")
        launch = [script] if script else ["-m", "xlsx_tool.cli"]
        self.proc = subprocess.Popen([sys.executable, *launch, "serve", "--no-browser",
                                      "--port", "0", *args], cwd=self.base / "cwd", env=env,
                                     stdout=open(self.out, "w"), stderr=open(self.err, "w"),
                                     **CTRL_C_AT_DEFAULT)
        self.url = self.code = None
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and self.proc.poll() is None:
            text = self.out.read_text("utf-8")
            m = re.search(r"在本机浏览器中打开：(http://\S+/)", text)
            if m and "按 Ctrl+C 停止" in text:
                self.url = m.group(1).rstrip("/")
                code = re.search(r"访问码：(\S+?)（", text)
                self.code = code.group(1) if code else None
                break
            time.sleep(0.05)
        if self.url is None:
            self.stop()
            raise RuntimeError(f"server did not start: {self.out.read_text()} {self.err.read_text()}")
        parts = urlsplit(self.url)
        self.host, self.port = parts.hostname, parts.port

    @property
    def pid(self) -> int:
        return self.proc.pid

    def status(self, key: str = "VmHWM") -> int:
        """A line of /proc/<pid>/status in KiB (VmHWM: the server process's peak resident memory)."""
        text = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(rf"{key}:\s*(\d+)", text).group(1))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def output(self) -> str:
        return self.out.read_text("utf-8") + self.err.read_text("utf-8")


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


def multipart(fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body (fields first, as the page's forms send them) and its type."""
    boundary = "----xlsxtool" + secrets.token_hex(8)
    out = bytearray()
    for name, value in fields:
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n').encode()
    for name, filename, data in files:
        out += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f'Content-Type: application/octet-stream\r\n\r\n').encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


class Client:
    """One browser as far as the server can tell: its own session cookie."""

    def __init__(self, server: Server):
        self.server = server
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        conn = http.client.HTTPConnection(self.server.host, self.server.port, timeout=120)
        h = {"Host": f"{self.server.host}:{self.server.port}"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            h["Content-Length"] = str(len(body))
        h.update(headers or {})
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in h.items():
            if v is not None:
                conn.putheader(k, v)
        conn.endheaders(body)
        resp = conn.getresponse()
        data = resp.read()
        headers_out = {}
        for k, v in resp.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            headers_out[k.lower()] = v
        conn.close()
        return Response(resp.status, headers_out, data)

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def csrf(self, path: str = "/") -> str:
        page = self.get(path).text
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1)

    def post(self, path: str, fields=(), files=(), *, token: str | None = "auto", origin: str | None = "auto",
             headers: dict | None = None) -> Response:
        if token == "auto":
            token = self.csrf()
        pairs = ([("csrf", token)] if token is not None else []) + list(fields)
        body, ctype = multipart(pairs, list(files))
        h = {"Content-Type": ctype, "Content-Length": str(len(body))}
        if origin == "auto":
            origin = f"http://{self.server.host}:{self.server.port}"
        if origin is not None:
            h["Origin"] = origin
        h.update(headers or {})
        return self.request("POST", path, body, h)

    def check(self, data: bytes, name: str = "填报.xlsx", **fields) -> Response:
        """Upload a workbook to the check form; follows the redirect to the result page."""
        r = self.post("/check", list(fields.items()), [("workbook", name, data)])
        if r.status == 303:
            return self.get(r.header("location"))
        return r


def findings_on(page: str) -> list[str]:
    """The findings a result page lists, as ``CODE@sheet!cell`` (as ``tests/bad_inputs.py`` writes)."""
    out = []
    for m in re.finditer(r'data-code="([A-Z]\d\d)" data-sheet="([^"]*)" data-cell="([^"]*)"', page):
        code, sheet, cell = m.groups()
        out.append(code + (f"@{sheet}" if sheet else "") + (f"!{cell}" if cell else ""))
    return out


def problem_on(page: str) -> str | None:
    m = re.search(r'id="problem" data-code="([A-Z]\d\d|)"', page)
    return m.group(1) if m else None


# -- the browser ----------------------------------------------------------------------------------
def need_chromium() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("pip 包 selenium")
    require(f"找不到 {'、'.join(missing)}" if missing else None, "浏览器测试")


def chrome(profile: Path, downloads: Path):
    """Headless Chromium with a fresh profile, saving downloads to ``downloads`` without asking."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in CHROME_ARGS:
        opts.add_argument(arg)
    opts.add_argument(f"--user-data-dir={profile}")
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False,
                                           "safebrowsing.enabled": False,
                                           "intl.accept_languages": "zh-CN,zh"})
    downloads.mkdir(parents=True, exist_ok=True)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    return driver


def wait_for_download(folder: Path, suffix: str, timeout: float = 60, before: set | None = None) -> Path:
    """The finished download with ``suffix`` that was not in ``before``."""
    deadline = time.monotonic() + timeout
    before = before or set()
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"*{suffix}") if p.name not in before]
        if done and not list(folder.glob("*.crdownload")):
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} downloaded into {folder}: {list(folder.iterdir())}")
