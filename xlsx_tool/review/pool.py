"""Run one function over many files on every core, streaming results as they come.

:func:`imap` yields ``func(item)`` in completion order from a pool of worker processes (inline
when ``jobs`` is 1).  Items go out in chunks and at most ``2 × jobs`` chunks are in flight, so
memory does not grow with the number of files.  Each worker:

* ignores Ctrl-C (the parent decides: it stops handing out work, kills the workers — a worker
  may be blocked where it can never notice — and re-raises ``KeyboardInterrupt``, so the caller
  writes a complete result or none);
* has a CPU budget per item (:data:`CPU_SECONDS_PER_ITEM`, ``ITIMER_PROF``), a wall-clock
  deadline per item (:data:`WALL_SECONDS_PER_ITEM`, ``ITIMER_REAL``: an item blocked without
  using CPU, say on a pipe, ends too) and an address-space ceiling (:data:`WORKER_MEMORY`), so a
  hostile file ends in an exception, not a hung machine.

A worker that dies (killed, out of memory in native code) breaks the pool; the items of the
chunks then in flight are re-run one by one, each in a fresh process, and the one that kills its
process again is answered by ``crashed(item)`` while the batch goes on.  A worker still busy with
one item :data:`HANG_GRACE_SECONDS` after its deadline (stuck in native code, where no signal
handler runs) is killed by the parent: the same path.  These are guards against a blocked worker,
not speed limits: a filled workbook takes about 0.01 s.
"""
from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import deque
from contextlib import contextmanager
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

#: CPU seconds one item may take in a worker (a filled workbook takes about 0.01 s).
CPU_SECONDS_PER_ITEM = 30
#: Wall-clock seconds one item may take in a worker (it blocks, or the machine is very busy).
WALL_SECONDS_PER_ITEM = 120
#: Seconds after its deadline a worker still busy with one item is killed by the parent.
HANG_GRACE_SECONDS = 30
#: How often the parent looks for a worker past its deadline (seconds).
POLL_SECONDS = 2.0
#: Address-space ceiling of a worker process.
WORKER_MEMORY = 3 * 2**30

_busy = None          # in a worker: the queue on which it says which item it started, and when
#: The signals that end a run (Ctrl-C, and what the CLI treats like it).
_STOPPING = frozenset(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None),
                                  getattr(signal, "SIGHUP", None)) if s is not None)


@contextmanager
def held_signals():
    """Ctrl-C (SIGTERM, SIGHUP) held back while the block runs and acted on right after it, as the
    handler in place would have.  Used around handing out work, which may start worker processes:
    interrupted between starting a worker and recording it, the parent would not know that worker,
    could not end it, and would wait for it for ever at the end (a worker blocked on a pipe never
    finishes).  Python runs signal handlers in the main thread only, whichever thread the system
    delivered the signal to, so a handler (not a signal mask) is what holds it; elsewhere than in
    the main thread nothing is held."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {}
    for sig in _STOPPING:
        try:
            previous[sig] = signal.signal(sig, lambda signum, frame: caught.append(signum))
        except (ValueError, OSError):
            pass
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if caught:
            _act_on(caught[0], previous.get(caught[0]))


def _act_on(signum: int, handler) -> None:
    """Do what ``handler`` (as :func:`signal.signal` returned it) does for ``signum``."""
    if callable(handler):
        handler(signum, None)                 # Python's default raises KeyboardInterrupt
    elif handler == signal.SIG_DFL:
        os.kill(os.getpid(), signum)          # the default action: end the process


class ItemTimeout(Exception):
    """An item used up its CPU budget (:data:`CPU_SECONDS_PER_ITEM`) or its wall-clock deadline
    (:data:`WALL_SECONDS_PER_ITEM`); ``wall`` says which."""

    def __init__(self, wall: bool = False):
        super().__init__("wall" if wall else "cpu")
        self.wall = wall


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _on_timer(signum, frame):
    raise ItemTimeout(wall=signum == getattr(signal, "SIGALRM", None))


def _init_worker(init, args, busy=None) -> None:
    global _busy
    _busy = busy
    for sig in _STOPPING - {getattr(signal, "SIGINT", None)}:   # a worker forked while they were held
        signal.signal(sig, signal.SIG_DFL)
    if busy is not None:
        busy.cancel_join_thread()     # a worker never waits at exit for the parent to read
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGPROF", "SIGALRM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _on_timer)
    _say_busy(False)
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = WORKER_MEMORY if hard == resource.RLIM_INFINITY else min(WORKER_MEMORY, hard)
        if soft == resource.RLIM_INFINITY or soft > cap:
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):
        pass
    if init is not None:
        init(*args)


def _say_busy(busy: bool) -> None:
    """In a worker: tell the parent that an item starts (now) or that the worker is idle."""
    if _busy is not None:
        try:
            _busy.put((os.getpid(), time.monotonic() if busy else None))
        except (OSError, ValueError):
            pass


def guarded(func: Callable, item, failed: Callable):
    """``func(item)`` within the CPU budget and the wall-clock deadline (in a worker process);
    ``failed(item, reason)`` for a timeout, a ``MemoryError`` or any unexpected exception — also
    one that is not an ``Exception`` such as a panic of native code — never letting one item stop
    the batch (Ctrl-C and ``SystemExit`` pass)."""
    timer = hasattr(signal, "setitimer") and multiprocessing.parent_process() is not None
    try:
        if timer:
            _say_busy(True)
            signal.setitimer(signal.ITIMER_PROF, CPU_SECONDS_PER_ITEM)
            signal.setitimer(signal.ITIMER_REAL, WALL_SECONDS_PER_ITEM)
        return func(item)
    except ItemTimeout as exc:
        if exc.wall:
            return failed(item, f"处理超过 {WALL_SECONDS_PER_ITEM} 秒仍未结束（可能在等待读取），已放弃")
        return failed(item, f"处理超过 {CPU_SECONDS_PER_ITEM} 秒 CPU 时间，已放弃")
    except MemoryError:
        return failed(item, "处理时内存不足，已放弃")
    except RecursionError:
        return failed(item, "文件结构嵌套过深，已放弃")
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 — the batch goes on; the reason is kept for the technician
        return failed(item, f"程序内部出错：{type(exc).__name__}: {str(exc)[:200]}")
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.setitimer(signal.ITIMER_PROF, 0)
            _say_busy(False)


def _run_chunk(func, failed, chunk):
    return [guarded(func, item, failed) for item in chunk]


def _context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def imap(func: Callable, items: Iterable, *, failed: Callable, crashed: Callable, jobs: int | None = None,
         chunksize: int = 8, init: Callable | None = None, initargs: tuple = ()) -> Iterator:
    """``func(item)`` for every item, in completion order (see the module docstring).

    ``func``, ``failed(item, reason)``, ``crashed(item)`` and ``init(*initargs)`` (run once in each
    worker) must be picklable module-level functions when the start method is not ``fork``."""
    jobs = jobs or default_jobs()
    items = list(items)
    if jobs <= 1 or len(items) <= 1:
        if init is not None:
            init(*initargs)
        for item in items:
            yield guarded(func, item, failed)
        return
    chunksize = max(1, min(chunksize, len(items) // (jobs * 4) or 1))
    pending = deque(items[i:i + chunksize] for i in range(0, len(items), chunksize))
    suspects: list = []
    yield from _pooled(func, failed, pending, suspects, jobs, init, initargs)
    for item in suspects:     # each alone: the one that kills its own process is the culprit
        try:
            yield from _pooled(func, failed, deque([[item]]), [], 1, init, initargs, strict=True)
        except BrokenProcessPool:
            yield crashed(item)


class _Workers:
    """The parent's view of one executor's worker processes: which item each is busy with since
    when (told by the workers themselves, :func:`_say_busy`), so that a worker stuck past its
    deadline, or all of them on an interruption, can be killed."""

    def __init__(self, jobs: int, init, initargs):
        ctx = _context()
        self.busy = ctx.Queue()
        self.since: dict[int, float | None] = {}
        self.ex = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker,
                                      initargs=(init, initargs, self.busy))

    def drain(self) -> None:
        """Take in what the workers said (done at every turn: their pipe never fills)."""
        while True:
            try:
                pid, since = self.busy.get_nowait()
            except (queue.Empty, OSError, ValueError, EOFError):
                return
            self.since[pid] = since

    def kill_stuck(self) -> bool:
        """Kill every worker busy with one item past its deadline and grace; whether any was."""
        self.drain()
        limit = WALL_SECONDS_PER_ITEM + HANG_GRACE_SECONDS
        now = time.monotonic()
        stuck = [pid for pid, since in self.since.items() if since is not None and now - since > limit]
        for pid in stuck:
            self._kill(pid)
        return bool(stuck)

    def kill_all(self) -> None:
        """Kill every worker: those that said they started, and those the executor started that
        have not been heard from yet (a worker's word goes through a feeder thread, which on a
        busy machine may not have written it when the parent is interrupted)."""
        self.drain()
        started = getattr(self.ex, "_processes", None) or {}     # the executor's own pid → process
        for pid in set(self.since) | set(started):
            self._kill(pid)

    def _kill(self, pid: int) -> None:
        self.since[pid] = None
        try:
            os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
        except (ProcessLookupError, PermissionError, OSError):
            pass

    def close(self, wait: bool = True) -> None:
        self.ex.shutdown(wait=wait, cancel_futures=True)
        self.busy.close()
        self.busy.join_thread()


def _pooled(func, failed, pending: deque, suspects: list, jobs: int, init, initargs, strict: bool = False):
    workers = _Workers(jobs, init, initargs)
    inflight: dict = {}
    finished = False
    try:
        while pending or inflight:
            while pending and len(inflight) < 2 * jobs:
                chunk = pending.popleft()
                with held_signals():
                    inflight[workers.ex.submit(_run_chunk, func, failed, chunk)] = chunk
            done, _ = wait(inflight, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            workers.drain()
            if not done:
                workers.kill_stuck()     # its futures then fail with BrokenProcessPool
                continue
            broken = False
            for fut in done:
                chunk = inflight.pop(fut)
                try:
                    results = fut.result()
                except BrokenProcessPool:
                    if strict:
                        raise
                    suspects.extend(chunk)
                    broken = True
                    continue
                yield from results
            if broken:
                for fut, chunk in inflight.items():
                    try:
                        results = fut.result(timeout=WALL_SECONDS_PER_ITEM + HANG_GRACE_SECONDS)
                    except Exception:  # noqa: BLE001 — broken, or stuck: each is re-run alone
                        suspects.extend(chunk)
                    else:
                        yield from results
                inflight.clear()
                workers.kill_all()
                workers.close()
                workers = _Workers(jobs, init, initargs)
        finished = True
    finally:
        if not finished:
            # Ctrl-C, or the caller stopping: hand out nothing more and end the workers now — a
            # worker blocked in native code would never finish its chunk
            workers.kill_all()
        workers.close()
