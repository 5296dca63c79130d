"""Time reading published reports, as whole processes.

    python benchmarks/published.py [--runs 7]

Prints the median wall time of ``audit`` of one web page against ``check`` of a filled workbook
(target: ≤ 2×), and of ``audit`` of a 10-page PDF (target: ≤ 2 s).  The reports are printed from
the format model by the test helpers (``tests/published_forms.py``, ``tests/pdfgen.py``): a 2021
report with numbers in every cell, its 表三 across two PDF pages.  A benchmark, not a test: it
prints, it does not fail.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from timing import timed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def ten_page_pdf(path: Path) -> None:
    from test_published_docx_pdf import pdf_report
    from test_published_html import numbers

    from xlsx_tool.formats import model

    pdf_report(numbers(model.load("2021")), path, extra_pages=7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    import published_forms as pf
    from test_published_html import numbers

    from xlsx_tool.formats import model
    from xlsx_tool.workbook import sample

    py = sys.executable
    cli = [py, "-m", "xlsx_tool.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        filled = Path(tmp) / "filled.xlsx"
        sample.write_workbook(sample.bundled("demo-county-2025.toml"), filled)
        page = Path(tmp) / "report.html"
        page.write_text(pf.html(model.load("2021"), numbers(model.load("2021")), mso=True, year=2025), encoding="utf-8")
        pdf = Path(tmp) / "report.pdf"
        ten_page_pdf(pdf)
        results = {
            "check workbook": timed(cli + ["check", str(filled)], args.runs),
            "audit html": timed(cli + ["audit", str(page)], args.runs),
            "audit 10-page pdf": timed(cli + ["audit", str(pdf)], args.runs),
        }
    base = results["check workbook"]
    print(f"{'command':<20} {'median s':>9} {'ratio':>6}  target")
    print(f"{'check workbook':<20} {base:9.3f} {1:6.2f}")
    ratio = results["audit html"] / base
    print(f"{'audit html':<20} {results['audit html']:9.3f} {ratio:6.2f}  ≤ 2× check  {'ok' if ratio <= 2 else 'OVER'}")
    secs = results["audit 10-page pdf"]
    print(f"{'audit 10-page pdf':<20} {secs:9.3f} {'':>6}  ≤ 2 s       {'ok' if secs <= 2 else 'OVER'}")


if __name__ == "__main__":
    main()
