"""A newcomer's first hour at the terminal (issue 10): each stumble, and what the user now sees."""
from __future__ import annotations

import datetime
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fills import YEAR, balanced, narrative
from xlsx_tool import __version__
from xlsx_tool.checks.check import check_file
from xlsx_tool.checks.text import text_report
from xlsx_tool.workbook.read import read_workbook
from xlsx_tool.formats import registry
from xlsx_tool.workbook.template import write_template


def tool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlsx_tool.cli", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


# -- the command line -------------------------------------------------------------------------------
def test_no_arguments_shows_the_help_not_an_error():
    run = tool()
    assert run.returncode == 0 and run.stderr == ""
    assert run.stdout.startswith("用法：xlsx-tool") and "template" in run.stdout and "check" in run.stdout


def test_version_is_printed():
    run = tool("--version")
    assert run.returncode == 0 and run.stdout.strip() == f"xlsx-tool {__version__}"


@pytest.mark.parametrize("args, suggestion", [
    (["template", "t.xlsx"], "xlsx-tool template -o t.xlsx"),
    (["template", "--year", "2026", "t.xlsx"], "xlsx-tool template --year 2026 -o t.xlsx"),
    (["render", "a.xlsx", "b.docx"], "xlsx-tool render a.xlsx -o b.docx"),
    (["render", "a.xlsx", "年报", "定稿.docx"], 'xlsx-tool render a.xlsx -o "年报 定稿.docx"'),
])
def test_a_second_file_name_is_answered_with_the_o_spelling(tmp_path, args, suggestion):
    run = tool(*args, cwd=tmp_path)
    assert run.returncode == 2 and "输出文件要写在 -o 后面" in run.stderr and suggestion in run.stderr
    assert f"运行 xlsx-tool {args[0]} -h" in run.stderr
    assert not list(tmp_path.iterdir())


def test_a_path_split_at_a_space_is_answered_with_the_quoted_path(tmp_path):
    (tmp_path / "年报 数据.xlsx").write_bytes(b"")
    for command in ("check", "render"):
        run = tool(command, "年报", "数据.xlsx", cwd=tmp_path)
        assert run.returncode == 2 and f'xlsx-tool {command} "年报 数据.xlsx"' in run.stderr
        assert "-o" not in run.stderr.split("处理")[0]


@pytest.mark.parametrize("args, words", [
    (["chek", "x.xlsx"], "没有“chek”这个命令，是不是要用 check？"),
    (["tempalte"], "是不是要用 template？"),
    (["数据.xlsx"], "命令要写在文件名前面，如 xlsx-tool check 数据.xlsx"),
    (["template", "--yeer", "2026"], "没有 --yeer 这个选项，是不是 --year？"),
    (["check", "x.xlsx", "--verbse"], "是不是 --verbose？"),
])
def test_a_mistyped_command_or_option_gets_the_nearest_one(tmp_path, args, words):
    run = tool(*args, cwd=tmp_path)
    assert run.returncode == 2 and words in run.stderr and "Traceback" not in run.stderr


def test_debug_is_accepted_after_the_sub_command_too(tmp_path):
    for args in (["--debug", "check", "无.xlsx"], ["check", "无.xlsx", "--debug"]):
        run = tool(*args, cwd=tmp_path)
        assert run.returncode == 2 and "F01" in run.stderr and "命令写法有误" not in run.stderr


def test_a_command_registered_later_gets_the_same_help(tmp_path, capsys):
    """Another command module gets --debug after its name, -o advice and the nearest command."""
    from xlsx_tool.cli import clerk
    from xlsx_tool.cli.parser import build_parser

    class Later:
        @staticmethod
        def register(sub):
            p = sub.add_parser("combine", help="汇总")
            p.add_argument("files", nargs="+")
            p.add_argument("--org")
            p.add_argument("-o", "--output")

    parser = build_parser((clerk, Later))
    assert parser.parse_args(["combine", "a.xlsx", "--debug"]).debug is True
    with pytest.raises(SystemExit):
        parser.parse_args(["combien", "a.xlsx"])
    assert "是不是要用 combine？" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser.parse_args(["combine", "a.xlsx", "--org", "某局", "--orgg", "x"])
    assert "没有 --orgg 这个选项，是不是 --org？" in capsys.readouterr().err


# -- the default year -------------------------------------------------------------------------------
@pytest.mark.parametrize("today, year", [
    (datetime.date(2026, 9, 30), 2025),     # the 2025 reports were published in January 2026
    (datetime.date(2026, 10, 1), 2026),     # the 2026 season starts
    (datetime.date(2026, 12, 2), 2026),
    (datetime.date(2027, 1, 31), 2026),     # last day for the 2026 reports
    (datetime.date(2027, 2, 1), 2026),
])
def test_the_default_year_follows_the_reporting_season(today, year):
    assert registry.default_year(today) == year


def test_the_template_help_says_how_the_default_year_is_chosen():
    run = tool("template", "-h")
    assert f"默认 {registry.default_year()}：每年 10 月起默认当年，之前默认上一年" in run.stdout


# -- a blank template: one summary per table ---------------------------------------------------------
def test_a_blank_template_gives_one_summary_per_table_and_each_cell_only_with_verbose(tmp_path):
    src = write_template(tmp_path / "空白.xlsx", "2021", year=2026)
    short = tool("check", str(src))
    assert short.returncode == 1
    assert "表三有 144 个格子未填写：D6、E6、F6、G6、H6、I6、D7、E7等" in short.stdout
    assert "表二有 10 个格子未填写" in short.stdout and "表四有 12 个格子未填写" in short.stdout
    assert "基本信息有 7 项未填写：机关名称、发布网站名称" in short.stdout
    assert "没有数据的格子请填 0" in short.stdout and "--blank-as-zero" in short.stdout
    assert "加 --verbose" in short.stdout
    assert len(short.stdout.splitlines()) < 30
    assert short.stdout.count("[错误 V01]") == 3
    full = tool("check", str(src), "--verbose")
    assert full.stdout.count("[错误 V01]") == 166 and "单元格 D6（三、收到和处理政府信息公开申请情况" in full.stdout


def test_a_few_blanks_are_still_listed_cell_by_cell(make_filled_workbook):
    result = check_file(make_filled_workbook(request_new_natural=None, request_new_other=None))
    text = text_report(result)
    assert text.count("[错误 V01]") == 2 and "单元格 I6" in text and "个格子未填写" not in text


def test_the_json_keeps_every_cell(tmp_path):
    import json

    src = write_template(tmp_path / "空白.xlsx", "2021", year=2026)
    out = json.loads(tool("check", "--json", str(src)).stdout)
    assert sum(e["code"] == "V01" for e in out["errors"]) == 166


# -- one wrong number in 表三: one error, naming the cells to fix --------------------------------------
@pytest.mark.parametrize("fid, outcome, inputs", [
    ("2021", "D29", "D6:D28、D30"), ("2019", "D27", "D6:D26、D28")])
def test_one_wrong_number_in_table_three_is_reported_once(tmp_path, fid, outcome, inputs):
    fill = dict(balanced(fid), **narrative())
    fill["request_new_natural"] = 5
    src = write_template(tmp_path / "一个错.xlsx", fid, year=YEAR[fid], prefill=fill)
    run = tool("check", str(src))
    assert run.returncode == 1 and run.stdout.count("[错误 X01]") == 1
    assert "单元格 D6（三、收到和处理政府信息公开申请情况 › 自然人）" in run.stdout
    assert f"（七）总计({outcome}) 是公式，不能直接修改；请核对并改正这些填报格：{inputs}" in run.stdout
    assert "因此“总计”的同一检查（J6）也不成立" in run.stdout
    assert "共 1 个错误" in run.stdout


def test_two_wrong_columns_are_two_errors_and_the_total_column_is_named_with_both(make_filled_workbook):
    result = check_file(make_filled_workbook(request_new_natural=5, request_new_other=4))
    assert [(f.code, f.cell) for f in result.errors] == [("X01", "D6"), ("X01", "I6")]
    assert all(f.extra["also"] == ["J6"] for f in result.errors)


# -- the live check cells ---------------------------------------------------------------------------
def test_check_cells_of_a_prefilled_template_say_what_is_missing_a_word_or_the_difference(tmp_path):
    """The cached results (what a viewer that does not recalculate shows) follow the formula."""
    import openpyxl

    from xlsx_tool.formats import model

    fmt = model.load("2021")
    fill = balanced("2021")
    fill.update(request_new_natural=5, request_new_business="无")
    fill.update({c.id: None for c in fmt.cells.values() if c.col_label == "科研机构" and c.is_input})
    src = write_template(tmp_path / "t.xlsx", "2021", year=2026, prefill=fill)
    ws = openpyxl.load_workbook(src, data_only=True)["表三"]
    shown = {r.scope: ws[r.check_a1].value for r in fmt.rules if r.code == "X01"}
    assert shown == {"自然人": 2, "商业企业": "有非数字", "科研机构": "未填24格", "社会公益组织": "✓",
                     "法律服务机构": "✓", "其他": "✓", "总计": "未填24格"}


# -- advice that costs no work: restore one formula, never overwrite data ------------------------------
def test_a_typed_over_total_is_fixed_by_restoring_its_one_formula(make_filled_workbook, edit_with_openpyxl):
    src = edit_with_openpyxl(make_filled_workbook(), lambda wb: wb["表三"].__setitem__("J6", 99))
    run = tool("check", str(src))
    assert run.returncode == 1 and "[错误 S04]" in run.stdout
    assert "恢复公式：在 J6 中输入 =SUM(D6:I6)" in run.stdout
    assert "不必重新生成模板" in run.stdout and "撤销工作表保护" in run.stdout


def test_template_force_refuses_to_replace_a_filled_workbook_and_says_why(make_filled_workbook):
    src = make_filled_workbook()
    before = src.read_bytes()
    run = tool("template", "--year", "2024", "-o", str(src), "--force")
    assert run.returncode == 2 and "[错误 S20] 要覆盖的工作簿中已填有数据" in run.stderr
    paragraphs = sum(len(p) for p in read_workbook(src).narrative.values())
    assert "166 个已填写的表格格子" in run.stderr and f"正文 {paragraphs} 段" in run.stderr
    assert "覆盖会丢失已填写的内容" in run.stderr and "请用 -o 另起一个文件名" in run.stderr
    assert src.read_bytes() == before


def test_template_force_refuses_another_program_s_spreadsheet(tmp_path):
    import openpyxl

    other = tmp_path / "台账.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "收文登记"
    wb.save(other)
    run = tool("template", "-o", str(other), "--force")
    assert run.returncode == 2 and "S20" in run.stderr and "可能是其他程序的数据" in run.stderr


def test_template_force_still_replaces_a_blank_template_or_a_broken_file(tmp_path):
    blank = write_template(tmp_path / "空白.xlsx", "2021", year=2026, org="某某局")
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"not a workbook")
    for target in (blank, broken):
        run = tool("template", "--year", "2026", "-o", str(target), "--force")
        assert run.returncode == 0, run.stderr
        assert check_file(target).data.fmt.id == "2021"


# -- years and deadlines ----------------------------------------------------------------------------
@pytest.mark.parametrize("year, why", [
    ("2018", "本工具所用的官方年报格式从 2019 年度开始，2018 年度没有"),
    ("26", "“26”不是四位年份"),
    ("3026", "3026 年度的报告现在还不能填写"),
])
def test_an_unsupported_year_is_told_which_years_have_an_official_format(tmp_path, year, why):
    run = tool("template", "--year", year, "-o", str(tmp_path / "t.xlsx"))
    assert run.returncode == 2 and "[错误 F13]" in run.stderr and why in run.stderr
    assert registry.years_text() in run.stderr
    assert "2019—2020 年度用 2019 格式（国办公开办函〔2019〕60号）" in run.stderr
    assert "2021 年度起用 2021 格式（国办公开办函〔2021〕30号）" in run.stderr
    assert not (tmp_path / "t.xlsx").exists()


#: 《中华人民共和国政府信息公开条例》第四十九条, as published (2019 revision).
ARTICLE_49 = ("县级以上人民政府部门应当在每年1月31日前向本级政府信息公开工作主管部门提交本行政机关上一年度"
              "政府信息公开工作年度报告并向社会公布。县级以上地方人民政府的政府信息公开工作主管部门应当在每年"
              "3月31日前向社会公布本级政府上一年度政府信息公开工作年度报告。")


@pytest.mark.parametrize("fid, year", [("2019", 2020), ("2021", 2026)])
def test_the_guide_quotes_article_49_and_gives_each_kind_of_agency_its_deadline(tmp_path, fid, year):
    import openpyxl

    src = write_template(tmp_path / "t.xlsx", fid, year=year)
    lines = [c.value for row in openpyxl.load_workbook(src)["填报说明"].iter_rows() for c in row if c.value]
    assert f"《中华人民共和国政府信息公开条例》第四十九条：“{ARTICLE_49}”" in lines
    assert f"县级以上人民政府部门（如某某县自然资源局）：{year + 1}年1月31日前向本级政府信息公开工作主管部门" \
           "提交年度报告并向社会公布。" in lines
    assert f"县级以上地方人民政府（本级政府自身的年度报告）：{year + 1}年3月31日前由本级政府信息公开工作主管部门" \
           "向社会公布。" in lines
    assert any(line.startswith("乡镇人民政府、街道办事处：条例未规定具体日期") for line in lines)
    assert not any("本机关上一年度" in line for line in lines)


# -- fields and the README's code table ----------------------------------------------------------------
@pytest.mark.parametrize("fid, year", [("2019", 2020), ("2021", None)])
def test_fields_examples_follow_the_format_asked_for(fid, year):
    """What ``fields --format F`` shows as an example is what a report of format F prints."""
    import json

    from xlsx_tool.formats import model
    from xlsx_tool.formats.content import ReportData
    from xlsx_tool.report.context import context

    year = year or registry.default_year()
    rows = {r["placeholder"]: r for r in json.loads(tool("fields", "--format", fid, "--json").stdout)["fields"]}
    data = ReportData(model.load(fid), info={"org_name": "某某镇人民政府", "year": str(year)})
    printed = context(data)
    for name in ("title", "year", "fmt_label", "fmt_name", "fmt_document", "fmt_id"):
        assert rows[f"{{{{ {name} }}}}"]["example"] == str(printed[name]), name
    assert rows["{{ info.year }}"]["example"] == str(year)
    text = tool("fields", "--format", fid).stdout
    other = {"2019": "2021", "2021": "2019"}[fid]
    assert f"国办公开办函〔{other}〕" not in text


def test_the_readme_says_when_lint_reports_t03_and_t04_as_notes():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    for code in ("T03", "T04"):
        row = next(line for line in readme.splitlines() if line.startswith(f"| {code} |"))
        assert "错误（docxtpl 能自动" in row and "时为提示）" in row


# -- the README on Windows and without internet ------------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent


def test_the_readme_gives_powershell_commands_without_ampersands():
    readme = (ROOT / "README.md").read_text("utf-8")
    blocks = re.findall(r"```powershell\n(.*?)```", readme, re.S)
    assert blocks and all("&&" not in b for b in blocks)
    assert "py -m venv .venv" in blocks[0] and ".venv\\Scripts\\xlsx-tool demo" in blocks[0]


def test_the_readme_offline_installation_is_what_ci_tries():
    readme = (ROOT / "README.md").read_text("utf-8")
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "pip wheel --wheel-dir 离线安装包 ." in readme and 'pip" wheel -q --wheel-dir "$offline/wheels" .' in ci
    assert "pip install --no-index --find-links 离线安装包 xlsx_tool" in readme
    assert 'pip" install -q --no-index --find-links "$offline/wheels" xlsx_tool' in ci
    assert "PIP_CONFIG_FILE=/dev/null" in ci and 'xlsx-tool" demo' in ci
    for package in ("fonts-noto-cjk", "fonts-arphic-ukai", "fonts-arphic-uming"):
        assert package in ci and package in readme
