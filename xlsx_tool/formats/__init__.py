"""The official report formats, loaded from the JSON data files beside this module.

Each ``<id>.json`` describes one official revision of the statistics tables of the
《政府信息公开工作年度报告》 (条例 第五十条: the national format issued by 国务院办公厅政府信息与政务公开办公室):

* ``2019.json`` — 国办公开办函〔2019〕60号 (trial), for the 2019 and 2020 reports;
* ``2021.json`` — 国办公开办函〔2021〕30号, for the 2021 reports onward.

``common.json`` holds what every revision shares (the 基本信息 fields, the narrative sections of 正文
and the six report sections); a format file may override any of its top-level keys.

A new official revision is a new data file here, not new code: the template writer, the reader,
the checker and the renderer all work from :class:`xlsx_tool.model.Format`.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

COMMON = "common"


def available() -> list[str]:
    """Ids of every format shipped with the package, oldest first (e.g. ``["2019", "2021"]``)."""
    names = [p.name[:-5] for p in resources.files(__name__).iterdir()
             if p.name.endswith(".json") and p.name != COMMON + ".json"]
    return sorted(names)


@lru_cache(maxsize=None)
def raw(format_id: str) -> dict:
    """The merged JSON description of one format (``common.json`` overlaid by ``<id>.json``).

    Raises ``KeyError`` for an unknown id.
    """
    if format_id not in available():
        raise KeyError(format_id)
    base = json.loads(resources.files(__name__).joinpath(COMMON + ".json").read_text("utf-8"))
    own = json.loads(resources.files(__name__).joinpath(format_id + ".json").read_text("utf-8"))
    base.pop("_about", None)
    base.update(own)
    return base


def for_year(year: int) -> str:
    """The format id that applies to a report year: the newest format whose ``first_year`` ≤ year.

    Years before the first format fall back to the oldest one.
    """
    chosen = available()[0]
    for fid in available():
        if raw(fid)["first_year"] <= year:
            chosen = fid
    return chosen


def resolve(year: int, format_id: str | None = None) -> str:
    """The format for a report ``year``, checked: ``format_id`` if given, else :func:`for_year`.

    Raises ``UserError`` F13 for a year outside 2019 … next year (no official format before
    2019), F12 for an unknown ``format_id``, S07 when ``format_id`` does not apply to ``year``.
    """
    import datetime

    from ..findings import UserError

    oldest = raw(available()[0])["first_year"]
    if not oldest <= year <= datetime.date.today().year + 1:
        raise UserError("F13", f"--year {year}")
    if format_id is None:
        return for_year(year)
    if format_id not in available():
        raise UserError("F12", f"--format {format_id}", "可选：" + "、".join(available()))
    data = raw(format_id)
    if not data["first_year"] <= year <= (data.get("last_year") or year):
        raise UserError("S07", f"--format {format_id} --year {year}",
                        f"{year} 年度应使用 {for_year(year)} 格式")
    return format_id
