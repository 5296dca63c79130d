"""Timing whole commands for the benchmarks (imported by the scripts beside it)."""
from __future__ import annotations

import statistics
import subprocess
import time


def timed(cmd: list[str], runs: int) -> float:
    """The median wall time in seconds of ``runs`` runs of ``cmd`` (its output discarded)."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)
