"""The fill-in workbook: writing the locked template and reading a filled one back.

* :mod:`.template` (with :mod:`.sheets` and :mod:`.guide`) — ``write_template``;
* :mod:`.read` — ``read_workbook``: :mod:`.files` (the file, python-calamine) with :mod:`.guards`
  (limits), :mod:`.package` and :mod:`.xmlscan` (an .xlsx's names, properties and one tokenizer pass
  per worksheet), :mod:`.locate` (names against labels), :mod:`.cells` (values);
* :mod:`.sample` — the bundled sample reports (TOML) as filled workbooks.
"""
