"""Time the narrative checks on texts full of years and brackets, at growing sizes.

    python benchmarks/narrative_scan.py

Issue 8 §2: the year-slip scan was quadratic (a 28 KB workbook of such text took 212 s).  Each line
prints the size, the CPU seconds of :func:`xlsx_tool.checks.years.year_slips`, of the whole
:func:`xlsx_tool.checks.narrative.findings` and of the repeat rate against an equally long last
year, and the characters per second: constant characters per second is a linear scan.  This is a
benchmark, not a test: it prints, it does not fail.
"""
from __future__ import annotations

import time

from xlsx_tool.checks import narrative, repeat
from xlsx_tool.checks.years import year_slips
from xlsx_tool.formats import model
from xlsx_tool.formats.content import ReportData

UNITS = {
    "years in brackets": "（2019年《2018年方案》〔2017年〕“2016年”",
    "year slips": "2019年通过门户网站发布信息，收到申请9件，行政复议9件。",
    "opening years": "2019年，",
}


def cpu(fn) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def main() -> None:
    fmt = model.load("2021")
    for name, unit in UNITS.items():
        print(f"-- {name}: {unit}")
        for size in (25_000, 100_000, 400_000, 1_600_000):
            text = (unit * (size // len(unit) + 1))[:size]
            data = ReportData(fmt, info={"year": "2021"}, narrative={"overview": [text]})
            last = ReportData(fmt, info={"year": "2020"}, narrative={"overview": [text[::-1]]})
            scan = cpu(lambda: list(year_slips(text, 2021)))
            whole = cpu(lambda: narrative.findings(data))
            rates = cpu(lambda: repeat.repeat_rates(data, last))
            print(f"{size:>9} chars  year_slips {scan:6.3f} s ({size / max(scan, 1e-9):>12,.0f}/s)"
                  f"  narrative.findings {whole:6.3f} s  repeat rate {rates:6.3f} s")


if __name__ == "__main__":
    main()
