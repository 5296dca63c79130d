"""The harness of the real office-suite tests (``test_office_roundtrip.py``).

* :func:`office_problem` / :func:`require_real_office` — whether LibreOffice and a Python with
  ``uno`` are here: without them the tests are skipped with a reason, except with ``CI=true``,
  where they fail.  ``XLSX_TOOL_UNO_PYTHON`` names another interpreter with ``uno``;
* :func:`clerk` — one LibreOffice session of ``tests/office_clerk.py`` (a clerk typing into the
  template through the UI dispatcher); its soffice process group is always killed;
* :func:`tool`, :func:`check_json`, :func:`make_template` — ``xlsx-tool`` run as a clerk would;
* :func:`fill_jobs` — the cells to type for a fill; :func:`expected_values`, :func:`shown_cells`,
  :func:`docx_numbers`, :func:`docx_text` — what LibreOffice and the Word report should show.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest

from needs import require

from xlsx_tool.formats import model
from xlsx_tool.formats.content import ReportData

HERE = Path(__file__).resolve().parent
CLERK = HERE / "office_clerk.py"
UNO_PYTHON = os.environ.get("XLSX_TOOL_UNO_PYTHON", "/usr/bin/python3")
CHECK_OK = "✓"


# -- is a real office suite here? ------------------------------------------------------------------
def office_problem() -> str | None:
    """Why the real office-suite tests cannot run here, or ``None``."""
    from xlsx_tool import office

    if office.soffice() is None:
        return "找不到 soffice 命令"
    if not (os.path.isfile(UNO_PYTHON) and os.access(UNO_PYTHON, os.X_OK)):
        return f"找不到 {UNO_PYTHON}"
    probe = subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True, env=_clean_env(),
                           timeout=60)
    if probe.returncode != 0:
        return f"{UNO_PYTHON} 无法 import uno（请安装 python3-uno）"
    return None


def require_real_office() -> None:
    """Skip the calling test module without a real office suite — fail instead with ``CI=true``."""
    require(office_problem(), "真实办公软件测试（LibreOffice/python3-uno）")


# -- running the clerk and the tool ------------------------------------------------------------------
def _clean_env() -> dict:
    """The environment for LibreOffice's Python: none of this interpreter's path settings."""
    from xlsx_tool import office

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.setdefault("LANG", "C.UTF-8")
    exe = office.soffice()
    if exe:
        env["SOFFICE"] = exe   # the LibreOffice the tool itself would use
    return env


def _kill_office_group(pgid: int) -> None:
    """Kill the soffice process group we started, if any of its processes still run."""
    alive = False
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if b"office" in cmdline or b"oosplash" in cmdline:
            alive = True
            break
    if alive:
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def clerk(job: dict, work: Path, timeout: float = 150) -> dict:
    """Run one LibreOffice session of ``office_clerk.py``; returns its JSON result.

    The clerk kills soffice's process group itself; whatever happens, the group recorded in the
    pid file is killed here too, and the clerk's own group on a timeout."""
    pidfile = work / f"soffice-{uuid.uuid4().hex}.pid"
    job = {**job, "pidfile": str(pidfile), "timeout": max(timeout - 30, 30)}
    proc = subprocess.Popen([UNO_PYTHON, str(CLERK)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", env=_clean_env(),
                            start_new_session=True)
    try:
        out, err = proc.communicate(json.dumps(job, ensure_ascii=False), timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            out, err = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        pytest.fail(f"LibreOffice session timed out after {timeout} s\n{out[-2000:]}\n{err[-2000:]}")
    finally:
        if pidfile.exists():
            try:
                _kill_office_group(int(pidfile.read_text()))
            except ValueError:
                pass
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert lines, f"office_clerk.py printed nothing (status {proc.returncode}):\n{err[-3000:]}"
    result = json.loads(lines[-1])
    assert result.get("ok"), f"LibreOffice session failed: {result.get('error')}\n" \
                             f"{result.get('soffice_log', '')[-1500:]}\n{err[-1500:]}"
    return result


def tool(*args: str) -> subprocess.CompletedProcess:
    """``python -m xlsx_tool.cli …`` as a clerk would run it."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "xlsx_tool.cli", *args], capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=120)


def check_json(path: Path, *extra: str) -> tuple[int, dict]:
    proc = tool("check", "--json", *extra, str(path))
    assert proc.returncode in (0, 1), f"check crashed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.returncode, json.loads(proc.stdout)


def make_template(folder: Path, year: int, fmt_id: str) -> Path:
    out = folder / f"{year}年政府信息公开年报数据.xlsx"
    proc = tool("template", "--year", str(year), "--format", fmt_id, "-o", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


# -- what the clerk types ----------------------------------------------------------------------------
def _at(fmt: model.Format, sheet: str, row: int, col: int, text: str) -> dict:
    return {"sheet": sheet, "cell": model.a1(row, col), "text": text}


def _printed(value) -> str:
    """A number as the report prints it: ``12``, ``-8``, ``24.311082``."""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)


def fill_jobs(fmt: model.Format, numbers: dict, *, zeros: bool, info: dict | None = None,
              paragraphs: dict | None = None, note: tuple | None = None,
              choices: dict | None = None) -> list[dict]:
    """The cells to type, in reading order: 基本信息, 正文, then the tables (注 and choices last)."""
    jobs = []
    pos = fmt.info_cells()
    for fid, text in (info or {}).items():
        jobs.append(_at(fmt, fmt.info_sheet, *pos[fid], text))
    rows = fmt.narrative_rows()
    for sid, text in (paragraphs or {}).items():
        jobs.append(_at(fmt, fmt.narrative_sheet, rows[sid][1], 1, text))
    for tl in fmt.tables:
        for c in sorted(tl.cells, key=lambda c: (c.row, c.col)):
            if c.is_input and (c.id in numbers or zeros):
                jobs.append(_at(fmt, tl.sheet, c.row, c.col, _printed(numbers.get(c.id, 0))))
        if note and note[0] == tl.id:
            jobs.append(_at(fmt, tl.sheet, tl.note.row, tl.note.col, note[1]))
        for spec, _, box in tl.choices:
            if spec["id"] in (choices or {}):
                jobs.append(_at(fmt, tl.sheet, box.row, box.col, choices[spec["id"]]))
    return jobs


def expected_values(fmt: model.Format, numbers: dict) -> dict:
    """Every numeric cell → its value (blank inputs 0, totals summed), as the report prints it."""
    data = ReportData(fmt, inputs={c: numbers.get(c, 0) for c, cell in fmt.cells.items() if cell.is_input})
    return data.values()


def shown_cells(fmt: model.Format) -> list[dict]:
    """Every total and every check cell, to read what LibreOffice shows."""
    out = [{"sheet": c.sheet, "cell": c.a1, "id": c.id} for c in fmt.cells.values() if c.total_of]
    out += [{"sheet": r.sheet, "cell": r.check_a1, "rule": r.code, "scope": r.scope} for r in fmt.rules]
    return out


def docx_numbers(path: Path, fmt: model.Format) -> dict[str, str]:
    """Numeric cell id → the text in the report's table (the Word tables are laid out from the
    model: table i is ``fmt.tables[i]``, row ``sheet row − FIRST_TABLE_ROW``, same column)."""
    import docx

    doc = docx.Document(str(path))
    assert len(doc.tables) >= len(fmt.tables), f"{path.name}: {len(doc.tables)} tables"
    out = {}
    for table, tl in zip(doc.tables, fmt.tables):
        for c in tl.cells:
            out[c.id] = table.cell(c.row - model.FIRST_TABLE_ROW, c.col).text.strip()
    return out


def docx_text(path: Path) -> str:
    import docx

    doc = docx.Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for t in doc.tables for row in t.rows for cell in row.cells]
    return "\n".join(parts)
