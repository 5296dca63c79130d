"""Receiving a form with files: streamed to the session's private folder, limits enforced on the way.

:func:`receive` parses ``multipart/form-data`` with python-multipart's streaming parser and writes
each file straight into the item folder it is given (never to a shared temporary folder, never
whole into memory).  It stops as soon as a limit is passed — a file over
:attr:`Settings.max_file_bytes` (W01), a request over :attr:`Settings.max_batch_bytes` or more
than :attr:`Settings.max_batch_files` files (W02) — and on a bad or missing CSRF token (W05),
which must come before the first file (every form of the page sends it first).  On any failure,
a client that disconnects or sends nothing for :data:`~.config.IDLE_UPLOAD_SECONDS` included,
the files written so far are deleted.  Fields are decoded as UTF-8 (what browsers send).
"""
from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from ..findings import Code, UserError
from . import config
from .sniff import safe_name

CSRF_FIELD = "csrf"


class Rejected(Exception):
    """A request refused before any work: ``status`` for the HTTP answer, ``error`` to show."""

    def __init__(self, status: int, error: UserError):
        super().__init__(error.text())
        self.status = status
        self.error = error


class Gone(Exception):
    """The client went away (disconnected or stalled) during the upload."""


@dataclass
class Upload:
    """One uploaded file: the field it came in, the name shown (as the browser sent it, made
    safe), where it is stored (a provisional name until :func:`~.sniff.sniff` names it) and its size."""
    field: str
    name: str
    path: Path
    size: int = 0


@dataclass
class Form:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: list[Upload] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default

    def files_of(self, name: str) -> list[Upload]:
        return [f for f in self.files if f.field == name]


class _Receiver:
    def __init__(self, dest: Path, csrf: str, max_file: int, max_files: int):
        self.dest, self.csrf = dest, csrf
        self.max_file, self.max_files = max_file, max_files
        self.form = Form()
        self.csrf_ok = False
        self._headers: dict[bytes, bytes] = {}
        self._hname = self._hvalue = b""
        self._name = ""
        self._buf = bytearray()
        self._file: Upload | None = None
        self._out = None
        self._fields = 0

    # python-multipart callbacks --------------------------------------------------------------
    def on_part_begin(self):
        self._headers, self._buf, self._file, self._out = {}, bytearray(), None, None

    def on_header_field(self, data, start, end):
        self._hname += data[start:end]

    def on_header_value(self, data, start, end):
        self._hvalue += data[start:end]

    def on_header_end(self):
        self._headers[self._hname.strip().lower()] = self._hvalue
        self._hname = self._hvalue = b""

    def on_headers_finished(self):
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            self._fields += 1
            if self._fields > config.MAX_FIELDS:
                raise Rejected(400, UserError(Code.W02, "表单", f"字段超过 {config.MAX_FIELDS} 个"))
            return
        if not self.csrf_ok:
            raise Rejected(403, UserError(Code.W05, "上传的表单", "缺少页面校验码"))
        raw = options[b"filename"].decode("utf-8", "replace")
        if not raw:                       # an empty file input: nothing chosen
            return
        if len(self.form.files) >= self.max_files:
            raise Rejected(413, UserError(Code.W02, "本次上传", f"超过 {self.max_files} 个文件"))
        name = safe_name(raw)
        path = self.dest / f"upload-{len(self.form.files) + 1:04d}-{secrets.token_hex(4)}.part"
        self._file = Upload(self._name, name, path)
        self.form.files.append(self._file)
        self._out = open(path, "xb")

    def on_part_data(self, data, start, end):
        if self._out is not None:
            self._file.size += end - start
            if self._file.size > self.max_file:
                raise Rejected(413, UserError(Code.W01, self._file.name,
                                              f"超过每个文件 {self.max_file // config.MB} MB 的限制"))
            self._out.write(data[start:end])
        elif self._file is None and self._name:
            self._buf += data[start:end]
            if len(self._buf) > config.MAX_FIELD_BYTES:
                raise Rejected(413, UserError(Code.W02, "表单", "填写的内容过长"))

    def on_part_end(self):
        if self._out is not None:
            self._out.close()
            self._out = None
        elif self._file is None and self._name:
            value = bytes(self._buf).decode("utf-8", "replace")
            if self._name == CSRF_FIELD:
                self.csrf_ok = secrets.compare_digest(value.encode(), self.csrf.encode())
                if not self.csrf_ok:
                    raise Rejected(403, UserError(Code.W05, "上传的表单", "页面校验码不符"))
            self.form.fields.setdefault(self._name, []).append(value)

    def close(self):
        if self._out is not None:
            self._out.close()
            self._out = None

    def discard(self):
        self.close()
        for f in self.form.files:
            f.path.unlink(missing_ok=True)
        self.form.files.clear()


async def _drain(stream, total: int, max_batch: int) -> None:
    """Read (and drop) the rest of a refused upload up to the batch limit, so that the browser,
    still sending, gets the answer instead of a reset connection."""
    from starlette.requests import ClientDisconnect

    try:
        while total <= max_batch:
            total += len(await asyncio.wait_for(stream.__anext__(), config.IDLE_UPLOAD_SECONDS))
    except (StopAsyncIteration, ClientDisconnect, asyncio.TimeoutError, RuntimeError):
        pass


def boundary_of(content_type: str) -> bytes:
    ctype, params = parse_options_header(content_type or "")
    if ctype != b"multipart/form-data" or not params.get(b"boundary"):
        raise Rejected(400, UserError(Code.W05, "请求", "不是文件上传表单"))
    return params[b"boundary"]


async def receive(request, dest: Path, *, csrf: str, max_file: int, max_batch: int,
                  max_files: int) -> Form:
    """Parse the request's form into ``dest`` (see the module docstring).  Raises
    :class:`Rejected` for a refused request and :class:`Gone` when the client went away; in
    both cases nothing received stays on disk."""
    from starlette.requests import ClientDisconnect

    boundary = boundary_of(request.headers.get("content-type", ""))
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_batch:
        raise Rejected(413, UserError(Code.W02, "本次上传", f"共 {int(declared) / config.MB:.0f} MB，"
                                                          f"超过 {max_batch // config.MB} MB 的限制"))
    rec = _Receiver(dest, csrf, max_file, max_files)
    callbacks = {name: getattr(rec, name) for name in (
        "on_part_begin", "on_part_data", "on_part_end", "on_header_field", "on_header_value",
        "on_header_end", "on_headers_finished")}
    parser = MultipartParser(boundary, callbacks, max_header_count=16)
    total = 0
    stream = request.stream().__aiter__()
    try:
        while True:
            try:
                chunk = await asyncio.wait_for(stream.__anext__(), config.IDLE_UPLOAD_SECONDS)
            except StopAsyncIteration:
                break
            total += len(chunk)
            if total > max_batch:
                raise Rejected(413, UserError(Code.W02, "本次上传", f"超过 {max_batch // config.MB} MB 的限制"))
            parser.write(chunk)
        parser.finalize()
        rec.close()
        if not rec.csrf_ok:
            raise Rejected(403, UserError(Code.W05, "提交的表单", "缺少页面校验码"))
        return rec.form
    except (ClientDisconnect, asyncio.TimeoutError):
        rec.discard()
        raise Gone() from None
    except Rejected:
        rec.discard()
        await _drain(stream, total, max_batch)
        raise
    except (FormParserError, ValueError) as exc:
        rec.discard()
        raise Rejected(400, UserError(Code.W05, "上传的表单", f"格式不正确（{type(exc).__name__}）")) from None
    except BaseException:
        rec.discard()
        raise
