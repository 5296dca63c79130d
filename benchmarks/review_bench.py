"""Benchmark the review office's batch review against its floor and against LibreOffice.

    python benchmarks/review_bench.py [--units 1000] [--runs 3] [--office-sample 40] [--dir DIR]

Writes ``--units`` filled workbooks (distinct units, a tenth of them with errors) once into
``--dir`` (kept between runs), then times as whole processes, interleaved A, B, A, B … so that one
busy moment cannot flip a verdict:

* ``review``   — ``xlsx-tool review DIR -o 审核结果.xlsx`` (every core);
* ``calamine`` — a bare python-calamine read of every sheet of the same files in one process
  (the floor: the issue's target is review within 3 × of it);
* ``review-100`` — the same review of the first 100 files (memory must stay flat 100 → 1 000).

and one LibreOffice process converting (recalculating) ``--office-sample`` of the files, scaled
per workbook (the issue's target: review ≥ 40 × faster).  Prints medians with min–max, workbooks
per second and peak memory (the main process's VmHWM and the largest worker's ``ru_maxrss``).
A benchmark, not a test: it prints, it does not fail.  The machine is shared: say so with the
numbers.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

#: Runs a command as ``python -m`` does and writes "wall CPU self-peak-KiB children-peak-KiB".
WRAPPER = """\
import re, resource, runpy, sys, time
report = sys.argv.pop(1)
t = time.perf_counter()
try:
    runpy.run_module(sys.argv.pop(1), run_name="__main__", alter_sys=True)
except SystemExit:
    pass
finally:
    wall = time.perf_counter() - t
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    hwm = re.search(r"VmHWM:\\s*(\\d+)", open("/proc/self/status").read()).group(1)
    with open(report, "w") as f:
        f.write(f"{wall} {me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime} {hwm} {kids.ru_maxrss}")
"""
CALAMINE = """\
import sys
from pathlib import Path
from python_calamine import CalamineWorkbook
n = 0
for p in sorted(Path(sys.argv[1]).rglob("*.xlsx")):
    wb = CalamineWorkbook.from_path(str(p))
    for name in wb.sheet_names:
        n += len(wb.get_sheet_by_name(name).to_python())
print(n)
"""


def _one(args) -> None:
    import fills

    from xlsx_tool.workbook.template import write_template

    folder, i = args
    fill = fills.balanced("2021")
    fill["org_name"] = f"某某省第{i:05d}单位"
    fill["narrative_overview"] = [f"第{i}单位认真贯彻落实《中华人民共和国政府信息公开条例》。"]
    if i % 10 == 7:
        fill["request_new_natural"] = 9           # a tenth with a cross-check error
    write_template(Path(folder) / f"{i // 100:02d}" / f"单位{i:05d}.xlsx", "2021", year=2024, prefill=fill,
                   force=True)


def make_units(folder: Path, n: int) -> None:
    have = len(list(folder.rglob("*.xlsx"))) if folder.exists() else 0
    if have == n:
        return
    shutil.rmtree(folder, ignore_errors=True)
    for d in range((n + 99) // 100):
        (folder / f"{d:02d}").mkdir(parents=True)
    t = time.perf_counter()
    with ProcessPoolExecutor() as ex:
        list(ex.map(_one, [(str(folder), i) for i in range(n)], chunksize=20))
    print(f"wrote {n} filled workbooks in {time.perf_counter() - t:.0f} s", file=sys.stderr)


def run(argv: list[str], report: Path) -> dict:
    subprocess.run([sys.executable, "-c", WRAPPER, str(report), *argv], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall, cpu, hwm, kids = report.read_text().split()
    return {"wall": float(wall), "cpu": float(cpu), "mb": int(hwm) / 1024, "worker_mb": int(kids) / 1024}


def office_rate(files: list[Path], tmp: Path) -> float | None:
    """Seconds per workbook for one LibreOffice process converting (recalculating) ``files``."""
    from xlsx_tool import office

    exe = office.soffice()
    if not exe:
        return None
    profile = tmp / "lo-profile"
    out = tmp / "lo-out"
    t = time.perf_counter()
    subprocess.run([exe, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), *map(str, files)],
                   check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=3600,
                   start_new_session=True)
    return (time.perf_counter() - t) / len(files)


STUB = """\
import copy, sys, time
import xlsx_tool.sources as sources
from pathlib import Path
from xlsx_tool.workbook.read import read_workbook
from xlsx_tool.review import batch, findings_book
files = sorted(str(p) for p in Path(sys.argv[1]).rglob("*.xlsx"))
good, bad = read_workbook(files[0]), read_workbook(next(f for f in files if f.endswith("7.xlsx")))
def stub(path, **kw):      # the report as read, without reading: what review costs besides the reader
    src = bad if path.endswith("7.xlsx") else good
    d = copy.copy(src)
    d.inputs, d.info, d.findings, d.source = dict(src.inputs), dict(src.info), list(src.findings), path
    d.info["org_name"] = path
    return d
sources.read_any = stub
t = time.perf_counter()
result = batch.review([sys.argv[1]])
findings_book.write(result, sys.argv[2], force=True)
print(time.perf_counter() - t)
"""


def layer_seconds(units: Path, tmp: Path) -> float:
    """Wall seconds of review and its findings workbook in one process with the reader stubbed out."""
    run = subprocess.run([sys.executable, "-c", STUB, str(units), str(tmp / "stub.xlsx")], capture_output=True,
                         text=True, check=True)
    return float(run.stdout.split()[-1])


def spread(xs: list[float]) -> str:
    return f"{statistics.median(xs):7.2f} ({min(xs):.2f}–{max(xs):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--office-sample", type=int, default=40)
    parser.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "xlsx-tool-review-bench"))
    parser.add_argument("--json", action="store_true", help="also print the raw measurements as JSON")
    args = parser.parse_args()
    base = Path(args.dir)
    units = base / "units"
    make_units(units, args.units)
    small = base / "units-100"
    if not small.exists():
        shutil.copytree(units / "00", small)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        commands = {
            "review": ["xlsx_tool.cli", "review", str(units), "-o", str(tmp / "r.xlsx"), "--force"],
            "calamine": ["_calamine_", str(units)],
            "review-100": ["xlsx_tool.cli", "review", str(small), "-o", str(tmp / "r100.xlsx"), "--force"],
        }
        (tmp / "_calamine_.py").write_text(CALAMINE)
        os.environ["PYTHONPATH"] = os.pathsep.join([str(tmp), os.environ.get("PYTHONPATH", "")])
        got: dict[str, list[dict]] = {k: [] for k in commands}
        layer: list[float] = []
        for _ in range(args.runs):
            for name, argv in commands.items():           # interleaved: A, B, C, A, B, C …
                got[name].append(run(argv, tmp / "report"))
            layer.append(layer_seconds(units, tmp))
        files = sorted(units.rglob("*.xlsx"))[: args.office_sample]
        lo = office_rate(files, tmp) if args.office_sample else None
    n = {"review": args.units, "calamine": args.units, "review-100": 100}
    print(f"{args.units} filled workbooks, {os.cpu_count()} cores, {args.runs} interleaved runs "
          "(median, min–max; the machine is shared with other work)")
    print(f"{'command':<11} {'wall s':>22} {'workbooks/s':>12} {'CPU s':>8} {'main MB':>8} {'worker MB':>9}")
    for name, rows in got.items():
        walls = [r["wall"] for r in rows]
        rate = n[name] / statistics.median(walls)
        print(f"{name:<11} {spread(walls):>22} {rate:12.1f} {statistics.median(r['cpu'] for r in rows):8.1f} "
              f"{max(r['mb'] for r in rows):8.0f} {max(r['worker_mb'] for r in rows):9.0f}")
    review = statistics.median(r["wall"] for r in got["review"])
    floor = statistics.median(r["wall"] for r in got["calamine"])
    print(f"review / bare calamine = {review / floor:.1f}× (target ≤ 3×); "
          f"review rate {args.units / review:.0f}/s (target ≥ 125/s)")
    print(f"review without reading (reader stubbed, in one process, findings workbook included): "
          f"{spread(layer)} s, {args.units / statistics.median(layer):.0f}/s — the cost of everything but read_workbook")
    if lo:
        print(f"LibreOffice, one process, {args.office_sample} files: {lo:.3f} s per workbook "
              f"({1 / lo:.1f}/s); review is {lo * args.units / review:.0f}× faster (target ≥ 40×)")
    m100 = max(r["mb"] for r in got["review-100"])
    m1000 = max(r["mb"] for r in got["review"])
    print(f"peak memory of the main process: {m100:.0f} MB for 100 files, {m1000:.0f} MB for {args.units}")
    if args.json:
        print(json.dumps({"runs": got, "layer_seconds": layer, "office_seconds_per_workbook": lo}, indent=1))


if __name__ == "__main__":
    main()
