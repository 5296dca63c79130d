#!/usr/bin/python3
"""A clerk in LibreOffice: open a workbook headless, type into cells like a person, save it.

Run with a Python that has LibreOffice's ``uno`` module (Debian: ``/usr/bin/python3`` with
``python3-uno``); the project's own interpreter usually cannot import it.  The job is one JSON
object, given as a file name or on stdin::

    /usr/bin/python3 tests/office_clerk.py job.json      # or:  … office_clerk.py < job.json

    {
      "input": "/path/模板.xlsx",                    # copied to a private folder, never touched
      "read_on_load": [{"sheet": "表三", "cell": "K6"}],   # what LibreOffice shows right after loading
      "type": [{"sheet": "表三", "cell": "D6", "text": "731"}],
      "read": [{"sheet": "表三", "cell": "K6"}],           # what it shows after the typing
      "validation": [{"sheet": "表三", "cell": "D6"}],     # the cell's data-validation settings
      "save": [{"path": "/out/filled.xlsx", "format": "xlsx"}],   # xlsx | ods | xls
      "recalc_on_load": null,     # null: LibreOffice's default; "always" / "never" / "prompt"
      "pidfile": "/tmp/x.pid",    # optional: the soffice process-group id is written here at start
      "max_locked": 1,            # locked cells one session may type into (see below)
      "timeout": 90               # seconds for the whole session
    }

``soffice`` is taken from the ``SOFFICE`` environment variable, else found on ``PATH`` or at
Debian's ``/usr/lib/libreoffice/program/soffice``.

It prints one JSON object on stdout::

    {"ok": true, "protected": {"表三": true, …}, "on_load": […], "typed": […], "read": […],
     "validation": […], "saved": [{"path": …, "format": …, "bytes": …}], "seconds": {…}}

``typed`` has one entry per typed cell: ``took`` is true when the cell afterwards holds what was
typed (a locked cell on a protected sheet refuses: its content stays as before), with ``before``
and ``after`` (each ``{"string", "value", "formula", "type", "error"}``).  On failure ``ok`` is
false and ``error`` says why (the exit status is then 1).

How it types: the sheet is made active through the controller (``setActiveSheet``), the cursor is
moved with the UI dispatcher's ``.uno:GoToCell`` (``ToPoint``), and the text is entered with
``.uno:EnterString`` (``StringName``).  This goes through the same checks as a person typing, so
sheet protection is honoured; the UNO ``setValue``/``setString`` API would ignore it.  Headless,
data validation is *not* enforced (no dialog can be shown), so invalid values are stored.

Facts that shape this script (see the project's pitfalls notes):

* every run gets its own profile (``-env:UserInstallation``), otherwise soffice hands the job to a
  running instance; ``soffice`` is a shell wrapper, so it is started in its own session and its
  whole process group is killed at the end (also written to ``pidfile`` for the caller to kill);
* the document is copied to a private folder first (a stale ``.~lock.NAME#`` beside it would stop
  it loading headless);
* LibreOffice recalculates edited cells and their dependants, but by default it does not
  recalculate an ``.xlsx`` on load unless a formula's cached value is empty (``OOXMLRecalcMode``,
  settable here with ``recalc_on_load``); ``read_on_load`` shows what a clerk sees on opening;
* in one session, a second refused edit of a locked cell crashes soffice 7.4 (seen here: SIGABRT
  in ``Dialog::StartExecuteAsync`` while it shows the "protected cell" message headless), so the
  script refuses to type into more than ``max_locked`` locked cells per session.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import uno  # noqa: F401  (LibreOffice's bridge; only importable with LibreOffice's Python)
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

FILTERS = {
    "xlsx": "Calc MS Excel 2007 XML",
    "ods": "calc8",
    "xls": "MS Excel 97",
}
RECALC_MODES = {"always": 0, "never": 1, "prompt": 2}
CELL_TYPES = {"EMPTY": "empty", "VALUE": "value", "TEXT": "text", "FORMULA": "formula"}
SOFFICE_CANDIDATES = ("soffice", "libreoffice", "/usr/lib/libreoffice/program/soffice")


class Timeout(Exception):
    pass


def _props(**kw) -> tuple:
    out = []
    for name, value in kw.items():
        p = PropertyValue()
        p.Name, p.Value = name, value
        out.append(p)
    return tuple(out)


def _soffice() -> str:
    exe = os.environ.get("SOFFICE")
    if exe:
        return exe
    for name in SOFFICE_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("soffice not found")


def _write_recalc_mode(profile: Path, mode: str) -> None:
    """Pre-seed the fresh profile with ``OOXMLRecalcMode`` (and the ODF one) before soffice starts."""
    value = RECALC_MODES[mode]
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    items = "".join(
        f'<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="{name}" oor:op="fuse">'
        f"<value>{value}</value></prop></item>\n" for name in ("OOXMLRecalcMode", "ODFRecalcMode"))
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' + items + "</oor:items>\n",
        encoding="utf-8")


def _content(cell) -> dict:
    """What a cell holds and shows: displayed string, numeric value, formula/content, type, error."""
    kind = cell.getType().value
    return {
        "string": cell.getString(),
        "value": cell.getValue(),
        "formula": cell.getFormula(),
        "type": CELL_TYPES.get(kind, kind),
        "error": cell.getError(),
    }


def _enum(value) -> object:
    return getattr(value, "value", value)


def _validation(cell) -> dict:
    v = cell.getPropertyValue("Validation")
    return {
        "type": _enum(v.getPropertyValue("Type")),
        "operator": _enum(v.getOperator()),
        "formula1": v.getFormula1(),
        "formula2": v.getFormula2(),
        "ignore_blank": bool(v.getPropertyValue("IgnoreBlankCells")),
        "show_input": bool(v.getPropertyValue("ShowInputMessage")),
        "input_title": v.getPropertyValue("InputTitle"),
        "input_message": v.getPropertyValue("InputMessage"),
        "show_error": bool(v.getPropertyValue("ShowErrorMessage")),
        "error_title": v.getPropertyValue("ErrorTitle"),
        "error_message": v.getPropertyValue("ErrorMessage"),
        "error_style": _enum(v.getPropertyValue("ErrorAlertStyle")),
    }


class Session:
    """One headless soffice with a private profile, reachable over a named pipe."""

    def __init__(self, work: Path, recalc_on_load: str | None, pidfile: str | None):
        self.work = work
        self.profile = work / "profile"
        self.profile.mkdir()
        if recalc_on_load:
            _write_recalc_mode(self.profile, recalc_on_load)
        self.pipe = "xlsx_tool_clerk_" + uuid.uuid4().hex
        self.log = open(work / "soffice.log", "wb")
        cmd = [_soffice(), f"-env:UserInstallation={self.profile.as_uri()}", "--headless", "--invisible",
               "--norestore", "--nologo", "--nodefault", "--nolockcheck",
               f"--accept=pipe,name={self.pipe};urp;StarOffice.ComponentContext"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        if pidfile:
            Path(pidfile).write_text(str(self.proc.pid))
        self.ctx = self.smgr = self.desktop = None

    def connect(self, deadline: float) -> None:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        while True:
            try:
                self.ctx = resolver.resolve(url)
                break
            except NoConnectException:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"soffice exited with status {self.proc.returncode} before accepting")
                if time.monotonic() > deadline:
                    raise Timeout("soffice did not accept a connection in time")
                time.sleep(0.1)
        self.smgr = self.ctx.ServiceManager
        self.desktop = self.smgr.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)

    def service(self, name: str):
        return self.smgr.createInstanceWithContext(name, self.ctx)

    def close(self) -> None:
        """Ask soffice to quit, then kill its whole process group whatever happened."""
        try:
            if self.desktop is not None:
                self.desktop.terminate()
        except Exception:  # the bridge drops as soffice quits (DisposedException): expected
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.log.close()


def _cell(doc, sheet: str, ref: str):
    return doc.getSheets().getByName(sheet).getCellRangeByName(ref)


def run(job: dict) -> dict:
    started = time.monotonic()
    deadline = started + float(job.get("timeout", 90))
    seconds: dict[str, float] = {}
    result: dict = {"ok": False}
    src = Path(job["input"])
    work = Path(tempfile.mkdtemp(prefix="xlsx_tool_clerk_"))
    session = None
    try:
        doc_dir = work / "doc"
        doc_dir.mkdir()
        private = doc_dir / ("document" + src.suffix.lower())
        shutil.copyfile(src, private)
        session = Session(work, job.get("recalc_on_load"), job.get("pidfile"))
        session.connect(deadline)
        seconds["start"] = round(time.monotonic() - started, 2)

        doc = session.desktop.loadComponentFromURL(private.as_uri(), "_blank", 0, _props(Hidden=True))
        if doc is None:
            raise RuntimeError("LibreOffice could not load the document")
        seconds["load"] = round(time.monotonic() - started, 2)
        sheets = doc.getSheets()
        result["sheets"] = list(sheets.getElementNames())
        result["protected"] = {name: bool(sheets.getByName(name).isProtected()) for name in result["sheets"]}
        result["on_load"] = [dict(item, **_content(_cell(doc, item["sheet"], item["cell"])))
                             for item in job.get("read_on_load", [])]

        controller = doc.getCurrentController()
        frame = controller.getFrame()
        dispatcher = session.service("com.sun.star.frame.DispatchHelper")
        typed = result["typed"] = []  # filled as we go: kept in the report if soffice dies
        refusals = 0
        for item in job.get("type", []):
            if time.monotonic() > deadline:
                raise Timeout("typing took too long")
            sheet = sheets.getByName(item["sheet"])
            locked = bool(sheet.isProtected()
                          and sheet.getCellRangeByName(item["cell"]).getPropertyValue("CellProtection").IsLocked)
            if locked:
                refusals += 1
                if refusals > int(job.get("max_locked", 1)):
                    raise RuntimeError(f"refusing to type into a second locked cell ({item['sheet']}!{item['cell']}) "
                                       "in one session: a second refused edit can crash soffice")
            controller.setActiveSheet(sheet)
            dispatcher.executeDispatch(frame, ".uno:GoToCell", "", 0, _props(ToPoint=item["cell"]))
            try:  # a merged cell selects its whole area: compare its top-left corner
                addr = controller.getSelection().getRangeAddress()
                at = (addr.Sheet, addr.StartColumn, addr.StartRow)
            except AttributeError:
                at = None
            cell = sheet.getCellRangeByName(item["cell"])
            want = cell.getCellAddress()
            before = _content(cell)
            dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, _props(StringName=str(item["text"])))
            after = _content(cell)
            took = after != before or before["formula"] == str(item["text"])
            took = took and str(item["text"]) in (after["formula"], after["string"])
            typed.append(dict(item, took=took, locked=locked,
                              cursor_ok=at == (want.Sheet, want.Column, want.Row),
                              before=before, after=after))
        seconds["typed"] = round(time.monotonic() - started, 2)

        result["read"] = [dict(item, **_content(_cell(doc, item["sheet"], item["cell"])))
                          for item in job.get("read", [])]
        result["validation"] = [dict(item, **_validation(_cell(doc, item["sheet"], item["cell"])))
                                for item in job.get("validation", [])]

        saved = []
        for out in job.get("save", []):
            fmt = out["format"]
            tmp = work / ("saved." + fmt)
            doc.storeToURL(tmp.as_uri(), _props(FilterName=FILTERS[fmt], Overwrite=True))
            target = Path(out["path"])
            shutil.copyfile(tmp, target)
            saved.append({"path": str(target), "format": fmt, "bytes": target.stat().st_size})
        result["saved"] = saved
        seconds["saved"] = round(time.monotonic() - started, 2)
        try:
            doc.close(True)
        except Exception:  # CloseVetoException or a dropped bridge: the process group dies anyway
            pass
        result["ok"] = True
    except Exception as exc:  # report, never a traceback on stdout
        result["error"] = f"{type(exc).__name__}: {exc}"
        log = work / "soffice.log"
        if log.exists():
            result["soffice_log"] = log.read_bytes()[-2000:].decode(errors="replace")
        if session is not None:
            result["soffice_status"] = session.proc.poll()
    finally:
        if session is not None:
            session.close()
        shutil.rmtree(work, ignore_errors=True)
        seconds["total"] = round(time.monotonic() - started, 2)
        result["seconds"] = seconds
    return result


def _on_signal(signum, frame):  # SIGTERM/SIGALRM → unwind through the finally that kills soffice
    raise Timeout(f"stopped by signal {signum}")


def main(argv: list[str]) -> int:
    text = Path(argv[1]).read_text("utf-8") if len(argv) > 1 and argv[1] != "-" else sys.stdin.read()
    job = json.loads(text)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGALRM, _on_signal)
    signal.alarm(int(job.get("timeout", 90)) + 15)
    result = run(job)
    signal.alarm(0)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    return 0 if result.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
