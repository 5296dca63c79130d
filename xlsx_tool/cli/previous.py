"""Year to year on the command line: ``template --previous`` and ``check --previous``.

The options are added to the clerk's commands (:mod:`.clerk`) by :func:`template_options` and
:func:`check_options`; the work is done by the package (:mod:`xlsx_tool.checks.previous`,
:mod:`xlsx_tool.workbook.previous`).
"""
from __future__ import annotations

SOURCES = "上年的年报工作簿（.xlsx/.xls/.ods）或已发布的年报"


def template_options(parser) -> None:
    parser.add_argument("--previous", metavar="上年报告",
                        help=f"{SOURCES}：预填基本信息、正文和上年结转等衔接数字，报告年度默认为其下一年")
    parser.add_argument("--force-previous", action="store_true",
                        help="上年报告不是上一年度、机关名称不同或有错误时仍然使用（列为提示）")


def check_options(parser) -> None:
    parser.add_argument("--previous", metavar="上年报告",
                        help=f"{SOURCES}，检查与上年的衔接和正文重复率（不写时自动查找同一文件夹中按本工具命名的上年文件）")
    parser.add_argument("--force-previous", action="store_true",
                        help="上年报告不是上一年度、机关名称不同或有错误时仍然比较（列为提示）")
    parser.add_argument("--no-previous", action="store_true",
                        help="不与上年报告比较（不在同一文件夹中查找，也不用模板中保存的上年数据）")


def read_previous(args):
    """Last year's report of ``template --previous`` (or ``None``), and the report year: ``--year``,
    else last year's + 1."""
    if not getattr(args, "previous", None):
        return None, args.year
    from ..findings import Code, UserError
    from ..sources import read_any

    last = read_any(args.previous)
    year = args.year
    if year is None:
        if last.year is None:
            raise UserError(Code.I07, args.previous, "这份报告没有写明报告年度；请用 --year 写明本报告的年度")
        year = last.year + 1
    return last, year


def template_notes(last, args, fid: str) -> list[str]:
    """Judge last year's report (``UserError`` unless ``--force-previous``); the lines to print."""
    if last is None:
        return []
    from ..checks.previous import judge_previous
    from ..formats import carry

    notes = judge_previous(last, year=args.year, org=args.org or "", force=args.force_previous)
    carried = [link for link in carry.links(fid, last.fmt.id) if link.kind == "carry"]
    tables = "、".join(dict.fromkeys(f"{last.fmt.cells[link.last_terms[0].cell].sheet}" for link in carried))
    lines = [f"已依据上年报告 {last.source}（{last.year} 年度，{last.fmt.id} 格式）预填：基本信息、正文"
             + (f"，以及{tables}中可以衔接的 {len(carried)} 个数字（如上年结转）" if carried else "")
             + "。正文中的上年原文已用批注和底色标出，请按本年度情况改写。"]
    if last.fmt.id != fid:
        lines.append(f"上年报告为 {last.fmt.id} 格式、本年为 {fid} 格式：只预填两种格式相同的表格单元格。")
    lines += [f.text() for f in notes]
    return lines


def check_previous(args, data):
    """``(last, how, notes, notices)`` for ``check`` (see :func:`xlsx_tool.checks.previous.resolve`)."""
    from ..checks.previous import resolve

    return resolve(args.file, data, given=args.previous, force=args.force_previous, auto=not args.no_previous)
