"""The README stays true: its code table is the catalogue, CI runs its test command."""
from __future__ import annotations

import re
from pathlib import Path

from xlsx_tool.checks.catalogue import catalogue_markdown

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def test_the_readme_lists_every_finding_code_as_the_catalogue_says():
    """Regenerate with: python -m xlsx_tool.checks.catalogue (paste between the codes markers)."""
    table = re.search(r"<!-- codes:begin -->\n(.*)\n<!-- codes:end -->", README, re.S).group(1)
    assert table == catalogue_markdown()


def test_ci_runs_the_readme_test_command():
    commands = re.findall(r"```bash\n(python3 -m venv .*?)\n```", README)
    assert len(commands) == 2, commands            # install + demo, install + tests
    assert "xlsx-tool demo" in commands[0]
    assert commands[1] in (ROOT / ".ci" / "run").read_text("utf-8")
