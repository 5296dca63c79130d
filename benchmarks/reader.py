"""The reader against a bare openpyxl load (issue 13: one ``check`` process ≤ 0.6 × it).

    python benchmarks/reader.py [--rounds 21] [--loop 200]

Whole processes, interleaved (bare, check, bare, check, …) so that one busy moment of the machine
falls on both sides: median and min–max of the wall time and of the CPU time (user + system, of
the child alone, from ``wait4``), and the peak memory, of

* ``python -c "import openpyxl; openpyxl.load_workbook(f)"`` (the reference), and
* ``xlsx-tool check f`` (read, check every rule and the 正文, print the report),

for the two bundled samples written as filled workbooks.  Then, inside one process, workbooks per
second of ``read_workbook`` and of ``openpyxl.load_workbook`` (alternating batches).  A
benchmark, not a test: it prints, it does not fail.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 0.6


#: The children run as an installed tool does: byte-code cached (a session that sets
#: PYTHONDONTWRITEBYTECODE would otherwise compile every module of the package on every run).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


#: Runs ``python ARGS…`` and then prints its own peak memory (VmHWM: ru_maxrss would include what
#: the parent had when it forked).
PEAK = """\
import re, runpy, sys
sys.argv = sys.argv[1:]
try:
    if sys.argv[0] == "-c":
        sys.argv = sys.argv[1:]
        exec(sys.argv[0], {"__name__": "__main__"})
    else:
        sys.argv = sys.argv[2:]
        runpy.run_module("xlsx_tool.cli", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
finally:
    peak = re.search(r"VmHWM:\\s*(\\d+)", open("/proc/self/status").read())
    sys.__stderr__.write(f"PEAK {int(peak.group(1)) / 1024 if peak else float('nan')}\\n")
"""


def run(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one child process (CPU from wait4: the child alone)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime


def peak_mb(cmd: list[str]) -> float:
    """Peak memory (MB) of the command, run once more under :data:`PEAK`."""
    err = subprocess.run([cmd[0], "-c", PEAK, *cmd[1:]], capture_output=True, text=True, env=ENV).stderr
    found = [line.split()[1] for line in err.splitlines() if line.startswith("PEAK ")]
    return float(found[-1]) if found else float("nan")


def spread(xs: list[float], unit: str = "s", scale: float = 1.0) -> str:
    return (f"{statistics.median(xs) * scale:7.3f} {unit} "
            f"[{min(xs) * scale:.3f}–{max(xs) * scale:.3f}]")


def processes(path: Path, rounds: int) -> tuple[dict, dict]:
    py = sys.executable
    commands = {"bare openpyxl load": [py, "-c", f"import openpyxl; openpyxl.load_workbook({str(path)!r})"],
                "check": [py, "-m", "xlsx_tool.cli", "check", str(path)]}
    for cmd in commands.values():     # warm the page cache and the .pyc files
        run(cmd)
    got: dict[str, list] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, cmd in commands.items():
            got[name].append(run(cmd))
    return got, {name: peak_mb(cmd) for name, cmd in commands.items()}


def in_process(path: Path, loop: int) -> dict[str, float]:
    """Workbooks per second inside one process, the two readers in alternating batches."""
    import warnings

    import openpyxl

    from xlsx_tool.workbook.read import read_workbook

    spent = {"read_workbook": 0.0, "openpyxl.load_workbook": 0.0}
    batch = 10
    for _ in range(max(1, loop // batch)):
        t = time.perf_counter()
        for _ in range(batch):
            read_workbook(path)
        spent["read_workbook"] += time.perf_counter() - t
        t = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(batch):
                openpyxl.load_workbook(path)
        spent["openpyxl.load_workbook"] += time.perf_counter() - t
    n = max(1, loop // batch) * batch
    return {name: n / s for name, s in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--loop", type=int, default=200)
    args = parser.parse_args()
    from xlsx_tool.workbook import sample

    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("demo-county-2025.toml", "wenchang-2020.toml"):
            path = Path(tmp) / (Path(name).stem + ".xlsx")
            sample.write_workbook(sample.bundled(name), path)
            got, peaks = processes(path, args.rounds)
            print(f"\n{path.name} ({path.stat().st_size / 1024:.0f} KB), {args.rounds} interleaved rounds:")
            for what, runs in got.items():
                walls, cpus = zip(*runs)
                print(f"  {what:<20} wall {spread(walls)}   CPU {spread(cpus)}   peak {peaks[what]:5.1f} MB")
            base, check = got["bare openpyxl load"], got["check"]
            for i, label in ((0, "wall"), (1, "CPU")):
                ratio = statistics.median(c[i] for c in check) / statistics.median(b[i] for b in base)
                pairs = [c[i] / b[i] for b, c in zip(base, check)]
                verdict = "ok" if ratio <= TARGET else "OVER"
                print(f"  check / bare ({label}): {ratio:.2f} (pairwise {min(pairs):.2f}–{max(pairs):.2f}), "
                      f"target ≤ {TARGET} {verdict}")
            rates = in_process(path, args.loop)
            print("  in one process: " + ", ".join(f"{k} {v:.0f} workbooks/s" for k, v in rates.items()))


if __name__ == "__main__":
    main()
