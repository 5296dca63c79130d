"""Check a custom Word report template before rendering: ``xlsx-tool lint-template T.docx``.

This module holds the rules; :mod:`.docx_parts` reads the template. The raw XML of
``word/document.xml``, the headers, footers and footnotes (what docxtpl renders) and the rendered
document properties is read paragraph by paragraph — body paragraphs are named ``第N段``, table
cells ``表格M 第R行第C列`` — and every tag ``{{ … }}``, ``{% … %}``, ``{# … #}`` (also docxtpl's
``{%p/tr/tc/r … %}``) is checked for:

* T03 — a tag split over several Word runs (or paragraphs), as Word leaves it after editing;
* T04 — curly quotes “ ” ‘ ’ typed into a tag by Word's autocorrect;
* T05 — a ``{% for %}`` / ``{%p for %}`` that loops over table rows without ``{%tr for %}``;
* T01 — an unknown placeholder: a name that :func:`.context.context` does not offer, or
  ``v.<id>``/``info.<id>``/``narrative.<id>``/``notes.<id>``/``choices.<id>`` with an id the
  format does not have (loop variables and ``{% set %}`` names are known);
* T06 — a syntax error, an unclosed tag, or a sandbox-unsafe expression (``__class__`` …);
* T02 (提示) — table numbers, narrative sections, table notes or choices never used.

For T03/T04 the installed docxtpl's own preprocessing is tried on the paragraph: when it repairs
the tag (docxtpl 0.20 rejoins split runs and straightens quotes), the finding is a 提示 — the
report still renders, but the tag is fragile; otherwise it is an 错误.

Names and ids come from the context of an empty report of the template's format (``2019`` or
``2021``; inferred from the ``v.<id>`` the template uses when not given).
"""
from __future__ import annotations

import re
from pathlib import Path

from jinja2 import StrictUndefined, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import (UNSAFE_FUNCTION_ATTRIBUTES, UNSAFE_GENERATOR_ATTRIBUTES,
                            UNSAFE_METHOD_ATTRIBUTES, SandboxedEnvironment)

from ..findings import ERROR, NOTE, Code, Finding, UserError, make
from ..formats import registry
from ..formats.content import ReportData
from ..formats.model import load
from .context import context
from .jinja_ast import const_str, keyed_access, referenced_cells, suggest, unclosed, walk
from .docx_parts import CLOSER, OPENER, Part, Tag, docxtpl_copes, pieces, read_parts, scan_tags

#: ids only one format has, used first to tell the format of a template
#: context entries that are dicts with a fixed set of keys
KEYED = ("v", "info", "narrative", "notes", "choices", "rates")
DICT_METHODS = frozenset({"items", "keys", "values", "get"})
UNSAFE_ATTRS = (UNSAFE_FUNCTION_ATTRIBUTES | UNSAFE_METHOD_ATTRIBUTES | UNSAFE_GENERATOR_ATTRIBUTES
                | {"cr_code", "cr_frame", "ag_code", "ag_frame", "mro", "func_globals", "func_code"})
CURLY = "“”‘’"
QUOTE_CHARS = 24
FOR = re.compile(r"^\{%-?\s*for\b")
ENDFOR = re.compile(r"^\{%-?\s*endfor\b")


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[:QUOTE_CHARS] + "…"


class _Linter:
    def __init__(self, path: Path):
        self.path = path
        self.file = str(path)
        self.findings: list[Finding] = []
        self.order: list[tuple] = []      # (part, paragraph, sequence) of each finding
        self.parts: list[str] = []
        self.env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)

    def add(self, code: Code, part: Part, para: int | None, tag: str, message: str, *,
            severity: str | None = None, fix: str | None = None, where: str | None = None) -> None:
        if para is not None:
            p = part.paras[para]
            where = p.where
            labels = f"{where}：“{_quote(p.text)}”" if p.text.strip() else where
        else:
            labels = where or ""
        extra = {"part": part.name, "location": where or "", "tag": tag}
        self.order.append((self.parts.index(part.name) if part.name in self.parts else len(self.parts),
                           -1 if para is None else para, len(self.order)))
        self.findings.append(make(code, message, severity=severity, fix=fix, file=self.file,
                                  labels=labels, extra=extra))

    # -- structural checks on the raw text --------------------------------------------------------
    def scan(self, part: Part) -> str:
        """Find the tags of a part, report T03/T04/T05/T06 on them; return the jinja source
        (one line per paragraph, so that jinja's line numbers name paragraphs)."""
        text, source, covered, para_at = scan_tags(part)
        for tag in part.tags:
            self._check_tag(part, tag)
        self._check_strays(part, text, covered, para_at)
        self._check_loops(part)
        return source

    def _check_tag(self, part: Part, tag: Tag) -> None:
        shown = tag.raw.replace("\n", "¶")
        if tag.last != tag.first:
            self.add(Code.T03, part, tag.first, shown,
                     f"标签 {shown} 跨越了 {tag.last - tag.first + 1} 个段落（¶ 为段落标记）；"
                     "生成报告时这几段会被合并为一段，后面段落的格式会丢失。标签中不能有回车换行。", severity=ERROR)
        elif tag.runs > 1:
            copes = docxtpl_copes(part, tag)
            shown = pieces(part.paras[tag.first], tag)
            verdict = {True: "本工具所用的 docxtpl 预处理能把它重新拼接，目前可以生成，但再次编辑时容易损坏",
                       False: "docxtpl 的预处理无法把它重新拼接，生成报告时会出错",
                       None: "docxtpl 的预处理可能能够、也可能无法把它重新拼接"}[copes]
            self.add(Code.T03, part, tag.first, tag.raw,
                     f"标签 {tag.raw} 在 Word 中被拆成了 {tag.runs} 个文字段（{shown}），"
                     f"这通常是修改、粘贴或拼写检查造成的；{verdict}。",
                     severity=NOTE if copes else ERROR)
        curly = sorted({c for c in tag.raw if c in CURLY}, key=CURLY.index)
        if curly:
            copes = tag.first == tag.last and docxtpl_copes(part, tag)
            verdict = ("本工具所用的 docxtpl 会自动换成直引号，目前可以生成，但其他软件或版本可能报错"
                       if copes else "生成报告时可能出现“unexpected char”语法错误")
            self.add(Code.T04, part, tag.first, tag.raw,
                     f"标签 {tag.raw} 中有中文弯引号 {' '.join(curly)}（Word 的“自动更正”会把直引号改成弯引号）；{verdict}。",
                     severity=NOTE if copes else ERROR)
        if tag.kind in ("tr", "tc") and part.paras[tag.first].cell is None:
            self.add(Code.T06, part, tag.first, tag.raw,
                     f"标签 {tag.raw} 以 {{%{tag.kind} 开头，只能写在表格的单元格中；"
                     "在表格外请写作 {% … %} 或 {%p … %}。")

    def _check_strays(self, part: Part, text: str, covered: list, para_at) -> None:
        def free(m) -> bool:
            return not any(a <= m.start() < b for a, b in covered)

        for m in (m for m in OPENER.finditer(text) if free(m)):
            i = para_at(m.start())
            close = {"{{": "}}", "{%": "%}", "{#": "#}"}[m.group(0)]
            rest = text[m.start():m.start() + 40].split("\n")[0]
            self.add(Code.T06, part, i, rest,
                     f"标签 {rest} 在本段中没有结束（缺少 {close}，或结束符被拆开、写成了全角字符）。")
        for m in (m for m in CLOSER.finditer(text) if free(m)):
            i = para_at(m.start())
            rest = text[max(m.start() - 30, 0):m.end()].split("\n")[-1]
            self.add(Code.T06, part, i, rest,
                     f"“{rest}”中的 {m.group(0)} 没有对应的开始符号（开始符号可能缺失或写成了全角字符），"
                     "该处文字会原样出现在报告中。")

    def _check_loops(self, part: Part) -> None:
        """T05: loops that repeat part of a table instead of whole rows."""
        stack: list[Tag] = []
        pairs: list[tuple[Tag, Tag | None]] = []
        for tag in part.tags:
            if FOR.match(tag.clean):
                stack.append(tag)
            elif ENDFOR.match(tag.clean) and stack:
                pairs.append((stack.pop(), tag))
        pairs += [(t, None) for t in stack]
        for start, end in pairs:
            if start.kind in ("tr", "tc", "r"):
                continue
            cell = part.paras[start.first].cell
            end_cell = part.paras[end.first].cell if end is not None else None
            if cell is None and end_cell is None:
                continue                  # not in a table
            where = start if cell is not None else end
            if start.kind == "":
                if end is not None and end.first == start.first:
                    continue              # an inline loop inside one paragraph
                self.add(Code.T05, part, where.first, start.raw,
                         f"表格中的 {start.raw} 与它的 endfor 不在同一段落，docxtpl 只会重复表格 XML 的一部分，"
                         "生成的 Word 文件会损坏；要逐行重复请写 {%tr for … %} 所在行 … {%tr endfor %} 所在行。")
            elif start.kind == "p":
                if end is not None and end_cell is cell:
                    continue              # repeats paragraphs inside one cell: fine
                self.add(Code.T05, part, where.first, start.raw,
                         f"{start.raw} 与它的 {{%p endfor %}} 不在同一个单元格中：{{%p for %}} 只重复段落，"
                         "不能用来重复表格行，生成的 Word 文件会损坏；要逐行重复请改为 {%tr for … %} … {%tr endfor %}。")

    # -- jinja ------------------------------------------------------------------------------------
    def parse(self, part: Part, source: str) -> None:
        try:
            part.ast = self.env.parse(source)
            self.env.compile(source)      # unknown filters and tests
        except TemplateSyntaxError as exc:
            part.ast = None
            i = min(max((exc.lineno or 1) - 1, 0), len(part.paras) - 1)
            tag = self._tag_on(part, i)
            open_tag = unclosed(part.tags) if "Unexpected end of template" in exc.message else None
            if open_tag is not None:     # jinja points at the end: name the block left open
                word = re.match(r"\{%-?\s*(\w+)", open_tag.clean).group(1)
                self.add(Code.T06, part, open_tag.first, open_tag.raw,
                         f"标签 {open_tag.raw} 没有对应的结束标签 {{% end{word} %}}。")
                return
            raw = tag.raw if tag else _quote(part.paras[i].text)
            self.add(Code.T06, part, i, raw, f"语法错误：{exc.message}（在 {raw} 附近）。")

    @staticmethod
    def _tag_on(part: Part, i: int, word: str = "") -> Tag | None:
        on = [t for t in part.tags if t.first <= i <= t.last]
        for t in on:
            if word and word in t.clean:
                return t
        return on[0] if on else None

    def check_names(self, part: Part, ctx: dict, used: dict, dynamic: set) -> None:
        ast = part.ast
        undeclared = meta.find_undeclared_variables(ast)
        stored = {n.name for n in ast.find_all(nodes.Name) if n.ctx in ("store", "param")}
        known = set(ctx) | set(self.env.globals)
        reported: set = set()

        def report(code: Code, node, name: str, message: str, fix: str | None = None) -> None:
            i = min(max(node.lineno - 1, 0), len(part.paras) - 1)
            tag = self._tag_on(part, i, name.split(".")[-1])
            raw = tag.raw if tag else name
            key = (code, i, raw if code is Code.T06 else name)
            if key in reported:
                return
            reported.add(key)
            self.add(code, part, i, raw, message.replace("{tag}", raw), fix=fix)

        for node, parent in walk(ast):
            if isinstance(node, nodes.Name) and node.ctx == "load":
                if node.name in undeclared and node.name not in known:
                    hint = suggest(node.name, known)
                    report(Code.T01, node, node.name, f"标签 {{tag}} 中的 {node.name} 不是本工具提供的名称{hint}。")
                elif node.name in KEYED and node.name not in stored and not keyed_access(node, parent):
                    dynamic.add(node.name)
            elif isinstance(node, (nodes.Getattr, nodes.Getitem)):
                key = node.attr if isinstance(node, nodes.Getattr) else const_str(node.arg)
                if key is not None and (key.startswith("_") or key in UNSAFE_ATTRS):
                    report(Code.T06, node, key, f"标签 {{tag}} 访问了内部属性 {key}，出于安全原因不允许，生成报告时会出错。")
                    continue
                root = node.node
                if not (isinstance(root, nodes.Name) and root.name in KEYED and root.name not in stored
                        and root.name in undeclared):
                    continue
                if key is None or (isinstance(node, nodes.Getattr) and key in DICT_METHODS):
                    dynamic.add(root.name)
                elif key in ctx[root.name]:
                    used.setdefault(root.name, set()).add(key)
                else:
                    hint = suggest(key, ctx[root.name], prefix=root.name + ".")
                    report(Code.T01, node, f"{root.name}.{key}",
                           f"标签 {{tag}} 中的 {root.name}.{key} 在本格式中不存在{hint}。")
            elif isinstance(node, nodes.Filter) and node.name == "attr" and node.args:
                key = const_str(node.args[0])
                if key is not None and (key.startswith("_") or key in UNSAFE_ATTRS):
                    report(Code.T06, node, key, f"标签 {{tag}} 访问了内部属性 {key}，出于安全原因不允许，生成报告时会出错。")


def infer_formats(refs: set[str]) -> list[str]:
    """The formats whose cells the template uses: those with the fewest unknown ``v.`` ids, in
    :func:`registry.available` order.  Several when the template does not tell them apart (no
    ids only one format has): no format is preferred, the newest included."""
    missing = {fid: len(refs - set(load(fid).cells)) for fid in registry.available()}
    fewest = min(missing.values())
    return [fid for fid in registry.available() if missing[fid] == fewest]


def formats_for(template_path) -> list[str]:
    """The formats :func:`lint` checks a template against when none is given (see
    :func:`infer_formats`); bounded like :func:`lint`."""
    from . import bounded

    meta, _ = bounded.run(lambda: ({"formats": _formats_for(template_path)}, b""), subject=str(template_path))
    return meta["formats"]


def detect_format(template_path) -> str | None:
    """The one format a template is made for, or ``None`` when it suits several."""
    found = formats_for(template_path)
    return found[0] if len(found) == 1 else None


def _formats_for(template_path) -> list[str]:
    parts = read_parts(Path(template_path))
    linter = _Linter(Path(template_path))
    for part in parts:
        try:
            part.ast = linter.env.parse(linter.scan(part))
        except TemplateSyntaxError:
            part.ast = None
    return infer_formats(referenced_cells(parts))


def lint(template_path, format_id: str | None = None, *, trial: bool = True) -> list[Finding]:
    """Check a Word template; return its findings in document order (T01, T03–T06), then T08/T09
    and the outcome of a trial rendering (T07, :mod:`.lint_whole`), T02 last.

    ``format_id``: ``2019``/``2021``; ``None`` infers it from the ``v.<id>`` the template uses
    (:func:`infer_formats`); when that leaves several formats, the names are checked against each
    (a finding that holds for some of them only says so; T02 only where it holds for all).
    ``trial``: also render sample data through the template.  The whole check runs under the
    CPU and memory limits of :mod:`.bounded`.  Raises :class:`UserError` F09 when the file is
    not a usable .docx, F20/F21 (see :mod:`.package`), F08 for an unknown format, T07 when even
    reading the template exceeds the limits.
    """
    from . import bounded

    meta, _ = bounded.run(lambda: ({"findings": [f.as_dict() for f in _lint(template_path, format_id, trial)]},
                                   b""), subject=str(template_path))
    return [Finding(**{"message": "", **d}) for d in meta["findings"]]


def _lint(template_path, format_id: str | None, trial: bool) -> list[Finding]:
    from . import lint_whole
    from .package import open_template

    path = Path(template_path)
    pkg = open_template(path)
    parts = read_parts(path, pkg)
    linter = _Linter(path)
    linter.parts = [part.name for part in parts]
    for part in parts:
        linter.parse(part, linter.scan(part))
    fids = [format_id] if format_id else infer_formats(referenced_cells(parts))
    for fid in fids:
        if fid not in registry.available():
            raise UserError(Code.F08, f"年报格式 {fid}", "可选：" + "、".join(registry.available()))
    _names_for_each(linter, parts, fids)
    order = sorted(range(len(linter.findings)),
                   key=lambda k: (linter.findings[k].code == Code.T02.name, linter.order[k]))
    findings = [linter.findings[k] for k in order]
    extra = lint_whole.package_findings(path, pkg)
    if trial and lint_whole.usable(findings + extra):
        for fid in fids:
            extra += [f for f in lint_whole.trial_findings(path, fid) if f not in extra]
    return lint_whole.ordered(findings, extra)


def _names_for_each(linter: _Linter, parts: list[Part], fids: list[str]) -> None:
    """T01 and T02 against the names of each format of ``fids``; with several, a finding that
    holds for some formats only says which, and T02 is kept only where it holds for all."""
    general = list(linter.findings), list(linter.order)
    found: dict[str, tuple[list, list]] = {}
    for fid in fids:
        linter.findings, linter.order = list(general[0]), list(general[1])
        _check_names(linter, parts, fid)
        found[fid] = linter.findings[len(general[0]):], linter.order[len(general[1]):]
    linter.findings, linter.order = list(general[0]), list(general[1])
    seen: dict[tuple, list[str]] = {}
    for fid, (new, order) in found.items():          # the same finding for several formats: once
        for f, o in zip(new, order):
            key = (f.code, f.labels, f.message)
            if key in seen:
                seen[key].append(fid)
                continue
            seen[key] = [fid]
            linter.findings.append(f)
            linter.order.append(o)
    if len(fids) == 1:
        return
    keep = list(range(len(general[0])))
    for k in range(len(general[0]), len(linter.findings)):
        f = linter.findings[k]
        only = seen[(f.code, f.labels, f.message)]
        if len(only) < len(fids):
            if f.code == Code.T02.name:            # unused data of one format only: not said
                continue
            f.message += f"（按 {'、'.join(only)} 格式）"
        keep.append(k)
    linter.findings = [linter.findings[k] for k in keep]
    linter.order = [linter.order[k] for k in keep]


def _check_names(linter: _Linter, parts: list[Part], fid: str) -> None:
    """T01 and T02 against the names of format ``fid``."""
    from . import lint_whole

    fmt = load(fid)
    ctx = context(ReportData(fmt))
    used: dict[str, set] = {}
    dynamic: set[str] = set()
    for part in parts:
        if part.ast is not None and part.paras:
            linter.check_names(part, ctx, used, dynamic)
    if all(part.ast is not None for part in parts):   # else what is used is not known
        lint_whole.unused(linter, fmt, ctx, used, dynamic, parts[0])


def text_report(findings: list[Finding], path, format_ids: list[str] | str | None = None) -> str:
    """The findings as Chinese text, one paragraph each, and a summary line at the end."""
    errors = sum(f.severity == ERROR for f in findings)
    notes = sum(f.severity == NOTE for f in findings)
    ids = [format_ids] if isinstance(format_ids, str) else list(format_ids or [])
    fmt = f"（按 {ids[0]} 年报格式检查）" if len(ids) == 1 else ""
    if len(ids) > 1:
        fmt = (f"（模板中没有只属于某一种格式的字段，按 {'、'.join(ids)} 格式分别检查；"
               "未使用的数据只列出各格式共有的，如需全部列出请加 --format 指定格式）")
    lines = [f"检查 Word 模板：{path}{fmt}"]
    lines += [f.text() for f in findings]
    if not findings:
        lines.append("检查结果：未发现问题（0 个错误，0 个提示）。")
    elif errors:
        lines.append(f"检查结果：{errors} 个错误，{notes} 个提示。请按“处理”一行修改模板后重新检查。")
    else:
        lines.append(f"检查结果：0 个错误，{notes} 个提示。模板可以使用，提示的内容请确认。")
    return "\n".join(lines)
