"""References out of a Word document that no external relationship declares, found and removed.

:mod:`.package` drops every relationship marked ``TargetMode="External"``; these reach outside
without one, and LibreOffice follows them when it converts the report to PDF (a web request from
the clerk's machine, or a local file copied into the published report):

* fields that fetch — ``INCLUDEPICTURE``, ``INCLUDETEXT``/``INCLUDE``, ``LINK``, ``DDE``/``DDEAUTO``,
  ``IMPORT``, ``RD``, ``DATABASE`` — as complex fields (``w:fldChar`` … ``w:instrText`` …) or
  ``w:fldSimple``: the field code is removed, the result it shows (text or an embedded picture)
  stays as plain content;
* VML addresses (``src``, ``o:href`` on ``v:imagedata``, ``v:fill`` …) that are not internal;
* ``w:altChunk`` (a web page, RTF or another document imported while opening; its images and
  links are fetched): the element, its relationship and the part;
* SVG pictures whose ``href``/``url()`` point anywhere but inside the picture (``#…``) or at
  inline data (``data:``): the picture keeps its PNG fallback when it has one (``asvg:svgBlip``
  inside ``a:blip``), else it is dropped; the SVG part goes.

Also reported: field instructions holding a docxtpl tag (``{{ … }}``, ``{% … %}``), whose data
then decides part of the field code.  :func:`scrub` works on a package's parts (a template before
rendering, or the rendered report: data may have written a field code) and never raises for
content it does not understand: a part that is not XML is left to the other checks.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
VML = "urn:schemas-microsoft-com:vml"
OFFICE = "urn:schemas-microsoft-com:office:office"
R_NAMESPACES = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                "http://purl.oclc.org/ooxml/officeDocument/relationships")
#: Field types that read a file or an address while the document is opened or converted.
FETCHING_FIELDS = {"INCLUDEPICTURE": "引用外部图片的域", "INCLUDETEXT": "引用外部文件的域", "INCLUDE": "引用外部文件的域",
                   "LINK": "链接外部对象的域", "DDE": "动态数据交换域", "DDEAUTO": "动态数据交换域",
                   "IMPORT": "导入外部图片的域", "RD": "引用其他文档的域", "DATABASE": "数据库查询域"}
KIND_NAMES = {**{f"field:{k}": f"{v}（{k}）" for k, v in FETCHING_FIELDS.items()},
              "vml": "图形的外部地址", "altChunk": "嵌入的网页或文档（altChunk，打开时会读取其中的图片和链接）",
              "svg": "引用外部内容的 SVG 图片"}
TAG = re.compile(r"\{\{|\{%")
_MARKERS = (b"fldChar", b"fldSimple", b"altChunk")
#: A VML element can only point outside through these attributes (``src``, ``o:href``): a part
#: that declares VML without either word cannot hold one (most parts declare it on their root).
_VML_MARKERS = (b"src", b"href")
_SVG_OUTSIDE = re.compile(rb"""url\(\s*['"]?\s*(?!#|data:)[^)\s'"]|@import""", re.I)
_FLD, _INSTR, _SIMPLE, _RUN = (f"{{{W}}}fldChar", f"{{{W}}}instrText", f"{{{W}}}fldSimple", f"{{{W}}}r")
#: An instruction deleted with tracked changes is still the field's code until the change is rejected.
_DEL_INSTR = f"{{{W}}}delInstrText"


@dataclass(frozen=True)
class Removed:
    """One reference removed: the ``part`` that held it, its ``kind`` (``field:INCLUDEPICTURE``,
    ``vml``, ``altChunk``, ``svg``) and where it pointed."""
    part: str
    kind: str
    target: str


@dataclass
class Scrubbed:
    """What :func:`scrub` did: ``parts`` to replace (name → bytes; ``None``: delete the part),
    ``removed`` references, ``tagged`` field instructions holding a template tag (part, code)."""
    parts: dict[str, bytes | None] = field(default_factory=dict)
    removed: list[Removed] = field(default_factory=list)
    tagged: list[tuple[str, str]] = field(default_factory=list)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def _parse(data: bytes):
    try:
        return etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, ValueError):
        return None


def _ascii(data: bytes) -> bytes:
    """``data`` where its markers can be searched as bytes: a part in UTF-16 (XML allows it, Word
    and LibreOffice read it) decoded first, else the field inside went unnoticed."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:2] in (b"<\x00", b"\x00<"):
        return data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else
                           ("utf-16-le" if data[:1] == b"<" else "utf-16-be"), errors="replace").encode("utf-8")
    return data


def _dump(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _source_of(rels_name: str) -> str:
    """``word/_rels/document.xml.rels`` → ``word/document.xml``; ``_rels/.rels`` → ``""``."""
    folder, _, name = rels_name.rpartition("_rels/")
    return folder + name[: -len(".rels")]


def _target(part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def _quoted(instr: str) -> str:
    m = re.search(r'"([^"]*)"', instr)
    return (m.group(1) if m else instr.strip())[:200]


def _field_type(instr: str) -> str:
    words = instr.split()
    return words[0].upper() if words else ""


def scrub_docx(data: bytes) -> tuple[bytes, Scrubbed]:
    """:func:`scrub` on a whole .docx in memory: the document again (unchanged bytes when nothing
    was found) and what was done."""
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = [i for i in z.infolist() if not i.is_dir()]
        parts = {i.filename: z.read(i) for i in infos}
    done = scrub(parts)
    if not done.parts:
        return data, done
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info in infos:
            content = done.parts.get(info.filename, parts[info.filename])
            if content is not None:
                z.writestr(info, content)
    return buf.getvalue(), done


def scrub(parts: dict[str, bytes]) -> Scrubbed:
    """Find and remove every reference of the module docstring in the package ``parts``."""
    out = Scrubbed()
    drop_ids: dict[str, set[str]] = {}          # part → relationship ids to remove with it
    for name, data in parts.items():
        if not name.lower().endswith(".xml") or name == "[Content_Types].xml" or not _may_refer(_ascii(data)):
            continue
        root = _parse(data)
        if root is None:
            continue
        before = len(out.removed)
        _fields(root, name, out)
        _vml(root, name, out)
        ids = _alt_chunks(root, name, out)
        if ids:
            drop_ids.setdefault(name, set()).update(ids)
        if len(out.removed) > before:
            out.parts[name] = _dump(root)
    _svgs(parts, out, drop_ids)
    _drop_relationships(parts, out, drop_ids)
    return out


def _may_refer(data: bytes) -> bool:
    """Whether a part may hold a reference :func:`scrub` removes (element and attribute names are
    written out literally in XML, so a part without them has none: it is not parsed)."""
    return any(m in data for m in _MARKERS) or (VML.encode() in data and any(m in data for m in _VML_MARKERS))


def _fields(root, part: str, out: Scrubbed) -> None:
    """Fetching fields removed (their shown result kept); tagged instructions noted."""
    stack: list[dict] = []
    done: list[dict] = []
    for el in root.iter(_FLD, _INSTR, _DEL_INSTR):
        if el.tag != _FLD:
            if stack and stack[-1]["sep"] is None:
                stack[-1]["instr"].append(el.text or "")
            continue
        kind = el.get(f"{{{W}}}fldCharType")
        if kind == "begin":
            stack.append({"begin": el, "instr": [], "sep": None})
        elif kind == "separate" and stack:
            stack[-1]["sep"] = el
        elif kind == "end" and stack:
            f = stack.pop()
            f["end"] = el
            done.append(f)
    ordered: list = []
    runs: dict[int, int] = {}
    gone: set[int] = set()
    for f in done:
        instr = "".join(f["instr"])
        if TAG.search(instr):
            out.tagged.append((part, instr.strip()[:200]))
        ftype = _field_type(instr)
        if ftype not in FETCHING_FIELDS:
            continue
        if not ordered:                          # the runs, once, when a field is to go
            ordered = list(root.iter(_RUN))      # kept alive: lxml then returns these same proxies
            runs = {id(r): i for i, r in enumerate(ordered)}
        sep = f["sep"] if f["sep"] is not None else f["end"]
        first, stop, end = (runs.get(id(x.getparent())) for x in (f["begin"], sep, f["end"]))
        if first is None or stop is None or end is None:
            continue
        for i in sorted(set(range(first, stop + 1)) | {end}):
            run = ordered[i]
            if id(run) not in gone and run.getparent() is not None:
                gone.add(id(run))
                run.getparent().remove(run)
        out.removed.append(Removed(part, f"field:{ftype}", _quoted(instr)))
    for el in list(root.iter(_SIMPLE)):
        instr = el.get(f"{{{W}}}instr") or ""
        if TAG.search(instr):
            out.tagged.append((part, instr.strip()[:200]))
        ftype = _field_type(instr)
        parent = el.getparent()
        if ftype in FETCHING_FIELDS and parent is not None:
            at = parent.index(el)
            for child in list(el):
                if child.tag != f"{{{W}}}fldData":
                    parent.insert(at, child)
                    at += 1
            parent.remove(el)
            out.removed.append(Removed(part, f"field:{ftype}", _quoted(instr)))


def _internal(value: str) -> bool:
    value = value.strip()
    return not value or value.startswith("#")


def _vml(root, part: str, out: Scrubbed) -> None:
    """VML ``src``/``o:href`` attributes that point outside the document removed."""
    for el in root.iter(f"{{{VML}}}*"):
        for attr in ("src", f"{{{OFFICE}}}href"):
            value = el.get(attr)
            if value is not None and not _internal(value):
                del el.attrib[attr]
                out.removed.append(Removed(part, "vml", value.strip()[:200]))


def _alt_chunks(root, part: str, out: Scrubbed) -> set[str]:
    """``w:altChunk`` elements removed; their relationship ids returned (the parts go with them)."""
    ids = set()
    for el in list(root.iter(f"{{{W}}}altChunk")):
        rid = next((el.get(f"{{{ns}}}id") for ns in R_NAMESPACES if el.get(f"{{{ns}}}id")), "")
        ids.add(rid)
        if el.getparent() is not None:
            el.getparent().remove(el)
        out.removed.append(Removed(part, "altChunk", rid))
    return ids


def svg_outside(data: bytes) -> str | None:
    """Where an SVG picture points outside itself (an ``href`` not ``#…``/``data:``, a CSS
    ``url()`` or ``@import``), or ``None``; an SVG that is not XML counts as pointing outside."""
    root = _parse(data)
    if root is None:
        return "（无法解析的 SVG）"
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for key, value in el.attrib.items():
            if etree.QName(key).localname == "href" and not value.strip().lower().startswith(("#", "data:")):
                return value.strip()[:200]
    m = _SVG_OUTSIDE.search(data)
    return m.group().decode("utf-8", "replace") if m else None


def _svgs(parts: dict[str, bytes], out: Scrubbed, drop_ids: dict[str, set[str]]) -> None:
    """SVG parts pointing outside: the svgBlip (PNG fallback kept) or the picture dropped."""
    bad = {}
    for name, data in parts.items():
        if name.lower().endswith(".svg"):
            where = svg_outside(data)
            if where is not None:
                bad[name] = where
    if not bad:
        return
    for rels_name, data in parts.items():
        if not rels_name.endswith(".rels"):
            continue
        source = _source_of(rels_name)
        rels = _parse(data)
        if rels is None or source not in parts:
            continue
        ids = {r.get("Id") or "": _target(source, r.get("Target") or "") for r in rels.iter(f"{{{PR}}}Relationship")
               if (r.get("TargetMode") or "").lower() != "external" and _target(source, r.get("Target") or "") in bad}
        if not ids:
            continue
        root = _parse(out.parts.get(source) or parts[source])
        if root is None:
            continue
        for el in list(root.iter()):
            if not isinstance(el.tag, str):
                continue
            hit = next((el.get(f"{{{ns}}}{a}") for ns in R_NAMESPACES for a in ("embed", "link", "id")
                        if el.get(f"{{{ns}}}{a}") in ids), None)
            if hit is None or el.getparent() is None:
                continue
            _drop_picture(el)
            out.removed.append(Removed(source, "svg", f"{ids[hit]}：{bad[ids[hit]]}"))
        out.parts[source] = _dump(root)
        drop_ids.setdefault(source, set()).update(ids)


def _drop_picture(el) -> None:
    """An element using an unsafe SVG: an ``svgBlip`` goes with its extension (the blip keeps its
    PNG fallback); anything else takes its whole picture (``w:drawing``/``w:pict``/``w:object``)."""
    local = etree.QName(el).localname
    if local == "svgBlip":
        ext = el.getparent()
        target = ext if etree.QName(ext).localname == "ext" else el
    else:
        target = el
        node = el
        while node is not None:
            if isinstance(node.tag, str) and etree.QName(node).localname in ("drawing", "pict", "object") \
                    and etree.QName(node).namespace == W:
                target = node
                break
            node = node.getparent()
    if target.getparent() is not None:
        target.getparent().remove(target)


def _drop_relationships(parts: dict[str, bytes], out: Scrubbed, drop_ids: dict[str, set[str]]) -> None:
    """The relationships ``drop_ids`` removed, with the parts they pointed at (and their own
    relationships and content-type entries)."""
    gone: set[str] = set()
    for source, ids in drop_ids.items():
        rels_name = _rels_of(source)
        rels = _parse(parts.get(rels_name, b""))
        if rels is None:
            continue
        for rel in list(rels.iter(f"{{{PR}}}Relationship")):
            if (rel.get("Id") or "") in ids:
                if (rel.get("TargetMode") or "").lower() != "external":
                    gone.add(_target(source, rel.get("Target") or ""))
                rel.getparent().remove(rel)
        out.parts[rels_name] = _dump(rels)
    still_used = set()
    for rels_name, data in parts.items():
        data = out.parts.get(rels_name, data)
        if rels_name.endswith(".rels") and data is not None:
            root = _parse(data)
            if root is not None:
                still_used |= {_target(_source_of(rels_name), r.get("Target") or "")
                               for r in root.iter(f"{{{PR}}}Relationship")
                               if (r.get("TargetMode") or "").lower() != "external"}
    for name in gone - still_used:
        if name in parts:
            out.parts[name] = None
            if _rels_of(name) in parts:
                out.parts[_rels_of(name)] = None
    types = _parse(parts.get("[Content_Types].xml", b""))
    if types is not None and gone:
        for el in list(types.iter(f"{{{CT}}}Override")):
            if (el.get("PartName") or "").lstrip("/") in gone - still_used:
                types.remove(el)
        out.parts["[Content_Types].xml"] = _dump(types)
