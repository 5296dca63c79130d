"""The clerk's jobs, run in a worker process (:mod:`.pool`): the same package functions as the
command line (``write_template``, ``check``, ``render_docx``, ``to_pdf``), so every check, limit and
message is the same.

Each job works inside one item folder of a session: it changes into that folder first, so files
are named relative to it and every message names the clerk's file (``2026年报数据.xlsx``), never
the server's temporary path.  A job returns a small JSON-ready dict: what it wrote (``file``) or
``fatal`` (a :class:`~xlsx_tool.findings.UserError` as the page shows it, see :func:`fatal`).
Unexpected exceptions are printed to the server's console with their traceback and answered
with a short Chinese message; they never reach the browser as a traceback.
"""
from __future__ import annotations

import functools
import json
import os
import sys
import traceback
from pathlib import Path

from ..findings import Code, UserError, visible

RESULT = "result.json"


def fatal(error: UserError) -> dict:
    """A :class:`UserError` as a job's answer (what the page shows)."""
    f = error.finding
    return {"fatal": {"code": f.code, "severity": str(f.severity), "title": f.title, "subject": error.subject,
                      "message": f.message, "fix": f.fix, "text": error.text()}}


def _internal(exc: BaseException) -> dict:
    sys.stderr.write(visible("".join(traceback.format_exception(exc))))   # names in it are untrusted
    return {"fatal": {"code": "", "severity": "错误", "title": "程序内部出错", "subject": "",
                      "message": f"{type(exc).__name__}: {exc}"[:300],
                      "fix": "请把运行本程序的命令行窗口中的出错信息发给技术人员。",
                      "text": f"[错误] 程序内部出错：{type(exc).__name__}"}}


def job(fn):
    """Run ``fn(*args)`` inside ``folder`` (its first argument) and turn errors into answers."""
    @functools.wraps(fn)
    def wrapper(folder: str, *args, **kwargs) -> dict:
        home = os.getcwd()
        try:
            os.chdir(folder)
            return fn(*args, **kwargs)
        except UserError as err:
            return fatal(err)
        except MemoryError:
            return fatal(UserError(Code.W07, "上传的文件", "处理时所需内存超过限制（文件过大或结构可疑）"))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 — the last guard of the worker (also a native panic)
            return _internal(exc)
        finally:
            os.chdir(home)
    return wrapper


def warm() -> dict:
    """Import what the jobs use (run once per worker at start-up)."""
    import time

    from ..checks import check  # noqa: F401
    from ..report import render  # noqa: F401
    from ..workbook import read, template  # noqa: F401

    time.sleep(0.2)          # keep this worker busy so that the next warm-up reaches another one
    return {}


def _read_previous(name: str | None):
    """Last year's report from a workbook, a published report or exchange JSON (any source the
    command line reads), or ``None``."""
    if not name:
        return None
    from ..sources import read_any

    return read_any(name)


def _judge(last, *, year, org: str, force: bool) -> list:
    """``judge_previous`` of the year-to-year part, as ``template --previous`` calls it: last
    year's report must be this agency's, of the year before, without errors (``UserError``
    otherwise, unless ``force``: then 提示)."""
    try:
        from ..checks.previous import judge_previous
    except ImportError:
        return []
    return judge_previous(last, year=year, org=org, force=force)


def _checked(name: str, blank_as_zero: bool, previous: str | None, force: bool):
    """Read and check ``name`` as ``xlsx-tool check [--previous P] [--force-previous]`` does."""
    from ..checks.check import check
    from ..workbook.read import read_workbook

    data = read_workbook(name, blank_as_zero=blank_as_zero)
    if not previous:
        return check(data)
    try:
        from ..checks.previous import resolve
    except ImportError:
        return check(data, previous=_read_previous(previous))
    last, _how, notes, _notices = resolve(name, data, given=previous, force=force, auto=False)
    data.findings.extend(notes)
    return check(data, previous=last)


@job
def make_template(out: str, year: int, org: str, previous: str | None = None, force: bool = False) -> dict:
    """The template for ``year`` (format chosen from the year, as ``xlsx-tool template``), started
    from last year's report when given (``template --previous [--force-previous]``)."""
    from ..formats import registry
    from ..workbook.template import write_template

    fid = registry.resolve(year)
    kwargs, notes = {}, []
    if previous:
        last = _read_previous(previous)
        notes = [f.text() for f in _judge(last, year=year, org=org, force=force)]
        kwargs["previous"] = last
    write_template(out, fid, year=year, org=org, **kwargs)
    return {"file": out, "format": fid, "notes": notes}


@job
def check_upload(name: str, blank_as_zero: bool = False, previous: str | None = None,
                 force: bool = False) -> dict:
    """Read and check the clerk's workbook ``name``; write the page's view to ``result.json``."""
    from .view import check_view

    result = _checked(name, blank_as_zero, previous, force)
    view = check_view(result, name)
    view["previous"] = previous or ""
    Path(RESULT).write_text(json.dumps(view, ensure_ascii=False, default=str), "utf-8")
    return {"ok": result.ok, "errors": len(result.errors), "warnings": len(result.warnings)}


@job
def render_report(name: str, out: str, pdf: bool = False, blank_as_zero: bool = False,
                  previous: str | None = None, force: bool = False) -> dict:
    """``xlsx-tool render``: check again, refuse on 错误, write the .docx (and the PDF)."""
    from ..report.render import render_docx

    result = _checked(name, blank_as_zero, previous, force)
    if not result.ok:
        return {"refused": len(result.errors)}
    docx = Path(out).with_suffix(".docx")
    if not docx.exists():
        render_docx(result.data, docx)
    if not pdf:
        return {"file": str(docx)}
    from ..report.pdf import missing_official_fonts, to_pdf

    target = docx.with_suffix(".pdf")
    if not target.exists():
        to_pdf(docx, target)
    return {"file": str(target), "missing_fonts": missing_official_fonts()}


@job
def explain(name: str, out: str, explanations: list[tuple[str, str, str]]) -> dict:
    """A copy of the workbook ``name`` with the typed 说明 written into it (never the original)."""
    from . import features

    from ..workbook.read import read_workbook

    rewrite, kind = features.explain_function(), features.explanation_type()
    if rewrite is None or kind is None:
        raise UserError(Code.W09, features.NAMES["explain"])
    kept = list(getattr(read_workbook(name), "explanations", None) or [])   # the sheet is rewritten whole
    items = kept + [kind(code=code, cell=cell, text=text) for code, cell, text in explanations]
    written = rewrite(name, out, items, force=True)
    return {"file": str(written or out)}
