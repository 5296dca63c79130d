"""The command line's parser: argparse with Chinese messages, one sub-command per registered module.

Each command module (:mod:`.clerk`, …) has ``register(sub)`` adding its sub-commands; the
parser knows nothing else about them.
"""
from __future__ import annotations

import argparse
import re

#: argparse's English error messages → Chinese (pattern, replacement).
ARGPARSE_ZH = (
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1（文件名中有空格时，请用英文引号把整个路径括起来）"),
    (r"the following arguments are required: <命令>", r"缺少命令，如 template、check、render"),
    (r"the following arguments are required: (.*)", r"缺少必须的参数：\1"),
    (r"argument <命令>: invalid choice: '([^']*)'.*", r"没有“\1”这个命令，可用的命令见 xlsx-tool -h"),
    (r"argument (\S+): invalid int value: '([^']*)'", r"参数 \1 应为整数，“\2”不是整数"),
    (r"argument (\S+): expected one argument", r"参数 \1 后面缺少取值"),
)


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class ChineseParser(argparse.ArgumentParser):
    """argparse with Chinese usage errors (exit 2) and help headings."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title, self._optionals.title = "参数", "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str):
        for pattern, zh in ARGPARSE_ZH:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, zh, message)
                break
        self.exit(2, f"[错误] 命令写法有误：{message}\n    处理：运行 {self.prog} -h 查看用法。\n")


def build_parser() -> argparse.ArgumentParser:
    from . import clerk, web

    p = ChineseParser(prog="xlsx-tool", description="政府信息公开工作年度报告：生成填报模板、核对勾稽关系、生成 Word 报告。")
    p.add_argument("--debug", action="store_true", help="出错时显示完整的程序调用栈（供技术人员排查）")
    sub = p.add_subparsers(dest="command", metavar="<命令>", required=True, title="命令",
                           parser_class=ChineseParser)
    for module in (clerk, web):
        module.register(sub)
    return p
