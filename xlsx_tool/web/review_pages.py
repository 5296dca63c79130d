"""The review office's pages: roster (kept for the session), a batch of files or a .zip, progress,
the overview (sortable, searchable by unit name; done on the server too, for browsers without
JavaScript), the findings workbook and the combined (汇总) report.

The batch runs as one job in the worker pool (:mod:`.review_work`) while the page polls its
progress; the review part of the package (:mod:`xlsx_tool.review`) does the checking.
"""
from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from ..findings import Code, UserError
from ..formats import registry
from . import archive, config, features, review_work
from .errors import download, not_installed, page, problem, session, web
from .intake import ANY_REPORT, Gone, Rejected, judge, take_form
from .sniff import TXT, safe_name, sniff, stored_name, unique_in

router = APIRouter()
SORT_KEYS = ("name", "file", "errors", "warnings", "status")


def review_page(request: Request, status: int = 200, **ctx):
    first, last = registry.supported_years()
    sess = session(request)
    return page(request, "review.html", status, years=list(range(last, first - 1, -1)),
                roster=sess.roster[1] if sess and sess.roster else "", **ctx)


def _failed(request: Request, item, exc):
    web(request).store.drop_item(session(request), item.id)
    if isinstance(exc, Gone):
        return Response(status_code=400)
    err = exc.error if isinstance(exc, Rejected) else exc
    return review_page(request, getattr(exc, "status", 422), error=problem(err))


@router.get("/review")
async def review_home(request: Request):
    return review_page(request)


@router.post("/review/roster")
async def roster(request: Request):
    state, sess = web(request), session(request)
    item = state.store.new_item(sess, "roster")
    try:
        form = await take_form(request, item, max_files=1)
        ups = form.files_of("roster")
        if not ups:
            raise UserError(Code.F01, "单位名单", "请先选择名单文件")
        kind = sniff(ups[0].path)
        suffix = Path(ups[0].name).suffix.lower()
        if kind == TXT:                  # a list of names: the review part reads .txt and .csv
            name = ups[0].name if suffix in (".csv", ".txt") else f"{Path(ups[0].name).stem}.txt"
        elif kind.group == "workbook":
            name = stored_name(ups[0].name, kind)
        else:
            raise UserError(Code.W04, ups[0].name, f"文件内容是{kind.label}，单位名单应为工作簿或文本文件")
        target = item.folder / safe_name(name)
        ups[0].path.replace(target)
    except (Rejected, Gone, UserError) as exc:
        return _failed(request, item, exc)
    if sess.roster is not None:
        old = [i.id for i in sess.items.values() if i.kind == "roster" and i.id != item.id]
        for item_id in old:
            state.store.drop_item(sess, item_id)
    sess.roster = (target, target.name)
    return RedirectResponse("/review", status_code=303)


@router.post("/review/roster/delete")
async def roster_delete(request: Request):
    state, sess = web(request), session(request)
    scratch = state.store.new_item(sess, "form")
    try:
        await take_form(request, scratch, max_files=0)
    except (Rejected, Gone) as exc:
        return _failed(request, scratch, exc)
    state.store.drop_item(sess, scratch.id)
    for item_id in [i.id for i in sess.items.values() if i.kind == "roster"]:
        state.store.drop_item(sess, item_id)
    sess.roster = None
    return RedirectResponse("/review", status_code=303)


def _gather(form, folder: Path, settings) -> tuple[list[str], list[dict]]:
    """The units' files placed in ``folder`` (archives unpacked) and the files skipped, with why."""
    names, skipped = [], []
    unpack = folder.parent / "unpack"
    for up in form.files_of("files"):
        kind = None
        try:
            kind = judge(up.path, up.name, ANY_REPORT + ("archive",))
        except UserError as err:
            skipped.append({"name": up.name, "why": problem(err)["message"]})
            up.path.unlink(missing_ok=True)
            continue
        if kind.group != "archive":
            target = unique_in(folder, stored_name(up.name, kind))
            up.path.replace(target)
            names.append(target.name)
            continue
        unpack.mkdir(exist_ok=True)
        for member in archive.unpack(up.path, unpack, up.name, max_file=settings.max_file_bytes):
            try:
                mkind = judge(member.path, member.name, ANY_REPORT)
            except UserError as err:
                skipped.append({"name": f"{up.name} › {member.name}", "why": problem(err)["message"]})
                member.path.unlink(missing_ok=True)
                continue
            target = unique_in(folder, stored_name(member.path.name, mkind))
            member.path.replace(target)
            names.append(target.name)
        up.path.unlink(missing_ok=True)
        if len(names) > settings.max_batch_files:
            raise UserError(Code.W02, up.name, f"解压后超过 {settings.max_batch_files} 个文件")
    shutil.rmtree(unpack, ignore_errors=True)
    return names, skipped


@router.post("/review")
async def start(request: Request):
    state, sess = web(request), session(request)
    item = state.store.new_item(sess, "review")
    inbox = item.folder / "in"
    inbox.mkdir(mode=0o700)
    try:
        if not features.available("review"):
            raise not_installed("review")
        form = await take_form(request, item)
        roster_name = None
        if form.get("use_roster") == "1" and sess.roster is not None and sess.roster[0].is_file():
            roster_name = unique_in(inbox, sess.roster[1]).name
            shutil.copyfile(sess.roster[0], inbox / roster_name)
        names, skipped = _gather(form, inbox, state.settings)
        if not names:
            raise UserError(Code.F01, "各单位的年报文件", "没有可以审核的文件" + (
                f"（{len(skipped)} 个文件被跳过：{skipped[0]['why']}）" if skipped else "，请先选择文件"))
    except (Rejected, Gone, UserError) as exc:
        return _failed(request, item, exc)
    year_text = form.get("year").strip()
    year = int(year_text) if year_text.isdigit() else None
    item.name = f"{len(names)} 个文件"
    item.data.update(files=names, skipped=skipped, year=year, roster=roster_name or "")
    item.busy = True
    review_work.write_json(item.folder / review_work.PROGRESS,
                           {"done": 0, "total": len(names), "current": "", "finished": False})

    async def run() -> None:
        try:
            answer = await state.batch_pool.run(review_work.review_batch, str(inbox), names, roster_name, year,
                                          timeout=config.BATCH_SECONDS, subject=item.name)
            if "fatal" in answer:
                item.data["fatal"] = answer["fatal"]
        finally:
            item.busy = False

    task = asyncio.create_task(run())
    state.tasks.add(task)
    task.add_done_callback(state.tasks.discard)
    return RedirectResponse(f"/review/{item.id}", status_code=303)


def _item(request: Request, item_id: str):
    item = web(request).store.item(session(request), item_id, "review")
    if item is None:
        raise HTTPException(404)
    return item


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _status(item) -> dict:
    progress = _read(item.folder / review_work.PROGRESS) or {"done": 0, "total": 0}
    return {**progress, "running": item.busy, "failed": bool(item.data.get("fatal"))}


@router.get("/review/{item_id}/status")
async def status(request: Request, item_id: str):
    return JSONResponse(_status(_item(request, item_id)))


def _rows(overview: dict, q: str, key: str, order: str) -> list[dict]:
    rows = overview.get("units", [])
    if q:
        rows = [r for r in rows if q.lower() in (r["name"] + " " + r["file"]).lower()]
    if key in SORT_KEYS:
        rows = sorted(rows, key=lambda r: r[key], reverse=order == "desc")
    return rows


@router.get("/review/{item_id}")
async def job(request: Request, item_id: str, q: str = "", sort: str = "", order: str = "asc"):
    return job_page(request, _item(request, item_id), q, sort, order)


def job_page(request: Request, item, q: str = "", sort: str = "", order: str = "asc", error=None):
    overview = None if item.busy else _read(item.folder / review_work.OVERVIEW)
    rows = _rows(overview, q.strip()[:50], sort, order) if overview else []
    error = error or (problem(item.data["fatal"]) if item.data.get("fatal") else None)
    return page(request, "review_job.html", 422 if error and not overview else 200, item=item,
                progress=_status(item), overview=overview, rows=rows, q=q, sort=sort, order=order,
                error=error, combined=item.data.get("combined"),
                has_combine=features.available("combine"), years_text=registry.years_text())


@router.get("/review/{item_id}/findings.xlsx")
async def findings_book(request: Request, item_id: str):
    item = _item(request, item_id)
    path = item.folder / "out" / review_work.FINDINGS_BOOK
    if item.busy or not path.is_file():
        raise HTTPException(404)
    return download(path)


@router.post("/review/{item_id}/combine")
async def combine(request: Request, item_id: str):
    state, sess = web(request), session(request)
    item = _item(request, item_id)
    scratch = state.store.new_item(sess, "form")
    try:
        form = await take_form(request, scratch, max_files=0)
    except (Rejected, Gone) as exc:
        return _failed(request, scratch, exc)
    state.store.drop_item(sess, scratch.id)
    org = form.get("org").strip()[:100]
    if not features.available("combine"):
        return job_page(request, item, error=problem(not_installed("combine")))
    if not org:
        return job_page(request, item, error=problem(UserError(
            Code.I01, "汇总单位名称", "请填写本级机关名称，如“某某县人民政府”")))
    files = [f for f in item.data["files"] if f != item.data.get("roster")]
    item.busy = True
    try:
        answer = await state.batch_pool.run(review_work.combine_batch, str(item.folder / "in"), files, org,
                                      item.data.get("year"), form.get("allow_errors") == "1",
                                      item.data.get("roster") or None,
                                      timeout=config.BATCH_SECONDS, subject=org)
    finally:
        item.busy = False
    if "fatal" in answer:
        return job_page(request, item, error=problem(answer["fatal"]))
    item.data["combined"] = answer
    return RedirectResponse(f"/review/{item.id}#combined", status_code=303)


@router.get("/review/{item_id}/combined.{kind}")
async def combined(request: Request, item_id: str, kind: str):
    item = _item(request, item_id)
    names = {"xlsx": review_work.COMBINED_BOOK}
    path = item.folder / "out" / names.get(kind, "-")
    if kind not in names or not path.is_file():
        raise HTTPException(404)
    return download(path)
