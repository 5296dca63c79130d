"""Running the page: bind the address, print where it is (and the access code), serve with uvicorn.

The socket is bound here, before uvicorn starts, so a busy port is a clear Chinese message and
the address printed is the one really listened on (``--port 0`` picks a free port).  uvicorn runs
with bounded resources: at most :data:`MAX_CONNECTIONS` requests at once (then 503), a request
head of at most 64 KiB, keep-alive connections closed after 5 s idle, no ``Server`` header, no
proxy headers trusted.  Ctrl+C (or SIGTERM) stops it; the application then deletes every file.
"""
from __future__ import annotations

import errno
import socket
import sys
import threading
import webbrowser

from .config import Settings, is_loopback, new_access_code

MAX_CONNECTIONS = 200


class ServeError(Exception):
    """The server cannot start (message in Chinese)."""


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``; :class:`ServeError` when that is impossible."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise ServeError(f"无法识别的地址“{host}”：请写 127.0.0.1（仅本机）或本机的局域网地址，如 0.0.0.0（所有网卡）。") from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"端口 {port} 已被占用（可能本程序已经在运行）：请打开已运行的页面，"
                             f"或换一个端口，如 xlsx-tool serve --port {port + 1}。") from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise ServeError(f"没有权限使用端口 {port}：请换一个大于 1024 的端口，如 --port 8000。") from None
        raise ServeError(f"无法在 {host}:{port} 上启动：{exc.strerror or exc}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def lan_addresses() -> list[str]:
    """This computer's non-loopback IPv4 addresses, as far as its own name resolves (no traffic)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return sorted({i[4][0] for i in infos if not i[4][0].startswith("127.")})


def banner(settings: Settings, port: int) -> list[str]:
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    local = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else shown
    lines = ["政府信息公开工作年度报告 网页版已启动。", f"在本机浏览器中打开：http://{local}:{port}/"]
    if settings.local_only:
        lines.append(f"只有本机可以访问（{settings.host}）。")
    else:
        others = [f"http://{a}:{port}/" for a in lan_addresses()] if settings.host in ("0.0.0.0", "::") \
            else [f"http://{shown}:{port}/"]
        lines.append("局域网内的其他电脑可以访问：" + ("、".join(others) if others else f"本机的局域网地址，端口 {port}"))
    if settings.needs_code:
        lines.append(f"访问码：{settings.access_code}（告诉需要使用的同事；每个浏览器第一次打开时输入）")
    lines += [f"上传的文件保存在临时文件夹中，{settings.keep_minutes} 分钟无操作或本程序停止后自动删除。",
              "按 Ctrl+C 停止。"]
    return lines


def serve(*, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = True,
          password: str | None = None, keep_minutes: int | None = None, workers: int | None = None) -> int:
    """Run the web page until interrupted; returns the exit code (2 when it cannot start)."""
    import uvicorn

    from .app import create_app

    if not is_loopback(host) and password is not None and len(password) < 6:
        print("[错误] 访问码太短：--password 至少 6 个字符。", file=sys.stderr)
        return 2
    code = password or (None if is_loopback(host) else new_access_code())
    try:
        sock = bind(host, port)
    except ServeError as err:
        print(f"[错误] {err}", file=sys.stderr)
        return 2
    port = sock.getsockname()[1]
    settings = Settings(host=host, port=port, access_code=code)
    if keep_minutes:
        settings.keep_minutes = keep_minutes
    if workers:
        settings.workers = workers
    app = create_app(settings)
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False, use_colors=False,
                            proxy_headers=False, limit_concurrency=MAX_CONNECTIONS, timeout_keep_alive=5,
                            h11_max_incomplete_event_size=64 * 1024, lifespan="on")
    server = uvicorn.Server(config)
    for line in banner(settings, port):
        print(line, flush=True)
    if open_browser:
        local = "127.0.0.1" if settings.host in ("0.0.0.0", "::") or ":" in settings.host else settings.host
        threading.Timer(1.0, webbrowser.open, args=(f"http://{local}:{port}/",)).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:      # uvicorn re-raises Ctrl+C after its graceful shutdown
        pass
    finally:
        sock.close()
    print("已停止，上传和生成的文件已删除。", flush=True)
    return 0
