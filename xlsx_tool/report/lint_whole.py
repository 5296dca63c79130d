"""The checks of ``lint-template`` on the template as a whole rather than on single tags.

* T02 (提示) — table numbers, narrative sections, notes or choices the template never prints;
* T08 (提示) — external links (linked pictures, an attached template on a server, UNC paths,
  linked objects …) that ``render`` removes from the report (:mod:`.package`);
* T09 — tags written in comments (批注), which docxtpl never renders;
* T10 (提示) — tags inside a field instruction: the data then writes part of a field code;
* T07, and T01/T06 that only show when the template runs — a trial rendering of the bundled
  sample of the template's format (or of an empty report when there is none), in the same
  bounded sandbox and under the same CPU and memory limits as ``render``: a template that loops
  a billion times or builds a gigabyte of text is never called usable.
"""
from __future__ import annotations

from pathlib import Path

from ..findings import ERROR, Code, Finding, UserError, make

WHOLE = "全文"
EXAMPLES = 5


def package_findings(path: Path, pkg) -> list[Finding]:
    """T08 for the external links removed, T10 for tags in field instructions, T09 for tags in
    comments."""
    from .package import comment_tags

    found = []
    for link in pkg.links:
        found.append(make(Code.T08, f"生成报告时会删除：{link.describe()}。", file=str(path), labels=link.part,
                          extra={"part": link.part, "tag": link.target}))
    for part, code in pkg.tagged:
        found.append(make(Code.T10, f"域代码“{code}”中有标签；生成报告时由填报的数据替换。", file=str(path),
                          labels=part, extra={"part": part, "tag": code}))
    tags = comment_tags(pkg)
    if tags:
        shown = "、".join(tags[:5]) + ("等" if len(tags) > 5 else "")
        found.append(make(Code.T09, f"批注中有 {len(tags)} 个标签：{shown}；生成报告时会被拒绝。", file=str(path),
                          labels="批注", extra={"part": "word/comments.xml", "tag": tags[0]}))
    return found


def unused(linter, fmt, ctx: dict, used: dict, dynamic: set, part) -> None:
    """T02: one finding per kind of data the template never prints."""
    where = "全文"
    if "v" not in dynamic:
        missing = [cid for cid in ctx["v"] if cid not in used.get("v", ())]
        if missing:
            by_table = {}
            for cid in missing:
                tl = fmt.cells[cid].table if cid in fmt.cells else ""
                by_table[tl] = by_table.get(tl, 0) + 1
            sheets = {tl.id: tl.sheet for tl in fmt.tables}
            counts = "、".join(f"{sheets.get(t, t)} {n} 个" for t, n in by_table.items())
            examples = "、".join(f"v.{c}" for c in missing[:EXAMPLES]) + ("等" if len(missing) > EXAMPLES else "")
            linter.add(Code.T02, part, None, "v." + missing[0],
                       f"年报格式 {fmt.id} 的 {len(ctx['v'])} 个表格数值中有 {len(missing)} 个没有在模板中使用"
                       f"（{counts}），如 {examples}。xlsx-tool fields 列出全部占位符。", where=where)
    labels = {s["id"]: s["label"] for s in fmt.narrative}
    headings = {tl.id: tl.heading for tl in fmt.tables}
    for key, what, names in (("narrative", "正文部分", labels), ("notes", "表格下的“注”", headings),
                             ("choices", "选项（如金额单位）", {})):
        if key in dynamic:
            continue
        missing = [k for k in ctx[key] if k not in used.get(key, ())]
        if missing:
            listed = "、".join(f"{key}.{k}" + (f"（{names[k]}）" if k in names else "") for k in missing)
            linter.add(Code.T02, part, None, f"{key}.{missing[0]}",
                       f"模板中没有输出这些{what}：{listed}，填报的内容不会出现在报告中。", where=where)


def _sample_data(fid: str):
    """A filled report of format ``fid``: the bundled sample if there is one, else empty."""
    from importlib import resources

    from ..formats.content import ReportData
    from ..formats.model import load
    from ..workbook import sample

    for entry in sorted(resources.files("xlsx_tool.samples").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            try:
                data = sample.load(sample.bundled(entry.name))
            except UserError:
                continue
            if data.fmt.id == fid:
                return data
    return ReportData(load(fid))


def trial_findings(path: Path, fid: str) -> list[Finding]:
    """What a rendering of sample data through the template ends in (nothing when it works)."""
    from .engine import rendered

    try:
        rendered(_sample_data(fid), template=path)
    except UserError as err:
        if err.code not in (Code.T01.name, Code.T06.name, Code.T07.name):
            raise
        f = err.finding
        return [make(Code[f.code], f"试生成报告（{fid} 格式样例数据）时出错：{f.message or err.subject}",
                     file=str(path), labels=WHOLE, extra={"part": "", "tag": err.subject})]
    return []


def ordered(findings: list[Finding], extra: list[Finding]) -> list[Finding]:
    """``extra`` after the tag findings and before the T02 提示, which come last."""
    last = [f for f in findings if f.code == Code.T02.name]
    return [f for f in findings if f.code != Code.T02.name] + extra + last


def usable(findings: list[Finding]) -> bool:
    return not any(f.severity == ERROR for f in findings)
