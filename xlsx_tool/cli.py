"""``xlsx-tool``: the command line, a thin layer over the pipeline modules.

formats/model → template (write the workbook) → read → check → render (Word, PDF).
Each sub-command imports only the modules it needs (start-up time dominates these runs).
Exit codes: 0 = done / no 错误; 1 = 错误 found (check, render); 2 = unusable input or output.
"""
from __future__ import annotations

import argparse
import codecs
import datetime
import json
import sys
from pathlib import Path

from .findings import UserError

SAMPLES = ("wenchang-2020.toml", "demo-county-2025.toml")


def _last_year() -> int:
    return datetime.date.today().year - 1


def _format_for(args) -> str:
    from . import formats

    if args.format and args.format not in formats.available():
        raise UserError("F12", f"--format {args.format}", "可选：" + "、".join(formats.available()))
    return formats.resolve(args.year, args.format) if args.command == "template" else \
        (args.format or formats.for_year(args.year))


def cmd_template(args) -> int:
    from .template import write_template

    fid = _format_for(args)
    out = Path(args.output or f"{args.year}年政府信息公开年报数据.xlsx")
    path = write_template(out, fid, year=args.year, org=args.org or "", force=args.force)
    from .model import load

    print(f"已生成填报模板：{path}")
    print(f"年报格式：{load(fid).label}，报告年度：{args.year}")
    print(f"请在 Excel、WPS 或 LibreOffice 中填写浅黄色单元格，保存后运行：xlsx-tool check \"{path.name}\"")
    return 0


def cmd_fields(args) -> int:
    from .fields import describe

    fid = _format_for(args)
    rows = describe(fid)
    if args.json:
        print(json.dumps({"format": fid, "fields": rows}, ensure_ascii=False, indent=1))
    else:
        print(f"年报格式 {fid} 的全部字段。每行：Word 模板中的写法 | 工作簿中的位置 | 类型 | 说明 | 示例")
        for r in rows:
            where = f"{r['sheet']}!{r['cell']}" if r["sheet"] else "（报告）"
            print(f"{r['placeholder']} | {where} | {r['type']} | {r['labels']} | {r['example']}")
    return 0


def _check(args):
    from .check import check_file

    return check_file(args.file, blank_as_zero=args.blank_as_zero)


def cmd_check(args) -> int:
    from .check import text_report

    result = _check(args)
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=1))
    else:
        print(text_report(result))
    return 0 if result.ok else 1


def _render(result, out: Path, args) -> list[Path]:
    from .render import render_docx

    draft = ""
    if result.errors:
        draft = f"草稿：本报告未通过核对（{len(result.errors)} 个错误，见 xlsx-tool check），不得公开。"
    written = [render_docx(result.data, out, template=args.template, force=args.force, draft=draft)]
    if args.pdf:
        from .pdf import missing_official_fonts, to_pdf

        written.append(to_pdf(written[0], force=args.force))
        missing = missing_official_fonts()
        if missing:
            print(f"提示：本机没有 {'、'.join(missing)} 字体，PDF 使用了替代字体，版式与正式公文不同。"
                  "正式发布请在装有这些字体的电脑上生成 PDF，或用 Word/WPS 打开 .docx 另存为 PDF。")
    return written


def cmd_render(args) -> int:
    from .check import text_report

    result = _check(args)
    if not result.ok and not args.allow_errors:
        print(text_report(result))
        print("发现错误，未生成报告。请改正后重新运行；确需先出草稿可加 --allow-errors。")
        return 1
    if result.warnings or result.errors:
        print(f"检查：{len(result.errors)} 个错误、{len(result.warnings)} 个提示（详见 xlsx-tool check）。")
    src = Path(args.file)
    out = Path(args.output) if args.output else src.with_suffix(".docx")
    for p in _render(result, out, args):
        print(f"已生成：{p}")
    return 0


def cmd_demo(args) -> int:
    from . import sample
    from .check import check_file, text_report

    out_dir = Path(args.output)
    if not out_dir.exists():
        out_dir.mkdir(parents=True)
    status = 0
    for name in SAMPLES:
        stem = Path(name).stem
        xlsx = sample.write_workbook(sample.bundled(name), out_dir / f"{stem}.xlsx", force=args.force)
        result = check_file(xlsx)
        print(text_report(result))
        args.file = str(xlsx)
        for p in _render(result, out_dir / f"{stem}.docx", args):
            print(f"已生成：{p}")
        print(f"已生成：{xlsx}（由样例数据 {name} 填好的工作簿）\n")
        status |= 0 if result.ok else 1
    print(f"演示完成，文件在：{out_dir.resolve()}")
    return status


def cmd_lint(args) -> int:
    from .lint import lint, text_report

    from .lint import detect_format

    fid = args.format or detect_format(args.template)
    findings = lint(args.template, fid)
    if args.json:
        print(json.dumps({"ok": not any(f.severity == "错误" for f in findings), "template": args.template, "format": fid,
                          "findings": [f.as_dict() for f in findings]}, ensure_ascii=False, indent=1))
    else:
        print(text_report(findings, args.template, fid))
    return 1 if any(f.severity == "错误" for f in findings) else 0


#: argparse's English error messages → Chinese (pattern, replacement).
ARGPARSE_ZH = (
    (r"unrecognized arguments: (.*)", r"无法识别的参数：\1（文件名中有空格时，请用英文引号把整个路径括起来）"),
    (r"the following arguments are required: <命令>", r"缺少命令，如 template、check、render"),
    (r"the following arguments are required: (.*)", r"缺少必须的参数：\1"),
    (r"argument <命令>: invalid choice: '([^']*)'.*", r"没有“\1”这个命令，可用的命令见 xlsx-tool -h"),
    (r"argument (\S+): invalid int value: '([^']*)'", r"参数 \1 应为整数，“\2”不是整数"),
    (r"argument (\S+): expected one argument", r"参数 \1 后面缺少取值"),
)


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class ChineseParser(argparse.ArgumentParser):
    """argparse with Chinese usage errors (exit 2) and help headings."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title, self._optionals.title = "参数", "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str):
        import re

        for pattern, zh in ARGPARSE_ZH:
            if re.fullmatch(pattern, message):
                message = re.sub(pattern, zh, message)
                break
        self.exit(2, f"[错误] 命令写法有误：{message}\n    处理：运行 {self.prog} -h 查看用法。\n")


def build_parser() -> argparse.ArgumentParser:
    p = ChineseParser(prog="xlsx-tool", description="政府信息公开工作年度报告：生成填报模板、核对勾稽关系、生成 Word 报告。")
    p.add_argument("--debug", action="store_true", help="出错时显示完整的程序调用栈（供技术人员排查）")
    sub = p.add_subparsers(dest="command", metavar="<命令>", required=True, title="命令",
                           parser_class=ChineseParser)

    t = sub.add_parser("template", help="生成锁定的 Excel 填报模板")
    t.add_argument("--year", type=int, default=_last_year(), help="报告年度（默认上一年）")
    t.add_argument("--format", help="年报格式 2019 或 2021（默认按年度：2020 年及以前用 2019）")
    t.add_argument("--org", help="机关名称，如“某某镇人民政府”")
    t.add_argument("-o", "--output", help="输出的 .xlsx（默认“年度年政府信息公开年报数据.xlsx”）")
    t.add_argument("--force", action="store_true", help="允许覆盖已有文件")
    t.set_defaults(func=cmd_template)

    f = sub.add_parser("fields", help="列出全部字段（单元格名称、位置、类型、标签）")
    f.add_argument("--year", type=int, default=_last_year(), help="报告年度（决定默认格式）")
    f.add_argument("--format", help="年报格式 2019 或 2021")
    f.add_argument("--json", action="store_true", help="以 JSON 输出")
    f.set_defaults(func=cmd_fields)

    def workbook_input(parser):        # what check and render both read
        parser.add_argument("file", metavar="文件", help="填好的 .xlsx（也可 .xls、.ods）")
        parser.add_argument("--blank-as-zero", action="store_true", help="把未填写的单元格当作 0")

    c = sub.add_parser("check", help="读取填好的工作簿并核对勾稽关系")
    workbook_input(c)
    c.add_argument("--json", action="store_true", help="以 JSON 输出")
    c.set_defaults(func=cmd_check)

    r = sub.add_parser("render", help="核对后生成 Word 报告")
    workbook_input(r)
    r.add_argument("-o", "--output", help="输出的 .docx（默认与输入同名）")
    r.add_argument("--template", help="自定义 Word 模板（.docx）")
    r.add_argument("--allow-errors", action="store_true", help="有错误时仍生成报告（草稿）")
    r.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 输出 PDF")
    r.add_argument("--force", action="store_true", help="允许覆盖已有文件")
    r.set_defaults(func=cmd_render)

    lt = sub.add_parser("lint-template", help="检查自定义 Word 模板中的占位符和标签")
    lt.add_argument("template", metavar="模板", help="Word 模板（.docx）")
    lt.add_argument("--format", help="年报格式 2019 或 2021（默认按模板中的占位符判断）")
    lt.add_argument("--json", action="store_true", help="以 JSON 输出")
    lt.set_defaults(func=cmd_lint)

    d = sub.add_parser("demo", help="用内置样例走一遍：生成模板→填写→检查→生成报告")
    d.add_argument("-o", "--output", default="年报演示", help="输出文件夹（默认“年报演示”）")
    d.add_argument("--pdf", action="store_true", help="同时输出 PDF（需要 LibreOffice）")
    d.add_argument("--force", action="store_true", help="允许覆盖已有文件")
    d.set_defaults(func=cmd_demo, template=None)
    return p


#: What a console that cannot show a character (GBK, ASCII) prints instead: a look-alike it can
#: show, else "?" — labels read "表三 > 一、本年新收…" rather than "表三 ? 一、本年新收…".
LOOKALIKES = {"›": ">", "✓": "√", "✗": "×", "−": "-", "\u3000": " "}


def _console_fallback(err: UnicodeError):
    out = []
    for ch in err.object[err.start:err.end]:
        alt = LOOKALIKES.get(ch, "?")
        try:
            alt.encode(err.encoding)
        except (UnicodeError, LookupError):
            alt = "?"
        out.append(alt)
    return "".join(out), err.end


codecs.register_error("xlsx_tool_console", _console_fallback)


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="xlsx_tool_console")
        except (AttributeError, ValueError):
            pass
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except UserError as err:
        print(err.text(), file=sys.stderr)
        if getattr(args, "json", False):   # a program reading --json gets JSON here too
            print(json.dumps({"ok": False, "fatal": {"subject": err.subject, **err.finding.as_dict()}},
                             ensure_ascii=False, indent=1))
        return err.exit_code
    except BrokenPipeError:  # output piped into head/more that closed early
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("已中断，未写入任何不完整的文件。", file=sys.stderr)
        return 130
    except Exception as exc:  # the last guard: never a traceback for a clerk
        if args.debug:
            raise
        print(f"[错误] 程序内部出错：{type(exc).__name__}: {exc}\n    处理：请加 --debug 重新运行，把输出发给技术人员。", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
