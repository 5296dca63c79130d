"""``xlsx-tool``: the command line, a thin layer over the pipeline.

formats → workbook (write the template, read it back) → checks → report (Word, PDF).  The
sub-commands live in modules by who uses them (:mod:`.clerk`, …), the parser in :mod:`.parser`.
Exit codes: 0 = done / no 错误; 1 = 错误 found (check, render); 2 = unusable input or output;
3 = a defect of the tool (an unexpected exception, said in one Chinese line: never a traceback).

Everything a command prints passes through :func:`~xlsx_tool.findings.visible` on its way to the
console (:class:`VisibleStream` wraps stdout and stderr for the run): file names, roster names,
agency names and cell contents are untrusted, and a terminal must never receive their escape
sequences or BEL characters raw.  Tab and line feed pass; JSON output escapes such characters
itself (:func:`~xlsx_tool.findings.dumps`), so it is unchanged.
"""
from __future__ import annotations

import codecs
import signal
import sys

from ..findings import UserError, dumps, visible
from .parser import build_parser

#: What a console that cannot show a character (GBK, ASCII) prints instead: a look-alike it can
#: show, else "?" — labels read "表三 > 一、本年新收…" rather than "表三 ? 一、本年新收…".
LOOKALIKES = {"›": ">", "✓": "√", "✗": "×", "−": "-", "\u3000": " "}


def _console_fallback(err: UnicodeError):
    out = []
    for ch in err.object[err.start:err.end]:
        alt = LOOKALIKES.get(ch, "?")
        try:
            alt.encode(err.encoding)
        except (UnicodeError, LookupError):
            alt = "?"
        out.append(alt)
    return "".join(out), err.end


codecs.register_error("xlsx_tool_console", _console_fallback)


class Interrupted(KeyboardInterrupt):
    """SIGTERM, SIGHUP (or Ctrl-Break) received: handled exactly like Ctrl-C."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _interrupt(signum, frame) -> None:
    raise Interrupted(signum)


def _handle_termination() -> None:
    """SIGTERM/SIGHUP/SIGBREAK raise :class:`Interrupted`, so that every ``finally`` runs: no
    ``.~*.tmp`` is left beside a target, a LibreOffice process group is ended and its private
    copy removed (:mod:`xlsx_tool.office`), a rendering child is killed (:mod:`xlsx_tool.report.bounded`)."""
    for name in ("SIGTERM", "SIGHUP", "SIGBREAK"):
        sig = getattr(signal, name, None)
        if sig is not None:
            try:
                signal.signal(sig, _interrupt)
            except (ValueError, OSError):   # not the main thread, or not allowed here
                pass


def _quiet_cleanup(unraisable) -> None:
    """An error while a library's object is garbage-collected is not the user's business: an
    ``OSError`` (xlsxwriter's open zip on a full disk) comes after the failure was reported in
    Chinese, and a Ctrl-C (or SIGTERM/SIGHUP) that lands inside such a finaliser — which Python
    cannot pass on — is no failure of the run: no English traceback for either."""
    if not isinstance(unraisable.exc_value, (OSError, KeyboardInterrupt)):
        sys.__unraisablehook__(unraisable)


class VisibleStream:
    """A text stream whose every ``write`` passes through :func:`visible` (control and invisible
    characters as ``<U+XXXX>``; tab and line feed kept); everything else is the wrapped stream's.
    ``terminal`` is the wrapped stream, for what draws on the terminal on purpose (a progress bar)."""

    def __init__(self, stream):
        self.terminal = stream

    def write(self, text: str) -> int:
        self.terminal.write(visible(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self.terminal, name)


def main(argv: list[str] | None = None) -> int:
    _handle_termination()
    sys.unraisablehook = _quiet_cleanup
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="xlsx_tool_console")
        except (AttributeError, ValueError):
            pass
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = VisibleStream(out), VisibleStream(err)
    try:
        return _run(argv)
    finally:
        for wrapped in (sys.stdout, sys.stderr):
            try:
                wrapped.flush()
            except (OSError, ValueError, AttributeError):
                pass
        sys.stdout, sys.stderr = out, err


def _run(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    if not argv:                       # no arguments at all: what the tool does and how to start
        parser.print_help()
        return 0
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as err:
        print(err.text(), file=sys.stderr)
        if getattr(args, "json", False):   # a program reading --json gets JSON here too
            print(dumps({"ok": False, "fatal": {"subject": err.subject, **err.finding.as_dict()}}, indent=1))
        return err.exit_code
    except BrokenPipeError:  # output piped into head/more that closed early
        sys.stderr.close()
        return 0
    except KeyboardInterrupt as exc:
        try:
            print("已中断，未写入任何不完整的文件。", file=sys.stderr)
        except (OSError, ValueError):     # the terminal went away (SIGHUP)
            pass
        return 128 + exc.signum if isinstance(exc, Interrupted) else 130
    except SystemExit:
        raise
    except BaseException as exc:  # noqa: BLE001 — the last guard (also a panic of native code): no traceback
        if args.debug:
            raise
        print(f"[错误] 程序内部出错：{type(exc).__name__}: {str(exc)[:500]}\n    处理：请加 --debug 重新运行，把输出发给技术人员。",
              file=sys.stderr)
        return 3
