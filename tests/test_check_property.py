"""Property: over random fills — balanced, unbalanced, with blank or unusable cells — the checker's set of
failing cross-checks equals an independent oracle.

The ORACLE below is written from ``/work/shared/reference/official-formats.md`` (section
“Cross-checks (勾稽关系)”) with its own literal lists of the official row and column labels; it
uses nothing of ``model.py``'s rules.  The model is used only to find which cell id carries a
given (row labels, column label) pair — and every literal label must be found there.

* ``test_failing_rules_match_the_oracle`` — 10 000 fills checked in memory
  (``check.check(ReportData(...))``).  In memory only input cells exist and every total is by
  definition the sum of its parts (X02–X04), so what can fail is X01 (一 + 二 = （七）总计 + 四,
  per column, 总计 column included); a blank counts as 0, and a rule needing an unusable cell
  (``None``) is skipped — the tool's documented policy, written into the oracle too;
* ``test_typed_over_totals_match_the_oracle`` — fewer fills written as real workbooks in which
  some totals are typed over with a constant: a wrong constant makes its X02/X03/X04 equation
  fail (reported as S04 naming the rule), a right one does not.
"""
from __future__ import annotations

import io
import re
import zipfile
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fills import INFO, narrative
from xlsx_tool.formats import model
from xlsx_tool.checks.check import check, check_file
from xlsx_tool.formats.content import ReportData

# -- the official tables, literally ---------------------------------------------------------------
APPLICANTS = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
TOTAL = "总计"
COLUMNS = APPLICANTS + [TOTAL]
NEW = ("一、本年新收政府信息公开申请数量",)
CARRIED_IN = ("二、上年结转政府信息公开申请数量",)
RESULTS = "三、本年度办理结果"
OUTCOME_TOTAL = (RESULTS, "（七）总计")
CARRIED_OUT = ("四、结转下年度继续办理",)
WITHHELD = ["1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
            "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项"]
UNABLE = ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"]
NOT_PROCESSED = ["1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
                 "5.要求行政机关确认或重新出具已获取信息"]
OTHERWISE_2021 = ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                  "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他"]
OUTCOMES_COMMON = ([(RESULTS, "（一）予以公开"), (RESULTS, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）")]
                   + [(RESULTS, "（三）不予公开", x) for x in WITHHELD]
                   + [(RESULTS, "（四）无法提供", x) for x in UNABLE]
                   + [(RESULTS, "（五）不予处理", x) for x in NOT_PROCESSED])
OUTCOMES = {"2021": OUTCOMES_COMMON + [(RESULTS, "（六）其他处理", x) for x in OTHERWISE_2021],
            "2019": OUTCOMES_COMMON + [(RESULTS, "（六）其他处理")]}
#: 表四: three blocks of 结果维持 + 结果纠正 + 其他结果 + 尚未审结 = 总计
APPEAL_BLOCKS = [("行政复议",), ("行政诉讼", "未经复议直接起诉"), ("行政诉讼", "复议后起诉")]
APPEAL_PARTS = ["结果维持", "结果纠正", "其他结果", "尚未审结"]
T3 = "三、收到和处理政府信息公开申请情况"
#: a cell left blank (``None`` is a cell whose content is unusable: text, a wrong label …)
BLANK = "blank"
T4 = "四、政府信息公开行政复议、行政诉讼情况"


def request_rows(fid: str) -> list[tuple]:
    """Every data row of 表三 in order, as its row-label path."""
    return [NEW, CARRIED_IN] + OUTCOMES[fid] + [OUTCOME_TOTAL, CARRIED_OUT]


# -- the oracle -------------------------------------------------------------------------------------
def oracle_x01(fid: str, t3: dict) -> set:
    """``{("X01", column)}`` failing, from ``t3[(row labels, applicant column)]`` (``None`` =
    unusable, :data:`BLANK` = not filled in).  Official: for every column c, T3[一,c] + T3[二,c] =
    T3[（七）总计,c] + T3[四,c]; T3[r,总计] = the six applicant columns; T3[（七）总计,c] = the outcome
    rows （一）…（六）.  The tool's policy on top: a blank counts as 0 (and is reported itself); a
    rule needing an unusable cell is not judged (that cell has its own error)."""
    failing = set()
    needed_rows = [NEW, CARRIED_IN] + OUTCOMES[fid] + [CARRIED_OUT]
    for col in COLUMNS:
        cols = APPLICANTS if col == TOTAL else [col]
        if any(t3[(r, c)] is None for r in needed_rows for c in cols):
            continue

        def cell(row, cols=cols):
            if row == OUTCOME_TOTAL:
                return sum(cell(r) for r in OUTCOMES[fid])
            return sum(0 if t3[(row, c)] is BLANK else t3[(row, c)] for c in cols)
        if cell(NEW) + cell(CARRIED_IN) != cell(OUTCOME_TOTAL) + cell(CARRIED_OUT):
            failing.add(("X01", col))
    if len(failing) > 1:   # the 总计 column fails only with an applicant column: reported with it
        failing.discard(("X01", TOTAL))
    return failing


def oracle_typed_totals(fid: str, t3: dict, t4: dict, typed: dict) -> set:
    """``{(rule, (table, row labels, column))}`` for every total typed over with a value that breaks
    its equation: 表三 总计 column (X02, sum of the applicants), 表三 （七）总计 row (X03, sum of the
    outcome rows; the corner （七）×总计 satisfies both, named ``X02/X03``), 表四 总计 (X04)."""
    failing = set()
    for (table, row, col), value in typed.items():
        if table == "request":
            by_row = sum(t3[(row, c)] for c in APPLICANTS) if row != OUTCOME_TOTAL else \
                sum(t3[(r, c)] for r in OUTCOMES[fid] for c in APPLICANTS)
            by_col = sum(t3[(r, col)] for r in OUTCOMES[fid]) if col != TOTAL else by_row
            expected = by_row if col == TOTAL else by_col
            code = "X02/X03" if (row, col) == (OUTCOME_TOTAL, TOTAL) else ("X02" if col == TOTAL else "X03")
        else:
            expected = sum(t4[(row, p)] for p in APPEAL_PARTS)
            code = "X04"
        if value != expected:
            failing.add((code, (table, row, col)))
    return failing


# -- finding the cells of the literal labels --------------------------------------------------------
@lru_cache(maxsize=None)
def cell_ids(fid: str) -> dict:
    """(table, row labels, column label) → cell id, for every literal cell above; fails if the
    model lacks one (the model must print the official labels)."""
    fmt = model.load(fid)
    by_labels = {}
    for c in fmt.cells.values():
        if c.table == "request":
            by_labels[("request", c.rows, c.cols[-1])] = c.id
        elif c.table == "reconsideration_litigation":
            by_labels[("reconsideration_litigation", c.cols[:-1], c.cols[-1])] = c.id
    wanted = [("request", r, c) for r in request_rows(fid) for c in COLUMNS]
    wanted += [("reconsideration_litigation", b, p) for b in APPEAL_BLOCKS for p in APPEAL_PARTS + [TOTAL]]
    missing = [w for w in wanted if w not in by_labels]
    assert not missing, f"official cells not in the {fid} model: {missing[:3]}"
    return {w: by_labels[w] for w in wanted}


def is_total(key: tuple) -> bool:
    table, row, col = key
    return col == TOTAL or (table == "request" and row == OUTCOME_TOTAL)


# -- random fills ---------------------------------------------------------------------------------------
MODES = ("balanced", "balanced", "off by some", "random")


BIGS = (3, 20, 10**6)
APPEAL_CELLS = [(b, p) for b in APPEAL_BLOCKS for p in APPEAL_PARTS]


def _column_strategies(fid: str, big: int) -> dict:
    """The strategies of one column, built once (building them per example costs more than drawing)."""
    count = st.integers(0, big)
    rows = [NEW, CARRIED_IN, CARRIED_OUT] + OUTCOMES[fid]
    return {"count": count,
            "outcomes": st.dictionaries(st.sampled_from(OUTCOMES[fid]), count, max_size=5),
            "random": st.dictionaries(st.sampled_from(rows), count, min_size=1, max_size=6),
            "row": st.sampled_from(rows),
            "offset": st.sampled_from([-2, -1, 1, 2, big]),
            "t4": st.lists(count, min_size=len(APPEAL_CELLS), max_size=len(APPEAL_CELLS))}


STRATEGIES = {(fid, big): _column_strategies(fid, big) for fid in OUTCOMES for big in BIGS}
T3_KEYS = {fid: sorted((r, c) for r in [NEW, CARRIED_IN, CARRIED_OUT] + OUTCOMES[fid] for c in APPLICANTS)
           for fid in OUTCOMES}
SPOILED = {(fid, n): st.lists(st.sampled_from(T3_KEYS[fid]), unique=True, min_size=n, max_size=n)
           for fid in OUTCOMES for n in range(6)}


@st.composite
def fills(draw, unfilled: bool = True):
    """``(fid, t3, t4)``: per applicant column a balanced, nearly balanced or random fill; in some
    fills one or two cells left blank (:data:`BLANK`) or unusable (``None``).  About 70 % have an
    unbalanced column.  Every number is drawn by Hypothesis itself (no private random generator),
    so a failing fill shrinks to a small one; most outcome rows are 0 and only the others are
    drawn, which keeps 10 000 examples affordable."""
    fid = draw(st.sampled_from(["2021", "2019"]))
    big = draw(st.sampled_from(BIGS))
    strat = STRATEGIES[fid, big]
    t3 = {}
    for col in APPLICANTS:
        mode = draw(st.sampled_from(MODES))
        outcomes = dict.fromkeys(OUTCOMES[fid], 0) | draw(strat["outcomes"])
        out = draw(strat["count"])
        total = sum(outcomes.values()) + out
        carried_in = draw(st.integers(0, total))
        values = {NEW: total - carried_in, CARRIED_IN: carried_in, CARRIED_OUT: out, **outcomes}
        if mode == "off by some":
            row = draw(strat["row"])
            values[row] = max(0, values[row] + draw(strat["offset"]))
        elif mode == "random":
            values = dict.fromkeys(values, 0) | draw(strat["random"])
        t3.update({(r, col): v for r, v in values.items()})
    nones = draw(st.sampled_from([0, 0, 0, 1, 2])) if unfilled else 0
    blanks = draw(st.sampled_from([0, 0, 0, 1, 3])) if unfilled else 0
    for i, key in enumerate(draw(SPOILED[fid, nones + blanks])):
        t3[key] = None if i < nones else BLANK
    t4 = dict(zip(APPEAL_CELLS, draw(strat["t4"])))
    return fid, t3, t4


def inputs_of(fid: str, t3: dict, t4: dict) -> dict:
    ids = cell_ids(fid)
    out = {ids[("request", r, c)]: None if v is BLANK else v for (r, c), v in t3.items()}
    out.update({ids[("reconsideration_litigation", b, p)]: v for (b, p), v in t4.items()})
    return out


def checker_x01(result) -> set:
    found = set()
    for f in result.errors + result.warnings:
        if f.code.startswith("X"):
            table, _, scope = f.labels.rpartition(model.SEP)
            assert table == T3, f.labels
            found.add((f.code, scope))
    return found


@given(fills())
def test_failing_rules_match_the_oracle(fill):
    fid, t3, t4 = fill
    fmt = model.load(fid)
    other = {c.id: 0 for c in fmt.cells.values() if c.is_input and c.table == "proactive"}
    blank = {cell_ids(fid)[("request", r, c)] for (r, c), v in t3.items() if v is BLANK}
    data = ReportData(fmt, source="随机.xlsx", inputs={**other, **inputs_of(fid, t3, t4)}, blank=blank)
    assert checker_x01(check(data)) == oracle_x01(fid, t3)


# -- typed-over totals, through real workbooks ------------------------------------------------------
@lru_cache(maxsize=None)
def blank_workbook(fid: str) -> tuple[bytes, dict]:
    """A template of ``fid`` (bytes) and its sheet part names by sheet."""
    import tempfile

    from xlsx_tool.workbook.template import write_template

    with tempfile.TemporaryDirectory() as tmp:
        fmt = model.load(fid)
        prefill = dict(INFO, **{c.id: 0 for c in fmt.cells.values() if c.is_input and c.table == "proactive"})
        prefill.update(narrative())       # a complete 正文: no N07/N08 in the way
        path = write_template(Path(tmp) / "t.xlsx", fid, year={"2019": 2020, "2021": 2024}[fid], prefill=prefill)
        data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = re.findall(r'<sheet name="([^"]+)"', z.read("xl/workbook.xml").decode())
    return data, {n: f"xl/worksheets/sheet{i + 1}.xml" for i, n in enumerate(names)}


def workbook_with(fid: str, values: dict) -> bytes:
    """The template with ``values`` (cell id → number) typed in: inputs get the number, a total
    given a number loses its formula (typed over); every other total keeps its formula, no cached
    result."""
    data, parts = blank_workbook(fid)
    fmt = model.load(fid)
    by_part: dict = {}
    for cid, value in values.items():
        c = fmt.cells[cid]
        by_part.setdefault(parts[c.sheet], {})[c.a1] = value

    def rewrite(xml: str, cells: dict) -> str:
        def one(m):
            ref, attrs = m.group(1), re.sub(r'\s+t="[^"]*"', "", m.group(2))
            if ref in cells:
                return f'<c r="{ref}"{attrs}><v>{cells[ref]}</v></c>'
            if "<f>" in m.group(0):
                return re.sub(r"<v>[^<]*</v>", "", m.group(0))   # formulas: no cached result
            return m.group(0)
        return re.sub(r'<c r="([A-Z]+\d+)"([^>]*?)(?:/>|>.*?</c>)', one, xml)

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename in by_part:
                content = rewrite(content.decode(), by_part[item.filename]).encode()
            zout.writestr(item, content)
    return out.getvalue()


@st.composite
def typed_fills(draw):
    fid, t3, t4 = draw(fills(unfilled=False))
    totals = [k for k in cell_ids(fid) if is_total(k)]
    typed = {}
    for key in draw(st.lists(st.sampled_from(totals), max_size=4, unique=True)):
        typed[key] = draw(st.sampled_from([0, 0, -1, 1, 7]))     # 0: typed right; else off by that
    return fid, t3, t4, typed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fill=typed_fills())
def test_typed_over_totals_match_the_oracle(tmp_path_factory, fill):
    fid, t3, t4, how = fill
    ids = cell_ids(fid)
    right = {}
    for key in how:   # the value the equation gives, then typed right or wrong
        table, row, col = key
        if table == "reconsideration_litigation":
            right[key] = sum(t4[(row, p)] for p in APPEAL_PARTS)
        else:
            rows = OUTCOMES[fid] if row == OUTCOME_TOTAL else [row]
            cols = APPLICANTS if col == TOTAL else [col]
            right[key] = sum(t3[(r, c)] for r in rows for c in cols)
    typed = {k: max(0, right[k] + how[k]) for k in how}
    values = inputs_of(fid, t3, t4)
    values.update({ids[k]: v for k, v in typed.items()})
    path = tmp_path_factory.mktemp("typed") / "填报.xlsx"
    path.write_bytes(workbook_with(fid, values))
    result = check_file(path)

    fmt = model.load(fid)
    where = {fmt.cells[cid].a1 + "@" + fmt.cells[cid].sheet: key for key, cid in ids.items()}
    got = set()
    for f in result.errors + result.warnings:
        if f.code == "S04":
            code = f.extra["rule"]
            key = where[f.cell + "@" + f.sheet]
            got.add(("X02/X03" if (key[1], key[2]) == (OUTCOME_TOTAL, TOTAL) else code, key))
        elif f.code.startswith("X"):
            got.add((f.code, f.labels.rpartition(model.SEP)[2]))
        else:
            assert f.code in ("S05", "N01"), f.text()   # a right constant is a 提示
    expected = oracle_typed_totals(fid, t3, t4, typed) | oracle_x01(fid, t3)
    assert got == expected
