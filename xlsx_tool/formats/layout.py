"""Laying an official table out from its data: label trees → printed boxes, cells and check cells.

A table of the data files is a list of blocks; each block has a caption (表二's
``第二十条第（一）项``), a corner label, a tree of column labels and a tree of row labels.  Leaves of
the trees are the data columns and rows; a cell's field id joins the ids along both paths
(``request_withheld_secret_total``).  Layout of a table sheet, top to bottom::

    row 0          title, e.g. 三、收到和处理政府信息公开申请情况
    row 1          hint for the clerk
    rows 2…        the official table: per block an optional caption row, the header rows, the data rows
    (blank row)
    check rows     one per cross-check rule of this table (✓ or the difference), and a check column
                   on the right for per-row rules of multi-row tables
    (blank row)
    note           注: one merged input cell printed under the table in the report
    choices        e.g. the 2019 采购总金额 unit (元/万元)

Totals are derived from the trees, never listed by hand: a ``total`` rule names its target (a row
or column key) and ``"parts": "siblings"`` — the target sums every leaf under its parent node
except itself, so a leaf added to a new revision is in its total by construction.
"""
from __future__ import annotations

from .geometry import FIRST_TABLE_ROW, SEP, Box, Cell, Rule, TableLayout


def _depth(nodes: list[dict]) -> int:
    return max((1 + _depth(n.get("children", [])) for n in nodes), default=0)


def leaves(nodes: list[dict], prefix: tuple = (), labels: tuple = (), former: tuple = ()):
    """Yield ``(key, labels, node, former key)`` for every leaf; keys join the ids of the path with
    ``_`` (nodes without an id add nothing); the former key uses each node's ``former_id`` where
    the data gives one (the ids of version 0.1 workbooks)."""
    for n in nodes:
        ids = prefix + ((n["id"],) if n.get("id") else ())
        old = n.get("former_id", n.get("id", ""))
        olds = former + ((old,) if old else ())
        labs = labels + (n["label"],)
        if n.get("children"):
            yield from leaves(n["children"], ids, labs, olds)
        else:
            yield "_".join(ids), labs, n, "_".join(olds)


def _span(node: dict) -> int:
    if node.get("children"):
        return sum(_span(c) for c in node["children"])
    return node.get("span", 1)


def _count(node: dict) -> int:
    if node.get("children"):
        return sum(_count(c) for c in node["children"])
    return 1


def _header_boxes(nodes, row, col, depth, total_depth, out, leaf_boxes, horizontal):
    """Lay a header tree out: columns left→right (``horizontal``) or rows top→bottom."""
    for n in nodes:
        size = _span(n) if horizontal else _count(n)
        kids = n.get("children")
        deep = 1 if kids else total_depth - depth
        if horizontal:
            box = Box(row + depth, col, deep, size, n["label"], "col_header")
        else:
            box = Box(row, col + depth, size, deep, n["label"], "row_header")
        out.append(box)
        if kids:
            _header_boxes(kids, row, col, depth + 1, total_depth, out, leaf_boxes, horizontal)
        else:
            leaf_boxes.append(box)
        if horizontal:
            col += size
        else:
            row += size


def field_id(prefix: str, row_key: str, col_key: str) -> str:
    """``request`` + ``new`` + ``total`` → ``request_new_total`` (empty parts left out)."""
    return "_".join(p for p in (prefix, row_key, col_key) if p)


def sibling_leaves(nodes: list[dict], key: str, prefix: tuple = ()) -> list[str] | None:
    """Keys of every leaf under the parent of the leaf ``key`` except ``key`` itself, in tree
    order; ``None`` when ``key`` is not a leaf of ``nodes``."""
    for n in nodes:
        if not n.get("children"):
            continue
        ids = prefix + ((n["id"],) if n.get("id") else ())
        mine = list(leaves(n["children"], ids))
        for child in n["children"]:
            child_ids = ids + ((child["id"],) if child.get("id") else ())
            if not child.get("children") and "_".join(child_ids) == key:
                return [k for k, _, _, _ in mine if k != key]
        found = sibling_leaves(n["children"], key, ids)
        if found is not None:
            return found
    return None


def layout_table(t: dict) -> TableLayout:
    """The boxes and cells of one table of the data (without its rules, see :func:`place_rules`)."""
    blocks = t["blocks"]
    prefix = t.get("field_prefix", t["id"])
    former_prefix = t.get("former_id", prefix)
    has_row_labels = any(r["label"] for b in blocks for r in b["rows"])
    label_cols = max(_depth(b["rows"]) for b in blocks) if has_row_labels else 0
    width = max([t.get("grid_columns", 0)] + [sum(_span(c) for c in b["columns"]) for b in blocks])
    boxes: list[Box] = []
    cells: list[Cell] = []
    r = FIRST_TABLE_ROW
    title = f"{t['number']}、{t['title']}"
    for b in blocks:
        caption: tuple[str, ...] = ()
        if b.get("caption"):
            boxes.append(Box(r, 0, 1, label_cols + width, b["caption"], "caption"))
            caption = (b["caption"],)
            r += 1
        hdepth = _depth(b["columns"])
        if label_cols:
            boxes.append(Box(r, 0, hdepth, label_cols, b.get("corner", ""), "corner"))
        col_leaves: list[Box] = []
        _header_boxes(b["columns"], r, label_cols, 0, hdepth, boxes, col_leaves, True)
        used = label_cols + sum(bx.colspan for bx in col_leaves)
        boxes.extend(Box(r, c, hdepth, 1, "", "pad") for c in range(used, label_cols + width))
        r += hdepth
        row_leaves: list[Box] = []
        if label_cols:
            _header_boxes(b["rows"], r, 0, 0, label_cols, boxes, row_leaves, False)
        first = r
        col_info = list(leaves(b["columns"]))
        for i, (row_key, row_labels, rnode, row_old) in enumerate(leaves(b["rows"])):
            for (col_key, col_labels, cnode, col_old), ch in zip(col_info, col_leaves):
                fid = field_id(prefix, row_key, col_key)
                ctype = rnode.get("type") or cnode.get("type") or t.get("type", "count")
                cells.append(Cell(fid, t["id"], t["sheet"], r, ch.col, ctype, row_key, col_key,
                                  caption + tuple(x for x in row_labels if x), col_labels, title,
                                  row_leaves[i] if label_cols else None, ch, first,
                                  unit_field=cnode.get("unit_field"),
                                  former_id=field_id(former_prefix, row_old, col_old)))
                boxes.append(Box(r, ch.col, 1, ch.colspan, "", "input", fid))
            boxes.extend(Box(r, c, 1, 1, "", "pad") for c in range(used, label_cols + width))
            r += 1
    return TableLayout(t["id"], t["number"], t["title"], t["sheet"], label_cols, width,
                       boxes, cells, end_row=r, former_id=t.get("former_id", t["id"]),
                       choices_spec=t.get("choices", []), check_caption=t.get("check_caption", ""))


def _rule_keys(spec: dict, t: dict) -> tuple[list[str], list[str]]:
    """The left and right keys of a rule; a total's parts derived from the label tree."""
    if spec["kind"] == "balance":
        return spec["left"], spec["right"]
    if spec.get("parts") != "siblings":
        raise ValueError(f"format data: total rule {spec['code']} of table {t['id']} must say "
                         '"parts": "siblings" (totals are derived from the label tree)')
    tree = "rows" if spec["each"] == "column" else "columns"
    for b in t["blocks"]:
        found = sibling_leaves(b[tree], spec["target"])
        if found:
            return [spec["target"]], found
    raise ValueError(f"format data: total rule {spec['code']} of table {t['id']}: "
                     f"{spec['target']!r} is not a leaf with siblings in the {tree}")


def place_rules(specs: list[dict], t: dict, tl: TableLayout) -> None:
    """Expand the data's rule entries for table ``t`` into one :class:`Rule` per column/row and
    place check cells, then the 注 and the choices below them.

    ``each: column`` → one check row under the table, a cell under every data column;
    ``each: row`` → a check column right of a multi-row table (表三), or for a one-row table
    (表四) a shared check row with each rule's cell under its total.
    """
    prefix = t.get("field_prefix", t["id"])
    by_id = {c.id: c for c in tl.cells}
    row_keys = list(dict.fromkeys(c.row_key for c in tl.cells))
    col_keys = list(dict.fromkeys(c.col_key for c in tl.cells))
    r = tl.end_row + 1
    right = tl.label_cols + tl.width
    shared_row = None
    for spec in (s for s in specs if s["table"] == tl.id):
        left_keys, right_keys = _rule_keys(spec, t)
        by_column = spec["each"] == "column"
        if by_column:
            tl.check_boxes.append(Box(r, 0, 1, max(tl.label_cols, 1),
                                      f"检查 {spec['code']}：{spec['title']}", "check_label"))
            keys, here = col_keys, r
            r += 1
        elif len(row_keys) > 1:
            first = tl.cells[0].block_first_row
            tl.check_boxes.append(Box(FIRST_TABLE_ROW, right, first - FIRST_TABLE_ROW, 1,
                                      f"检查 {spec['code']}：{spec['title']}", "check_label"))
            keys, here = row_keys, right
            right += 1
        else:
            if shared_row is None:
                tl.check_boxes.append(Box(r, 0, 1, tl.label_cols + tl.width,
                                          f"检查 {spec['code']}：{tl.check_caption or spec['title']}",
                                          "check_label"))
                shared_row = r + 1
                r += 2
            keys, here = row_keys, shared_row
        for key in keys:
            if by_column:
                left = tuple(field_id(prefix, x, key) for x in left_keys)
                rhs = tuple(field_id(prefix, x, key) for x in right_keys)
            else:
                left = tuple(field_id(prefix, key, x) for x in left_keys)
                rhs = tuple(field_id(prefix, key, x) for x in right_keys)
            missing = [x for x in left + rhs if x not in by_id]
            if missing:
                raise ValueError(f"format data: rule {spec['code']} of table {tl.id} names unknown cells {missing}")
            anchor = by_id[left[0]]
            if by_column:
                pos, scope = (here, anchor.col), anchor.col_label
            elif len(row_keys) > 1:
                pos, scope = (anchor.row, here), anchor.row_label
            else:
                pos, scope = (here, anchor.col), SEP.join(anchor.cols[:-1])
            tl.rules.append(Rule(spec["code"], spec["kind"], tl.id, tl.sheet, spec["title"],
                                 spec.get("source", ""), scope, left, rhs, pos))
    r += 1
    full = tl.label_cols + tl.width
    tl.note = Box(r + 1, 0, 1, full, "", "note")
    tl.note_label = Box(r, 0, 1, full, "注（选填，将原样印在本表下方，如“注：本表数据含上年度结转数量”）：",
                        "note_label")
    r += 2
    for ch in tl.choices_spec:
        label_span = max(tl.label_cols, 1)
        tl.choices.append((ch, Box(r, 0, 1, label_span, ch["label"], "choice_label"),
                           Box(r, label_span, 1, 1, "", "choice")))
        r += 1
    tl.end_row = r
