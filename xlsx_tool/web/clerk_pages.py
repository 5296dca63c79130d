"""The clerk's pages: template, check, result, Word/PDF report, explanations (说明), login, help.

Every form is ``multipart/form-data`` with the session's CSRF token first; every file is
received into a fresh item folder of the session (:mod:`.intake`) and all work is a job in the
worker pool (:mod:`.work`).  Pages and downloads find items only in the requesting session.
"""
from __future__ import annotations

import json
import secrets
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..findings import Code, UserError
from ..formats import registry
from . import features, work
from .errors import download, not_installed, page, problem, session, web
from .intake import ANY_REPORT, WORKBOOK, Gone, Rejected, place, take_form
from .sniff import safe_name, unique_in

router = APIRouter()


def _years() -> list[dict]:
    """Every report year the tool takes, newest first, with the format it uses."""
    first, last = registry.supported_years()
    out = []
    for year in range(last, first - 1, -1):
        fid = registry.for_year(year)
        out.append({"year": year, "format": fid, "label": f"{fid} 格式（{registry.raw(fid)['document']}）"})
    return out


def clerk_page(request: Request, status: int = 200, **ctx):
    default = registry.default_year()            # as `xlsx-tool template`: from October the current year
    return page(request, "clerk.html", status, years=_years(), default_year=ctx.pop("year", default),
                years_text=registry.years_text(), **ctx)


def _seen(request: Request, name: str, status: int, error) -> object:
    return clerk_page(request, status, error=problem(error), where=name)


def _refused(request: Request, exc: Rejected | Gone, item, where: str):
    web(request).store.drop_item(session(request), item.id)
    if isinstance(exc, Gone):
        return Response(status_code=400)
    return _seen(request, where, exc.status, exc.error)


@router.get("/")
async def home(request: Request):
    return clerk_page(request)


@router.post("/template")
async def template(request: Request):
    state, sess = web(request), session(request)
    item = state.store.new_item(sess, "template")
    try:
        form = await take_form(request, item, max_files=2)
    except (Rejected, Gone) as exc:
        return _refused(request, exc, item, "template")
    org = form.get("org").strip()[:100]
    year_text = form.get("year").strip()
    previous = None
    try:
        if not year_text.isdigit() or len(year_text) != 4:
            raise UserError(Code.F13, f"报告年度“{year_text[:10]}”", f"请选择年度；{registry.years_text()}")
        year = int(year_text)
        ups = form.files_of("previous")
        if ups:
            if not features.available("prefill"):
                raise not_installed("prefill")
            previous = place(ups[0], item.folder, ANY_REPORT).name
    except UserError as err:
        state.store.drop_item(sess, item.id)
        return clerk_page(request, 422, error=problem(err), where="template", org=org)
    out = unique_in(item.folder, safe_name(f"{org}{year}年政府信息公开年报数据.xlsx")).name
    answer = await state.pool.run(work.make_template, str(item.folder), out, year, org, previous,
                                  form.get("force_previous") == "1", subject=previous or out)
    if "fatal" in answer:
        state.store.drop_item(sess, item.id)
        return clerk_page(request, 422, error=problem(answer["fatal"]), where="template", org=org, year=year)
    return download(item.folder / out)


@router.post("/check")
async def check(request: Request):
    state, sess = web(request), session(request)
    item = state.store.new_item(sess, "check")
    try:
        form = await take_form(request, item, max_files=2)
    except (Rejected, Gone) as exc:
        return _refused(request, exc, item, "check")
    try:
        books = form.files_of("workbook")
        if not books:
            raise UserError(Code.F01, "填好的工作簿", "请先选择文件再点“检查”")
        name = place(books[0], item.folder, WORKBOOK).name
        previous = None
        last = form.files_of("previous")
        if last:
            if not features.available("continuity"):
                raise not_installed("continuity")
            previous = place(last[0], item.folder, ANY_REPORT).name
    except UserError as err:
        state.store.drop_item(sess, item.id)
        return clerk_page(request, 422, error=problem(err), where="check")
    blank = form.get("blank_as_zero") == "1"
    force = form.get("force_previous") == "1"
    item.name = name
    item.data.update(name=name, previous=previous, blank_as_zero=blank, force_previous=force)
    answer = await state.pool.run(work.check_upload, str(item.folder), name, blank, previous, force, subject=name)
    if "fatal" in answer:
        state.store.drop_item(sess, item.id)
        return clerk_page(request, 422, error=problem(answer["fatal"]), where="check")
    return RedirectResponse(f"/result/{item.id}", status_code=303)


def _result(request: Request, item_id: str):
    item = web(request).store.item(session(request), item_id, "check")
    path = item.folder / work.RESULT if item else None
    if item is None or not path.is_file():
        from starlette.exceptions import HTTPException

        raise HTTPException(404)
    return item, json.loads(path.read_text("utf-8"))


def result_page(request: Request, item, view: dict, status: int = 200, **ctx):
    return page(request, "result.html", status, item=item, view=view, pdf=features.available("pdf"), **ctx)


@router.get("/result/{item_id}")
async def result(request: Request, item_id: str):
    item, view = _result(request, item_id)
    return result_page(request, item, view)


@router.get("/result/{item_id}/report.{kind}")
async def report(request: Request, item_id: str, kind: str):
    item, view = _result(request, item_id)
    if kind not in ("docx", "pdf"):
        from starlette.exceptions import HTTPException

        raise HTTPException(404)
    if kind == "pdf" and not features.available("pdf"):
        return result_page(request, item, view, 422, error=problem(not_installed("pdf")))
    d = item.data
    stem = Path(d["name"]).stem
    answer = await web(request).pool.run(work.render_report, str(item.folder), d["name"], f"{stem}.docx",
                                         kind == "pdf", d.get("blank_as_zero", False), d.get("previous"),
                                         d.get("force_previous", False), subject=d["name"])
    if "refused" in answer:
        return result_page(request, item, view, 409, error={
            "code": "", "title": "还不能生成报告", "subject": d["name"],
            "message": f"有 {answer['refused']} 个错误", "fix": "请按下面列出的错误逐条改正，保存后重新上传检查。"})
    if "fatal" in answer:
        return result_page(request, item, view, 422, error=problem(answer["fatal"]))
    return download(item.folder / answer["file"])


@router.post("/result/{item_id}/explain")
async def explain(request: Request, item_id: str):
    state, sess = web(request), session(request)
    item, view = _result(request, item_id)
    scratch = state.store.new_item(sess, "form")
    try:
        form = await take_form(request, scratch, max_files=0)
    except (Rejected, Gone) as exc:
        state.store.drop_item(sess, scratch.id)
        if isinstance(exc, Gone):
            return Response(status_code=400)
        return result_page(request, item, view, exc.status, error=problem(exc.error))
    state.store.drop_item(sess, scratch.id)
    if not features.available("explain"):
        return result_page(request, item, view, 422, error=problem(not_installed("explain")))
    chosen = []
    for f in view["findings"]:
        text = form.get(f"exp-{f['index']}").strip()[:2000]
        if text and f.get("explainable"):
            cell = f"{f['sheet']}!{f['cell']}" if f.get("sheet") and f.get("cell") else f.get("cell") or f.get("sheet", "")
            chosen.append((f["code"], cell, text))
    if not chosen:
        return result_page(request, item, view, 422, error=problem(UserError(
            Code.W05, "说明", "没有填写任何说明：请在提示下方的框中填写后再下载")))
    name = item.data["name"]
    out = unique_in(item.folder, f"{Path(name).stem}（含说明）{Path(name).suffix or '.xlsx'}").name
    if not out.endswith(".xlsx"):
        out = Path(out).stem + ".xlsx"
    answer = await state.pool.run(work.explain, str(item.folder), name, out, chosen, subject=name)
    if "fatal" in answer:
        return result_page(request, item, view, 422, error=problem(answer["fatal"]))
    return download(item.folder / Path(answer["file"]).name)


@router.post("/forget")
async def forget(request: Request):
    """Delete every file of this browser now."""
    state, sess = web(request), session(request)
    scratch = state.store.new_item(sess, "form")
    try:
        await take_form(request, scratch, max_files=0)
    except (Rejected, Gone) as exc:
        state.store.drop_item(sess, scratch.id)
        return clerk_page(request, getattr(exc, "status", 400), error=problem(getattr(exc, "error", None) or
                                                                             UserError(Code.W05, "表单")))
    for item_id in list(sess.items):
        state.store.drop_item(sess, item_id)
    sess.roster = None
    return clerk_page(request, message="本浏览器上传和生成的文件已全部删除。")


@router.get("/about")
async def about(request: Request):
    return page(request, "about.html", years_text=registry.years_text())


@router.get("/login")
async def login_form(request: Request):
    if not web(request).settings.needs_code:
        return RedirectResponse("/", status_code=303)
    return page(request, "login.html")


@router.post("/login")
async def login(request: Request):
    state, sess = web(request), session(request)
    guard = request.state.guard
    client = request.client.host if request.client else "?"
    if guard.login_blocked(client):
        return page(request, "login.html", 429, error=problem(UserError(
            Code.W06, "访问码", "一分钟内输错次数过多，请一分钟后再试")))
    scratch = state.store.new_item(sess, "form")
    try:
        form = await take_form(request, scratch, max_files=0)
    except (Rejected, Gone) as exc:
        state.store.drop_item(sess, scratch.id)
        return page(request, "login.html", getattr(exc, "status", 400),
                    error=problem(getattr(exc, "error", None) or UserError(Code.W05, "表单")))
    state.store.drop_item(sess, scratch.id)
    code = form.get("code").strip().lower()
    expected = (state.settings.access_code or "").lower()
    if not expected or not secrets.compare_digest(code.encode(), expected.encode()):
        guard.login_failed(client)
        return page(request, "login.html", 403, error=problem(UserError(Code.W06, "访问码")))
    sess.authenticated = True
    return RedirectResponse("/", status_code=303)
