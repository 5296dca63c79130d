"""The exchange JSON: one report as data that review platforms and spreadsheets can take without
parsing Word, and that reads back into exactly the same report.

``xlsx-tool export FILE -o 报告.json`` writes :func:`to_exchange`; :func:`read_exchange` reads it
back into :class:`~xlsx_tool.formats.content.ReportData` (``xlsx_tool.sources.read_any``
dispatches ``.json`` here, so every command that reads a report reads this too).  The layout is
the versioned JSON Schema ``exchange.schema.json`` beside this module (:data:`SCHEMA_FILE`,
``exchange_version`` 1): format, year, agency, 基本信息, every table cell by field id with its
label path (totals included, marked ``"input": false`` and recomputed, never trusted on reading),
正文 by section, the 注 under each table, findings and derived rates.

A file read here is untrusted: at most :data:`MAX_BYTES`, strict JSON (no NaN), validated
against the schema before anything else, then every value judged like a workbook cell (V01–V07,
V11, I01/I02, S07 as the workbook reader says them).  Raises :class:`~xlsx_tool.findings.UserError`
F01/F02 (path), F06 (too large), R08 (not JSON, not this schema, unknown version or format).
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .. import __version__
from ..findings import ERROR, Code, UserError, make
from ..inputs import read_input
from . import model, rates, registry, values
from .content import ReportData

SCHEMA_FILE = "exchange.schema.json"
VERSION = 1
#: Largest exchange file read (a full report with findings is about 100 KB).
MAX_BYTES = 8 * 2**20


@lru_cache(maxsize=1)
def schema() -> dict:
    """The JSON Schema of the exchange format (draft 2020-12)."""
    return json.loads(resources.files(__package__).joinpath(SCHEMA_FILE).read_text("utf-8"))


# -- writing --------------------------------------------------------------------------------------
def _number(v):
    """A cell value as a JSON number: ``int`` as is, ``Decimal`` as an int when whole, else a float
    (at most 15 significant digits here, so the float's shortest text is the decimal itself)."""
    if v is None or isinstance(v, int):
        return v
    v = values.plain(v)
    return v if isinstance(v, int) else float(v)


def to_exchange(result_or_data) -> dict:
    """The exchange document of a ``CheckResult`` (``xlsx_tool.checks.check.check``: every
    finding) or of a ``ReportData`` (then only what reading found: pass the check result for the
    cross-checks).  Shape: see :data:`SCHEMA_FILE`; JSON-ready (``json.dumps`` needs no encoder)."""
    if isinstance(result_or_data, ReportData):
        data = result_or_data
        errors = [f for f in data.findings if f.severity == ERROR]
        warnings = [f for f in data.findings if f.severity != ERROR]
        explained = []
    else:
        data = result_or_data.data
        errors, warnings = list(result_or_data.errors), list(result_or_data.warnings)
        explained = list(getattr(result_or_data, "explained", None) or [])
    fmt = data.fmt
    computed = data.values()
    cells = {}
    for tl in fmt.tables:
        for c in sorted(tl.cells, key=lambda c: (c.row, c.col)):
            if c.is_input:
                v = data.inputs.get(c.id)
                status = "ok" if v is not None else ("blank" if c.id in data.blank else "invalid")
            else:
                v, status = computed[c.id], "total"
            cells[c.id] = {"value": _number(v), "status": status, "input": c.is_input, "type": c.type,
                           "table": tl.id, "label_path": c.label_path, "sheet": c.sheet,
                           "cell": data.address(c.id)}
    found = errors + warnings + explained
    return {
        "exchange_version": VERSION,
        "generator": f"xlsx_tool {__version__}",
        "format": {"id": fmt.id, "name": fmt.name, "document": fmt.document, "layout_hash": fmt.layout_hash},
        "year": data.year,
        "agency": str(data.info.get("org_name", "") or ""),
        "source": {"file": data.source, "kind": data.kind},
        "basic_info": [{"id": f["id"], "label": f["label"], "value": str(data.info.get(f["id"], "") or "")}
                       for f in fmt.info],
        "tables": [{"id": tl.id, "sheet": tl.sheet, "title": tl.heading, "note": data.notes.get(tl.id, "") or ""}
                   for tl in fmt.tables],
        "cells": cells,
        "choices": {k: v for k, v in data.choices.items() if v},
        "narrative": {s["id"]: {"label": s["label"], "paragraphs": list(data.narrative.get(s["id"], []))}
                      for s in fmt.narrative},
        "summary": {"ok": not errors, "errors": len(errors), "warnings": len(warnings)},
        "findings": [_finding_json(f) for f in found],
        "derived_rates": rates.as_json(fmt, computed),
    }


def _finding_json(f) -> dict:
    d = f.as_dict()
    for k in ("left_value", "right_value", "difference"):
        if k in d and isinstance(d[k], str):
            try:
                d[k] = _number(Decimal(d[k]))
            except ArithmeticError:
                pass
    return d


def dumps(doc: dict) -> str:
    """The exchange document as UTF-8 JSON text (Chinese kept readable, one key per line)."""
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def encode(doc: dict, out) -> bytes:
    """The bytes of :func:`dumps` to be written to ``out``: never more than :data:`MAX_BYTES`,
    what :func:`read_exchange` (and so ``review``, ``check``, ``render``) reads — O10 beyond,
    naming how much text the report holds."""
    data = dumps(doc).encode("utf-8")
    if len(data) > MAX_BYTES:
        text = sum(len(p) for s in doc["narrative"].values() for p in s["paragraphs"])
        text += sum(len(t["note"]) for t in doc["tables"])
        raise UserError(Code.O10, str(out), f"导出的 JSON 有 {len(data) / 2**20:.1f} MB，超过 {MAX_BYTES // 2**20} MB；"
                        f"报告的正文和注共有 {text} 个字（一份年报通常只有几万字）")
    return data


# -- reading --------------------------------------------------------------------------------------
def _refuse(subject: str, detail: str):
    return UserError(Code.R08, subject, detail)


def _reject_constant(name: str):
    raise ValueError(f"不允许的数值 {name}")


#: Digits of an integer literal read as an ``int``; a longer one is read as a ``Decimal`` (Python
#: refuses to convert more than 4300 digits, in English) and judged as too large a number (V07).
_INT_DIGITS = 40
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Duplicate(ValueError):
    pass


def _parse_int(text: str):
    return int(text) if len(text) <= _INT_DIGITS else Decimal(text)


def _pairs(pairs: list) -> dict:
    """An object of the document; a key written twice is refused (which of the two a reader takes
    differs between readers: never a silently different number)."""
    out = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(f"键“{_SURROGATE.sub('?', key)[:40]}”出现了两次，无法确定应采用哪一个")
        out[key] = value
    return out


def _lone_surrogate(node, where: str = "", depth: int = 0) -> str | None:
    """Where the document holds a string with a lone UTF-16 surrogate (``\\ud800``: JSON allows
    the escape, but no file can be written with it), or ``None``."""
    if isinstance(node, str):
        return (where or "（最外层）") if _SURROGATE.search(node) else None
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        here = f"{where}.{key}" if where else str(key)
        if isinstance(key, str) and _SURROGATE.search(key):
            return here
        found = _lone_surrogate(value, here, depth + 1)
        if found:
            return found
    return None


def _load(path: Path) -> dict:
    subject = str(path)
    data = read_input(path, MAX_BYTES, too_big=Code.F06, unreadable=Code.F03, hint="一份年报的交换文件通常不到 1 MB",
                      allow_empty=True)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(subject, "不是 UTF-8 编码的文本") from None
    try:
        doc = json.loads(text, parse_float=Decimal, parse_int=_parse_int, parse_constant=_reject_constant,
                         object_pairs_hook=_pairs)
    except RecursionError:
        raise _refuse(subject, "嵌套层数过多") from None
    except _Duplicate as exc:
        raise _refuse(subject, str(exc)) from None
    except ValueError as exc:
        raise _refuse(subject, f"不是有效的 JSON：{str(exc)[:200]}") from None
    if not isinstance(doc, dict):
        raise _refuse(subject, "最外层应为对象 {…}")
    bad = _lone_surrogate(doc)
    if bad:
        raise _refuse(subject, f"位置 {_SURROGATE.sub('?', bad)[:200]} 的文字含有无效的 Unicode 字符"
                      "（单独的代理项 \\uD800–\\uDFFF，任何文件都无法保存）")
    if doc.get("exchange_version") != VERSION:
        raise _refuse(subject, f"交换格式版本为 {str(doc.get('exchange_version'))[:20]!s}，本工具读取版本 {VERSION}"
                               "（请用相同版本的 xlsx-tool export 重新导出）")
    _validate(doc, subject)
    return doc


def _validate(doc: dict, subject: str) -> None:
    import jsonschema

    validator = _validator()
    error = next(iter(sorted(validator.iter_errors(_jsonable(doc)), key=lambda e: list(e.absolute_path))), None)
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path) or "（最外层）"
        raise _refuse(subject, f"不符合交换格式（{SCHEMA_FILE}）：位置 {where[:200]}：{error.message[:200]}")
    del jsonschema


@lru_cache(maxsize=1)
def _validator():
    import jsonschema

    cls = jsonschema.validators.validator_for(schema())
    cls.check_schema(schema())
    return cls(schema())


def _jsonable(node):
    """``Decimal`` (how numbers are parsed here) → ``float`` for the validator's type checks."""
    if isinstance(node, dict):
        return {k: _jsonable(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_jsonable(v) for v in node]
    if isinstance(node, Decimal):
        return float(node)
    return node


def read_exchange(path) -> ReportData:
    """Read an exchange JSON file (see the module docstring) into a ``ReportData`` whose
    ``findings`` judge the values it carries; ``kind`` is ``exchange``."""
    path = Path(path)
    subject = str(path)
    doc = _load(path)
    fid = doc["format"]["id"]
    if fid not in registry.available():
        raise _refuse(subject, f"年报格式“{fid}”本工具不认识；可读取：{'、'.join(registry.available())}")
    fmt = model.load(fid)
    data = ReportData(fmt, source=subject, kind="exchange")
    _Reader(fmt, data, subject).run(doc)
    return data


class _Reader:
    def __init__(self, fmt: model.Format, data: ReportData, subject: str):
        self.fmt, self.data, self.file = fmt, data, subject

    def at(self, labels: str, cell: str = "", sheet: str = "") -> dict:
        return {"file": self.file, "labels": labels, "cell": cell, "sheet": sheet}

    def run(self, doc: dict) -> None:
        self.info(doc)
        self.cells(doc.get("cells", {}))
        notes = {t["id"]: t.get("note", "") for t in doc.get("tables", [])}
        self.data.notes = {tl.id: str(notes.get(tl.id, "") or "") for tl in self.fmt.tables}
        self.choices(doc.get("choices", {}))
        sections = doc.get("narrative", {})
        self.data.narrative = {s["id"]: [p for p in sections.get(s["id"], {}).get("paragraphs", [])]
                               for s in self.fmt.narrative}

    def info(self, doc: dict) -> None:
        fmt, data = self.fmt, self.data
        given = {i["id"]: i["value"] for i in doc.get("basic_info", [])}
        data.info = {f["id"]: str(given.get(f["id"], "")).strip() for f in fmt.info}
        for f in fmt.info:
            text, labels = data.info[f["id"]], f"{fmt.info_sheet}{model.SEP}{f['label']}"
            if not text:
                if f.get("required"):
                    data.findings.append(make(Code.I01, f"“{f['label']}”未填写", **self.at(labels)))
            elif f["type"] == "year" and not re.fullmatch(r"\d{4}", text):
                data.findings.append(make(Code.I02, f"“{f['label']}”应为四位年份（如 2026），填写的是“{text[:40]}”",
                                          **self.at(labels)))
            elif f["type"] == "year" and not fmt.serves(int(text)):
                data.findings.append(make(Code.S07, f"年报格式为 {fmt.label}，适用于{registry.span_text(fmt.id)}的报告，"
                                                    f"但“报告年度”为 {text}（{registry.years_text()}）", **self.at(labels)))

    def cells(self, cells: dict) -> None:
        fmt, data = self.fmt, self.data
        known = set(fmt.cells) | set(fmt.former_names)
        unknown = sorted(k for k in cells if k not in known)
        for c in (c for c in fmt.cells.values() if c.is_input):
            entry = cells.get(c.id) or cells.get(next((o for o, n in fmt.former_names.items() if n == c.id), ""))
            at = self.at(c.label_path, c.a1, c.sheet)
            raw = None if entry is None else entry.get("value")
            if entry is not None and raw is None and entry.get("status") == "invalid":
                data.inputs[c.id] = None
                data.findings.append(make(Code.V02, "交换文件中该格标为无效（原文件中不是可用的数字）", **at))
                continue
            p = values.parse_number(raw, c.type)
            data.inputs[c.id] = p.value
            if p.code is Code.V01:
                data.blank.add(c.id)
                data.findings.append(make(Code.V01, "交换文件中该格为空" if entry is not None else "交换文件中没有该格",
                                          **at))
            elif p.code:
                data.findings.append(make(p.code, f"填写的是“{p.text[:40]}”", **at))
            elif p.coerced:
                data.findings.append(make(Code.V05, f"原内容为“{p.text[:40]}”，已按 {p.value} 读取", **at))
        self.totals(cells)
        if unknown:
            shown = "、".join(unknown[:8]) + ("等" if len(unknown) > 8 else "")
            data.findings.append(make(Code.R09, f"{len(unknown)} 个字段（{shown}）不属于年报格式 {fmt.id}，已忽略",
                                      file=self.file))

    def totals(self, cells: dict) -> None:
        """R24 for a total the file states that is not the sum of its parts (the parts as read);
        the total used is always the sum, as a workbook's total formula gives it."""
        computed = self.data.values()
        for c in (c for c in self.fmt.cells.values() if not c.is_input):
            entry = cells.get(c.id)
            raw = entry.get("value") if isinstance(entry, dict) else None
            leaves = self.fmt.leaves(c.id)
            if raw is None or computed.get(c.id) is None or any(self.data.inputs.get(x) is None for x in leaves):
                continue                  # parts unreadable: already reported
            stated = values.parse_number(raw, c.type)
            if stated.code or stated.value is None or stated.value == computed[c.id]:
                continue
            self.data.findings.append(make(
                Code.R24, f"交换文件中写的合计为 {values.format_number(stated.value)}，各项之和为 "
                          f"{values.format_number(computed[c.id])}；已按各项之和计算",
                left="交换文件中的合计", right="各项之和", left_value=stated.value,
                right_value=computed[c.id], difference=stated.value - computed[c.id], **self.at(c.label_path, c.a1, c.sheet)))

    def choices(self, given: dict) -> None:
        for tl in self.fmt.tables:
            for spec, _, _ in tl.choices:
                value = str(given.get(spec["id"], "") or "")
                self.data.choices[spec["id"]] = spec.get("default", "")
                if not value:
                    continue
                if value not in spec["choices"]:
                    self.data.findings.append(make(Code.V11, f"填写的是“{value[:40]}”，可选：{'、'.join(spec['choices'])}",
                                                   **self.at(f"{tl.heading}{model.SEP}{spec['label']}", "", tl.sheet)))
                    continue
                self.data.choices[spec["id"]] = value
