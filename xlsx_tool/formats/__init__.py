"""The official report formats: data files (``<id>.json``) and the model derived from them.

* :mod:`.registry` — which formats exist, which years each serves, choosing one;
* :mod:`.model` — one format laid out (:class:`~.model.Format`, built by :mod:`.layout` from the
  pieces in :mod:`.geometry`);
* :mod:`.values` — the kinds of cell value (counts, money) and how they are read and printed;
* :mod:`.content` — one report's content (:class:`~.content.ReportData`);
* :mod:`.placeholders` — how 正文 text names a table cell.

A new official revision is a new data file, not new code.
"""
from .model import Format, load
from .registry import available, for_year, raw, resolve, years_text

__all__ = ["Format", "load", "available", "for_year", "raw", "resolve", "years_text"]
