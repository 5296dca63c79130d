"""Reading a Word template's Jinja syntax trees: the names it uses, the blocks it leaves open.

Helpers of :mod:`.lint`, on the trees Jinja's parser builds from the tags of :mod:`.docx_parts`.
"""
from __future__ import annotations

import difflib
import re

from jinja2 import nodes

from .docx_parts import Part, Tag

BLOCKS = {"if", "for", "macro", "call", "filter", "block", "with", "autoescape", "raw", "trans"}


def unclosed(tags: list[Tag]) -> Tag | None:
    """The innermost block tag ({% if %}, {% for %} …) that is never closed."""
    stack: list[tuple[str, Tag]] = []
    for tag in tags:
        m = re.match(r"\{%-?\s*(\w+)(.*?)-?%\}$", tag.clean, re.S)
        if not m:
            continue
        word, rest = m.group(1), m.group(2)
        if word in BLOCKS or (word == "set" and "=" not in rest):
            stack.append((word, tag))
        elif word.startswith("end") and stack and stack[-1][0] == word[3:]:
            stack.pop()
    return stack[-1][1] if stack else None


def walk(node, parent=None):
    """Every node of a tree with its parent, depth first."""
    yield node, parent
    for child in node.iter_child_nodes():
        yield from walk(child, node)


def const_str(node) -> str | None:
    """The string of a constant node (``v[\"x\"]``), else ``None``."""
    return node.value if isinstance(node, nodes.Const) and isinstance(node.value, str) else None


def keyed_access(name, parent) -> bool:
    """``v.x`` or ``v["x"]``: the name is only used to look one key up."""
    return isinstance(parent, (nodes.Getattr, nodes.Getitem)) and parent.node is name


def suggest(name: str, choices, prefix: str = "") -> str:
    """``（是否应为 v.request_new_total？）`` for the closest known name, '' when none is close."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f"（是否应为 {prefix}{close[0]}？）" if close else ""


def referenced_cells(parts: list[Part]) -> set[str]:
    """Every field id a template reads as ``v.<id>`` or ``v[\"<id>\"]``."""
    refs = set()
    for part in parts:
        if part.ast is None:
            continue
        for node in part.ast.find_all((nodes.Getattr, nodes.Getitem)):
            if isinstance(node.node, nodes.Name) and node.node.name == "v":
                key = node.attr if isinstance(node, nodes.Getattr) else const_str(node.arg)
                if key:
                    refs.add(key)
    return refs
