"""Run one function over many files on every core, streaming results as they come.

:func:`imap` yields ``func(item)`` in completion order from a pool of worker processes (inline
when ``jobs`` is 1).  Items go out in chunks and at most ``2 × jobs`` chunks are in flight, so
memory does not grow with the number of files.  Each worker:

* ignores Ctrl-C (the parent decides: it stops handing out work, lets the running chunks finish
  and re-raises ``KeyboardInterrupt``, so the caller writes a complete result or none);
* has a CPU budget per item (:data:`CPU_SECONDS_PER_ITEM`, ``ITIMER_PROF``) and an address-space
  ceiling (:data:`WORKER_MEMORY`), so a hostile file ends in an exception, not a hung machine.

A worker that dies (killed, out of memory in native code) breaks the pool; the items of the
chunks then in flight are re-run one by one, each in a fresh process, and the one that kills its
process again is answered by ``crashed(item)`` while the batch goes on.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

#: CPU seconds one item may take in a worker (a filled workbook takes about 0.01 s).
CPU_SECONDS_PER_ITEM = 30
#: Address-space ceiling of a worker process.
WORKER_MEMORY = 3 * 2**30


class ItemTimeout(Exception):
    """An item used up its CPU budget (:data:`CPU_SECONDS_PER_ITEM`)."""


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _on_timer(signum, frame):
    raise ItemTimeout()


def _init_worker(init, args) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGPROF"):
        signal.signal(signal.SIGPROF, _on_timer)
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


def guarded(func: Callable, item, failed: Callable):
    """``func(item)`` within the CPU budget; ``failed(item, reason)`` for a timeout, a
    ``MemoryError`` or any unexpected exception (never lets one item stop the batch)."""
    timer = hasattr(signal, "setitimer") and multiprocessing.parent_process() is not None
    try:
        if timer:
            signal.setitimer(signal.ITIMER_PROF, CPU_SECONDS_PER_ITEM)
        return func(item)
    except ItemTimeout:
        return failed(item, f"处理超过 {CPU_SECONDS_PER_ITEM} 秒 CPU 时间，已放弃")
    except MemoryError:
        return failed(item, "处理时内存不足，已放弃")
    except RecursionError:
        return failed(item, "文件结构嵌套过深，已放弃")
    except Exception as exc:  # the batch goes on; the reason is kept for the technician
        return failed(item, f"程序内部出错：{type(exc).__name__}: {str(exc)[:200]}")
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_PROF, 0)


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


def _pooled(func, failed, pending: deque, suspects: list, jobs: int, init, initargs, strict: bool = False):
    ex = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_init_worker, initargs=(init, initargs))
    inflight: dict = {}
    try:
        while pending or inflight:
            while pending and len(inflight) < 2 * jobs:
                chunk = pending.popleft()
                inflight[ex.submit(_run_chunk, func, failed, chunk)] = chunk
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
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
                        results = fut.result()
                    except BrokenProcessPool:
                        suspects.extend(chunk)
                    else:
                        yield from results
                inflight.clear()
                ex.shutdown(wait=True)
                ex = ProcessPoolExecutor(jobs, mp_context=_context(), initializer=_init_worker,
                                         initargs=(init, initargs))
    finally:
        # Ctrl-C or the caller stopping: hand out nothing more, let running chunks end
        ex.shutdown(wait=True, cancel_futures=True)
