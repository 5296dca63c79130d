"""The command line as the office IT person uses it: sub-commands, defaults, exit codes."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document

from xlsx_tool.formats import model
from xlsx_tool.workbook.template import write_template


def tool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlsx_tool.cli", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd)


@pytest.mark.parametrize("year, fmt_id", [(2019, "2019"), (2020, "2019"), (2021, "2021"), (2026, "2021")])
def test_template_picks_the_format_from_the_year(tmp_path, year, fmt_id):
    run = tool("template", "--year", str(year), "-o", str(tmp_path / "t.xlsx"))
    assert run.returncode == 0, run.stderr
    assert f"年报格式：{model.load(fmt_id).label}" in run.stdout


def test_template_defaults_to_the_season_s_year_and_a_chinese_file_name(tmp_path):
    from xlsx_tool.formats.registry import default_year

    run = tool("template", "--org", "某某镇人民政府", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / f"{default_year()}年政府信息公开年报数据.xlsx").is_file()


def test_the_next_step_printed_runs_as_printed_from_the_same_folder(tmp_path):
    """``template -o 年报/x.xlsx`` and ``import … -o 年报/y.xlsx`` end with the check command to run
    next: copied as printed, in the folder where the clerk typed the first command, it finds the file
    (exit code 1 = the file was read and has errors, not 2 = F01 “文件不存在”)."""
    import re
    import shlex

    (tmp_path / "年报").mkdir()
    src = Path(__file__).parent / "fixtures" / "published" / "wenchang-2020.md"
    for argv in (("template", "--year", "2026", "-o", "年报/模板.xlsx"),
                 ("import", str(src), "-o", "年报/文昌镇.xlsx")):
        run = tool(*argv, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        line = re.search(r"运行：?\s*(xlsx-tool check .+)$", run.stdout.strip()).group(1)
        assert "年报" in line, line
        again = tool(*shlex.split(line)[1:], cwd=tmp_path)
        assert again.returncode in (0, 1) and "F01" not in again.stderr, (line, again.stderr)


def test_an_explicit_format_must_fit_the_year_and_exist(tmp_path):
    assert "2019（" in tool("template", "--year", "2020", "--format", "2019", "-o", str(tmp_path / "a.xlsx")).stdout
    run = tool("template", "--year", "2026", "--format", "2019", "-o", str(tmp_path / "b.xlsx"))
    assert run.returncode == 2 and "S07" in run.stderr and "2026 年度应使用 2021 格式" in run.stderr
    run = tool("template", "--format", "2030", "-o", str(tmp_path / "c.xlsx"))
    assert run.returncode == 2 and "F12" in run.stderr and "2019、2021" in run.stderr
    assert not any(tmp_path.glob("[bc].xlsx"))


@pytest.mark.parametrize("year", ["26", "2018", "3026"])
def test_an_impossible_year_is_refused_before_anything_is_written(tmp_path, year):
    run = tool("template", "--year", year, "-o", str(tmp_path / "t.xlsx"))
    assert run.returncode == 2 and "F13" in run.stderr and not (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize("fmt_id, count", [("2019", 166), ("2021", 200)])
def test_fields_lists_every_numeric_cell_with_its_labels(fmt_id, count):
    run = tool("fields", "--format", fmt_id, "--json")
    fields = json.loads(run.stdout)["fields"]
    cells = [f for f in fields if f["id"] in model.load(fmt_id).cells]
    assert len(cells) == len(model.load(fmt_id).cells)
    assert sum(f["input"] for f in cells) == 166
    secret = next(f for f in fields if f["id"] == "request_withheld_secret_natural")
    assert secret["labels"].endswith("（三）不予公开 › 1.属于国家秘密 › 申请人情况 › 自然人")
    assert secret["placeholder"] == "{{ v.request_withheld_secret_natural }}"


def test_render_refuses_a_workbook_with_errors_unless_allowed(tmp_path):
    src = write_template(tmp_path / "空白.xlsx", "2021", year=2025, org="某某局")
    run = tool("render", str(src))
    assert run.returncode == 1 and "未生成报告" in run.stdout and not (tmp_path / "空白.docx").exists()
    run = tool("render", str(src), "--allow-errors")
    assert run.returncode == 0 and (tmp_path / "空白.docx").is_file()
    first = Document(str(tmp_path / "空白.docx")).paragraphs[0]
    assert first.text.startswith("草稿：本报告未通过核对") and first.runs[0].bold


def test_render_writes_beside_the_input_by_default(tmp_path):
    from xlsx_tool.workbook import sample

    src = sample.write_workbook(sample.bundled("demo-county-2025.toml"), tmp_path / "年报 数据.xlsx")
    run = tool("render", str(src))
    assert run.returncode == 0, run.stderr
    doc = Document(str(tmp_path / "年报 数据.docx"))
    assert doc.paragraphs[0].text.startswith("示范县自然资源局")


def test_lint_template_passes_a_shipped_template_and_fails_a_broken_one(tmp_path):
    from xlsx_tool.report import build

    assert tool("lint-template", str(build.template_folder() / "report-2021.docx")).returncode == 0
    broken = Document()
    broken.add_paragraph("{{ v.no_such_cell }}")
    broken.save(str(tmp_path / "坏模板.docx"))
    run = tool("lint-template", str(tmp_path / "坏模板.docx"))
    assert run.returncode == 1 and "T01" in run.stdout and "v.no_such_cell" in run.stdout


def test_an_unexpected_failure_is_one_chinese_line_not_a_traceback(tmp_path):
    run = tool("check", str(tmp_path))          # a folder: handled (F02), never a traceback
    assert run.returncode == 2 and "F02" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("fmt_id", ["2019", "2021"])
def test_fields_documents_every_name_a_word_template_can_use(fmt_id):
    from xlsx_tool.report import context
    from xlsx_tool.formats.content import ReportData

    ctx = context.context(ReportData(model.load(fmt_id)))
    listed = {f["placeholder"] for f in json.loads(tool("fields", "--format", fmt_id, "--json").stdout)["fields"]}
    for name, value in ctx.items():
        keys = value.keys() if isinstance(value, dict) else [None]
        for key in keys:
            wanted = f"{{{{ {name}.{key} }}}}" if key else f"{{{{ {name} }}}}"
            if name == "narrative":
                wanted = f"{{%p for para in narrative.{key} %}}{{{{ para }}}}{{%p endfor %}}"
            if name == "explanations":      # a list: documented as its loop
                from xlsx_tool.report.fields import EXPLANATIONS_LOOP
                wanted = EXPLANATIONS_LOOP
            assert wanted in listed, wanted


def test_check_json_answers_in_json_even_when_the_file_is_unusable(tmp_path):
    run = tool("check", "--json", str(tmp_path / "没有这个文件.xlsx"))
    assert run.returncode == 2
    fatal = json.loads(run.stdout)["fatal"]
    assert fatal["code"] == "F01" and fatal["subject"].endswith("没有这个文件.xlsx")


@pytest.mark.parametrize("args, words", [
    (["check", "有", "空格.xlsx"], "请用英文引号把整个路径括起来"),
    (["check"], "缺少必须的参数：文件"),
    (["chek", "x.xlsx"], "没有“chek”这个命令"),
    (["template", "--year", "abc"], "参数 --year 应为整数"),
    # a stray word too long for a file name: explained, not an OSError traceback from Path.exists
    (["check", "x.xlsx", "x" * 300], "无法识别的参数"),
    # an unknown option pasted with a terminal escape (a window-title sequence): shown as <U+…>
    (["check", "x.xlsx", "--verbos\x1b]0;x\x07"], "--verbos<U+001B>]0;x<U+0007>"),
])
def test_a_mistyped_command_is_explained_in_chinese(args, words):
    run = tool(*args)
    assert run.returncode == 2 and words in run.stderr and "error:" not in run.stderr
    assert "Traceback" not in run.stderr and "\x1b" not in run.stderr and "\x07" not in run.stderr


def test_a_template_of_the_other_format_is_named_as_such(tmp_path):
    from xlsx_tool.workbook import sample
    from xlsx_tool.report import build

    src = sample.write_workbook(sample.bundled("demo-county-2025.toml"), tmp_path / "数据.xlsx")
    run = tool("render", str(src), "--template", str(build.template_folder() / "report-2019.docx"))
    assert run.returncode == 2 and "T01" in run.stderr
    assert "这个模板是 2019 格式的，而数据是 2021 格式" in run.stderr and "表格1 第3行第2列" in run.stderr


@pytest.mark.parametrize("item, words", [
    ("联系电话", ["缺少“=”", "联系电话=0955-7061801", "可用的项目：", "电子邮箱"]),
    ("不存在=1", ["没有“不存在”这个项目", "联系电话", "--org"]),
    ("机关名称=某县", ["没有“机关名称”这个项目", "机关名称用 --org"]),
])
def test_combine_info_names_the_item_and_the_valid_ones(tmp_path, item, words):
    run = tool("combine", str(tmp_path), "-o", str(tmp_path / "汇总.xlsx"), "--org", "某县", "--info", item)
    assert run.returncode == 2 and all(w in run.stderr for w in words), run.stderr
    assert not (tmp_path / "汇总.xlsx").exists()


def test_everything_printed_passes_through_visible(capsys):
    import sys as _sys

    from xlsx_tool.cli import VisibleStream, main

    stream = VisibleStream(_sys.stdout)
    stream.write("名\x1b[31m\a\t第二行\n")
    assert capsys.readouterr().out == "名<U+001B>[31m<U+0007>\t第二行\n"
    before = (_sys.stdout, _sys.stderr)
    assert main(["check", "/no/such/年报\x1b]0;x\x07.xlsx"]) == 2
    assert (_sys.stdout, _sys.stderr) == before                # the run's wrapping is undone
    assert "年报<U+001B>]0;x<U+0007>.xlsx" in capsys.readouterr().err


UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_no_command_prints_a_raw_control_character(tmp_path):
    org = "某镇\x1b[31m\a人民政府"
    (tmp_path / "单位").mkdir()
    filled = write_template(tmp_path / "单位" / "填\x1b[2J报.xlsx", "2021", year=2024, org=org)
    (tmp_path / "名单.txt").write_text(f"{org}\n某县\x1b]0;标题\a局\n", encoding="utf-8")
    runs = [tool("template", "--org", org, "-o", str(tmp_path / "模\x1b[1m板.xlsx")),
            tool("check", str(filled)),
            tool("render", str(filled), "-o", str(tmp_path / "报\x1b[2J告.docx"), "--allow-errors"),
            tool("review", str(tmp_path / "单位"), "--roster", str(tmp_path / "名单.txt"), "-o", str(tmp_path / "审核.xlsx")),
            tool("export", str(filled), "-o", str(tmp_path / "出\x07.json"))]
    for run in runs:
        assert run.returncode in (0, 1, 2) and not UNSAFE.search(run.stdout + run.stderr), (run.args, run.stdout,
                                                                                              run.stderr)
    assert "<U+001B>" in runs[3].stdout                            # the roster name, shown escaped
