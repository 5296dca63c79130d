"""Judging a report: the cross-checks (勾稽关系), the narrative against the tables, the text report.

* :mod:`.check` — :func:`~.check.check`, :func:`~.check.check_file`, :class:`~.check.CheckResult`;
* :mod:`.narrative` — N01 (numbers in the text), N02 (year slips), N03 (placeholders);
* :mod:`.catalogue` — the table of every finding code for the README.
"""
