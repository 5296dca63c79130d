"""The review office (政务公开办): many units' reports at once.

* :mod:`.batch` — ``review(paths, …) -> ReviewResult``: check a folder on every core, streaming;
* :mod:`.findings_book` — ``write(result, out)``: the findings workbook (概览, 问题清单, 未提交, 图表);
* :mod:`.roster` — ``read_roster(path)``: the units expected to submit;
* :mod:`.combine` — ``combine(paths, org=…) -> ReportData`` and ``write_combined``: the 汇总 report;
* :mod:`.parts` — ``check_parts(file, dirs)``: a combined workbook against its units.

Modules are imported on use (the command line loads only what a command needs).
"""
