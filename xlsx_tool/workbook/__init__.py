"""The fill-in workbook: writing the locked template and reading a filled one back.

* :mod:`.template` (with :mod:`.sheets` and :mod:`.guide`) — ``write_template``;
* :mod:`.read` (with :mod:`.files` and :mod:`.guards`) — ``read_workbook``;
* :mod:`.sample` — the bundled sample reports (TOML) as filled workbooks.
"""
