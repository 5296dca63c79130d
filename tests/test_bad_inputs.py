"""Bad and hostile input (issue #4): every case of ``tests/bad_inputs.py`` through the real
command line, in a subprocess, exactly as a user sees it.

For every case: the exit code; every finding printed (code, sheet, cell) and nothing else; the
expected words (labels, the file, how to fix it); no Python traceback; the input files' bytes and
mtime unchanged; a failed run leaves no output and no temporary file; and an answer within
:data:`LIMIT_CPU_SECONDS` of CPU time and :data:`LIMIT_MB` of peak memory, both measured by the
process itself (a wrapper that runs ``xlsx_tool.cli`` as ``python -m`` does, then writes its
``ru_utime + ru_stime`` and ``VmHWM``): neither depends on how busy the machine is, so no test here
asserts wall-clock time.  The child also runs under ``RLIMIT_CPU`` and ``RLIMIT_AS``, so that a
runaway case ends as a failure instead of hanging the suite or exhausting the machine.

Interrupting a write: ``render``/``template`` are killed (SIGKILL) or interrupted (SIGINT) after a
random delay; the target is then either the old file or a complete new one, never half of one, and
the input is untouched.  A SIGKILLed run cannot clean up after itself: an orphan temporary file
``.~<name>.<random>.tmp`` may remain beside the target (never the target itself); SIGINT removes it.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import bad_inputs
import bad_inputs_hostile
import bad_inputs_reattack
import bad_inputs_workbook
import pytest
from bad_inputs import FIX, Case
from interrupts import CTRL_C_AT_DEFAULT

CASES = bad_inputs.CASES + bad_inputs_workbook.CASES + bad_inputs_hostile.CASES + bad_inputs_reattack.CASES

#: CPU seconds (user + system) one answer may take; a filled workbook takes about 0.3 s, most of
#: it Python starting.  Issue 8: every hostile input ends in under 5 s and 300 MB.
LIMIT_CPU_SECONDS = 5.0
LIMIT_MB = 300
#: Hard limits on the child, far above the assertions: a runaway case is killed, not waited for.
RLIMIT_CPU_SECONDS = 60
RLIMIT_AS_BYTES = 4 * 2**30
#: runs the CLI as ``python -m xlsx_tool.cli`` does, then writes "CPU-seconds peak-KiB" to argv[1]:
#: its own ``ru_utime + ru_stime`` and VmHWM of /proc/self/status (ru_maxrss would include the
#: parent's peak: Linux carries it over fork and exec).
WRAPPER = """\
import re, resource, runpy, sys
report = sys.argv.pop(1)
try:
    runpy.run_module("xlsx_tool.cli", run_name="__main__", alter_sys=True)
finally:
    use, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        kib = re.search(r"VmHWM:\\s*(\\d+)", open("/proc/self/status").read()).group(1)
    except (OSError, AttributeError):
        kib = use.ru_maxrss
    with open(report, "w") as f:
        f.write(f"{use.ru_utime + use.ru_stime + kids.ru_utime + kids.ru_stime} {kib}")
"""
ENV_KEYS = ("PYTHONIOENCODING", "PYTHONUTF8", "PYTHONCOERCECLOCALE", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE",
            "LC_MESSAGES")
#: What must never reach a console raw (terminal escapes, bidi overrides, invisible characters):
#: cell contents are shown as <U+XXXX>, JSON writes \\uXXXX.
UNSAFE_OUTPUT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
HEAD = re.compile(r"^\[(\S+) ([A-Z]\d\d)\] ?(.*)$", re.M)
MEASURED: list[tuple[float, float, str]] = []


def cli_env(case_env: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    env.update(case_env or {"PYTHONIOENCODING": "utf-8", "LANG": "C.UTF-8"})
    return env


def limit_child() -> None:
    """In the child, before exec: CPU and address-space ceilings (see :data:`RLIMIT_CPU_SECONDS`)."""
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (RLIMIT_CPU_SECONDS, RLIMIT_CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_AS, (RLIMIT_AS_BYTES, RLIMIT_AS_BYTES))


def run_cli(argv: list, cwd: Path, env: dict, report: Path):
    """``(exit code, stdout, stderr, CPU seconds, MB)`` of one run of the command line."""
    proc = subprocess.run([sys.executable, "-c", WRAPPER, str(report), *argv], cwd=cwd, env=env,
                          capture_output=True, timeout=600,
                          preexec_fn=limit_child if os.name == "posix" else None)
    seconds, mb = float("nan"), float("nan")
    if report.exists():
        cpu, kib = report.read_text().split()
        seconds, mb = float(cpu), int(kib) / 1024
    return proc.returncode, proc.stdout, proc.stderr, seconds, mb


def snapshot(paths) -> dict:
    """Each file's content hash (read in chunks: one input is 300 MB) and mtime."""
    out = {}
    for p in paths:
        digest = hashlib.sha256()
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(2**20), b""):
                digest.update(chunk)
        out[p] = (digest.hexdigest(), p.stat().st_mtime_ns)
    return out


def findings_printed(out: str, err: str) -> list[str]:
    """Every finding printed, as ``CODE@sheet!cell`` / ``CODE@sheet`` / ``CODE``."""
    found = []
    if out.lstrip().startswith("{"):
        result = json.loads(out)
        for f in result["errors"] + result["warnings"]:
            found.append(f["code"] + (f"@{f['sheet']}" if f.get("sheet") else "")
                         + (f"!{f['cell']}" if f.get("cell") else ""))
        out = ""
    for m in HEAD.finditer(out + "\n" + err):
        sheet = re.search(r"工作表“([^”]+)”", m.group(3))
        cell = re.search(r"单元格 ([A-Z]{1,3}\d+)", m.group(3))
        found.append(m.group(2) + (f"@{sheet.group(1)}" if sheet else "") + (f"!{cell.group(1)}" if cell else ""))
    return found


def unmatched(expected, got) -> tuple[list, list]:
    """Multiset match: ``"V02"`` matches any location, ``"S01@表三"`` any cell of that sheet."""
    got, missing = list(got), []
    for e in sorted(expected, key=lambda e: (e.count("@") + e.count("!")), reverse=True):
        for i, g in enumerate(got):
            if g == e or g.split("@")[0] == e or ("!" not in e and g.split("!")[0] == e):
                del got[i]
                break
        else:
            missing.append(e)
    return missing, got


def option(args: list, name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


@pytest.fixture(scope="module", autouse=True)
def summary(request):
    """After the module: the slowest cases and the peak memory, printed past pytest's capture."""
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if not (reporter and capture and MEASURED):
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line("")
        reporter.write_line(f"bad inputs: {len(MEASURED)} runs; most CPU time:")
        for seconds, mb, name in sorted(MEASURED, reverse=True)[:5]:
            reporter.write_line(f"  {seconds:5.2f} CPU s {mb:6.1f} MB  {name}")
        top = max(MEASURED, key=lambda m: m[1])
        reporter.write_line(f"  peak memory: {top[1]:.1f} MB ({top[2]})")


def test_the_corpus_is_large_and_distinct():
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)
    assert {c.command for c in CASES} >= {"check", "render", "template", "lint-template", "export", "review", "combine",
                                          "import", "audit"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, tmp_path_factory):
    work = tmp_path / "工作 目录"
    work.mkdir()
    try:
        args = case.build(work)
    except ModuleNotFoundError as exc:  # msoffcrypto-tool (the [test] extra) makes the encrypted file
        pytest.skip(f"{exc.name} is needed to build this case: pip install -e '.[test]'")
    out_arg = option(args, "-o")
    out_path = (work / out_arg) if out_arg else None
    out_existed = bool(out_path and os.path.lexists(out_path))   # lexists: False for a name too long
    inputs = [work / a for a in args if isinstance(a, str) and os.path.isfile(work / a)
              and not (case.expect_exit == 0 and a == out_arg)]
    before = snapshot(inputs)
    report = tmp_path_factory.mktemp("rss") / "maxrss"

    rc, out_b, err_b, seconds, mb = run_cli([case.command, *args], work, cli_env(case.env), report)
    MEASURED.append((seconds, mb, case.name))
    out, err = out_b.decode(case.encoding), err_b.decode(case.encoding)   # strict: must decode
    text = out + err
    where = f"\n--- exit {rc}, {seconds:.2f} CPU s, {mb:.0f} MB\n--- stdout:\n{out[-3000:]}\n--- stderr:\n{err[-3000:]}"

    assert "Traceback" not in text and "程序内部出错" not in text, where
    assert not UNSAFE_OUTPUT.search(text), f"a control or invisible character reached the console{where!a}"
    assert rc == case.expect_exit, where
    missing, extra = unmatched(case.expect_codes, findings_printed(out, err))
    assert not missing and not extra, f"missing {missing}, unexpected {extra}{where}"
    subs = {"file": args[0] if args else "", "out": out_arg or ""}
    for words in case.expect_in_message:
        assert words.format(**subs) in text, f"{words.format(**subs)!r} not in output{where}"
    if case.encoding != "ascii":
        if rc != 0:
            assert (FIX in text) or ('"fix": "' in out), where
        concerned = [f for f in (args[0] if case.command != "template" else None, out_arg,
                                 out_arg and os.path.dirname(out_arg), option(args, "--template"),
                                 option(args, "--previous"), option(args, "--roster")) if f]
        concerned += [str(Path(f)) for f in concerned]
        assert any(f in text for f in concerned), f"none of {concerned} is named{where}"
    assert snapshot(inputs) == before, "an input file was changed"
    if out_path is not None and rc != 0 and not out_existed and not (rc == 1 and case.output_on_errors):
        assert not os.path.lexists(out_path), "a failed run left an output file"
    assert not list(work.rglob(".~*")), "a temporary file was left behind"
    if case.expect_in_docx:
        from docx import Document

        paragraphs = [p.text for p in Document(str(out_path)).paragraphs]
        for text in case.expect_in_docx:
            assert text in paragraphs, paragraphs
    assert seconds < LIMIT_CPU_SECONDS, f"{seconds:.2f} CPU s{where}"
    assert mb < LIMIT_MB, f"{mb:.0f} MB{where}"


# -- interrupted writes ----------------------------------------------------------------------------
def complete(path: Path, kind: str) -> bool:
    """A whole .docx/.xlsx: every zip entry intact and the main part present."""
    main = "word/document.xml" if kind == "render" else "xl/workbook.xml"
    try:
        with zipfile.ZipFile(path) as z:
            return z.testzip() is None and main in z.namelist()
    except zipfile.BadZipFile:
        return False


def start_and_interrupt(argv: list, env: dict, cwd: Path, how: int, delay: float | None):
    """Start the command line and send it ``how``: after ``delay`` seconds, or (``None``) as soon as
    its temporary output file appears, i.e. in the middle of writing."""
    proc = subprocess.Popen([sys.executable, "-m", "xlsx_tool.cli", *argv], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **CTRL_C_AT_DEFAULT)
    if delay is not None:
        time.sleep(delay)
    else:
        orphans = set(cwd.glob(".~*.tmp"))
        while proc.poll() is None and not set(cwd.glob(".~*.tmp")) - orphans:
            time.sleep(0.0005)
    if proc.poll() is None:
        proc.send_signal(how)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out.decode(), err.decode()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
@pytest.mark.parametrize("command", ["render", "template"])
@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_an_interrupted_write_leaves_the_old_file_or_the_new_one(command, how, tmp_path):
    how = getattr(signal, how)
    src = bad_inputs.filled(tmp_path, name="填报 数据.xlsx")
    target = tmp_path / ("年度 报告.docx" if command == "render" else "新 模板.xlsx")
    argv = ([command, str(src), "-o", str(target), "--force"] if command == "render"
            else [command, "--year", "2025", "-o", str(target), "--force"])
    env = cli_env({})
    subprocess.run([sys.executable, "-m", "xlsx_tool.cli", *argv], env=env, check=True, capture_output=True)
    guard = snapshot([src])
    rng = random.Random(f"{command}{how}")
    orphans: set = set()
    for attempt in range(8):
        old = target.read_bytes()   # a complete earlier output, to be replaced (--force)
        # SIGKILL: at a random moment, or in the middle of writing; SIGINT: in the middle of writing
        # (Ctrl-C while Python itself is still starting prints Python's own traceback)
        delay = rng.uniform(0.02, 0.8) if how == signal.SIGKILL and attempt % 2 else None
        rc, out, err = start_and_interrupt(argv, env, tmp_path, how, delay)
        data = target.read_bytes()
        assert data == old or complete(target, command), "the target is half-written"
        if how == signal.SIGKILL:
            orphans |= {p.name for p in tmp_path.glob(".~*.tmp")}
        else:
            # 130: interrupted; 0: finished first; -2: finished, and the signal arrived while Python
            # was shutting down (or hit code run by exec(): CPython then ends by SIGINT after our
            # handler ran)
            assert rc in (0, 130, -2) and "Traceback" not in err, err
            # finished first: a complete new file (possibly byte-identical to the old one: the same
            # content written within the same second), said as such
            assert "已中断，未写入任何不完整的文件" in err or (rc == 0 and "已生成" in out), (rc, out, err)
    assert snapshot([src]) == guard, "the input was touched"
    others = {p.name for p in tmp_path.iterdir()} - {src.name, target.name}
    # documented: a SIGKILLed run cannot remove its temporary file; nothing else may remain
    assert others == (orphans if how == signal.SIGKILL else set()), others
    assert all(re.fullmatch(r"\.~.+\.tmp", n) for n in others)
