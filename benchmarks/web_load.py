"""Load on the web page: concurrent clerks uploading a workbook and reading the result page.

    python benchmarks/web_load.py [--clerks 20] [--rounds 5]

Starts ``xlsx-tool serve`` on a free loopback port, then ``--clerks`` threads, each its own browser
session, each doing ``--rounds`` times: upload a filled workbook (half of them with an error) to
the check form and fetch the result page it is sent to.  Prints the wall time of these
upload-and-check round trips (median, p95, max), the server's peak memory (VmHWM) and the
workers' resident memory.  Target (issue 14): p95 ≤ 2 s with 20 clerks on this machine.  This is
a benchmark, not a test: it prints, it does not fail.  Traffic goes to 127.0.0.1 only.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from web_harness import Client, Server


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(q * (len(values) - 1))))
    return values[k]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process so far (0 when it is gone)."""
    import os

    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def rss(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return int(next(line.split()[1] for line in text.splitlines() if line.startswith("VmRSS")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clerks", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    import fills

    from xlsx_tool.workbook.template import write_template

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        good = write_template(tmp / "good.xlsx", "2021", year=2025, prefill=fills.balanced("2021")).read_bytes()
        bad = write_template(tmp / "bad.xlsx", "2021", year=2025,
                             prefill={**fills.balanced("2021"), "request_new_natural": 9}).read_bytes()
        server = Server(tmp / "server")
        try:
            warm = Client(server)
            for _ in range(4):                        # workers started and warm
                warm.check(good)
            times: list[float] = []
            failures: list[str] = []
            lock = threading.Lock()
            start = threading.Barrier(args.clerks)

            def clerk(n: int) -> None:
                c = Client(server)
                c.get("/")
                start.wait()
                for r in range(args.rounds):
                    t = time.perf_counter()
                    page = c.check(bad if (n + r) % 2 else good, name=f"第{n}个单位.xlsx")
                    took = time.perf_counter() - t
                    with lock:
                        times.append(took)
                        if page.status != 200 or not ("检查通过" in page.text or "发现" in page.text):
                            failures.append(f"{page.status}")

            threads = [threading.Thread(target=clerk, args=(n,)) for n in range(args.clerks)]
            pids = [server.pid] + children(server.pid)
            cpu0 = sum(cpu_seconds(p) for p in pids)
            load0 = Path("/proc/loadavg").read_text().split()[0]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            total = time.perf_counter() - t0
            kids = children(server.pid)
            cpu = sum(cpu_seconds(p) for p in [server.pid] + kids) - cpu0
            load1 = Path("/proc/loadavg").read_text().split()[0]
            hwm = server.status("VmHWM")
            workers = sum(rss(p) for p in kids)
        finally:
            server.stop()
            log = server.err.read_text("utf-8", "replace").strip()
            if log:
                print("server said:\n" + log[-3000:])
    n = len(times)
    print(f"{args.clerks} clerks × {args.rounds} uploads = {n} upload-and-check round trips in {total:.1f} s "
          f"({n / total:.1f}/s), {len(failures)} failed")
    print(f"median {statistics.median(times):.3f} s   p95 {percentile(times, 0.95):.3f} s   "
          f"max {max(times):.3f} s   (target p95 ≤ 2 s: {'ok' if percentile(times, 0.95) <= 2 else 'OVER'})")
    print(f"CPU used by the server and its workers: {cpu:.1f} s, {1000 * cpu / n:.0f} ms per upload-and-check "
          f"(on 2 free cores the last of {args.clerks} simultaneous uploads would finish after about "
          f"{args.clerks * cpu / n / 2:.2f} s)")
    print(f"load average of the machine (other processes included): {load0} at start, {load1} at end")
    print(f"server VmHWM {hwm / 1024:.0f} MB; {len(kids)} child processes, {workers / 1024:.0f} MB resident")


if __name__ == "__main__":
    main()
