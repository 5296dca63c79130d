"""Printing a report's tables the way published reports print them, for the reader's tests.

Every form is laid out from the format model itself (the boxes of each official table: captions,
headers, row labels with their row/column spans, the numbers), so a test can print any set of
numbers and read it back:

* :func:`html` — a web page, tables with rowspan/colspan (optionally Word-style MSO markup);
* :func:`stream` — page text copied from such a page: cell boundaries gone, labels and digits run
  together (``一、本年新收政府信息公开申请数量5100000``);
* :func:`spaced` — text whose cells are separated by spaces (what ``pdftotext`` gives);
* :func:`tabbed` — text whose cells are separated by tabs;
* :func:`docx` — a Word document with real tables (merged cells) made with python-docx.

``values`` maps every cell id (inputs and totals) to what is printed: a number, ``""`` (blank) or
any text; :func:`printed_values` computes the totals from the inputs (a balanced table).
"""
from __future__ import annotations

import html as _html
from decimal import Decimal

from xlsx_tool.formats import model

SECTIONS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def printed_values(fmt: model.Format, inputs: dict) -> dict:
    """Inputs plus every total computed from them (what a correct report prints)."""
    out = dict(inputs)
    out.update({cid: v for cid, v in fmt.evaluate({k: v for k, v in inputs.items() if isinstance(v, (int, Decimal))}).items()
                if not fmt.cells[cid].is_input})
    return out


def text_of(v) -> str:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        t = format(v.normalize(), "f")
        return t
    return str(v)


def grid(tl: model.TableLayout, values: dict) -> list[list[tuple[str, int, int]]]:
    """The official table as rows of ``(text, rowspan, colspan)`` cells (an HTML-like grid)."""
    boxes = [b for b in tl.boxes if b.role in ("caption", "corner", "col_header", "row_header", "input", "total", "pad")]
    rows: dict[int, list] = {}
    for b in sorted(boxes, key=lambda b: (b.row, b.col)):
        text = text_of(values.get(b.field_id)) if b.field_id else b.text
        rows.setdefault(b.row, []).append((b.col, text, b.rowspan, b.colspan))
    return [[(t, rs, cs) for _, t, rs, cs in rows[r]] for r in sorted(rows)]


def _preamble(org: str, year: int) -> list[str]:
    return [f"{org}{year}年政府信息公开工作年度报告",
            f"本报告根据《中华人民共和国政府信息公开条例》编制。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
            f"本报告电子版可从某某市人民政府网站（http://www.example.gov.cn/）下载。如有疑问，请与{org}办公室联系"
            "（地址：某某市某某路1号；邮编：100000；联系电话：010-00000000，传真：010-00000001，电子邮箱：office@example.gov.cn）。"]


def _narrative(i: int) -> list[str]:
    return {0: ["（一）主动公开。全年主动公开政府信息若干条。", "（二）依申请公开。依法办理申请。"],
            4: ["存在的问题：公开质量有待提高。改进措施：加强培训。"],
            5: ["无。"]}.get(i, [])


def html(fmt: model.Format, values: dict, *, org: str = "某某县人民政府", year: int = 2024, mso: bool = False,
         charset: str = "utf-8") -> str:
    cell = ("<td rowspan={rs} colspan={cs} style='border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt'>"
            "<p class=MsoNormal align=center><span style='font-family:宋体;mso-ascii-font-family:\"Times New Roman\"'>"
            "{t}<o:p></o:p></span></p></td>") if mso else "<td rowspan={rs} colspan={cs}>{t}</td>"
    out = [f"<html><head><meta http-equiv=Content-Type content=\"text/html; charset={charset}\"><title>"
           f"{org}{year}年政府信息公开工作年度报告</title></head><body>"]
    out += [f"<p>{_html.escape(p)}</p>" for p in _preamble(org, year)]
    tables = {s.get("table"): i for i, s in enumerate(fmt.report_sections) if s.get("table")}
    for i, head in enumerate(SECTIONS):
        out.append(f"<p><b>{head}</b></p>")
        out += [f"<p>{p}</p>" for p in _narrative(i)]
        for tid, at in tables.items():
            if at == i:
                out.append("<table border=1>")
                for row in grid(fmt.table(tid), values):
                    out.append("<tr>" + "".join(cell.format(rs=rs, cs=cs, t=_html.escape(t) if t else ("&nbsp;" if mso else ""))
                                                for t, rs, cs in row) + "</tr>")
                out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)


def _lines(fmt: model.Format, values: dict, join) -> list[str]:
    """Each official table row as ``join(labels, numbers)``: first the header rows (labels only)."""
    out = []
    for tl in fmt.tables:
        by_row: dict[int, list] = {}
        for b in tl.boxes:
            if b.role in ("caption", "corner", "col_header", "row_header", "input", "total"):
                by_row.setdefault(b.row, []).append(b)
        for r in sorted(by_row):
            boxes = sorted(by_row[r], key=lambda b: b.col)
            labels = [b.text for b in boxes if not b.field_id]
            numbers = [text_of(values.get(b.field_id)) for b in boxes if b.field_id]
            out.append((tl.id, join(labels, numbers)))
    return out


def _report_text(fmt: model.Format, values: dict, join, sep: str, org: str, year: int) -> str:
    tables = {s.get("table"): i for i, s in enumerate(fmt.report_sections) if s.get("table")}
    lines = _lines(fmt, values, join)
    parts = list(_preamble(org, year))
    for i, head in enumerate(SECTIONS):
        parts.append(head)
        parts += _narrative(i)
        for tid, at in tables.items():
            if at == i:
                parts += [text for t, text in lines if t == tid]
    return sep.join(parts)


def stream(fmt: model.Format, values: dict, *, org: str = "某某县人民政府", year: int = 2024) -> str:
    """Everything on one line, cells run together (text copied from a page)."""
    return _report_text(fmt, values, lambda labels, nums: "".join(labels) + "".join(nums), "", org, year) + "\n"


def spaced(fmt: model.Format, values: dict, *, org: str = "某某县人民政府", year: int = 2024) -> str:
    return _report_text(fmt, values, lambda labels, nums: "  ".join(labels + nums), "\n", org, year) + "\n"


def tabbed(fmt: model.Format, values: dict, *, org: str = "某某县人民政府", year: int = 2024) -> str:
    return _report_text(fmt, values, lambda labels, nums: "\t".join(labels + nums), "\n", org, year) + "\n"


def docx(fmt: model.Format, values: dict, path, *, org: str = "某某县人民政府", year: int = 2024):
    """A Word report with real tables: merged cells as Word merges them (gridSpan, vMerge)."""
    import docx as _docx

    document = _docx.Document()
    for p in _preamble(org, year):
        document.add_paragraph(p)
    tables = {s.get("table"): i for i, s in enumerate(fmt.report_sections) if s.get("table")}
    for i, head in enumerate(SECTIONS):
        document.add_paragraph(head)
        for p in _narrative(i):
            document.add_paragraph(p)
        for tid, at in tables.items():
            if at != i:
                continue
            tl = fmt.table(tid)
            boxes = [b for b in tl.boxes if b.role in ("caption", "corner", "col_header", "row_header", "input", "total", "pad")]
            top = min(b.row for b in boxes)
            nrows = max(b.row + b.rowspan for b in boxes) - top
            ncols = tl.label_cols + tl.width
            table = document.add_table(rows=nrows, cols=ncols)
            table.style = "Table Grid"
            for b in boxes:
                first = table.cell(b.row - top, b.col)
                if b.merged:
                    first = first.merge(table.cell(b.row - top + b.rowspan - 1, b.col + b.colspan - 1))
                first.text = text_of(values.get(b.field_id)) if b.field_id else b.text
    document.save(str(path))
    return path
