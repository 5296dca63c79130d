"""``render`` against a bare openpyxl load of the same workbook, run interleaved.

    python benchmarks/render_speed.py [--runs 15] [--template T.docx]

Issue 13's target: one ``render`` process ≤ 1.5 × ``python -c "import openpyxl;
openpyxl.load_workbook(f)"``.  The commands run interleaved (bare, render, render --allow-errors
draft, bare, render, …) so that one busy moment of the machine touches all of them alike; each is
reported as median with min–max wall time, plus CPU time (user + system of the process and its
children).  One warm-up run of each command fills the
operating system's file cache and the prepared-template cache (:mod:`xlsx_tool.report.cache`);
``--cold`` disables that cache to show what it saves.  A benchmark, not a test: it prints, it
does not fail.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 1.5


def run(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed: {proc.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):6.3f} ({min(values):.3f}–{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--template", help="a custom Word template (default: the built-in one)")
    parser.add_argument("--cold", action="store_true", help="no prepared-template cache")
    args = parser.parse_args()
    py = sys.executable
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        env["XLSX_TOOL_CACHE"] = "off" if args.cold else str(Path(tmp) / "cache")
        filled = Path(tmp) / "filled.xlsx"
        from xlsx_tool.workbook import sample

        sample.write_workbook(sample.bundled("demo-county-2025.toml"), filled)
        extra = ["--template", args.template] if args.template else []
        cli = [py, "-m", "xlsx_tool.cli", "render", str(filled), "--force", *extra]
        commands = {
            "bare openpyxl load": [py, "-c", f"import openpyxl; openpyxl.load_workbook({str(filled)!r})"],
            "render": cli + ["-o", str(Path(tmp) / "r.docx")],
            "render (no fork)": cli + ["-o", str(Path(tmp) / "n.docx")],
        }
        envs = {name: dict(env) for name in commands}
        envs["render (no fork)"]["XLSX_TOOL_NO_FORK"] = "1"
        for name, cmd in commands.items():          # warm-up
            run(cmd, envs[name])
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                results[name].append(run(cmd, envs[name]))
    base = statistics.median(w for w, _ in results["bare openpyxl load"])
    print(f"{args.runs} interleaved runs each{' (cache off)' if args.cold else ''}; wall s median (min–max), "
          f"CPU s (process and children) median, ratio of median wall to the bare load")
    for name, rows in results.items():
        walls = [w for w, _ in rows]
        cpus = [c for _, c in rows]
        ratio = statistics.median(walls) / base
        verdict = "" if name.startswith("bare") else f"  {'ok' if ratio <= TARGET else 'OVER'} (target ≤ {TARGET}×)"
        print(f"  {name:<20} wall {summary(walls)}  CPU {statistics.median(cpus):.3f}  ratio {ratio:4.2f}{verdict}")


if __name__ == "__main__":
    main()
