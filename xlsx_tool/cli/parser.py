"""The command line's parser: argparse with Chinese messages, one sub-command per registered module.

Each command module (:mod:`.clerk`, …) has ``register(sub)`` adding its sub-commands; the
parser knows nothing else about them.  What every sub-command gets from here, whoever registers it:

* ``--debug`` accepted before or after the sub-command;
* a mistyped command or option answered with the nearest one (“是不是要用 check？”);
* a second file name where an output belongs answered with the ``-o`` spelling of the command
  (``xlsx-tool template t.xlsx`` → ``xlsx-tool template -o t.xlsx``), and a path split at a space
  answered with the quoted path;
* every argparse message in Chinese (exit 2).
"""
from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

from ..findings import visible

PROG = "xlsx-tool"
QUOTE_HINT = "文件名中有空格时，请用英文引号把整个路径括起来"

#: argparse's English error messages → Chinese (pattern, replacement).
ARGPARSE_ZH = (
    (r"unrecognized arguments: (.*)", rf"无法识别的参数：\1（{QUOTE_HINT}）"),
    (r"the following arguments are required: <命令>", r"缺少命令，如 template、check、render"),
    (r"the following arguments are required: (.*)", r"缺少必须的参数：\1"),
    (r"argument (\S+): invalid int value: '([^']*)'", r"参数 \1 应为整数，“\2”不是整数"),
    (r"argument (\S+): expected one argument", r"参数 \1 后面缺少取值"),
    (r"argument (\S+): ignored explicit argument '([^']*)'", r"参数 \1 不需要取值（“\2”）"),
    (r"ambiguous option: (\S+) could match (.*)", r"选项 \1 不完整，可能是 \2"),
    (r"argument (\S+): (.+)", r"参数 \1：\2"),      # a message of the option's own type check
)
INVALID_CHOICE = re.compile(r"argument (\S+): invalid choice: '([^']*)' \(choose from (.*)\)")


def quoted(token: str) -> str:
    """A command-line word as the user should type it (quoted when it holds a space)."""
    return f'"{token}"' if (" " in token or "\u3000" in token) else token


def nearest(word: str, choices) -> str | None:
    """The choice closest to a mistyped ``word`` (difflib), or ``None``."""
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return found[0] if found else None


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class ChineseParser(argparse.ArgumentParser):
    """argparse with Chinese usage errors (exit 2) and help headings; ``arguments`` lists every
    argument added (what :class:`ToolParser` inspects to explain a mistake)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self.arguments: list[argparse.Action] = []
        self._positionals.title, self._optionals.title = "参数", "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def add_argument(self, *args, **kwargs):
        action = super().add_argument(*args, **kwargs)
        self.arguments.append(action)
        return action

    def option_strings(self) -> list[str]:
        return [s for a in self.arguments for s in a.option_strings]

    def output_option(self) -> argparse.Action | None:
        """The ``-o``/``--output`` option when this command writes a file named by it."""
        return next((a for a in self.arguments if "-o" in a.option_strings), None)

    def error(self, message: str):
        # the words were typed (or pasted) by the user: escape and control characters shown as <U+…>
        self.exit(2, visible(f"[错误] 命令写法有误：{translate(message)}\n    处理：运行 {self.prog} -h 查看用法。\n"))


def translate(message: str) -> str:
    """An argparse error message in Chinese; a mistyped command gets the nearest one."""
    m = INVALID_CHOICE.fullmatch(message)
    if m:
        word, choices = m.group(2), re.findall(r"'([^']*)'", m.group(3))
        close = nearest(word, choices)
        text = f"没有“{word}”这个命令"
        if close:
            return text + f"，是不是要用 {close}？可用的命令：{'、'.join(choices)}"
        if Path(word).suffix:
            return text + f"；命令要写在文件名前面，如 {PROG} check {quoted(word)}"
        return text + f"，可用的命令：{'、'.join(choices)}（见 {PROG} -h）"
    for pattern, zh in ARGPARSE_ZH:
        if re.fullmatch(pattern, message, re.S):
            return re.sub(pattern, zh, message, flags=re.S)
    return message


class ToolParser(ChineseParser):
    """The top-level parser: leftover words are explained with the sub-command in view."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands: dict[str, ChineseParser] = {}

    def parse_args(self, args=None, namespace=None):
        argv = list(sys.argv[1:] if args is None else args)
        ns, extras = self.parse_known_args(argv, namespace)
        if extras:
            sub = self.commands.get(getattr(ns, "command", None) or "")
            (sub or self).error(self.explain_extras(ns, extras, argv))
        return ns

    def explain_extras(self, ns, extras: list[str], argv: list[str]) -> str:
        """Chinese text for words the command did not take (argparse says only “unrecognized”)."""
        sub = self.commands.get(getattr(ns, "command", None) or "")
        options = [e for e in extras if e.startswith("-") and not re.fullmatch(r"-\d.*", e)]
        words = [e for e in extras if e not in options]
        said = []
        for opt in options:
            close = nearest(opt.split("=")[0], sub.option_strings()) if sub else None
            said.append(f"没有 {opt} 这个选项" + (f"，是不是 {close}？" if close else ""))
        if options:            # the words are most likely the unknown options' values
            return "；".join(said)
        if sub is not None:
            said.append(self._explain_words(ns, sub, words, argv))
        else:
            said.append(translate(f"unrecognized arguments: {' '.join(words)}"))
        return "；".join(said)

    def _explain_words(self, ns, sub: ChineseParser, words: list[str], argv: list[str]) -> str:
        joined = " ".join(words)
        for a in sub.arguments:            # a path split at a space: the positional + the rest
            given = getattr(ns, a.dest, None) if not a.option_strings else None
            if isinstance(given, str) and _exists(f"{given} {joined}"):
                return (f"“{given} {joined}”中有空格，被当成了几个参数；{QUOTE_HINT}，如："
                        f"{PROG} {ns.command} {quoted(f'{given} {joined}')}")
        out = sub.output_option()
        if out is not None and getattr(ns, out.dest, None) is None:
            rest = list(argv)
            for w in words:
                rest.remove(w)
            suggestion = " ".join(quoted(t) for t in [PROG, *rest, "-o", joined])
            return (f"多了文件名“{joined}”：{ns.command} 命令的输出文件要写在 -o 后面，如：{suggestion}"
                    + (f"（{QUOTE_HINT}）" if len(words) > 1 else ""))
        return translate(f"unrecognized arguments: {joined}")


def _exists(path: str) -> bool:
    """Whether ``path`` exists; ``False`` for a name the system cannot even look up (too long,
    a NUL byte, no permission), where :meth:`Path.exists` of Python 3.11 raises."""
    try:
        return Path(path).exists()
    except (OSError, ValueError):
        return False


def build_parser(modules: tuple | None = None) -> ToolParser:
    """The ``xlsx-tool`` parser with the sub-commands of every command module (``modules``
    replaces the built-in tuple, for tests)."""
    from .. import __version__
    from . import clerk, published, review, web

    p = ToolParser(prog=PROG, description="政府信息公开工作年度报告：生成填报模板、核对勾稽关系、生成 Word 报告。")
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}", help="显示版本号并退出")
    p.add_argument("--debug", action="store_true", help="出错时显示完整的程序调用栈（供技术人员排查）")
    sub = p.add_subparsers(dest="command", metavar="<命令>", required=True, title="命令",
                           parser_class=ChineseParser)
    for module in modules or (clerk, review, published, web):
        module.register(sub)
    for name, command in sub.choices.items():   # what every command gets, whoever registered it
        p.commands[name] = command
        if "--debug" not in command.option_strings():
            command.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                                 help="出错时显示完整的程序调用栈（供技术人员排查）")
    return p
