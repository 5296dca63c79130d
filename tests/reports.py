"""Small in-memory reports for the year-to-year tests: one agency, two consecutive years.

``report("2021", 2025, request_carried_out_natural=2, narrative={...})`` → a ``ReportData`` with the
shared balanced numbers (``fills.balanced``), the shared narrative (``fills.NARRATIVE``) and
``fills.INFO``, changed by the keyword arguments (cell ids → values; ``org``; ``narrative``/
``notes`` replace whole sections); ``source`` names its file in messages.

``successor(last, **cells)`` → next year's report continuing ``last`` as an agency would: every
number changed (4 → 5, 表三 doubled and balanced), text rewritten (``NEXT_NARRATIVE``), and every
continuity link of the format data holding (上年结转 = last year's 结转下年度, 现行有效 = last year's
+ 制发 − 废止 …); then the keyword arguments, 表三's 结转下年度 kept balanced unless given.
"""
from __future__ import annotations

import fills
from xlsx_tool.formats import carry, model, registry
from xlsx_tool.formats.content import ReportData

ORG = fills.INFO["org_name"]


def report(fid: str, year: int, *, org: str = ORG, narrative: dict | None = None, notes: dict | None = None,
           source: str = "", **cells) -> ReportData:
    fmt = model.load(fid)
    inputs = {k: v for k, v in fills.balanced(fid).items() if k in fmt.cells}
    unknown = set(cells) - set(fmt.cells)
    assert not unknown, f"not cells of {fid}: {unknown}"
    inputs.update(cells)
    text = {sid: list(p) for sid, p in fills.NARRATIVE.items()}
    text.update(narrative or {})
    info = dict(fills.INFO, org_name=org, year=str(year))
    return ReportData(fmt, source=source or f"{year}年报数据.xlsx", info=info, narrative=text,
                      notes=dict(notes or {}), inputs=inputs, kind="xlsx")


NEXT_NARRATIVE = {
    "overview": ["今年围绕重点领域深化公开，信息发布的时效明显提升。"],
    "overview_proactive": ["新开设不动产登记专题栏目，集中发布规划许可批前公示。"],
    "overview_request": ["申请办理实行台账管理，每件申请指定专人跟踪到底。"],
    "overview_management": ["对历年文件开展全面清理，分批标注有效性状态。"],
    "overview_platform": ["网站完成适老化改造，新增智能检索和无障碍阅读功能。"],
    "overview_oversight": ["聘请第三方开展评估，评估意见逐条建立整改清单。"],
    "problems": ["基层业务人员流动较大；拟采取以老带新办法稳定队伍。"],
    "other_matters": ["本机关今年同样没有收取信息处理费，其他事项均已报告。"],
}


def successor(last: ReportData, *, year: int | None = None, narrative: dict | None = None, **cells) -> ReportData:
    fid = last.fmt.id if year is None else registry.for_year(year)
    year = (last.year or 0) + 1 if year is None else year
    fmt = model.load(fid)
    inputs = {}
    for cid, v in fills.balanced(fid).items():
        if cid not in fmt.cells:
            continue
        c = fmt.cells[cid]
        inputs[cid] = (v * 2 + (c.row_key == "new") if c.table == "request"
                       else v + 1 if c.type in ("count", "signed_count") else v + 1 if c.type == "money" else v)
    data = report(fid, year, narrative=dict(NEXT_NARRATIVE, **(narrative or {})), source=f"{year}年报数据.xlsx")
    data.inputs = inputs
    for link in carry.links(fid, last.fmt.id):
        inputs[link.cell] = link.expected(inputs, last.inputs)
    unknown = set(cells) - set(fmt.cells)
    assert not unknown, f"not cells of {fid}: {unknown}"
    inputs.update(cells)
    for cid, c in fmt.cells.items():   # 表三 stays balanced: 结转下年度 = 新收 + 上年结转 − 办结
        if c.table == "request" and c.row_key == "carried_out" and c.is_input and cid not in cells:
            col = c.col_key
            inputs[cid] = (inputs[f"request_new_{col}"] + inputs[f"request_carried_in_{col}"]
                           - inputs[f"request_disclosed_{col}"] - inputs[f"request_partial_{col}"])
    return data


def codes(findings) -> list[str]:
    return [f.code for f in findings]
