"""基本信息 from the report's title and preamble.

* title → agency (机关名称) and report year: ``{机关}[关于]{年}年[度]政府信息公开工作年度报告`` or
  ``{年}年[度]{机关}政府信息公开…``, from the page/document title or the first lines;
* preamble (and, failing that, the last part) → 发布网站名称 and 网址 (``可从…网站（网址）下载``,
  ``在…网站（网址）公布``), 联系部门 (``请与…联系``), 地址, 邮编, 电话, 传真, 电子邮箱.

When the title gives no year, the reporting period (统计期限 ``2024年1月1日``) or the first year
named in 一、总体情况 is used and the finding says so.
"""
from __future__ import annotations

import re
import unicodedata

from .document import Document, Para
from .structure import Structure

_TITLE = re.compile(r"((?:19|20)\d{2})\s*年\s*度?\s*(?:的\s*)?政\s*府\s*信\s*息\s*公\s*开(?:\s*工\s*作)?(?:\s*年\s*度)?\s*(?:工作)?\s*报\s*告")
_YEAR_FIRST = re.compile(r"^\s*((?:19|20)\d{2})\s*年\s*度?\s*(.{2,40}?)\s*政府信息公开(?:工作)?(?:年度)?报告")
_ORG_TAIL = re.compile(r"[\u4e00-\u9fff（）()·]{2,60}$")
_URL = r"(?:https?://[^\s）)，,；;。、]+|www\.[A-Za-z0-9.\-]+[A-Za-z0-9/._\-]*)"
_SITE = re.compile(r"(?:可从|可在|可登录|登录|可通过|通过|从|在|于)\s*[“\"]?([^，,。；;（(“”\"]{2,40}?(?:网站|门户网|网|平台|专栏|专区))[”\"]?\s*[（(]\s*(" + _URL + r")\s*[）)]")
_SITE_LOOSE = re.compile(r"([^\s，,。；;（(：:“”]{2,30}?(?:人民政府网站|门户网站|政府网站|网站))\s*[（(]?\s*(" + _URL + r")")
_CONTACT = re.compile(r"(?:请与|请联系|联系单位\s*[:：]|联系部门\s*[:：])\s*([^，,。；;（(：:]{2,40}?)\s*(?:联系|[（(，,；;。]|$)")
_ADDRESS = re.compile(r"(?:通讯|联系|办公)?地\s*址\s*[:：]\s*([^；;，,。）)\n]{4,80})")
_POSTCODE = re.compile(r"邮\s*政?\s*编\s*码?\s*[:：]?\s*([0-9０-９]{6})(?![0-9])")
_PHONE = re.compile(r"(?:联系|咨询)?电\s*话(?:号码)?\s*[:：]?\s*([0-9０-９][0-9０-９\-－—–()（） ]{5,28}[0-9０-９])")
_FAX = re.compile(r"传\s*真(?:号码)?\s*[:：]?\s*([0-9０-９][0-9０-９\-－—–()（） ]{5,28}[0-9０-９])")
#: starts only where a run of address characters starts (else a long run without "@" is quadratic)
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
_PERIOD = re.compile(r"((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_ANY_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def title_of(doc: Document, st: Structure) -> tuple[str, str, int | None]:
    """``(title, agency, year)`` as printed; '' / ``None`` when not found."""
    candidates = [doc.title] if doc.title else []
    first = [b.text for b in st.preamble if isinstance(b, Para)][:12]
    if not first and st.sections:
        first = [b.text for b in st.sections[0].blocks if isinstance(b, Para)][:2]
    candidates += first
    for text in candidates:
        text = unicodedata.normalize("NFKC", text).replace("\u3000", " ")
        m = _TITLE.search(text[:200])
        if m:
            head = text[:m.start()].strip()
            head = re.sub(r"^(?:标\s*题|题\s*目|title)\s*[:：]\s*", "", head, flags=re.I)
            head = re.sub(r"关于\s*$", "", head).strip()
            org = (_ORG_TAIL.search(head).group(0) if _ORG_TAIL.search(head) else "").strip()
            org = re.sub(r"关于$", "", org)
            if org.count("（") > org.count("）"):
                org = org[org.rfind("（") + 1:]
            if org.count("(") > org.count(")"):
                org = org[org.rfind("(") + 1:]
            title = (head + text[m.start():m.end()]).strip()
            if not org:
                y = _YEAR_FIRST.match(text)
                if y:
                    org = y.group(2).strip()
            return title, org, int(m.group(1))
    return "", "", None


def year_from_text(st: Structure) -> int | None:
    """The reporting period's year (统计期限), else the first year in 一、总体情况."""
    texts = [b.text for b in st.preamble if isinstance(b, Para)]
    m = _PERIOD.search(" ".join(texts))
    if m:
        return int(m.group(1))
    sec = st.section(0)
    if sec:
        m = _ANY_YEAR.search(" ".join(b.text for b in sec.blocks if isinstance(b, Para))[:400])
        if m:
            return int(m.group(1))
    return None


def basic_info(st: Structure) -> dict[str, str]:
    """The contact fields found in the preamble (else the sign-off part), by field id."""
    pre = " ".join(b.text for b in st.preamble if isinstance(b, Para))
    last = st.sections[-1] if st.sections else None
    tail = " ".join(b.text for b in last.blocks if isinstance(b, Para))[-1500:] if last else ""
    out: dict[str, str] = {}
    for text in (pre, tail):
        if not text:
            continue
        _fill(out, text)
    return out


def _digits(raw: str) -> str:
    t = unicodedata.normalize("NFKC", raw).strip()
    t = t.replace("—", "-").replace("–", "-").replace("－", "-")
    return re.sub(r"\s+", "", t)


def _fill(out: dict[str, str], text: str) -> None:
    m = _SITE.search(text) or _SITE_LOOSE.search(text)
    if m and "website_name" not in out:
        out["website_name"] = m.group(1).strip("“”\" ")
        out["website_url"] = m.group(2).rstrip(".。")
    m = _CONTACT.search(text)
    if m and "contact_office" not in out:
        out["contact_office"] = m.group(1).strip()
    for key, rx, conv in (("address", _ADDRESS, str.strip), ("postcode", _POSTCODE, _digits),
                          ("phone", _PHONE, _digits), ("fax", _FAX, _digits)):
        m = rx.search(text)
        if m and key not in out:
            out[key] = conv(m.group(1))
    m = _EMAIL.search(text)
    if m and "email" not in out:
        out["email"] = m.group(0).rstrip(".")


__all__ = ["title_of", "year_from_text", "basic_info"]
