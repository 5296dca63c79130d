"""Time the commands as whole processes against a bare openpyxl load of the same workbook.

    python benchmarks/bench.py [--runs 7]

Prints the median wall time of each command and its ratio to
``python -c "import openpyxl; openpyxl.load_workbook(f)"``.  Targets (issue 2): check ≤ 1.5×,
template ≤ 2×, render ≤ 3×.  Start-up dominates at this size, so each command imports only what
it needs.  This is a benchmark, not a test: it prints, it does not fail.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from timing import timed

TARGETS = {"check": 1.5, "template": 2.0, "render": 3.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        filled = Path(tmp) / "filled.xlsx"
        from xlsx_tool.workbook import sample

        sample.write_workbook(sample.bundled("demo-county-2025.toml"), filled)
        cli = [py, "-m", "xlsx_tool.cli"]
        commands = {
            "bare openpyxl load": [py, "-c", f"import openpyxl; openpyxl.load_workbook({str(filled)!r})"],
            "check": cli + ["check", str(filled)],
            "template": cli + ["template", "--year", "2025", "-o", str(Path(tmp) / "t.xlsx"), "--force"],
            "render": cli + ["render", str(filled), "-o", str(Path(tmp) / "r.docx"), "--force"],
        }
        results = {name: timed(cmd, args.runs) for name, cmd in commands.items()}
    base = results.pop("bare openpyxl load")
    print(f"{'command':<10} {'median s':>9} {'ratio':>6} {'target':>7}")
    print(f"{'(bare)':<10} {base:9.3f} {1:6.2f}")
    for name, secs in results.items():
        ratio = secs / base
        mark = "ok" if ratio <= TARGETS[name] else "OVER"
        print(f"{name:<10} {secs:9.3f} {ratio:6.2f} {TARGETS[name]:6.1f}× {mark}")


if __name__ == "__main__":
    main()
