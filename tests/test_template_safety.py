"""A custom Word template cannot exhaust the machine or leak, and a draft cannot pass for a report
(issue 8, report side): the bounded sandbox, the vetted package, the draft mark, the cache."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from docx import Document
from jinja2 import StrictUndefined

import bad_inputs  # noqa: F401 — imports bad_templates once its builders exist
import bad_templates as bt
from report_helpers import make_data
from xlsx_tool.findings import UserError
from xlsx_tool.report import cache, lint, package, render
from xlsx_tool.report.sandbox import MAX_STEPS, BoundedEnvironment, LimitExceeded, rendering


def run(source: str, **ctx) -> str:
    env = BoundedEnvironment(autoescape=True, undefined=StrictUndefined)
    with rendering():
        return env.from_string(source).render(**ctx)


# -- the sandbox --------------------------------------------------------------------------------------
@pytest.mark.parametrize("source", [
    "{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}{% endfor %}",
    "{{ 'x' * 10**9 }}", "{{ 10 ** (10 ** 10) }}", "{{ (10 ** 4000) * (10 ** 4000) }}", "{{ lipsum(n=100000) }}",
    "{{ 'a'|center(10**9) }}", "{{ 'a'|indent(10**9) }}", "{{ ('x' * 1000)|replace('x', 'x' * 10000) }}",
    "{{ [[1] * 10**5] * 10**5 }}", "{{ range(10)|batch(10**9, 'x')|list }}", "{{ range(10)|slice(10**9)|list }}",
    "{{ '{:>999999999}'.format(1) }}", "{{ '%999999999d' % 1 }}", "{{ '%*d' % (10**9, 1) }}",
    "{{ 'x'.ljust(10**9) }}", "{{ 'x\\t'.expandtabs(10**9) }}", "{{ range(10**9)|list }}",
    "{% set a = 'x' * 2000000 %}{% set b = a ~ a %}{{ b }}",
    "{% set ns = namespace(s='xx') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "{{ ['x' * 2000000] * 50 }}", "{{ (['x' * 2000000] * 50)|join }}", "{{ {'a': 1}|tojson(indent=10**9) }}",
])
def test_the_sandbox_refuses_work_no_report_needs(source):
    with pytest.raises((LimitExceeded, RecursionError)):
        run(source)


def test_loops_and_calls_share_one_budget_per_rendering():
    source = "{% for i in range(5000) %}{% for j in range(5000) %}{% endfor %}{% endfor %}"
    with pytest.raises(LimitExceeded, match=f"{MAX_STEPS:,}"):
        run(source)
    assert run("{% for i in range(100) %}{% for j in range(100) %}{% endfor %}{% endfor %}ok") == "ok"


@pytest.mark.parametrize("source, expected", [
    ("{{ '%s-%05d'|format('a', 3) }}", "a-00003"), ("{{ '{:>5}'.format(12) }}", "   12"),
    ("{{ 2 ** 100 }}", str(2 ** 100)), ("{{ [1, 2] * 3 }}", "[1, 2, 1, 2, 1, 2]"),
    ("{{ 'ab'|center(6) }}", "  ab  "), ("{{ range(3)|join('、') }}", "0、1、2"), ("{{ '表' ~ 3 }}", "表3"),
    ("{% for x in range(3) %}{{ loop.index }}{% else %}无{% endfor %}", "123"),
    ("{% for x in [] %}{{ x }}{% else %}无{% endfor %}", "无"),
    ("{% set ns = namespace(n=0) %}{% for i in range(4) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", "6"),
])
def test_ordinary_templates_render_as_before(source, expected):
    assert run(source) == expected


def test_lists_cannot_be_changed_in_place():
    with pytest.raises(Exception, match="unsafe|not safely callable|SecurityError|append"):
        run("{% set x = [] %}{{ x.append(1) }}")


# -- the template file ---------------------------------------------------------------------------------
def test_external_links_never_reach_the_report_but_web_links_stay(tmp_path):
    tpl = tmp_path / "模板.docx"
    tpl.write_bytes(bt.external_links())
    notes: list = []
    out = render.render_docx(make_data("2021"), tmp_path / "报告.docx", template=tpl, notes=notes)
    with zipfile.ZipFile(out) as z:
        rels = {n: z.read(n).decode() for n in z.namelist() if n.endswith(".rels")}
        body = z.read("word/document.xml").decode()
        settings = z.read("word/settings.xml").decode()
    external = re.findall(r'<Relationship [^>]*TargetMode="External"[^>]*>', "".join(rels.values()))
    assert len(external) == 1 and "https://www.example.gov.cn/" in external[0]
    assert "127.0.0.1" not in "".join(rels.values()) and "fileserver" not in "".join(rels.values())
    assert 'r:link="rId91"' not in body and "attachedTemplate" not in settings
    assert "内部名单" in Document(str(out)).paragraphs[1].text          # the words of a removed link stay
    assert [n.code for n in notes] == ["T08"]
    assert "链接的图片（http://127.0.0.1:9/logo.png" in notes[0].message and "附加的模板" in notes[0].message


def test_a_dotx_renders_as_a_document(tmp_path):
    tpl = tmp_path / "模板.dotx"
    tpl.write_bytes(bt.dotx())
    out = render.render_docx(make_data("2021"), tmp_path / "报告.docx", template=tpl)
    with zipfile.ZipFile(out) as z:
        assert "wordprocessingml.document.main+xml" in z.read("[Content_Types].xml").decode()
    assert Document(str(out)).paragraphs[0].text.startswith("本单位：")


@pytest.mark.parametrize("make, part", [(lambda: bt.endnotes("尾注：{{ info.org_name }}"), "word/endnotes.xml"),
                                         (lambda: bt.text_box("文本框：{{ info.org_name }}"), "word/document.xml")])
def test_tags_in_endnotes_and_text_boxes_are_rendered(tmp_path, make, part):
    tpl = tmp_path / "模板.docx"
    tpl.write_bytes(make())
    data = make_data("2021")
    out = render.render_docx(data, tmp_path / "报告.docx", template=tpl)
    with zipfile.ZipFile(out) as z:
        xml = z.read(part).decode()
    from html import escape

    assert escape(data.info["org_name"], quote=False) in xml and "{{" not in xml


@pytest.mark.parametrize("make, code", [(bt.macro("application/vnd.ms-word.document.macroEnabled.main+xml"), "F21"),
                                         (bt.with_doctype("word/fontTable.xml"), "F20"),
                                         (bt.with_doctype("[Content_Types].xml"), "F20"),
                                         (lambda: bt.comments("{{ year }}"), "T09")])
def test_render_and_lint_refuse_the_same_templates(tmp_path, make, code):
    tpl = tmp_path / "模板.docx"
    try:
        tpl.write_bytes(make())
    except KeyError:
        pytest.skip("python-docx's blank document has no such part")
    with pytest.raises(UserError) as err:
        render.render_docx(make_data("2021"), tmp_path / "报告.docx", template=tpl)
    assert err.value.code == code
    if code == "T09":
        assert "T09" in [f.code for f in lint.lint(tpl, "2021")]
    else:
        with pytest.raises(UserError) as err:
            lint.lint(tpl, "2021")
        assert err.value.code == code
    assert not (tmp_path / "报告.docx").exists()


def test_a_zip_announcing_a_huge_part_is_refused_before_it_is_inflated(tmp_path):
    data = bt.huge_part(64 * 2**20)(tmp_path)
    assert len(data) < 2**20
    with pytest.raises(UserError) as err:
        package.open_template(tmp_path / "t.docx", data)
    assert err.value.code == "F20" and "64 MB" in err.value.text()


# -- the draft mark -----------------------------------------------------------------------------------------
def leading_table_template() -> bytes:
    """A template that starts with a table (a letterhead), has a first-page header and two sections."""
    from docx.enum.section import WD_SECTION

    doc = Document()
    doc.add_table(rows=1, cols=2).cell(0, 0).text = "{{ info.org_name }}"
    doc.add_paragraph("第一节 {{ year }}")
    doc.sections[0].different_first_page_header_footer = True
    doc.sections[0].first_page_header.paragraphs[0].text = "红头"
    doc.add_section(WD_SECTION.NEW_PAGE)
    doc.sections[1].header.is_linked_to_previous = False
    doc.sections[1].header.paragraphs[0].text = "第二节页眉"
    doc.add_paragraph("第二节")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


DRAFT = "草稿：本报告未通过核对（2 个错误，见 xlsx-tool check），不得公开。"


def is_mark(p) -> bool:
    return p.text == DRAFT and all(r.font.color.rgb is not None and str(r.font.color.rgb) == "C00000" and r.bold
                                   for r in p.runs)


@pytest.mark.parametrize("custom", [False, True])
def test_the_draft_mark_comes_first_and_heads_every_page(tmp_path, custom):
    tpl = None
    if custom:
        tpl = tmp_path / "红头模板.docx"
        tpl.write_bytes(leading_table_template())
    out = render.render_docx(make_data("2021"), tmp_path / "报告.docx", template=tpl, draft=DRAFT)
    doc = Document(str(out))
    first = doc.element.body[0]
    assert first.tag.endswith("}p") and is_mark(doc.paragraphs[0])           # before any table
    headers = []
    for section in doc.sections:
        headers.append(section.header)
        if section.different_first_page_header_footer:
            headers.append(section.first_page_header)
        if doc.settings.odd_and_even_pages_header_footer:
            headers.append(section.even_page_header)
    assert len(headers) >= (3 if custom else 1)
    for header in headers:
        assert is_mark(header.paragraphs[0]), [p.text for p in header.paragraphs]


def test_no_draft_mark_without_errors(tmp_path):
    out = render.render_docx(make_data("2021"), tmp_path / "报告.docx")
    doc = Document(str(out))
    assert not any("草稿" in p.text for p in doc.paragraphs)
    assert not any("草稿" in p.text for s in doc.sections for p in s.header.paragraphs)


# -- the prepared-template cache ---------------------------------------------------------------------------
def test_a_cached_template_renders_the_same_report(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV_VAR, str(tmp_path / "缓存"))
    data = make_data("2021")
    first = render.render_docx(data, tmp_path / "一.docx")
    entries = list((tmp_path / "缓存").glob("*.bin"))
    assert len(entries) == 1
    second = render.render_docx(data, tmp_path / "二.docx")
    texts = [[p.text for p in Document(str(path)).paragraphs] for path in (first, second)]
    assert texts[0] == texts[1]
    entries[0].write_bytes(b"\0garbage")               # a damaged entry is ignored, then rewritten
    third = render.render_docx(data, tmp_path / "三.docx")
    assert [p.text for p in Document(str(third)).paragraphs] == texts[0]


def test_a_cache_folder_others_can_write_is_not_used(tmp_path, monkeypatch):
    shared = tmp_path / "共享"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv(cache.ENV_VAR, str(shared))
    assert cache.folder() is None
    monkeypatch.setenv(cache.ENV_VAR, "off")
    assert cache.folder() is None
