"""The review office's commands: review, combine, export; and ``check --parts`` (called by the
clerk's ``check``).

Each command imports only the modules it needs.  Exit codes: 0 = no 错误; 1 = 错误 found (a unit
with 错误, a unit refused, a cell that is not the sum of its parts); 2 = unusable input or
output, or nothing could be read; 130 = interrupted (nothing written).
"""
from __future__ import annotations

import sys
from pathlib import Path

DEFAULT_FINDINGS = "审核结果.xlsx"


class _Progress:
    """A progress bar with counts on a terminal (rich); silent when stderr is not a terminal."""

    def __init__(self, what: str):
        self.what, self.bar, self.task, self.last = what, None, None, 0.0
        self.counts = {"错误": 0, "无法读取": 0}

    def __enter__(self):
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[counts]}"), TimeRemainingColumn(),
                                console=Console(file=getattr(sys.stderr, "terminal", sys.stderr)),
                                auto_refresh=False, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.what, total=None, counts="")
        return self

    def __call__(self, done: int, total: int, report) -> None:
        if self.bar is None:
            return
        import time

        if report.status == "无法读取":
            self.counts["无法读取"] += 1
        elif report.errors:
            self.counts["错误"] += 1
        now = time.monotonic()
        if done == total or now - self.last > 0.1:
            self.last = now
            counts = f"有错误 {self.counts['错误']} · 无法读取 {self.counts['无法读取']}"
            self.bar.update(self.task, completed=done, total=total, counts=counts)
            self.bar.refresh()

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


def _dump(obj) -> str:
    """JSON text with control characters escaped (:func:`~xlsx_tool.findings.dumps`)."""
    from ..findings import dumps

    return dumps(obj, default=_jsonable)


def _dump_indented(obj) -> str:
    from ..findings import dumps

    return dumps(obj, indent=1, default=_jsonable)


def _jsonable(v):
    from decimal import Decimal

    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, (set, tuple)):
        return list(v)
    return str(v)


def write_json(result, out) -> None:
    """The review as JSON on ``out`` (a text stream), streamed: summary, units, findings, missing."""
    from ..formats import rates

    out.write("{\n" + f'"ok": {_dump(result.exit_code == 0)}, "year": {_dump(result.year)}, '
              f'"exit_code": {result.exit_code}, "counts": {_dump(result.counts())},\n"units": [')
    for i, u in enumerate(result.units):
        unit = {"unit": u.label, "name": u.name, "file": u.file, "year": u.year, "format": u.format,
                "status": u.status, "errors": u.error_count, "warnings": u.warning_count,
                "key_figures": u.figures,
                "derived_rates": {k: {"value": None if v is None else round(float(v), 6), "text": rates.percent(v)}
                                  for k, v in u.rates.items()},
                "reason": u.reason}
        if u.repeat_rates is not None:
            unit["repeat_rates"] = u.repeat_rates
        out.write(("," if i else "") + "\n " + _dump(unit))
    out.write('\n],\n"findings": [')
    for i, f in enumerate(result.findings):
        out.write(("," if i else "") + "\n " + _dump(f))
    out.write(f'\n],\n"missing": {_dump(result.missing)},\n"notes": {_dump(result.notes)}\n}}\n')


def cmd_review(args) -> int:
    from ..review import batch, findings_book
    from ..outputs import check_target

    out = args.output or (None if args.json else DEFAULT_FINDINGS)
    if out:
        check_target(out, force=args.force)
    with _Progress("审核") as progress:
        result = batch.review(args.dirs, roster=args.roster, year=args.year, previous=args.previous,
                              jobs=args.jobs, progress=progress, exclude=(out,) if out else ())
    try:
        if out:
            findings_book.write(result, out, force=args.force)
        if args.json:
            write_json(result, sys.stdout)
        else:
            print(batch.summary_text(result))
            if out:
                print(f"已生成审核结果：{out}（概览、问题清单、未提交、图表）")
        if args.json and out:
            print(f"已生成审核结果：{out}", file=sys.stderr)
    finally:
        result.close()
    return result.exit_code


def cmd_export(args) -> int:
    from ..checks.check import check
    from ..formats.exchange import encode, to_exchange
    from ..outputs import write_bytes
    from ..sources import read_any

    src = Path(args.file)
    out = Path(args.output) if args.output else src.with_suffix(".json")
    result = check(read_any(src))
    write_bytes(out, encode(to_exchange(result), out), force=args.force, inputs=(src,))
    print(f"已导出：{out}（{len(result.errors)} 个错误、{len(result.warnings)} 个提示；格式见 exchange.schema.json）")
    if result.errors:
        print("处理：错误已写入 JSON 的 findings；运行 xlsx-tool check 查看并改正后重新导出。")
    return 0 if result.ok else 1


def cmd_combine(args) -> int:
    from ..review.combine import write_combined

    with _Progress("汇总") as progress:
        info = dict(args.info or ())
        path, data = write_combined(args.dirs, args.output, org=args.org, year=args.year, info=info,
                                    allow_errors=args.allow_errors, roster=args.roster, force=args.force,
                                    jobs=args.jobs, progress=progress)
    included = [p for p in data.parts if p.included]
    refused = [f for f in data.refused if f.severity == "错误"]
    print(f"已生成汇总：{path}（{data.year} 年度，{data.fmt.label}，{len(included)} 个单位）")
    if refused:
        print(f"\n以下 {len(refused)} 个文件未汇总：")
        for f in refused:
            print(f.text())
    if data.missing:
        shown = "、".join(data.missing[:20]) + ("等" if len(data.missing) > 20 else "")
        print(f"\n单位名单中未包含在汇总中的单位（{len(data.missing)}）：{shown}")
    print(f"\n下一步：在“基本信息”表中填写联系方式，在“正文”表中撰写汇总报告正文，然后运行 "
          f"xlsx-tool check \"{path}\" --parts {' '.join(chr(34) + d + chr(34) for d in args.dirs)}")
    return 1 if refused else 0


def cmd_check_parts(args) -> int:
    """``check FILE --parts DIR…`` (registered by the clerk's ``check``)."""
    from ..checks.text import text_report
    from ..review.parts import check_parts, text_summary

    with _Progress("核对各单位") as progress:
        result = check_parts(args.file, args.parts, roster=getattr(args, "roster", None), progress=progress)
    if args.json:
        print(_dump_indented(result.as_json()))
    else:
        print(text_report(result))
        print(text_summary(args.parts))
    return 0 if result.ok else 1


def info_item(text: str) -> tuple[str, str]:
    """``联系电话=0955-7061801`` → ``("联系电话", "0955-7061801")`` for ``combine --info``; a usage
    error (exit 2) naming the item and the valid ones when there is no ``=`` or no such item of
    基本信息 (机关名称 and 报告年度 have --org and --year)."""
    import argparse

    from ..formats import model, registry

    fields = {}
    for fid in registry.available():
        for f in model.load(fid).info:
            if f["id"] not in ("org_name", "year"):
                fields.setdefault(f["label"], f["id"])
    valid = "、".join(fields)
    key, eq, value = text.partition("=")
    if not eq:
        raise argparse.ArgumentTypeError(f"“{text}”缺少“=”，应写成 项目=内容，如 --info 联系电话=0955-7061801；可用的项目：{valid}")
    key = key.strip()
    if key not in fields and key not in fields.values():
        raise argparse.ArgumentTypeError(f"没有“{key}”这个项目；可用的项目：{valid}（机关名称用 --org，报告年度用 --year）")
    return key, value.strip()


def register(sub) -> None:
    """Add review, combine and export to the parser's ``sub`` (argparse sub-parsers)."""
    r = sub.add_parser("review", help="政务公开办：批量审核一个或多个文件夹中各单位的年报，生成审核结果工作簿")
    r.add_argument("dirs", nargs="+", metavar="文件夹", help="各单位报告所在的文件夹（含子文件夹），也可直接写文件")
    r.add_argument("-o", "--output", metavar="文件", help=f"审核结果工作簿（默认“{DEFAULT_FINDINGS}”；只写 --json 时不生成）")
    r.add_argument("--roster", metavar="名单", help="单位名单（.xlsx/.csv/.txt，一列单位名称），用于列出未提交的单位")
    r.add_argument("--previous", nargs="+", metavar="上年文件夹", help="上一年度各单位报告所在的文件夹，增加跨年衔接检查")
    r.add_argument("--year", type=int, metavar="年份", help="审核年度（默认取多数文件的报告年度）")
    r.add_argument("--json", action="store_true", help="以 JSON 输出审核结果（到标准输出）")
    r.add_argument("--jobs", type=int, metavar="进程数", help="同时处理的进程数（默认等于 CPU 核数）")
    r.add_argument("--force", action="store_true", help="允许覆盖已有文件")
    r.set_defaults(func=cmd_review)

    c = sub.add_parser("combine", help="政务公开办：把各单位的报告逐格相加，生成本级汇总报告的工作簿")
    c.add_argument("dirs", nargs="+", metavar="文件夹", help="各单位报告所在的文件夹（含子文件夹）")
    c.add_argument("-o", "--output", required=True, metavar="文件", help="输出的汇总工作簿（.xlsx），如 全县汇总.xlsx")
    c.add_argument("--org", required=True, metavar="机关名称", help="汇总机关的名称，如“某某县人民政府”")
    c.add_argument("--year", type=int, metavar="年份", help="汇总年度（默认取多数文件的报告年度）")
    c.add_argument("--roster", metavar="名单", help="单位名单（.xlsx/.csv/.txt），列出未包含在汇总中的单位")
    c.add_argument("--allow-errors", action="store_true", help="有错误的单位也计入汇总")
    c.add_argument("--info", action="append", type=info_item, metavar="项目=内容",
                   help="汇总机关的基本信息，可多次使用，如 --info 联系电话=0955-7061801")
    c.add_argument("--jobs", type=int, metavar="进程数", help="同时处理的进程数（默认等于 CPU 核数）")
    c.add_argument("--force", action="store_true", help="允许覆盖已有文件")
    c.set_defaults(func=cmd_combine)

    e = sub.add_parser("export", help="把一份年报导出为交换格式 JSON（供审核平台、表格软件使用）")
    e.add_argument("file", metavar="文件", help="填好的工作簿（或已发布的年报、交换 JSON）")
    e.add_argument("-o", "--output", metavar="文件", help="输出的 .json（默认与输入同名）")
    e.add_argument("--force", action="store_true", help="允许覆盖已有文件")
    e.set_defaults(func=cmd_export)
