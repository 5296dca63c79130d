"""The Jinja environment a Word template renders in: sandboxed, and with bounded work.

Jinja's own :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` keeps a template away from
Python's internals and from changing lists and dicts in place; it does not bound the work a
template asks for (``{% for i in range(99999) %}{% for j in range(99999) %}``, ``'x' * 10**9``,
``9 ** 9 ** 9``, ``lipsum(n=100000)``, ``|center(10**9)``, ``[[1] * 10**5] * 10**5``).
:class:`BoundedEnvironment` does, at the source of every large value:

* loop iterations and calls together at most :data:`MAX_STEPS` per rendering (every ``for`` is
  compiled to iterate through :func:`counted`; every call goes through :meth:`~BoundedEnvironment.call`);
* ``range`` at most :data:`MAX_RANGE` items; ``lipsum`` at most 100 paragraphs of 1000 words;
* strings (and what a value prints as) at most :data:`MAX_TEXT` characters, lists, tuples and
  dicts at most :data:`MAX_ITEMS` items, integers at most :data:`MAX_INT_BITS` bits — checked
  *before* ``*``, ``**``, ``+``, ``%``, ``str.format`` widths, ``center``/``ljust``/``replace``/
  ``join``/``indent``/``wordwrap``/``batch``/``slice`` … allocate, and after every other
  operation, filter and call (``~`` concatenation and ``namespace`` attributes too);
* the rendered text of one document part at most :data:`MAX_OUTPUT` characters.

A limit reached raises :class:`LimitExceeded` (``render`` reports T07).  Anything not caught
here is caught by the CPU and memory limits of the process that renders (:mod:`.bounded`).
Compiled templates are cached by their source's hash (:attr:`BoundedEnvironment.compiled`), so a
template is compiled once per process and, through :mod:`.cache`, once per machine.
"""
from __future__ import annotations

import contextvars
import functools
import hashlib
import itertools
import re
import string
from collections.abc import Mapping

from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Namespace, generate_lorem_ipsum

MAX_STEPS = 200_000
MAX_RANGE = 10_000
MAX_TEXT = 2_000_000
MAX_ITEMS = 100_000
MAX_INT_BITS = 8_192
MAX_OUTPUT = 16 * 2**20
#: widths and precisions in ``%`` and ``str.format`` specifications
MAX_WIDTH = 10_000
#: bumped when the generated code changes (part of the compiled-code cache key)
CODE_VERSION = 1


class LimitExceeded(Exception):
    """A template asked for more work than a report needs; ``str()`` says which, in Chinese."""


class Budget:
    """Steps (loop iterations and calls) taken in one rendering."""
    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps = 0

    def charge(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > MAX_STEPS:
            raise LimitExceeded(f"循环和调用合计超过 {MAX_STEPS:,} 次")


_BUDGET: contextvars.ContextVar[Budget] = contextvars.ContextVar("xlsx_tool_template_budget")


def budget() -> Budget:
    """The budget of the rendering in progress (a new one outside :func:`rendering`)."""
    current = _BUDGET.get(None)
    if current is None:
        current = Budget()
        _BUDGET.set(current)
    return current


class rendering:
    """``with rendering():`` — one document's renderings share one fresh :class:`Budget`."""

    def __enter__(self) -> Budget:
        self._token = _BUDGET.set(Budget())
        return _BUDGET.get()

    def __exit__(self, *exc) -> None:
        _BUDGET.reset(self._token)


# -- sizes ----------------------------------------------------------------------------------------
def size_of(value, limit: int = MAX_TEXT) -> int:
    """About how many characters ``str(value)`` has, counted without building it; stops (and
    returns more than ``limit``) as soon as the count passes ``limit``."""
    total, seen, stack, visits = 0, set(), [value], 0
    while stack:
        item = stack.pop()
        visits += 1
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, (bytes, bytearray)):
            total += 3 * len(item)
        elif isinstance(item, bool) or item is None:
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        elif isinstance(item, (list, tuple, set, frozenset, Mapping)):
            if id(item) in seen:
                total += 5
                continue
            seen.add(id(item))
            total += 2 + 2 * len(item)
            stack.extend(itertools.islice(item.items() if isinstance(item, Mapping) else item,
                                          limit + 1))
        else:
            total += 16
        if total > limit or visits > 4 * MAX_ITEMS:
            return max(total, limit + 1)
    return total


def checked(value):
    """``value`` if it is within the limits, else :class:`LimitExceeded`."""
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise LimitExceeded(f"文字长度 {len(value):,} 超过 {MAX_TEXT:,} 个字符")
    elif isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > MAX_INT_BITS:
            raise LimitExceeded(f"整数超过 {MAX_INT_BITS} 位二进制（约 {MAX_INT_BITS * 3 // 10} 位十进制）")
    elif isinstance(value, (list, tuple, set, frozenset, dict)):
        if len(value) > MAX_ITEMS:
            raise LimitExceeded(f"列表有 {len(value):,} 项，超过 {MAX_ITEMS:,} 项")
        if size_of(value) > MAX_TEXT:
            raise LimitExceeded(f"列表的内容超过 {MAX_TEXT:,} 个字符")
    return value


def _fits(chars: int, what: str) -> None:
    if chars > MAX_TEXT:
        raise LimitExceeded(f"{what}会得到 {chars:,} 个字符，超过 {MAX_TEXT:,} 个字符")


def _as_int(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def counted(iterable):
    """The items of a ``for`` loop, each charged to the rendering's budget."""
    charge = budget().charge
    for item in iterable:
        charge()
        yield item


# -- operators and printf/format widths -----------------------------------------------------------
PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


def _check_percent(fmt: str) -> None:
    for m in PERCENT_SPEC.finditer(fmt):
        for width in m.groups():
            if width == "*" or (width and int(width) > MAX_WIDTH):
                raise LimitExceeded(f"格式 {m.group(0)[:20]} 的宽度超过 {MAX_WIDTH}")


def _check_format(fmt: str) -> None:
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return                    # str.format will say what is wrong
    for _, name, spec, _ in fields:
        if spec and ("{" in spec or any(int(d) > MAX_WIDTH for d in re.findall(r"\d+", spec))):
            raise LimitExceeded(f"格式 {{{name}:{spec[:20]}}} 的宽度超过 {MAX_WIDTH}")


def _check_binop(op: str, left, right) -> None:
    seqs = (str, list, tuple)
    if op == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, seqs) and isinstance(n, int):
                if len(seq) * n > (MAX_TEXT if isinstance(seq, str) else MAX_ITEMS):
                    raise LimitExceeded(f"把长度 {len(seq):,} 的内容重复 {n:,} 次超过上限")
                _fits(size_of(seq) * max(n, 0), "重复")
        if isinstance(left, int) and isinstance(right, int):
            if abs(left).bit_length() + abs(right).bit_length() > MAX_INT_BITS:
                raise LimitExceeded(f"乘积超过 {MAX_INT_BITS} 位二进制")
    elif op == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
        if abs(left).bit_length() * min(right, MAX_INT_BITS + 1) > MAX_INT_BITS:
            raise LimitExceeded(f"{left} 的 {right} 次方超过 {MAX_INT_BITS} 位二进制")
    elif op == "+" and isinstance(left, seqs) and isinstance(right, seqs):
        _fits(size_of(left) + size_of(right), "相加")
    elif op == "%" and isinstance(left, str):
        _check_percent(left)


# -- filters, globals, namespace ------------------------------------------------------------------
def _filter_precheck(name: str, value, args: tuple, kwargs: dict) -> None:
    """Before a filter runs: the size of what it is about to build."""
    text = value if isinstance(value, str) else ""

    def arg(i: int, key: str, default=None):
        return kwargs[key] if key in kwargs else args[i] if len(args) > i else default

    if name == "center":
        _fits(max(len(text), _as_int(arg(0, "width", 80))), "center")
    elif name == "indent":
        width = arg(0, "width", 4)
        per_line = len(width) if isinstance(width, str) else _as_int(width)
        _fits(len(text) + (text.count("\n") + 1) * per_line, "indent")
    elif name == "wordwrap":
        wrap = arg(3, "wrapstring", None) or "\n"
        breaks = min(len(text), len(text) // max(_as_int(arg(0, "width", 79)), 1) + text.count(" ")
                     + text.count("\n") + 1)
        _fits(len(text) + breaks * len(str(wrap)), "wordwrap")
    elif name == "replace":
        old, new = str(arg(0, "old", "")), str(arg(1, "new", ""))
        n = text.count(old) if old else len(text) + 1
        count = arg(2, "count", None)
        if isinstance(count, int) and count >= 0:
            n = min(n, count)
        _fits(len(text) + n * max(len(new) - len(old), 0), "replace")
    elif name == "format":
        _check_percent(text)
    elif name in ("batch", "slice"):
        n = _as_int(arg(0, "linecount" if name == "batch" else "slices", 1))
        if n > MAX_ITEMS:
            raise LimitExceeded(f"{name}({n:,}) 超过 {MAX_ITEMS:,}")
    elif name == "tojson":
        indent = arg(0, "indent", None)
        if isinstance(indent, int) and indent > 16:
            raise LimitExceeded(f"tojson 的缩进 {indent} 超过 16")
    elif name == "join":
        return                    # the joined items are checked in _bounded_filter
    if name in ("string", "pprint", "tojson", "join", "urlize", "escape", "e", "forceescape", "safe"):
        _fits(size_of(value), name)


def _bounded_filter(name: str, func):
    """``func`` with the size checks of :func:`_filter_precheck` and :func:`checked`."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        pass_arg = getattr(func, "jinja_pass_arg", None)
        skip = 1 if pass_arg is not None else 0
        value, rest = (args[skip], args[skip + 1:]) if len(args) > skip else (None, ())
        if name == "join" and value is not None and not isinstance(value, str):
            value = list(itertools.islice(value, MAX_ITEMS + 1))
            checked(value)
            args = (*args[:skip], value, *rest)
        _filter_precheck(name, value, rest, kwargs)
        return checked(func(*args, **kwargs))
    return wrapper


def bounded_range(*args):
    """``range`` for templates: at most :data:`MAX_RANGE` items."""
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise LimitExceeded(f"range 有 {len(rng):,} 项，超过 {MAX_RANGE:,} 项")
    return rng


def bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002
    """``lipsum`` for templates: at most 100 paragraphs of at most 1000 words."""
    if _as_int(n) > 100 or _as_int(max) > 1000 or _as_int(min) > 1000:
        raise LimitExceeded("lipsum 最多 100 段、每段 1000 词")
    return generate_lorem_ipsum(n, html, min, max)


class BoundedNamespace(Namespace):
    """``namespace()`` whose attributes stay within the limits (``{% set ns.x = … %}``)."""

    def __setitem__(self, name, value) -> None:
        super().__setitem__(name, checked(value))


def _finalize(value):
    """Every ``{{ … }}`` before it is turned into text."""
    if not isinstance(value, str):
        _fits(size_of(value), "输出")
    return value


# -- the environment ------------------------------------------------------------------------------
class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox with bounded work (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **kwargs) -> None:
        super().__init__(finalize=_finalize, **kwargs)
        self.globals.update(range=bounded_range, lipsum=bounded_lipsum, namespace=BoundedNamespace)
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}
        #: sha256 of a source → compiled code (filled by :meth:`from_string`, saved by :mod:`.cache`)
        self.compiled: dict[str, object] = {}
        self.fresh: set[str] = set()

    def concat(self, pieces) -> str:             # the rendered text of one template
        out, n = [], 0
        for piece in pieces:
            n += len(piece)
            if n > MAX_OUTPUT:
                raise LimitExceeded(f"生成的内容超过 {MAX_OUTPUT // 2**20} MB")
            out.append(piece)
        return "".join(out)

    def call_binop(self, context, operator: str, left, right):
        _check_binop(operator, left, right)
        return checked(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 — Jinja's signature
        budget().charge()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            _check_str_method(owner, getattr(__obj, "__name__", ""), args)
        return checked(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value):
        owner = getattr(value, "__self__", None)
        if isinstance(owner, str) and getattr(value, "__name__", "") in ("format", "format_map"):
            _check_format(owner)
        return super().wrap_str_format(value)

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        if isinstance(source, str):
            source = self.parse(source, name, filename)
        if isinstance(source, nodes.Template):
            _instrument(source)
        return super().compile(source, name, filename, raw, defer_init)

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002
        """As Jinja's, with the compiled code cached by the source's hash."""
        if not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        key = hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()
        code = self.compiled.get(key)
        if code is None:
            code = self.compile(source)
            self.compiled[key] = code
            self.fresh.add(key)
        cls = template_class or self.template_class
        return cls.from_code(self, code, self.make_globals(globals), None)


def _check_str_method(owner: str, name: str, args: tuple) -> None:
    if name in ("center", "ljust", "rjust", "zfill") and args:
        _fits(max(len(owner), _as_int(args[0])), name)
    elif name == "expandtabs":
        _fits(len(owner) + owner.count("\t") * _as_int(args[0] if args else 8), name)
    elif name == "replace" and len(args) >= 2:
        old, new = str(args[0]), str(args[1])
        n = owner.count(old) if old else len(owner) + 1
        _fits(len(owner) + n * max(len(new) - len(old), 0), name)
    elif name == "join" and args:
        _fits(size_of(args[0]) + len(owner) * min(_len(args[0]), MAX_TEXT), name)


def _len(value) -> int:
    try:
        return len(value)
    except TypeError:
        return 0


def _instrument(tree: nodes.Template) -> None:
    """Route every loop through :func:`counted` and check every ``~`` concatenation."""
    here = __name__
    for node in list(tree.find_all(nodes.Node)):
        if isinstance(node, nodes.For):
            node.iter = _wrap("counted", node.iter, node.lineno)
        for field in node.fields:
            value = getattr(node, field, None)
            if isinstance(value, nodes.Concat):
                setattr(node, field, _wrap("checked", value, node.lineno))
            elif isinstance(value, list):
                value[:] = [_wrap("checked", v, node.lineno) if isinstance(v, nodes.Concat) else v
                            for v in value]
    del here


def _wrap(func: str, node: nodes.Expr, lineno: int) -> nodes.Call:
    return nodes.Call(nodes.ImportedName(f"{__name__}.{func}"), [node], [], None, None, lineno=lineno)
