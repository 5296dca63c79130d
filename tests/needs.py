"""Tests that need real software (LibreOffice, poppler): skip with a reason, but fail in CI.

With ``CI=true`` (set by the CI runner) a missing office suite is an error, not a skip: CI
installs it (``.ci/run``) and these tests must really run there.
"""
from __future__ import annotations

import os

import pytest


def require(problem: str | None, what: str) -> None:
    """``require(None, …)`` does nothing; otherwise skip (fail under ``CI=true``), naming ``what``
    could not run and why, e.g. ``require("找不到 soffice 命令", "PDF 测试")``."""
    if not problem:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true 时必须运行{what}，但{problem}", pytrace=False)
    pytest.skip(f"未安装所需软件，跳过{what}（{problem}）")
