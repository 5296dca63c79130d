"""``xlsx-tool serve``: the local web page for clerks and the review office (:mod:`xlsx_tool.web`).

Exit codes: 0 = stopped normally (Ctrl+C); 2 = could not start (port in use, bad address).
"""
from __future__ import annotations

import argparse


def cmd_serve(args) -> int:
    from ..web.server import serve

    return serve(host=args.host, port=args.port, open_browser=not args.no_browser, password=args.password,
                 keep_minutes=args.keep_minutes)


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"端口应为 0—65535 之间的整数，“{text}”不是")
    return int(text)


def _minutes(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 7 * 24 * 60:
        raise argparse.ArgumentTypeError(f"应为 1—10080 之间的分钟数，“{text}”不是")
    return int(text)


def register(sub) -> None:
    """Add ``serve`` to the parser's ``sub`` (argparse sub-parsers)."""
    s = sub.add_parser("serve", help="启动网页版（填报单位和政务公开办在浏览器中使用）")
    s.add_argument("--host", default="127.0.0.1", metavar="地址",
                   help="监听地址（默认 127.0.0.1，仅本机；0.0.0.0 向局域网开放，需要访问码）")
    s.add_argument("--port", type=_port, default=8000, metavar="端口", help="端口（默认 8000；0 = 自动选择空闲端口）")
    s.add_argument("--no-browser", action="store_true", help="启动后不自动打开浏览器")
    s.add_argument("--password", metavar="访问码",
                   help="指定访问码（向局域网开放时默认随机生成并显示；仅本机时指定则同样需要输入）")
    s.add_argument("--keep-minutes", type=_minutes, default=None, metavar="分钟",
                   help="上传的文件在无操作多少分钟后删除（默认 120）")
    s.set_defaults(func=cmd_serve)
