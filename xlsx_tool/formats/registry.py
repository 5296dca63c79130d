"""Where the official formats' data files are, which years each one serves, and choosing one.

Each ``<id>.json`` describes one official revision of the statistics tables of the
《政府信息公开工作年度报告》 (条例 第五十条: the national format issued by 国务院办公厅政府信息与政务公开办公室):

* ``2019.json`` — 国办公开办函〔2019〕60号 (trial), for the 2019 and 2020 reports;
* ``2021.json`` — 国办公开办函〔2021〕30号, for the 2021 reports onward.

``common.json`` holds what every revision shares (the 基本信息 fields, the narrative sections of 正文
and the six report sections); a format file may override any of its top-level keys.

A new official revision is a new data file, not new code.  Besides the files shipped in this
package, the folders named in the environment variable ``XLSX_TOOL_FORMATS`` (separated by
``os.pathsep``) and those given to :func:`add_directory` are searched; a file there wins over a
shipped one of the same id.  Every message that names years or formats is generated from these
files (:func:`years_text`).
"""
from __future__ import annotations

import datetime
import json
import os
from functools import lru_cache
from pathlib import Path

from ..findings import Code, UserError

#: The folder of the shipped data files (a plain path: the package is installed as files, and
#: ``importlib.resources`` would cost every command a few milliseconds of start-up).
HERE = Path(__file__).resolve().parent
COMMON = "common"
ENV = "XLSX_TOOL_FORMATS"
#: JSON Schemas kept beside the data (``exchange.schema.json``) are not formats.
SCHEMA_SUFFIX = ".schema.json"
#: Keys every format file (after ``common.json`` is overlaid) must have.
REQUIRED = ("id", "name", "document", "first_year", "tables", "rules", "basic_info", "narrative",
            "report_sections")

_extra: list[Path] = []
#: Functions that forget what was derived from the data (the model's and placeholders' caches).
_on_change: list = []


def on_change(forget) -> None:
    """Call ``forget()`` whenever the search path changes (modules built on the data register
    their caches here, so that this module imports none of them)."""
    _on_change.append(forget)


def add_directory(folder: str | Path) -> None:
    """Search ``folder`` for format files too (tests load a synthetic format this way)."""
    folder = Path(folder)
    if folder not in _extra:
        _extra.append(folder)
    clear_caches()


def remove_directory(folder: str | Path) -> None:
    """Stop searching ``folder`` (undoes :func:`add_directory`)."""
    folder = Path(folder)
    if folder in _extra:
        _extra.remove(folder)
    clear_caches()


def clear_caches() -> None:
    """Forget every loaded format (after the search path changed)."""
    _files.cache_clear()
    raw.cache_clear()
    for forget in _on_change:
        forget()


@lru_cache(maxsize=None)
def _files() -> dict[str, Path]:
    """Format id → its data file; later folders win."""
    folders = [HERE]
    folders += [Path(p) for p in os.environ.get(ENV, "").split(os.pathsep) if p]
    folders += _extra
    out: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for p in sorted(folder.glob("*.json")):
            if p.stem != COMMON and not p.name.endswith(SCHEMA_SUFFIX):
                out[p.stem] = p
    return out


def available() -> list[str]:
    """Ids of every known format, oldest first by ``first_year`` (e.g. ``["2019", "2021"]``)."""
    return sorted(_files(), key=lambda fid: (raw(fid)["first_year"], fid))


@lru_cache(maxsize=None)
def raw(format_id: str) -> dict:
    """The merged JSON description of one format (``common.json`` overlaid by ``<id>.json``).

    Raises ``KeyError`` for an unknown id and ``ValueError`` (naming the file) for a data file
    that is not valid JSON or lacks a required key — a mistake in the data, not in user input.
    """
    path = _files()[format_id]
    base = json.loads((HERE / (COMMON + ".json")).read_text("utf-8"))
    try:
        own = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"format data {path}: {exc}") from None
    base.pop("_about", None)
    base.update(own)
    missing = [k for k in REQUIRED if k not in base]
    if missing:
        raise ValueError(f"format data {path}: missing keys {missing}")
    if str(base["id"]) != format_id:
        raise ValueError(f"format data {path}: id {base['id']!r} differs from the file name")
    return base


def year_span(format_id: str) -> tuple[int, int | None]:
    """``(first_year, last_year)`` of the reports a format serves; ``last_year`` is ``None`` while
    the format is current."""
    data = raw(format_id)
    return data["first_year"], data.get("last_year")


def span_text(format_id: str) -> str:
    """``2019—2020 年度`` or ``2021 年度起``."""
    first, last = year_span(format_id)
    if last is None:
        return f"{first} 年度起"
    return f"{first} 年度" if first == last else f"{first}—{last} 年度"


def years_text() -> str:
    """Which years have which official format, e.g. ``2019—2020 年度用 2019 格式（国办公开办函〔2019〕60号）；
    2021 年度起用 2021 格式（国办公开办函〔2021〕30号）``."""
    return "；".join(f"{span_text(f)}用 {f} 格式（{raw(f)['document']}）" for f in available())


def supported_years(today: datetime.date | None = None) -> tuple[int, int]:
    """The report years the tool accepts: the first year of the oldest format … next year."""
    today = today or datetime.date.today()
    return raw(available()[0])["first_year"], today.year + 1


#: From this month on, the default report year is the current year (reports for year Y are
#: written from late Y until 31 January Y+1, 条例 第四十九条); before it, the year before.
SEASON_STARTS = 10


def default_year(today: datetime.date | None = None) -> int:
    """The report year a clerk most likely means today: from October on the current year
    (2026-10-01 → 2026), before that the year before (2026-09-30 → 2025, 2027-01-15 → 2026)."""
    today = today or datetime.date.today()
    return today.year if today.month >= SEASON_STARTS else today.year - 1


def for_year(year: int) -> str:
    """The format id that applies to a report year: the newest format whose ``first_year`` ≤ year.

    Years before the first format fall back to the oldest one.
    """
    chosen = available()[0]
    for fid in available():
        if raw(fid)["first_year"] <= year:
            chosen = fid
    return chosen


def serves(format_id: str, year: int) -> bool:
    """Whether the format applies to report ``year``."""
    first, last = year_span(format_id)
    return first <= year <= (last if last is not None else year)


def resolve(year: int, format_id: str | None = None) -> str:
    """The format for a report ``year``, checked: ``format_id`` if given, else :func:`for_year`.

    Raises ``UserError`` F13 for a year outside :func:`supported_years`, F12 for an unknown
    ``format_id``, S07 when ``format_id`` does not apply to ``year``; each message names the
    years and formats from the data files.
    """
    oldest, newest = supported_years()
    if not oldest <= year <= newest:
        if year < 1000:
            why = f"“{year}”不是四位年份"
        elif year < oldest:
            why = f"本工具所用的官方年报格式从 {oldest} 年度开始，{year} 年度没有"
        else:
            why = f"{year} 年度的报告现在还不能填写"
        raise UserError(Code.F13, f"--year {year}", f"{why}；可填 {oldest}—{newest} 年度：{years_text()}")
    if format_id is None:
        return for_year(year)
    check_known(format_id, f"--format {format_id}")
    if not serves(format_id, year):
        raise UserError(Code.S07, f"--format {format_id} --year {year}",
                        f"{year} 年度应使用 {for_year(year)} 格式；{years_text()}")
    return format_id


def check_known(format_id: str, subject: str) -> None:
    """``UserError`` F12 naming the known formats when ``format_id`` is not one of them."""
    if format_id not in available():
        raise UserError(Code.F12, subject, f"可选：{'、'.join(available())}；{years_text()}")
