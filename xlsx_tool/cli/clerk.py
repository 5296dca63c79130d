"""The clerk's commands: template, fields, check, render, lint-template, demo.

Each command imports only the modules it needs (start-up time dominates these runs).
Exit codes: 0 = done / no 错误; 1 = 错误 found (check, render); 2 = unusable input or output.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..findings import ERROR, dumps

SAMPLES = ("wenchang-2020.toml", "demo-county-2025.toml")


def _year_help(what: str) -> str:
    from ..formats import registry

    return (f"{what}（默认 {registry.default_year()}：每年 {registry.SEASON_STARTS} 月起默认当年，"
            "之前默认上一年）")


def _format_for(args) -> str:
    from ..formats import registry

    if args.format:
        registry.check_known(args.format, f"--format {args.format}")
    return registry.resolve(args.year, args.format) if args.command == "template" else \
        (args.format or registry.for_year(args.year))


def cmd_template(args) -> int:
    from ..formats import registry
    from ..outputs import check_target
    from ..workbook.template import refuse_to_replace_data, write_template
    from . import previous

    last, args.year = previous.read_previous(args)
    args.year = args.year or registry.default_year()
    fid = _format_for(args)
    notes = previous.template_notes(last, args, fid)
    out = Path(args.output or f"{args.year}年政府信息公开年报数据.xlsx")
    check_target(out, force=args.force, suffix=".xlsx", inputs=(getattr(args, "previous", None),))
    if args.force:
        refuse_to_replace_data(out)
    path = write_template(out, fid, year=args.year, org=args.org or "", previous=last, force=args.force)
    from ..formats.model import load

    print(f"已生成填报模板：{path}")
    print(f"年报格式：{load(fid).label}，报告年度：{args.year}")
    for line in notes:
        print(line)
    print(f"请在 Excel、WPS 或 LibreOffice 中填写浅黄色单元格，保存后运行：xlsx-tool check \"{path}\"")
    return 0


def cmd_fields(args) -> int:
    from ..report.fields import describe

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
    """Read ``args.file`` — a workbook, a published report or an exchange JSON — and check it."""
    from ..checks.check import check
    from ..sources import read_any

    return check(read_any(args.file, blank_as_zero=args.blank_as_zero))


def cmd_check(args) -> int:
    if args.parts:
        from .review import cmd_check_parts

        return cmd_check_parts(args)
    from ..checks.check import check
    from ..checks.text import text_report
    from ..sources import read_any
    from .previous import check_previous

    data = read_any(args.file, blank_as_zero=args.blank_as_zero)
    last, how, notes, notices = check_previous(args, data)
    data.findings.extend(notes)
    result = check(data, previous=last, use_kept=not args.no_previous)
    if result.previous and how:
        result.previous["how"] = how
    if args.json:
        print(dumps(dict(result.as_json(), notices=notices), indent=1))
    else:
        for line in notices:
            print(line)
        print(text_report(result, verbose=args.verbose))
    return 0 if result.ok else 1


def _targets(out: Path, args) -> None:
    """Check the report's and the PDF's paths before any work (O01–O09)."""
    from ..outputs import check_target

    inputs = (getattr(args, "file", None), getattr(args, "template", None))
    check_target(out, force=args.force, inputs=inputs, suffix=".docx")
    if args.pdf:
        check_target(out.with_suffix(".pdf"), force=args.force, inputs=inputs, suffix=".pdf")


def _render(result, out: Path, args) -> list[Path]:
    from ..report.render import render_docx

    draft = ""
    if result.errors:
        draft = f"草稿：本报告未通过核对（{len(result.errors)} 个错误，见 xlsx-tool check），不得公开。"
    _targets(out, args)
    notes: list = []
    written = [render_docx(result.data, out, template=args.template, force=args.force, draft=draft, notes=notes)]
    for note in notes:
        print(note.text())
    if args.pdf:
        from ..report.pdf import font_note, to_pdf

        written.append(to_pdf(written[0], force=args.force))
        note = font_note()
        if note:
            print(note)
    return written


def cmd_render(args) -> int:
    from ..checks.text import text_report

    src = Path(args.file)
    out = Path(args.output) if args.output else src.with_suffix(".docx")
    _targets(out, args)                  # a wrong output name is refused before reading anything
    result = _check(args)
    if not result.ok and not args.allow_errors:
        print(text_report(result, verbose=args.verbose))
        print("发现错误，未生成报告。请改正后重新运行；确需先出草稿可加 --allow-errors。")
        return 1
    if result.warnings or result.errors:
        print(f"检查：{len(result.errors)} 个错误、{len(result.warnings)} 个提示（详见 xlsx-tool check）。")
    for p in _render(result, out, args):
        print(f"已生成：{p}")
    return 0


def cmd_demo(args) -> int:
    from ..checks.check import check_file
    from ..checks.text import text_report
    from ..workbook import sample

    out_dir = Path(args.output)
    if not out_dir.exists():
        out_dir.mkdir(parents=True)
    status = 0
    for name in SAMPLES:
        stem = Path(name).stem
        xlsx = sample.write_workbook(sample.bundled(name), out_dir / f"{stem}.xlsx", force=args.force)
        result = check_file(xlsx)
        print(text_report(result, verbose=args.verbose))
        args.file = str(xlsx)
        for p in _render(result, out_dir / f"{stem}.docx", args):
            print(f"已生成：{p}")
        print(f"已生成：{xlsx}（由样例数据 {name} 填好的工作簿）\n")
        status |= 0 if result.ok else 1
    print(f"演示完成，文件在：{out_dir.resolve()}")
    return status


def cmd_lint(args) -> int:
    from ..report.lint import formats_for, lint, text_report

    fids = [args.format] if args.format else formats_for(args.template)
    findings = lint(args.template, args.format)
    if args.json:
        print(dumps({"ok": not any(f.severity == ERROR for f in findings), "template": args.template,
                     "format": fids[0] if len(fids) == 1 else None, "formats": fids,
                     "findings": [f.as_dict() for f in findings]}, indent=1))
    else:
        print(text_report(findings, args.template, fids))
    return 1 if any(f.severity == ERROR for f in findings) else 0


def register(sub) -> None:
    """Add the clerk's sub-commands to the parser's ``sub`` (argparse sub-parsers)."""
    from ..formats import registry
    from . import previous

    choices = " 或 ".join(registry.available())
    t = sub.add_parser("template", help="生成锁定的 Excel 填报模板")
    t.add_argument("--year", type=int, metavar="年份", default=None,
                   help=_year_help("报告年度") + "；有 --previous 时默认为上年报告的下一年")
    t.add_argument("--format", metavar="格式", help=f"年报格式 {choices}（默认按报告年度选择）")
    t.add_argument("--org", metavar="机关名称", help="机关名称，如“某某镇人民政府”")
    t.add_argument("-o", "--output", metavar="文件", help="输出的 .xlsx（默认“<报告年度>年政府信息公开年报数据.xlsx”，如 2026年政府信息公开年报数据.xlsx）")
    t.add_argument("--force", action="store_true", help="允许覆盖已有文件（已填有数据的工作簿不会被覆盖）")
    previous.template_options(t)
    t.set_defaults(func=cmd_template)

    f = sub.add_parser("fields", help="列出全部字段（单元格名称、位置、类型、标签）")
    f.add_argument("--year", type=int, metavar="年份", default=registry.default_year(), help=_year_help("报告年度，决定默认格式"))
    f.add_argument("--format", metavar="格式", help=f"年报格式 {choices}")
    f.add_argument("--json", action="store_true", help="以 JSON 输出")
    f.set_defaults(func=cmd_fields)

    def workbook_input(parser):        # what check and render both read
        parser.add_argument("file", metavar="文件", help="填好的 .xlsx（也可 .xls、.ods；已发布的年报 .html、.docx、.pdf、.txt；导出的 .json）")
        parser.add_argument("--blank-as-zero", action="store_true", help="把未填写的单元格当作 0")
        parser.add_argument("--verbose", action="store_true",
                            help="逐格列出每个问题（默认把大量“未填写”等按工作表汇总）")

    c = sub.add_parser("check", help="读取填好的工作簿并核对勾稽关系")
    workbook_input(c)
    c.add_argument("--json", action="store_true", help="以 JSON 输出")
    c.add_argument("--parts", nargs="+", metavar="文件夹", help="汇总工作簿：与这些文件夹中各单位的报告逐格核对")
    c.add_argument("--roster", help="与 --parts 同用：单位名单，列出未包含在汇总中的单位")
    previous.check_options(c)
    c.set_defaults(func=cmd_check)

    r = sub.add_parser("render", help="核对后生成 Word 报告")
    workbook_input(r)
    r.add_argument("-o", "--output", metavar="文件", help="输出的 .docx（默认与输入同名；加 --pdf 时 PDF 生成在它旁边）")
    r.add_argument("--template", metavar="模板", help="自定义 Word 模板（.docx 或 .dotx）")
    r.add_argument("--allow-errors", action="store_true", help="有错误时仍生成报告（草稿）")
    r.add_argument("--pdf", action="store_true", help="同时用 LibreOffice 输出 PDF")
    r.add_argument("--force", action="store_true", help="允许覆盖已有文件")
    r.set_defaults(func=cmd_render)

    lt = sub.add_parser("lint-template", help="检查自定义 Word 模板中的占位符和标签")
    lt.add_argument("template", metavar="模板", help="Word 模板（.docx 或 .dotx）")
    lt.add_argument("--format", metavar="格式", help=f"年报格式 {choices}（默认按模板中的占位符判断）")
    lt.add_argument("--json", action="store_true", help="以 JSON 输出")
    lt.set_defaults(func=cmd_lint)

    d = sub.add_parser("demo", help="用内置样例走一遍：生成模板→填写→检查→生成报告")
    d.add_argument("-o", "--output", metavar="文件夹", default="年报演示", help="输出文件夹（默认“年报演示”）")
    d.add_argument("--pdf", action="store_true", help="同时输出 PDF（需要 LibreOffice）")
    d.add_argument("--force", action="store_true", help="允许覆盖已有文件")
    d.set_defaults(func=cmd_demo, template=None, verbose=False)
