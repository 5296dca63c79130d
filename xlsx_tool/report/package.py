"""A Word template opened as an untrusted file: the zip and XML limits, macros, external links.

``render`` and ``lint-template`` open a template only through :func:`open_template`, so both
refuse the same files before python-docx or docxtpl sees a byte:

* not a regular file (a FIFO, a device) — F14; larger than :data:`MAX_FILE_BYTES`, more than
  :data:`MAX_ENTRIES` zip entries, a part over :data:`MAX_XML_BYTES` (XML) or
  :data:`MAX_PART_BYTES` (media), more than :data:`MAX_TOTAL_BYTES` in all, or a compression
  ratio over :data:`MAX_RATIO` — F20 (sizes are read from the zip directory and enforced while
  inflating, so a 1 MB file announcing a 1 GiB part is refused before it is inflated);
* a DTD or entity declaration in **any** XML part (body, headers, footers, footnotes, endnotes,
  comments, settings, relationships …) — F20;
* macros (``.docm``/``.dotm``, or a ``vbaProject.bin`` inside) — F21;
* not a Word document at all — F09.

A Word template (``.dotx``) is accepted: its main part is declared a document, as Word does when
it makes a new document from a template.

External relationships (``TargetMode="External"``: linked pictures, an attached template on a
server, UNC paths, links to OLE objects, sub-documents, frames) never reach the report: the
template handed to docxtpl is a copy without them (:attr:`Template.links` lists what was removed;
``render`` prints a T08 提示, ``lint-template`` reports them).  Only hyperlinks to web pages and
e-mail addresses (``http``, ``https``, ``mailto``) stay: readers click them, nothing fetches them.
A relationship whose target is an address, a drive or a UNC path counts as external even when it
is not marked so.  What reaches outside without any relationship — fields that fetch
(INCLUDEPICTURE, INCLUDETEXT, LINK, DDE …), VML addresses, altChunk parts, SVG pictures with
outside references — is removed by :mod:`.outside` and listed the same way; a field instruction
holding a tag is listed in :attr:`Template.tagged` (T10).
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..archives import ZipLimits, over_limit
from ..findings import Code, UserError
from ..inputs import read_input
from . import outside

MAX_FILE_BYTES = 32 * 2**20
MAX_ENTRIES = 5000
MAX_XML_BYTES = 16 * 2**20
MAX_PART_BYTES = 32 * 2**20
MAX_TOTAL_BYTES = 96 * 2**20
#: uncompressed ÷ compressed size above which a part larger than 1 MiB is a zip bomb (Word's XML
#: compresses about 10:1; deflate's maximum is about 1000:1)
MAX_RATIO = 100
ZIP_LIMITS = ZipLimits(MAX_ENTRIES, MAX_TOTAL_BYTES,
                       member=lambda name: MAX_XML_BYTES if _is_xml(name) else MAX_PART_BYTES, ratio=MAX_RATIO)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
#: the relationship-id attributes' namespaces (transitional and strict OOXML)
R_NAMESPACES = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                "http://purl.oclc.org/ooxml/officeDocument/relationships")
DOCUMENT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
TEMPLATE = "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"
MACRO_TYPES = ("application/vnd.ms-word.document.macroEnabled.main+xml",
               "application/vnd.ms-word.template.macroEnabledTemplate.main+xml")
#: elements whose only meaning is the external link: removed with it
LINK_ELEMENTS = {"attachedTemplate", "subDoc", "OLEObject", "sourceFileName", "hlinkClick", "hlinkHover",
                 "hlinkMouseOver", "altChunk", "recipientData", "dataSource", "headerSource", "src"}
#: a relationship target that leaves the package even when not marked external (an address, a
#: drive letter, a UNC path)
OUTSIDE_TARGET = re.compile(r"\s*(?:[A-Za-z][A-Za-z0-9+.\-]*:|\\\\|//)")
#: hyperlink targets that stay: a reader's click, never fetched while rendering or converting
SAFE_LINK = re.compile(r"(https?://|mailto:)[^\s\\]*$", re.I)
DECLARATIONS = tuple(word.encode(enc) for word in ("<!DOCTYPE", "<!ENTITY")
                     for enc in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"))
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
KIND_NAMES = {"image": "链接的图片", "attachedTemplate": "附加的模板", "oleObject": "链接的对象",
              "hyperlink": "超链接", "subDocument": "子文档", "frame": "框架", "package": "嵌入的文件",
              "video": "视频", "audio": "音频", "externalLinkPath": "外部数据"}


@dataclass(frozen=True)
class Link:
    """One external relationship removed from the template."""
    part: str                # the part that uses it, e.g. ``word/document.xml``
    kind: str                # relationship type, e.g. ``image``, ``attachedTemplate``
    target: str              # where it points, as written

    def describe(self) -> str:
        name = KIND_NAMES.get(self.kind) or outside.KIND_NAMES.get(self.kind, self.kind)
        target = self.target if len(self.target) <= 80 else self.target[:77] + "…"
        return f"{name}（{target}，在 {self.part}）"


@dataclass
class Template:
    """A template that passed the limits: its file's bytes, its parts (name → bytes, in zip
    order), the external links removed from them, and whether it was a ``.dotx``."""
    path: Path
    raw: bytes
    parts: dict[str, bytes]
    links: list[Link] = field(default_factory=list)
    dotx: bool = False
    changed: bool = False
    #: field instructions holding a template tag: (part, field code)
    tagged: list[tuple[str, str]] = field(default_factory=list)

    def docx_bytes(self) -> bytes:
        """The template as a .docx in memory, as docxtpl will open it (the file itself when
        nothing had to change)."""
        if not self.changed:
            return self.raw
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for name, data in self.parts.items():
                z.writestr(zipfile.ZipInfo(name, ZIP_TIME), data, zipfile.ZIP_DEFLATED)
        return buf.getvalue()

    def replace(self, name: str, data: bytes) -> None:
        self.parts[name] = data
        self.changed = True


def _refuse(path: Path, detail: str, code: Code = Code.F20) -> UserError:
    return UserError(code, str(path), detail)


def _hint(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".doc", ".wps", ".rtf", ".odt"):
        return f"；{suffix} 格式请在 Word/WPS 中另存为 .docx"
    return ""


def read_file(path: Path) -> bytes:
    """The template's bytes through the one guarded read of :func:`xlsx_tool.inputs.read_input`:
    F09 missing, a folder or unreadable, F14 not a regular file (a FIFO, a device), F20 over
    :data:`MAX_FILE_BYTES`."""
    return read_input(path, MAX_FILE_BYTES, too_big=Code.F20, unreadable=Code.F09, missing=Code.F09,
                      missing_detail="文件不存在", folder=Code.F09, folder_detail="给出的是文件夹而不是 .docx 文件",
                      hint="Word 模板一般只有几十 KB 到几 MB")


def read_zip(path: Path, data: bytes) -> dict[str, bytes]:
    """Every entry of the template's zip ``data``, within the limits (F09 not a zip, F20 over a
    limit)."""
    if len(data) > MAX_FILE_BYTES:
        raise _refuse(path, f"文件超过 {MAX_FILE_BYTES // 2**20} MB 的上限")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            problem = over_limit(infos, ZIP_LIMITS)
            if problem:
                raise _refuse(path, problem)
            # zipfile stops inflating at the announced size and checks the CRC: the limits hold
            return {info.filename: z.read(info) for info in infos if not info.is_dir()}
    except UserError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, RuntimeError,
            OSError) as exc:
        raise UserError(Code.F09, str(path), f"无法作为 Word (.docx) 文件打开：{type(exc).__name__}{_hint(path)}") from None


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def parse(data: bytes, name: str, path: Path):
    """An XML part as an lxml element (F09 when it is not XML)."""
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise UserError(Code.F09, str(path), f"{name} 无法解析：{exc}") from None


def open_template(path, data: bytes | None = None) -> Template:
    """Read and vet a Word template (see the module docstring); ``data``: its bytes when they
    are not in the file ``path`` (a built-in template made in memory).  Raises ``UserError``
    F09, F20, F21."""
    path = Path(path)
    raw = read_file(path) if data is None else data
    parts = read_zip(path, raw)
    for name, data in parts.items():
        if _is_xml(name) or name == "[Content_Types].xml":
            if any(d in data for d in DECLARATIONS):
                raise _refuse(path, f"{name} 中有 DTD 或实体声明（<!DOCTYPE/<!ENTITY>），Word 文件中不会有这些内容")
    if "[Content_Types].xml" not in parts:
        raise UserError(Code.F09, str(path), f"不是 Word (.docx) 文件{_hint(path)}")
    types = parse(parts["[Content_Types].xml"], "[Content_Types].xml", path)
    main = {el.get("ContentType") for el in types.iter(f"{{{CT}}}Override")}
    if main & set(MACRO_TYPES) or any(n.lower().endswith("vbaproject.bin") for n in parts):
        raise UserError(Code.F21, str(path), "文件中有 VBA 宏（.docm/.dotm）")
    if DOCUMENT not in main and TEMPLATE not in main:
        raise UserError(Code.F09, str(path), f"不是 Word (.docx) 文件{_hint(path)}")
    tpl = Template(path, raw, parts)
    if TEMPLATE in main and DOCUMENT not in main:
        tpl.dotx = True
        tpl.replace("[Content_Types].xml", parts["[Content_Types].xml"].replace(TEMPLATE.encode(), DOCUMENT.encode()))
    _strip_links(tpl)
    _strip_outside(tpl)
    return tpl


def _strip_outside(tpl: Template) -> None:
    """What reaches outside without an external relationship (:mod:`.outside`): fetching fields,
    VML addresses, altChunk parts, SVG pictures with outside references — removed and listed
    with the links; field instructions holding a tag listed in ``tagged``."""
    done = outside.scrub(tpl.parts)
    for name, data in done.parts.items():
        if data is None:
            tpl.parts.pop(name, None)
            tpl.changed = True
        else:
            tpl.replace(name, data)
    tpl.links += [Link(r.part, r.kind, r.target) for r in done.removed]
    tpl.tagged = list(done.tagged)


def _source_of(rels_name: str) -> str:
    """``word/_rels/document.xml.rels`` → ``word/document.xml``; ``_rels/.rels`` → ``""``."""
    folder, _, name = rels_name.rpartition("_rels/")
    return folder + name[: -len(".rels")]


def _strip_links(tpl: Template) -> None:
    """Remove every external relationship but web and e-mail hyperlinks, and what uses it."""
    for rels_name in [n for n in tpl.parts if n.endswith(".rels")]:
        root = parse(tpl.parts[rels_name], rels_name, tpl.path)
        removed: set[str] = set()
        source = _source_of(rels_name)
        for rel in list(root.iter(f"{{{PR}}}Relationship")):
            if (rel.get("TargetMode") or "").lower() != "external" and not OUTSIDE_TARGET.match(rel.get("Target") or ""):
                continue
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
            target = rel.get("Target") or ""
            if kind == "hyperlink" and SAFE_LINK.match(target.strip()):
                continue
            removed.add(rel.get("Id") or "")
            rel.getparent().remove(rel)
            tpl.links.append(Link(source or "（文档包）", kind, target))
        if not removed:
            continue
        tpl.replace(rels_name, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))
        if source in tpl.parts and _is_xml(source):
            tpl.replace(source, _unlink(tpl.parts[source], removed, source, tpl.path))


def _unlink(data: bytes, ids: set[str], name: str, path: Path) -> bytes:
    """``data`` (an XML part) without references to the relationship ``ids``."""
    root = parse(data, name, path)
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        hits = [a for a in el.attrib if a.startswith("{") and a[1:].split("}")[0] in R_NAMESPACES
                and el.get(a) in ids]
        if not hits:
            continue
        local = etree.QName(el).localname
        parent = el.getparent()
        if local == "hyperlink" and parent is not None:        # keep the words, drop the link
            at = parent.index(el)
            for child in list(el):
                parent.insert(at, child)
                at += 1
            parent.remove(el)
        elif local in LINK_ELEMENTS and parent is not None:
            parent.remove(el)
        else:
            for a in hits:
                del el.attrib[a]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


TAG_TEXT = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)


def comment_tags(tpl: Template) -> list[str]:
    """The ``{{ … }}``/``{% … %}`` tags written in the template's comments (批注), which docxtpl
    never renders."""
    found = []
    for name, data in tpl.parts.items():
        if re.fullmatch(r"word/comments\w*\.xml", name):
            root = parse(data, name, tpl.path)
            text = "\n".join("".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in root.iter(f"{{{W}}}p"))
            found += TAG_TEXT.findall(text)
    return found
