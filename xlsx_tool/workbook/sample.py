"""Sample reports kept as readable text (TOML) and turned into filled workbooks by the tool itself.

A sample file (see ``samples/*.toml``) holds ``format``, ``[info]`` (基本信息 by field id),
``[choices]``, ``[narrative]`` (section id → list of paragraphs), ``[notes]`` (table id → text) and
``[tables]``: per table, one line per printed row — the row label exactly as in the official table,
then ``|``-separated numbers for every data column left to right, totals included.  Totals are
formulas in the workbook; listing them lets the loader verify the transcription.

Run ``python -m xlsx_tool.workbook.sample SAMPLE.toml -o OUT.xlsx`` to write the filled workbook.
"""
from __future__ import annotations

import argparse
import sys
import tomllib
from importlib import resources
from pathlib import Path

from ..findings import Code, UserError
from ..formats import model, registry, values
from ..formats.content import ReportData
from ..formats.values import Number


def bundled(name: str) -> Path:
    """Path of a file shipped in ``samples/`` (the package ``xlsx_tool.samples``)."""
    return Path(str(resources.files("xlsx_tool.samples").joinpath(name)))


def _number(text: str, ctype: str, where: str) -> Number:
    """One number of a sample table, judged by the same rules as a workbook cell (:mod:`values`);
    what the reader would reject (V01–V07) is an F11 here."""
    p = values.parse_number(text.strip(), ctype)
    if p.code:
        raise UserError(Code.F11, where, f"“{text.strip()}”：{p.code.title}")
    return p.value


def _table_values(fmt: model.Format, tl: model.TableLayout, text: str, src: str) -> dict[str, Number]:
    """Parse one table's text block into {cell id: value} (inputs and totals)."""
    rows: dict[str, list[model.Cell]] = {}
    for cell in sorted(tl.cells, key=lambda c: (c.row, c.col)):
        rows.setdefault(cell.row_label, []).append(cell)
    out: dict[str, Number] = {}
    seen = set()
    for line in (ln for ln in text.splitlines() if ln.strip()):
        label, *nums = [p.strip() for p in line.split("|")]
        where = f"{src}［tables.{tl.id}］“{label or '（无标签）'}”行"
        if label not in rows:
            raise UserError(Code.F11, where, f"{tl.sheet}中没有这一行")
        cells = rows[label]
        if len(nums) != len(cells):
            raise UserError(Code.F11, where, f"应有 {len(cells)} 个数字，实有 {len(nums)} 个")
        out.update((c.id, _number(n, c.type, where)) for c, n in zip(cells, nums))
        seen.add(label)
    missing = [lab or "（无标签）" for lab in rows if lab not in seen]
    if missing:
        raise UserError(Code.F11, f"{src}［tables.{tl.id}］", "缺少这些行：" + "、".join(missing))
    return out


def load(path: str | Path) -> ReportData:
    """Read a sample file into :class:`ReportData`; ``UserError`` F01/F11 on a bad file.

    Totals written in the file must equal the sum of their parts (a transcription check).
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(Code.F01, str(path))
    try:
        doc = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UserError(Code.F11, str(path), str(exc)) from None
    fid = str(doc.get("format", ""))
    if fid not in registry.available():
        raise UserError(Code.F11, str(path), f"format = “{fid}”不是已知的年报格式（{'、'.join(registry.available())}）")
    fmt = model.load(fid)
    data = ReportData(fmt, source=str(path), kind="sample", info={k: str(v) for k, v in doc.get("info", {}).items()},
                      narrative={k: list(v) for k, v in doc.get("narrative", {}).items()},
                      notes=dict(doc.get("notes", {})), choices=dict(doc.get("choices", {})))
    typed: dict[str, Number] = {}
    for tl in fmt.tables:
        typed.update(_table_values(fmt, tl, doc.get("tables", {}).get(tl.id, ""), path.name))
    data.inputs = {cid: v for cid, v in typed.items() if fmt.cells[cid].is_input}
    computed = data.values()
    for cid, v in typed.items():
        if computed[cid] != v:
            cell = fmt.cells[cid]
            raise UserError(Code.F11, f"{path.name}［tables.{cell.table}］", f"{cell.label_path}：写的是 {v}，各项之和是 {computed[cid]}")
    return data


def write_workbook(sample: str | Path, out: str | Path, *, force: bool = False) -> Path:
    """Generate the template of the sample's format and fill it with the sample's data."""
    from .prefill import prefill_of
    from .template import write_template

    data = load(sample)
    return write_template(out, data.fmt.id, year=data.year or data.fmt.first_year,
                          org=data.info.get("org_name", ""), prefill=prefill_of(data), force=force)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xlsx_tool.workbook.sample", description="由样例数据文件生成填好的工作簿")
    parser.add_argument("sample", help="样例数据文件（.toml）")
    parser.add_argument("-o", "--output", required=True, help="输出的 .xlsx")
    parser.add_argument("--force", action="store_true", help="允许覆盖已有文件")
    args = parser.parse_args(argv)
    try:
        print(f"已生成：{write_workbook(args.sample, args.output, force=args.force)}")
    except UserError as err:
        print(err.text(), file=sys.stderr)
        return err.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
