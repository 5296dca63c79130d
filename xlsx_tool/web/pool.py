"""The worker processes that do the work of the page: reading, checking, writing, converting.

The server process only receives uploads and draws pages; every call into the package (the same
functions the command line calls) runs in a small pool of worker processes (:mod:`.work`), so

* two cores check two workbooks at once (the GIL would serialise threads);
* the server's own memory stays flat however many workbooks pass through: the workers are
  replaced after :data:`TASKS_PER_WORKER` jobs each (a new pool takes the next jobs, the old one
  finishes its own and exits; ``max_tasks_per_child`` of the standard library can deadlock under
  load in Python 3.11), and each runs under an address-space limit
  (:data:`WORKER_MEMORY_BYTES`), so a file that escaped every guard ends that worker, not the server;
* a job that takes longer than its time limit, or a worker that dies, is answered W07 and the
  pool is replaced.

Workers are started with ``spawn`` (a fresh interpreter: no state inherited from the server's
threads, the same on Windows; the fork server would need a Unix socket whose path may be too long
under a deep temporary folder) and warmed up at start-up; they ignore Ctrl+C (the server shuts
them down) and keep every temporary file, their own and LibreOffice's, inside the application's
folder (``TMPDIR``, ``HOME`` and the XDG folders point there).
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..findings import Code, UserError
from .work import fatal

TASKS_PER_WORKER = 200
WORKER_MEMORY_BYTES = 3 * 2**30


def _init(tmp: str) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import tempfile

    for key, sub in (("TMPDIR", ""), ("HOME", "home"), ("XDG_CACHE_HOME", "cache"),
                     ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data")):
        folder = Path(tmp, sub) if sub else Path(tmp)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.environ[key] = str(folder)
    tempfile.tempdir = tmp
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, WORKER_MEMORY_BYTES))
    except (ImportError, ValueError, OSError):
        pass


class Pool:
    """``await pool.run(fn, *args)`` → the job's dict (see :mod:`.work`)."""

    def __init__(self, workers: int, tmp: Path, *, timeout: float):
        self.workers = max(1, workers)
        self.tmp = Path(tmp)
        self.timeout = timeout
        self._ctx = multiprocessing.get_context("spawn")
        self._ex: ProcessPoolExecutor | None = None
        self._submitted = 0

    def _executor(self) -> ProcessPoolExecutor:
        if self._ex is None:
            self._ex = ProcessPoolExecutor(self.workers, mp_context=self._ctx, initializer=_init,
                                           initargs=(str(self.tmp),))
            self._submitted = 0
        elif self._submitted >= self.workers * TASKS_PER_WORKER:
            old, self._ex = self._ex, None
            old.shutdown(wait=False)          # finishes what it has, then its workers exit
            return self._executor()
        self._submitted += 1
        return self._ex

    def _replace(self) -> None:
        """Kill every worker (a stuck job cannot be stopped otherwise) and start afresh lazily."""
        ex, self._ex = self._ex, None
        if ex is None:
            return
        for proc in list(getattr(ex, "_processes", {}).values()):
            try:
                proc.kill()
            except (OSError, AttributeError):
                pass
        ex.shutdown(wait=False, cancel_futures=True)

    async def run(self, fn, *args, timeout: float | None = None, subject: str = "上传的文件") -> dict:
        limit = timeout or self.timeout
        try:
            future = self._executor().submit(fn, *args)
        except (BrokenProcessPool, RuntimeError):
            self._replace()
            future = self._executor().submit(fn, *args)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), limit)
        except asyncio.TimeoutError:
            self._replace()
            return fatal(UserError(Code.W07, subject, f"处理超过 {limit:.0f} 秒，已停止"))
        except BrokenProcessPool:
            self._replace()
            return fatal(UserError(Code.W07, subject, "处理进程异常退出（可能是文件过大或结构可疑）"))

    async def warm(self) -> None:
        """Start every worker and import the package in it, so the first clerk does not wait."""
        from .work import warm

        try:
            await asyncio.gather(*(self.run(warm, timeout=120) for _ in range(self.workers)))
        except Exception:  # noqa: BLE001 — only an optimisation; a real job reports real trouble
            pass

    def close(self) -> None:
        self._replace()

    def pids(self) -> list[int]:
        """The worker processes' ids (for measurements)."""
        ex = self._ex
        return [p.pid for p in getattr(ex, "_processes", {}).values()] if ex else []
