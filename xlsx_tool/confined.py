"""Run one piece of untrusted work in a child process under CPU and memory limits, so that whatever
a parser or a template engine did not foresee ends as a clean Chinese message, not a hung or
killed tool.

On POSIX the work runs in a forked child with ``RLIMIT_CPU`` (``cpu_seconds``) and ``RLIMIT_AS``
(the parent's address space plus ``memory_bytes``); the child sends back a JSON answer and bytes
through a pipe, never a pickle.  The parent waits at most ``wall_seconds`` (a child stuck without
using CPU), kills the child on any interruption (Ctrl-C, SIGTERM) and always reaps it.  A limit
hit is a :class:`~xlsx_tool.findings.UserError` with the caller's ``code`` (T07 for a Word
template, F25 for a published report); the work's own ``UserError`` is passed on unchanged.

Elsewhere (Windows, no ``fork``, or ``XLSX_TOOL_NO_FORK`` set) the work runs in the calling
process: the callers' own limits still hold, only the operating-system backstop is missing.
Ground floor: imports nothing of the package but :mod:`.findings`.
"""
from __future__ import annotations

import json
import os
import select
import signal
import time
from collections.abc import Callable

from .findings import Code, UserError

WALL_SECONDS = 120
MAX_ANSWER = 128 * 2**20
ENV_DISABLE = "XLSX_TOOL_NO_FORK"
_inside = False          # True in the child: nested work runs there directly, under its limits


class Exceeded(Exception):
    """The work hit a limit of its own: ``str()`` says which, in Chinese."""


def available() -> bool:
    """Whether the work can run in a limited child process here."""
    return hasattr(os, "fork") and os.name == "posix" and not os.environ.get(ENV_DISABLE)


def _address_space() -> int:
    """This process's current address space in bytes (0 if unknown)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(work: Callable[[], tuple[dict, bytes]], write_fd: int, cpu_seconds: int, memory: int) -> None:
    """In the forked child: limit, work, answer, exit — never return."""
    global _inside
    code = 0
    _inside = True
    try:
        import resource

        for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
            if sig is not None:
                signal.signal(sig, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        try:
            meta, payload = work()
            head = json.dumps(meta).encode()
            answer = b"R" + len(head).to_bytes(8, "big") + head + payload
        except UserError as err:
            f = err.finding
            answer = b"U" + json.dumps([f.code, err.subject, f.message, err.exit_code]).encode()
        except (MemoryError, RecursionError) as exc:
            kind = "内存" if isinstance(exc, MemoryError) else "嵌套层数"
            answer = b"X" + json.dumps(f"{kind}超过上限").encode()
        except Exceeded as exc:
            answer = b"X" + json.dumps(str(exc)).encode()
        except Exception as exc:  # noqa: BLE001 — a defect: the parent raises it as such
            answer = b"E" + json.dumps([type(exc).__name__, str(exc)[:500]]).encode()
        view = memoryview(answer)
        while view:
            view = view[os.write(write_fd, view):]
    except BaseException:  # noqa: BLE001 — the parent reports a child that died without answer
        code = 1
    finally:
        os._exit(code)


def run(work: Callable[[], tuple[dict, bytes]], *, subject: str, code: Code, cpu_seconds: int,
        memory_bytes: int, wall_seconds: int = WALL_SECONDS) -> tuple[dict, bytes]:
    """``work()`` under the limits: its answer ``(JSON-able dict, bytes)``; ``UserError`` ``code``
    naming ``subject`` when a limit is hit; the work's own ``UserError`` passed on."""
    if _inside or not available():
        try:
            return work()
        except (MemoryError, RecursionError, Exceeded) as exc:
            raise UserError(code, subject, _reason(exc)) from None
    memory = _address_space()
    memory = memory + memory_bytes if memory else 0
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:                                    # pragma: no cover — the child
        os.close(read_fd)
        _child(work, write_fd, cpu_seconds, memory)
    os.close(write_fd)
    chunks, size, status = [], 0, None
    try:
        deadline = time.monotonic() + wall_seconds
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([read_fd], [], [], left)[0]:
                raise UserError(code, subject, f"超过 {wall_seconds} 秒仍未完成")
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > MAX_ANSWER:
                raise UserError(code, subject, "生成的结果过大（超过 128 MB）")
            chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(read_fd)
        if status is None:                          # interrupted or refused: end the child
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
    return _answer(b"".join(chunks), status, subject, code, cpu_seconds)


def _answer(data: bytes, status: int, subject: str, code: Code, cpu_seconds: int) -> tuple[dict, bytes]:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", -1)):
            raise KeyboardInterrupt
        if sig in (signal.SIGXCPU, signal.SIGKILL):
            raise UserError(code, subject, f"CPU 时间超过上限（{cpu_seconds} 秒）")
        raise UserError(code, subject, f"处理进程被信号 {sig} 终止")
    kind, body = data[:1], data[1:]
    if kind == b"R" and len(body) >= 8:
        n = int.from_bytes(body[:8], "big")
        return json.loads(body[8:8 + n]), body[8 + n:]
    if kind == b"U":
        found, subj, message, exit_code = json.loads(body)
        raise UserError(Code[found], subj, message, exit_code)
    if kind == b"X":
        raise UserError(code, subject, json.loads(body))
    if kind == b"E":
        name, message = json.loads(body)
        raise RuntimeError(f"{name}: {message}")
    raise UserError(code, subject, "处理进程异常退出（可能超过了内存上限）")


def _reason(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "内存超过上限"
    if isinstance(exc, RecursionError):
        return "嵌套层数超过上限"
    return str(exc)
