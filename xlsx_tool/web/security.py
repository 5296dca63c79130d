"""The guard in front of every request: host, session, access code, request origin, headers.

In order, for each HTTP request (a pure ASGI middleware, so uploads stream through untouched):

1. **Host** — while the server listens on loopback only, a ``Host`` header other than
   ``127.0.0.1``/``localhost``/``[::1]`` (with the port) is refused: a web page elsewhere cannot use
   DNS rebinding to reach the clerk's local server.
2. **Session** — the cookie names a session of :class:`~.sessions.SessionStore`; a browser without
   one gets a new one (``HttpOnly; SameSite=Strict``, so no other site's page sends it along).
3. **Access code** — when the server is reachable from other computers, every page but the login
   page and the static files needs a session that has given the code (W06 otherwise); failures
   are counted per client address (at most :data:`~.config.MAX_LOGIN_FAILURES` a minute).
4. **Origin** — a request that changes anything (any method but GET/HEAD) whose ``Origin`` (or,
   without it, ``Referer``) is another site is refused (W05); each form also carries the
   session's CSRF token, checked while the form is received (:mod:`.uploads`).
5. **Headers** on every answer: a strict Content-Security-Policy (only this server's own scripts
   and styles, no frames, forms only to itself), ``X-Content-Type-Options: nosniff``,
   ``X-Frame-Options: DENY``, ``Referrer-Policy: same-origin``, cross-origin isolation headers,
   ``Cache-Control: no-store`` for everything but the static files.
"""
from __future__ import annotations

import html
import time
from collections import defaultdict, deque
from http.cookies import SimpleCookie

from ..findings import Code, UserError
from . import config

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
]
OPEN_PATHS = ("/login", "/static/", "/favicon.ico")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def cookie_name(port: int) -> str:
    """One cookie per port: two servers on one computer do not log each other out."""
    return f"xlsx_tool_{port}"


def plain_page(status: int, error: UserError) -> tuple[int, bytes]:
    """A minimal Chinese page for answers given before the application runs."""
    f = error.finding
    body = (f"<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>{html.escape(f.title)}</title>"
            "<link rel=\"stylesheet\" href=\"/static/style.css\"><body><main class=\"wrap\">"
            f"<section class=\"problem\" id=\"problem\" data-code=\"{f.code}\"><h2><span class=\"code\">{f.code}</span>"
            f"{html.escape(f.title)}</h2><p>{html.escape(error.subject)}"
            f"{('：' + html.escape(f.message)) if f.message else ''}</p><p class=\"fix\">处理：{html.escape(f.fix)}</p>"
            "</section><p><a class=\"button\" href=\"/\">返回首页</a></p></main></body></html>")
    return status, body.encode("utf-8")


class Guard:
    """The middleware (see the module docstring); ``state`` is the application's :class:`~.app.WebState`."""

    def __init__(self, app, state):
        self.app = app
        self.state = state
        self.failures: dict[str, deque] = defaultdict(deque)

    def allowed_host(self, host: str) -> bool:
        settings = self.state.settings
        if not settings.local_only:
            return True
        port = self.state.port
        names = {"127.0.0.1", "localhost", "[::1]", settings.host, *settings.extra_hosts}
        allowed = names | {f"{n}:{port}" for n in names}
        return host.lower() in allowed

    def login_blocked(self, client: str) -> bool:
        now = time.monotonic()
        q = self.failures[client]
        while q and now - q[0] > 60:
            q.popleft()
        return len(q) >= config.MAX_LOGIN_FAILURES

    def login_failed(self, client: str) -> None:
        self.failures[client].append(time.monotonic())

    async def _answer(self, send, status: int, body: bytes, extra=()) -> None:
        headers = [(b"content-type", b"text/html; charset=utf-8"), (b"cache-control", b"no-store"),
                   (b"content-length", str(len(body)).encode()), *HEADERS, *extra]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        path, method = scope.get("path", "/"), scope.get("method", "GET")
        host = headers.get("host", "")
        if not self.allowed_host(host):
            return await self._answer(send, *plain_page(400, UserError(
                Code.W05, f"主机名“{host[:60]}”", "本程序只接受通过 127.0.0.1 或 localhost 访问")))
        static = path.startswith("/static/") or path == "/favicon.ico"
        store = self.state.store
        name = cookie_name(self.state.port)
        jar = SimpleCookie()
        try:
            jar.load(headers.get("cookie", ""))
        except Exception:  # noqa: BLE001 — a malformed cookie header is just no cookie
            jar = SimpleCookie()
        token = jar[name].value if name in jar else None
        sess = store.get(token)
        set_cookie = None
        if sess is None and not static:
            created = store.create()
            if created is None:
                return await self._answer(send, *plain_page(503, UserError(
                    Code.W08, "本程序", f"同时使用的浏览器超过 {store.max_sessions} 个")))
            token, sess = created
            set_cookie = (f"{name}={token}; Path=/; HttpOnly; SameSite=Strict").encode()
        scope.setdefault("state", {})["session"] = sess
        scope["state"]["guard"] = self
        if self.state.settings.needs_code and not static and not path.startswith("/login") \
                and not (sess and sess.authenticated):
            extra = [(b"set-cookie", set_cookie)] if set_cookie else []
            if method in SAFE_METHODS:
                await send({"type": "http.response.start", "status": 303,
                            "headers": [(b"location", b"/login"), (b"cache-control", b"no-store"),
                                        (b"content-length", b"0"), *HEADERS, *extra]})
                return await send({"type": "http.response.body", "body": b""})
            return await self._answer(send, *plain_page(403, UserError(Code.W06, "本页面", "尚未输入访问码")), extra)
        if method not in SAFE_METHODS and not self.same_origin(headers, host):
            return await self._answer(send, *plain_page(403, UserError(
                Code.W05, "提交的表单", "请求来自其他网站")))

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                extra = list(message.get("headers", []))
                have = {k.lower() for k, _ in extra}
                extra += [h for h in HEADERS if h[0] not in have]
                if b"cache-control" not in have:
                    extra.append((b"cache-control", b"private, max-age=600" if static else b"no-store"))
                if set_cookie:
                    extra.append((b"set-cookie", set_cookie))
                message = {**message, "headers": extra}
            await send(message)

        return await self.app(scope, receive, send_with_headers)

    @staticmethod
    def same_origin(headers: dict, host: str) -> bool:
        """Whether a changing request comes from this server's own pages (``Origin``, else
        ``Referer``; a request with neither, as from a script on this computer, is let through
        and still needs the form's CSRF token)."""
        origin = headers.get("origin")
        if origin is not None:
            return origin == f"http://{host}"
        referer = headers.get("referer")
        if referer is not None:
            return referer.startswith(f"http://{host}/")
        if headers.get("sec-fetch-site") in ("cross-site", "same-site"):
            return False
        return True
