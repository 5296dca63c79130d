"""Nothing the tool is given can make it wait forever: every input file is read the one guarded way
(:func:`xlsx_tool.inputs.read_input`), and a review worker that blocks anyway is given up.

The hang guards here wait at most a minute for what must end at once: a guard against a blocked
test, never a speed limit.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from interrupts import CTRL_C_AT_DEFAULT

from xlsx_tool.findings import Code, UserError
from xlsx_tool.inputs import read_input
from xlsx_tool.review import pool

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs and signals")
HANG_GUARD = 60


def ends(call):
    """``call()``'s exception (or result), failing if it has not ended within the hang guard."""
    box = []

    def run():
        try:
            box.append(call())
        except BaseException as exc:  # noqa: BLE001 — handed to the test
            box.append(exc)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(HANG_GUARD)
    assert not t.is_alive(), "the call blocked"
    return box[0]


def readers(tmp_path: Path):
    from xlsx_tool.formats.exchange import read_exchange
    from xlsx_tool.published import read_report
    from xlsx_tool.report.package import open_template
    from xlsx_tool.review.roster import read_roster
    from xlsx_tool.sources import read_any

    return {"年报.html": read_report, "年报.txt": read_report, "交换.json": read_exchange, "名单.txt": read_roster,
            "名单.csv": read_roster, "名单.xlsx": read_roster, "模板.docx": open_template, "上年.json": read_any,
            "填报.xlsx": read_any}


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_every_reader_refuses_a_pipe_or_a_device_at_once(tmp_path, kind):
    for name, read in readers(tmp_path).items():
        path = tmp_path / f"{kind}-{name}"
        if kind == "fifo":
            os.mkfifo(path)
        else:
            os.symlink("/dev/zero", path)
        err = ends(lambda: read(path))
        assert isinstance(err, UserError) and err.code == "F14", (name, err)
        assert ("命名管道" if kind == "fifo" else "字符设备") in err.finding.message


def test_each_reader_names_its_own_codes(tmp_path):
    (tmp_path / "a.json").write_bytes(b"{" * 5000)
    (tmp_path / "b.json").write_bytes(b"")
    with pytest.raises(UserError) as big:
        read_input(tmp_path / "a.json", 4096, too_big=Code.R06, hint="名单通常只有几 KB")
    with pytest.raises(UserError) as empty:
        read_input(tmp_path / "b.json", 4096, unreadable=Code.F23)
    with pytest.raises(UserError) as folder:
        read_input(tmp_path, 4096, folder=Code.F09, folder_detail="给出的是文件夹")
    assert (big.value.code, empty.value.code, folder.value.code) == ("R06", "F23", "F09")
    assert "名单通常只有几 KB" in big.value.finding.message and "0 字节" in empty.value.finding.message
    assert read_input(tmp_path / "b.json", 10, allow_empty=True) == b""


# -- the review pool: a worker that blocks -------------------------------------------------------------
FIFO = None


def work(item):
    """Doubles a number; ``block`` waits on a FIFO without a writer (as reading one did);
    ``stuck`` does too, deaf to the deadline's signal (as native code would be)."""
    if item in ("block", "stuck"):
        if item == "stuck":
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
        with open(FIFO, "rb") as f:
            return f.read()
    return item * 2


def failed(item, why):
    return ("failed", item, why)


def crashed(item):
    return ("crashed", item)


def test_a_blocked_worker_is_given_up_and_a_deaf_one_killed(tmp_path, monkeypatch):
    global FIFO
    FIFO = str(tmp_path / "管道")
    os.mkfifo(FIFO)
    monkeypatch.setattr(pool, "WALL_SECONDS_PER_ITEM", 1)
    monkeypatch.setattr(pool, "HANG_GRACE_SECONDS", 1)
    monkeypatch.setattr(pool, "POLL_SECONDS", 0.2)
    got = ends(lambda: list(pool.imap(work, [1, "block", 2, "stuck", 3], jobs=2, chunksize=1, failed=failed,
                                      crashed=crashed)))
    assert sorted(map(str, got)) == sorted(map(str, [2, 4, 6, ("crashed", "stuck"),
                                                     ("failed", "block", "处理超过 1 秒仍未结束（可能在等待读取），已放弃")]))


@pytest.mark.parametrize("heard", [True, False], ids=["workers heard from", "workers not heard from yet"])
def test_ctrl_c_ends_workers_blocked_where_they_cannot_notice(tmp_path, heard):
    # not heard from: the worker's word that it started has not reached the parent (on a busy
    # machine its feeder thread may not have written it yet); the parent must end it all the same
    fifo = tmp_path / "管道"
    os.mkfifo(fifo)
    script = textwrap.dedent(f"""
        import os, signal, sys
        from xlsx_tool.review import pool
        HANG = {HANG_GUARD // 2}

        def work(item):
            signal.signal(signal.SIGALRM, signal.SIG_IGN)
            os.write(1, b"started\\n")   # one write: two workers never mix their lines
            with open({str(fifo)!r}, "rb") as f:
                return f.read()

        def failed(item, why):
            return why

        if __name__ == "__main__":
            import faulthandler
            faulthandler.dump_traceback_later(HANG, exit=True)        # stuck: say where, and end
            signal.signal(signal.SIGINT, signal.default_int_handler)   # as under a terminal, whatever the harness left
            if not {heard!r}:
                pool._say_busy = lambda busy: None
            try:
                list(pool.imap(work, [1, 2], jobs=2, chunksize=1, failed=failed, crashed=failed))
            except KeyboardInterrupt:
                print("interrupted", flush=True)
    """)
    (tmp_path / "run.py").write_text(script)
    proc = subprocess.Popen([sys.executable, str(tmp_path / "run.py")], stdout=subprocess.PIPE, text=True,
                            stderr=subprocess.PIPE, cwd=Path(__file__).resolve().parent.parent, start_new_session=True,
                            **CTRL_C_AT_DEFAULT)
    try:
        assert proc.stdout.readline().strip() == "started"
        proc.send_signal(signal.SIGINT)                    # to the parent only, as a terminal's Ctrl-C reaches it first
        out, err = proc.communicate(timeout=HANG_GUARD)    # would wait forever for the blocked workers
        assert "interrupted" in out, err
        others = subprocess.run(["pgrep", "-f", str(tmp_path / "run.py")], capture_output=True, text=True).stdout.split()
        assert not others, "a worker was left running"
    finally:                                               # a failure leaves no blocked process behind
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def test_ctrl_c_while_work_is_handed_out_arrives_right_after():
    # between starting a worker and recording it the parent must not be interrupted: the signal
    # is held and delivered when the block ends
    from xlsx_tool.review import pool

    reached_end_of_block = False
    before = signal.signal(signal.SIGINT, signal.default_int_handler)   # as under a terminal
    try:
        with pytest.raises(KeyboardInterrupt):
            with pool.held_signals():
                os.kill(os.getpid(), signal.SIGINT)
                reached_end_of_block = True
    finally:
        signal.signal(signal.SIGINT, before)
    assert reached_end_of_block


def test_an_ignored_ctrl_c_stays_ignored_after_handing_out_work():
    # a run started in the background has Ctrl-C ignored: holding it must not turn it on
    from xlsx_tool.review import pool

    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with pool.held_signals():
            os.kill(os.getpid(), signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)
