"""Commands for published reports: ``import`` (a report → a filled workbook) and ``audit``.

``xlsx-tool import REPORT [-o 工作簿.xlsx]`` reads a published report (web page, Word, PDF, text;
also a workbook or exchange JSON, through :func:`xlsx_tool.sources.read_any`) and writes a filled
workbook of our own template; exit 0 when written and reading found no 错误, 1 when written but
reading found 错误 (listed; the workbook holds what was read, so ``check`` shows them again), 2 when
the report or the output cannot be used.  ``xlsx-tool audit REPORT… [--json]`` imports and checks without writing anything: one
verdict line per report, then the findings; exit 0 = no 错误 in any, 1 = 错误 found, 2 = a file
could not be read.
"""
from __future__ import annotations

from pathlib import Path


def cmd_import(args) -> int:
    from ..audit import finding_text
    from ..findings import ERROR
    from ..published.export import write_workbook
    from ..sources import read_any

    src = Path(args.report)
    out = Path(args.output) if args.output else src.with_suffix(".xlsx")
    from .. import outputs

    outputs.check_target(out, force=args.force, inputs=(src,))
    data = read_any(src)
    path = write_workbook(data, out, year=args.year, org=args.org, force=args.force, inputs=(src,))
    errors = [f for f in data.findings if f.severity == ERROR]
    notes = [f for f in data.findings if f.severity != ERROR]
    uncertain = getattr(data, "uncertain", {})
    print(f"已导入：{src} → {path}")
    print(f"年报格式：{data.fmt.label}；机关：{data.info.get('org_name') or '（未读出）'}；"
          f"报告年度：{args.year or data.year or '（未读出）'}")
    if uncertain:
        print(f"有 {len(uncertain)} 个单元格的数字无法确定，已在工作簿中写入原文（以“?”开头），请对照原文改为数字。")
    if errors or notes:
        print(f"读取时发现 {len(errors)} 个错误、{len(notes)} 个提示：")
        for f in errors + notes:
            print(finding_text(f))
    print(f"下一步：在 Excel/WPS 中核对后运行 xlsx-tool check \"{path}\"")
    return 1 if errors else 0


def cmd_audit(args) -> int:
    from ..audit import audit, text_report
    from ..findings import dumps

    results = audit(args.reports)
    if args.json:
        print(dumps({"ok": all(r.exit_code == 0 for r in results),
                     "reports": [r.as_json() for r in results]}, indent=1, default=str))
    else:
        print(text_report(results))
    return max((r.exit_code for r in results), default=0)


def register(sub) -> None:
    p = sub.add_parser("import", help="读取已发布的年报（网页、Word、PDF、文本），生成填好的工作簿",
                       description="读取已发布的年报（.html/.htm、.docx、.pdf、.txt、.doc/.wps），生成本工具的填报工作簿，"
                                   "可接着运行 check、render 或 template --previous。")
    p.add_argument("report", metavar="年报", help="已发布的年报文件")
    p.add_argument("-o", "--output", metavar="文件", help="输出的工作簿（.xlsx）；默认与年报同名、放在同一文件夹")
    p.add_argument("--year", type=int, metavar="年份", help="报告年度（报告中读不出年度时使用）")
    p.add_argument("--org", metavar="机关名称", help="机关名称（报告中读不出或需要更正时使用）")
    p.add_argument("--force", action="store_true", help="允许覆盖已有的输出文件")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("audit", help="审读已发布的年报：读取并核对，逐份给出结论和问题，不写文件",
                       description="读取并核对一份或多份已发布的年报：每份一行结论，然后列出问题（按表格 › 行 › 列或正文段落定位）。")
    p.add_argument("reports", nargs="+", metavar="年报", help="已发布的年报文件（可多个）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出，供其他程序使用")
    p.set_defaults(func=cmd_audit)
