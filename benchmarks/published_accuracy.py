"""How many printed numbers of real published reports are read right, reported uncertain, or wrong.

    python benchmarks/published_accuracy.py DIR

``DIR`` holds the real reports collected for development (the files named below).  The expected
numbers come from simple rules of each form that use no label matching — the digits after each
official label, one per cell (page text of the pingtan pages); the numbers at the end of each line in
order (text laid out from the suqian PDF); the ``<td>`` numbers in order (the HTML page) — so they
do not share the reader's mistakes.  A measurement, not a test: the reports are not in the repo.
"""
from __future__ import annotations

import re
import sys
from decimal import Decimal
from pathlib import Path

from xlsx_tool.formats import model
from xlsx_tool.published import read_report


def leaves(fmt, tid):
    rows = {}
    for c in fmt.table(tid).cells:
        rows.setdefault(c.row, []).append(c)
    return [sorted(rows[r], key=lambda c: c.col) for r in sorted(rows)]

def pingtan(path: Path, fid: str) -> dict:
    """Each official row label as printed, then its digits: one digit per cell."""
    fmt = model.load(fid)
    text = path.read_text().split('==================== 正文 ====================')[1]
    truth = {}
    # table regions
    t2 = text[text.index('二、主动公开政府信息情况'):text.index('三、收到和处理政府信息公开申请情况')]
    t3 = text[text.index('三、收到和处理政府信息公开申请情况'):text.index('四、政府信息公开行政复议')]
    t4 = text[text.index('四、政府信息公开行政复议'):text.index('五、')]
    for tid, region in (('proactive', t2), ('request', t3)):
        for cells in leaves(fmt, tid):
            label = cells[0].row_label.replace('行政规范性文件', '规范性文件')
            i = region.find(label)
            if i < 0:
                continue
            m = re.match(r'[\d ]+(?:元)?', region[i + len(label):])
            digits = re.sub(r'\D', '', m.group(0)) if m else ''
            if label[0].isdigit():   # the next row's item number is glued on
                pass
            if len(digits) == len(cells) + 1 and region[i + len(label) + len(m.group(0)):][:1] == '.':
                digits = digits[:-1]
            if len(digits) != len(cells):
                # the next item number glued: drop the last digit when followed by '.'
                rest = region[i + len(label):]
                mm = re.match(r'(\d+)\.', rest)
                if mm and len(mm.group(1)) == len(cells) + 1:
                    digits = mm.group(1)[:-1]
            if len(digits) == len(cells):
                for c, d in zip(cells, digits):
                    truth[c.id] = int(d)
            else:
                for c in cells:
                    truth[c.id] = None   # unknown (amount)
    d4 = re.sub(r'\D', '', re.search(r'总计(\d{15})', t4).group(1))
    for c, d in zip(leaves(fmt, 'reconsideration_litigation')[0], d4):
        truth[c.id] = int(d)
    return truth

def suqian(path):
    fmt = model.load('2021')
    lines = path.read_text().splitlines()
    nums = []
    for ln in lines:
        m = re.search(r'((?:\s+\d+){7})\s*$', ln)
        if m and '（本列' not in ln:
            nums.append([int(x) for x in m.group(1).split()])
    truth = {}
    rows = leaves(fmt, 'request')
    assert len(nums) == len(rows), (path, len(nums))
    for cells, vals in zip(rows, nums):
        for c, v in zip(cells, vals):
            truth[c.id] = v
    t2 = {}
    for ln in lines:
        for lab in ('规章', '行政规范性文件', '行政许可', '行政处罚', '行政强制', '行政事业性收费'):
            if ln.strip().startswith(lab) and re.search(r'\d', ln):
                t2[lab] = re.findall(r'[\d.]+', ln)
    for cells in leaves(fmt, 'proactive'):
        vals = t2[cells[0].row_label]
        for c, v in zip(cells, vals):
            truth[c.id] = float(v) if '.' in v else int(v)
    b = [ln for ln in lines if re.match(r'^\s*\d+( \d+){4} \| ', ln)][0]
    for c, v in zip(leaves(fmt, 'reconsideration_litigation')[0], re.findall(r'\d+', b)):
        truth[c.id] = int(v)
    return truth

def hangzhou(path):
    fmt = model.load('2021')
    html = path.read_text()
    truth = {}
    for tid, start in (('proactive', '二、主动公开'), ('request', '三、收到和处理'), ('reconsideration_litigation', '四、政府信息公开行政复议')):
        seg = html[html.index(start):]
        seg = seg[:seg.index('</table>')]
        rows = [re.findall(r'<td[^>]*>(\d+)</td>', tr) for tr in seg.split('<tr>')]
        rows = [r for r in rows if r]
        for cells, vals in zip(leaves(fmt, tid), rows):
            for c, v in zip(cells, vals):
                truth[c.id] = int(v)
    return truth



REPORTS = (("03_pingtan_haitan_pq_2019.txt", "2019"), ("04_pingtan_haitan_pq_2021.txt", "2019"),
           ("05_pingtan_haitan_pq_2022.txt", "2019"), ("06_pingtan_haitan_pq_2023.txt", "2021"),
           ("07_pingtan_haitan_pq_2024.txt", "2021"), ("08_pingtan_haitan_pq_2025.txt", "2021"),
           ("01_suqian_shi_2023.txt", None), ("02_suqian_shi_2024.txt", None),
           ("25_hangzhou_style_city_2025_tables_only.html", None))


def main() -> None:
    folder = Path(sys.argv[1])
    total = {"right": 0, "uncertain": 0, "wrong": 0, "unknown": 0}
    for name, fid in REPORTS:
        path = folder / name
        truth = pingtan(path, fid) if fid else (hangzhou(path) if name.endswith(".html") else suqian(path))
        data = read_report(path)
        count = {"right": 0, "uncertain": 0, "wrong": 0, "unknown": 0}
        for cid, v in truth.items():
            cell = data.fmt.cells.get(cid)
            got = None if cell is None else (data.inputs.get(cid) if cell.is_input else data.printed.get(cid))
            if v is None:
                count["unknown" if got is None or cid in data.uncertain else "wrong"] += 1
            elif cid in data.uncertain or got is None:
                count["uncertain"] += 1
            elif Decimal(str(got)) == Decimal(str(v)):
                count["right"] += 1
            else:
                count["wrong"] += 1
                print(f"  WRONG {name} {cid}: read {got}, printed {v}")
        for k in total:
            total[k] += count[k]
        print(f"{name:48} {data.fmt.id}  " + "  ".join(f"{k} {v}" for k, v in count.items()))
    print(f"{'total':48}       " + "  ".join(f"{k} {v}" for k, v in total.items()))


if __name__ == "__main__":
    main()
