"""Outputs: nothing lost, nothing left behind (issue 8 §5) — races, links, full disks, signals."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

import bad_inputs
from xlsx_tool import outputs
from xlsx_tool.findings import UserError


def test_of_runs_racing_to_one_new_file_exactly_one_wins(tmp_path):
    target = tmp_path / "报告.docx"
    barrier = threading.Barrier(8)
    results: list = []

    def write(n: int) -> None:
        barrier.wait()
        try:
            outputs.write_bytes(target, f"run {n}".encode() * 1000, suffix=".docx")
            results.append(("won", n))
        except UserError as err:
            results.append((err.code, n))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [n for what, n in results if what == "won"]
    assert len(winners) == 1 and sorted(what for what, _ in results).count("O01") == 7
    assert target.read_bytes() == f"run {winners[0]}".encode() * 1000
    assert [p.name for p in tmp_path.iterdir()] == ["报告.docx"]


def test_without_hard_links_the_name_is_still_claimed_exclusively(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "报告.docx"
    outputs.write_bytes(target, b"first", suffix=".docx")
    with pytest.raises(UserError) as err:
        outputs.write_bytes(target, b"second", suffix=".docx")
    assert err.value.code == "O01" and target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["报告.docx"]


def test_force_follows_a_link_within_the_folder_and_refuses_one_leaving_it(tmp_path):
    (tmp_path / "2026年报.docx").write_bytes(b"old")
    os.symlink("2026年报.docx", tmp_path / "最新.docx")
    outputs.write_bytes(tmp_path / "最新.docx", b"new", force=True, suffix=".docx")
    assert (tmp_path / "2026年报.docx").read_bytes() == b"new" and (tmp_path / "最新.docx").is_symlink()
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    (elsewhere / "a.docx").write_bytes(b"theirs")
    os.symlink(elsewhere / "a.docx", tmp_path / "外链.docx")
    with pytest.raises(UserError) as err:
        outputs.write_bytes(tmp_path / "外链.docx", b"new", force=True, suffix=".docx")
    assert err.value.code == "O07" and (elsewhere / "a.docx").read_bytes() == b"theirs"


@pytest.mark.parametrize("special", ["fifo", "device"])
def test_force_never_replaces_a_fifo_or_a_device(tmp_path, special):
    target = tmp_path / "x.docx"
    if special == "fifo":
        os.mkfifo(target)
    else:
        target = Path("/dev/null")
    with pytest.raises(UserError) as err:
        outputs.check_target(target, force=True)
    assert err.value.code == "O07"


@pytest.fixture
def full_folder(tmp_path):
    """A folder on a full disk: a 4 KiB tmpfs when this process may mount one (root), else a
    fake: every write into the folder fails with ENOSPC (injected into the child by
    ``sitecustomize``)."""
    folder = tmp_path / "满"
    folder.mkdir()
    env = {}
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs", str(folder)], capture_output=True).returncode == 0
    if not mounted:
        hook = tmp_path / "hook"
        hook.mkdir()
        (hook / "sitecustomize.py").write_text(
            "import builtins, errno, io, os\n"
            f"FULL = {str(folder)!r}\n"
            "_open = os.open\n"
            "def full_open(path, flags, *a, **k):\n"
            "    if os.fspath(path).startswith(FULL) and flags & os.O_CREAT:\n"
            "        fd = _open(path, flags, *a, **k)\n"
            "        os.close(fd)\n"
            "        raise OSError(errno.ENOSPC, 'No space left on device', path)\n"
            "    return _open(path, flags, *a, **k)\n"
            "os.open = full_open\n"
            "_bopen = builtins.open\n"
            "def full_bopen(file, mode='r', *a, **k):\n"
            "    if isinstance(file, (str, bytes, os.PathLike)) and os.fspath(file).startswith(FULL) and 'w' in mode:\n"
            "        raise OSError(errno.ENOSPC, 'No space left on device', file)\n"
            "    return _bopen(file, mode, *a, **k)\n"
            "builtins.open = full_bopen\n", encoding="utf-8")
        env["PYTHONPATH"] = str(hook)
    yield folder, env
    if mounted:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.parametrize("command", ["render", "template"])
def test_a_full_disk_is_a_chinese_message_and_exit_2(tmp_path, full_folder, command):
    folder, extra = full_folder
    src = bad_inputs.filled(tmp_path)
    args = ([command, str(src), "-o", str(folder / "报告.docx")] if command == "render"
            else [command, "--year", "2025", "-o", str(folder / "模板.xlsx")])
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", **extra}
    proc = subprocess.run([sys.executable, "-m", "xlsx_tool.cli", *args], env=env, capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert "O09" in proc.stderr and "磁盘空间不足" in proc.stderr and "Traceback" not in proc.stderr
    assert [p.name for p in folder.iterdir()] == []


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP"])
def test_sigterm_and_sighup_leave_nothing_behind(tmp_path, how):
    src = bad_inputs.filled(tmp_path, name="填报.xlsx")
    target = tmp_path / "报告.docx"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen([sys.executable, "-m", "xlsx_tool.cli", "render", str(src), "-o", str(target)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    while proc.poll() is None and not list(tmp_path.glob(".~*.tmp")) and not target.exists():
        time.sleep(0.0005)
    proc.send_signal(getattr(signal, how))
    out, err = proc.communicate(timeout=60)
    assert not list(tmp_path.glob(".~*")), "a temporary file was left behind"
    if target.exists():     # the report was complete (renamed into place) before the signal arrived
        with zipfile.ZipFile(target) as z:
            assert z.testzip() is None and "word/document.xml" in z.namelist()
        assert "已生成" in out.decode() or "已中断" in err.decode()     # the signal may come before the line
    else:
        assert proc.returncode == 128 + getattr(signal, how) and "已中断" in err.decode()
        assert "Traceback" not in err.decode()
