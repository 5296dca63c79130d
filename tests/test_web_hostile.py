"""Every bad or hostile workbook of the corpus (``tests/bad_inputs.py``) uploaded to the web page is
answered as the command line answers it: the same finding codes at the same cells, the same
fatal code and words — the page calls the same functions.

Where the page knows more than a path can tell, it says so instead: content that is plainly not a
spreadsheet (a CSV, a Word document, …) is named for what it is (W04) before any reader sees it,
and a file over the page's upload limit is refused as such (W01).  The server survives them all.
"""
from __future__ import annotations

import html
from pathlib import Path

import pytest

from bad_inputs import CASES, Case
from test_bad_inputs import unmatched
from web_harness import Client, Server, findings_on, problem_on
from xlsx_tool.web import config, sniff

#: Content the page names before reading: CLI code → the page's.
NOT_A_SPREADSHEET = {"a CSV renamed .xlsx", "a Word document renamed .xlsx", "a CSV file"}
#: Cases whose input is no uploadable file (a path that does not exist, a folder), or one over the
#: batch limit that the page refuses by its declared length before reading it (test_web_security).
NO_FILE = {"a missing path", "a directory", "a 300 MB file"}


def web_cases() -> list[Case]:
    """The corpus's ``check`` of one file (``previous:`` cases give last year's report as a second
    file: the page takes it in its own field, tested in test_web_contracts.py)."""
    return [c for c in CASES if c.command == "check" and not c.env and c.name not in NO_FILE
            and not c.name.startswith("previous:")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("srv"))
    yield srv
    assert srv.alive()
    srv.stop()
    assert "Traceback" not in srv.output()


@pytest.mark.parametrize("case", web_cases(), ids=[c.name for c in web_cases()])
def test_the_page_answers_a_bad_workbook_as_the_command_line_does(server, case: Case, tmp_path):
    try:
        args = case.build(tmp_path)
    except ModuleNotFoundError as exc:
        pytest.skip(f"{exc.name} is needed to build this case: pip install -e '.[test]'")
    path = Path(args[0])
    fields = [("blank_as_zero", "1")] if "--blank-as-zero" in args else []
    size = path.stat().st_size
    if size > config.MAX_FILE_BYTES:
        expected_code = "W01" if size <= config.MAX_BATCH_BYTES else "W02"
    c = Client(server)
    r = c.post("/check", fields, [("workbook", path.name, path.read_bytes())])
    page = html.unescape(c.get(r.header("location")).text if r.status == 303 else r.text)
    assert "Traceback" not in page and "程序内部出错" not in page
    if size > config.MAX_FILE_BYTES:
        assert problem_on(page) == expected_code
        return
    if case.name in NOT_A_SPREADSHEET:
        assert problem_on(page) == "W04" and path.name in page
        assert sniff.sniff(path).group != "workbook"
        return
    if case.expect_exit == 2:
        assert problem_on(page) == case.expect_codes[0].split("@")[0], page[:3000]
    else:
        assert problem_on(page) is None, page[:3000]
        missing, extra = unmatched(case.expect_codes, findings_on(page))
        assert not missing and not extra, f"missing {missing}, unexpected {extra}"
        assert ("检查通过" in page) == (case.expect_exit == 0)
    for words in case.expect_in_message:
        words = words.format(file=path.name, out="")
        assert words in page, words
    assert str(tmp_path) not in page and str(server.base) not in page
