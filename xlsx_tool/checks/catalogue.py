"""The README's table of every finding code: the catalogue and each format's cross-check codes.

    python -m xlsx_tool.checks.catalogue      # the table used in README.md (a test keeps them equal)
"""
from __future__ import annotations

from ..findings import CROSS_CHECK_FIX, ERROR, SOMETIMES_NOTE, Code
from ..formats import registry


def _level(code: Code) -> str:
    """``错误``, or ``错误（docxtpl 能自动拼接时为提示）`` for a code reported either way."""
    return f"{code.severity}（{SOMETIMES_NOTE[code]}）" if code in SOMETIMES_NOTE else str(code.severity)


def catalogue_markdown() -> str:
    """Markdown table: code | severity | meaning | how to fix, catalogue order, then X codes."""
    lines = ["| 代码 | 级别 | 含义 | 如何处理 |", "|---|---|---|---|"]
    lines += [f"| {c.name} | {_level(c)} | {c.title} | {c.fix} |" for c in Code]
    seen: dict[str, list[str]] = {}
    for fid in registry.available():
        for rule in registry.raw(fid)["rules"]:
            seen.setdefault(rule["code"], [])
            if rule["title"] not in seen[rule["code"]]:
                seen[rule["code"]].append(rule["title"])
    for code, titles in seen.items():
        text = "；".join(titles).replace("|", "/")
        lines.append(f"| {code} | {ERROR} | 勾稽关系不成立：{text} | {CROSS_CHECK_FIX} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(catalogue_markdown())
