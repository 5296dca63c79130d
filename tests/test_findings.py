"""The finding catalogue: codes are an enum, severities too; an unknown code is a programming error."""
from __future__ import annotations

import pytest

from xlsx_tool.findings import ERROR, NOTE, Code, Severity, UserError, cross_check, make
from xlsx_tool.formats import registry


def test_every_code_has_a_severity_a_title_and_a_fix_in_chinese():
    for code in Code:
        assert code.severity in (Severity.ERROR, Severity.NOTE), code
        assert code.title and code.fix and not code.title.isascii(), code
        assert code.name[0] in "FOSIVNYTPRW" and code.name[1:].isdigit(), code


def test_a_code_not_in_the_catalogue_is_a_programming_error():
    with pytest.raises(ValueError):
        make("Z99", "")
    with pytest.raises(ValueError):
        make("V01", "")                       # a string, not the enum member
    with pytest.raises(ValueError):
        cross_check("V01", "not a cross-check", "")


def test_cross_check_codes_come_from_the_format_data_and_are_errors():
    codes = {rule["code"] for fid in registry.available() for rule in registry.raw(fid)["rules"]}
    assert codes >= {"X01", "X02", "X03", "X04"}
    f = cross_check("X01", "一 + 二 = 三 + 四", "左边 5，右边 4")
    assert (f.code, f.severity) == ("X01", ERROR) and f.title == "勾稽关系不成立：一 + 二 = 三 + 四"


def test_a_user_error_prints_code_subject_detail_and_fix():
    err = UserError(Code.F01, "D:/年报/数据.xlsx", "路径中有空格")
    assert err.code == "F01" and err.exit_code == 2
    assert err.text().startswith("[错误 F01] 文件不存在：D:/年报/数据.xlsx（路径中有空格）")
    assert "处理：" in err.text() and Code.V05.severity is NOTE
