"""Shared page helpers and the error pages: every answer is a Chinese page, never a traceback."""
from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from ..findings import Code, UserError
from . import features

log = logging.getLogger("xlsx_tool.web")

MEDIA = {".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         ".pdf": "application/pdf"}


def web(request):
    return request.app.state.web


def session(request):
    return request.state.session


def reach_text(state) -> str:
    """Who can reach this page, as the page says it."""
    s = state.settings
    where = f"{s.host}:{state.port}"
    if s.local_only:
        extra = "；需要访问码" if s.needs_code else ""
        return f"仅本机可以访问本页面（{where}）{extra}。"
    return f"本页面对局域网开放（{where}）：与本机同一网络、知道访问码的人都可以访问。"


def page(request, name: str, status: int = 200, **ctx):
    """Render ``templates/name`` with what every page needs."""
    state = web(request)
    sess = session(request)
    base = {"request": request, "csrf": sess.csrf if sess else "", "features": features.status(),
            "missing": features.NAMES, "reach": reach_text(state), "limits": state.settings.limits_text(),
            "keep_minutes": state.settings.keep_minutes, "local_only": state.settings.local_only,
            "needs_code": state.settings.needs_code, "logged_in": bool(sess and sess.authenticated)}
    base.update(ctx)
    return state.templates.TemplateResponse(request, name, base, status_code=status)


def problem(error: UserError | dict) -> dict:
    """A fatal answer (a :class:`UserError` or a job's ``fatal`` dict) as the templates show it."""
    if isinstance(error, UserError):
        f = error.finding
        return {"code": f.code, "title": f.title, "subject": error.subject, "message": f.message, "fix": f.fix}
    return {k: error.get(k, "") for k in ("code", "title", "subject", "message", "fix")}


def not_installed(feature: str) -> UserError:
    return UserError(Code.W09, features.NAMES[feature])


def download(path: Path, name: str | None = None):
    from fastapi.responses import FileResponse

    name = name or path.name
    media = MEDIA.get(path.suffix.lower()) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media, filename=name)


def install(app) -> None:
    """Chinese pages for 404/405/400/500."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    def error_page(request, status: int, title: str, message: str, fix: str):
        if getattr(request.state, "session", None) is None:
            from fastapi.responses import HTMLResponse

            return HTMLResponse(f"<!doctype html><meta charset=utf-8><title>{title}</title><h1>{title}</h1>"
                                f"<p>{message}</p><p>{fix}</p>", status)
        return page(request, "error.html", status, error={"code": "", "title": title, "subject": "",
                                                          "message": message, "fix": fix})

    @app.exception_handler(HTTPException)
    async def http_error(request, exc: HTTPException):
        if exc.status_code == 404:
            keep = web(request).settings.keep_minutes
            return error_page(request, 404, "找不到这个页面或文件",
                              "地址有误，或者文件已被删除：上传和生成的文件只有上传它的浏览器能看到，"
                              f"{keep} 分钟无操作或程序重新启动后自动删除。", "请回到首页重新上传。")
        if exc.status_code == 405:
            return error_page(request, 405, "请求方式不正确", "这个地址不能这样打开。", "请从首页进入。")
        return error_page(request, exc.status_code, "请求无法处理", str(exc.detail)[:200], "请回到首页重试。")

    @app.exception_handler(RequestValidationError)
    async def bad_request(request, exc):
        return error_page(request, 400, "请求格式不正确", "提交的内容缺少必要的项目或格式不对。", "请回到首页重试。")

    @app.exception_handler(Exception)
    async def internal(request, exc):
        log.exception("internal error on %s", request.url.path)
        return error_page(request, 500, "程序内部出错", f"{type(exc).__name__}",
                          "请把运行本程序的命令行窗口中的出错信息发给技术人员。")
