"""Run one piece of untrusted work (rendering or checking a Word template) under CPU and memory
limits, so that whatever the sandbox (:mod:`.sandbox`) did not foresee ends as a clean T07.

The mechanics are :mod:`xlsx_tool.confined` (a forked child with ``RLIMIT_CPU`` and ``RLIMIT_AS``,
its answer sent back as JSON and bytes, killed on any interruption); here are the limits of a
Word template: :data:`CPU_SECONDS` of CPU, the parent's address space plus :data:`MEMORY_BYTES`.
Elsewhere (Windows, no ``fork``) the work runs in the calling process: the sandbox's own limits
still hold (steps, sizes, output), only the operating-system backstop is missing.
"""
from __future__ import annotations

from collections.abc import Callable

from .. import confined
from ..findings import Code

CPU_SECONDS = 3
MEMORY_BYTES = 768 * 2**20
WALL_SECONDS = confined.WALL_SECONDS
Exceeded = confined.Exceeded
available = confined.available


def run(work: Callable[[], tuple[dict, bytes]], *, subject: str) -> tuple[dict, bytes]:
    """``work()`` under the limits: its answer ``(JSON-able dict, bytes)``; ``UserError`` T07
    naming ``subject`` when a limit is hit; the work's own ``UserError`` passed on."""
    return confined.run(work, subject=subject, code=Code.T07, cpu_seconds=CPU_SECONDS, memory_bytes=MEMORY_BYTES,
                        wall_seconds=WALL_SECONDS)
