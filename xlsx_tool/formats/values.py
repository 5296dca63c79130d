"""The kinds of value an official table's cell holds: reading them from a cell, printing them.

Counts are ``int``; money (万元, 6 decimals kept exactly) and amounts are ``decimal.Decimal``
(:data:`Number`).  Reading: ``parse_number``.  Printing: :func:`format_number` (the report and the
narrative), :func:`plain` (integer if whole, for messages and JSON).  Limits: :data:`MAX_VALUE`
(also the template's data validation) and :data:`MONEY_DECIMALS`.
python-calamine returns every number as ``float`` (``12.0``) and text as ``str``; a clerk's input
arrives as text when the cell was formatted as text, pasted, or typed through an IME ("１２",
"1,234", " 12 ").  :func:`parse_number` accepts these forms (flagging them as coerced, finding V05),
and names the problem otherwise with a V code:

* V01 blank · V02 not a number · V03 negative · V04 not an integer · V06 more than 6 decimals
  (money) · V07 absurdly large.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..findings import Code

Number = int | Decimal

#: Largest magnitude accepted in any cell (a typing slip beyond this is V07).
MAX_VALUE = 999_999_999
#: Digits after the decimal point allowed for ``money`` (万元).
MONEY_DECIMALS = 6
#: Significant digits of a number stored in a workbook: what Excel shows and keeps of a typed
#: number.  Beyond them a float carries only binary noise (``=1.1*3`` is stored as
#: 3.3000000000000003), never a digit a person typed.
SIGNIFICANT_DIGITS = 15

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\ufe63": "-", "\uff0d": "-",
                              # zero-width characters and the BOM a paste from a web page leaves
                              "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None})
_INTEGER_TYPES = ("count", "signed_count")


@dataclass
class Parsed:
    """Result of :func:`parse_number`: ``value`` (``None`` when unusable), the V ``code`` of the
    problem (``None`` when fine), ``coerced`` (text or odd form accepted → V05) and ``text`` (the
    original content, for messages)."""
    value: Number | None
    code: Code | None = None
    coerced: bool = False
    text: str = ""


def display(raw: object) -> str:
    """The cell content as a clerk would recognise it: ``12.0`` → ``12``, text as is."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and math.isfinite(raw):
        return str(int(raw)) if raw == int(raw) else format(raw, f".{SIGNIFICANT_DIGITS}g")
    return str(raw)


def is_blank(raw: object) -> bool:
    """Empty cell, empty string, or only spaces (incl. the full-width space U+3000)."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def normalise_text(raw: str) -> str:
    """NFKC (full-width digits, ``，``, U+3000 → ASCII), the Unicode minus signs → ``-``,
    zero-width characters and the BOM dropped, surrounding spaces stripped and inner spaces read as thousands separators:
    ``" １,２３４ "`` → ``"1,234"``, ``"1 234"`` → ``"1,234"``."""
    text = unicodedata.normalize("NFKC", raw).translate(_MINUS_SIGNS).strip()
    return ",".join(text.split())


def as_decimal(raw: object) -> tuple[Decimal | None, bool]:
    """``(number, coerced)`` or ``(None, False)`` when ``raw`` is not a number in any accepted form."""
    if isinstance(raw, bool) or isinstance(raw, (_dt.date, _dt.time, _dt.timedelta)):
        return None, False
    if isinstance(raw, int):
        return Decimal(raw), False
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return None, False
        return Decimal(format(raw, f".{SIGNIFICANT_DIGITS}g")), False
    if isinstance(raw, Decimal):
        return (raw, False) if raw.is_finite() else (None, False)
    if not isinstance(raw, str):
        return None, False
    text = normalise_text(raw)
    if "," in text:
        if not _GROUPED.fullmatch(text):
            return None, False
        text = text.replace(",", "")
    if not _NUMBER.fullmatch(text):
        return None, False
    try:
        return Decimal(text), True
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid literals
        return None, False


def parse_number(raw: object, ctype: str, *, computed: bool = False) -> Parsed:
    """Read one cell value as ``ctype`` (``count``, ``signed_count``, ``money``, ``amount``).

    Counts come back as ``int``, money and amounts as ``Decimal``.  A blank cell gives code V01 and
    value ``None``; the caller decides whether blanks count as 0.  Numbers stored as floats count
    :data:`SIGNIFICANT_DIGITS` digits; ``computed`` (the result of a formula: nobody typed its
    digits) rounds money to :data:`MONEY_DECIMALS` instead of reporting V06.
    """
    text = display(raw)
    if is_blank(raw):
        return Parsed(None, Code.V01, text=text)
    number, coerced = as_decimal(raw)
    if number is not None and computed and ctype == "money":
        number = number.quantize(Decimal(1).scaleb(-MONEY_DECIMALS))
    if number is None:
        return Parsed(None, Code.V02, text=text)
    if number < 0 and ctype != "signed_count":
        return Parsed(None, Code.V03, coerced, text)
    if number.copy_abs() > MAX_VALUE:      # copy_abs: no context, so 1E+999999999 cannot overflow
        return Parsed(None, Code.V07, coerced, text)
    if ctype in _INTEGER_TYPES:
        if number != number.to_integral_value():
            return Parsed(None, Code.V04, coerced, text)
        return Parsed(int(number), None, coerced, text)
    if ctype == "money" and number.normalize().as_tuple().exponent < -MONEY_DECIMALS:
        return Parsed(None, Code.V06, coerced, text)
    if number == number.to_integral_value() and number.as_tuple().exponent < 0 and not coerced:
        number = number.quantize(Decimal(1))  # 12.0 from calamine → 12
    return Parsed(number, None, coerced, text)


#: Day 0 of the serial numbers: Excel's 1900 system (serial 60 is its fictitious 1900-02-29, so
#: days before 1900-03-01 count from one day later), Excel's 1904 system, LibreOffice (.ods).
_EPOCH_1900, _EPOCH_1904, _EPOCH_ODS = _dt.date(1899, 12, 30), _dt.date(1904, 1, 1), _dt.date(1899, 12, 30)


def serial_number(raw: object, system: str = "1900") -> float | None:
    """The number behind a date, time or duration a spreadsheet showed in a date format
    (``date(1900, 1, 3)`` → 3.0); ``system``: ``1900``/``1904`` (Excel) or ``ods``.  ``None``
    when ``raw`` is no such value."""
    if isinstance(raw, _dt.timedelta):
        return raw.total_seconds() / 86400
    if isinstance(raw, _dt.time):
        return (raw.hour * 3600 + raw.minute * 60 + raw.second + raw.microsecond / 1e6) / 86400
    if not isinstance(raw, _dt.date):
        return None
    day = raw.date() if isinstance(raw, _dt.datetime) else raw
    epoch = {"1904": _EPOCH_1904, "ods": _EPOCH_ODS}.get(system, _EPOCH_1900)
    if system == "1900" and day < _dt.date(1900, 3, 1):
        epoch = _dt.date(1899, 12, 31)
    days = float((day - epoch).days)
    if isinstance(raw, _dt.datetime):
        days += (raw - _dt.datetime.combine(day, _dt.time())).total_seconds() / 86400
    return days


def decimals_of(text: str) -> int:
    """Digits after the decimal point of a number written as text (for the V06 message)."""
    text = normalise_text(text)
    return len(text.split(".", 1)[1]) if "." in text else 0


def to_text(raw: object) -> str:
    """A 基本信息 / 正文 cell as text: numbers without a spurious ``.0``, dates as ``YYYY-MM-DD``,
    surrounding spaces (incl. U+3000) stripped."""
    if raw is None:
        return ""
    if isinstance(raw, _dt.datetime):
        return raw.date().isoformat() if raw.time() == _dt.time() else raw.isoformat(" ")
    if isinstance(raw, _dt.date):
        return raw.isoformat()
    return display(raw).strip()


def plain(n):
    """A number for messages and JSON: ``Decimal('12')`` → ``12``, ``12.0`` → ``12``, other
    decimals unchanged; anything that is not a number is returned as is."""
    if isinstance(n, bool) or not isinstance(n, (int, float, Decimal)):
        return n
    if isinstance(n, int):
        return n
    if isinstance(n, float):
        return int(n) if math.isfinite(n) and n == int(n) else n
    return int(n) if n.is_finite() and n == n.to_integral_value() else n


def format_number(value) -> str:
    """A cell value as printed: ``12``, ``-8``, ``24252.311082`` (no exponent, no trailing zeros)."""
    if value is None:
        return "0"
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return str(value)
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if d == 0:
        return "0"
    text = format(d.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
