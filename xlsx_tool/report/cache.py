"""Prepared Word templates kept between runs: docxtpl's patched XML and Jinja's compiled code.

Patching a template's XML for Jinja and compiling it take most of a rendering's time and depend
only on the template, so they are done once per template and kept in a private cache folder:
``$XLSX_TOOL_CACHE`` if set (``off`` disables the cache), else ``%LOCALAPPDATA%\\xlsx_tool\\cache``
on Windows and ``$XDG_CACHE_HOME/xlsx_tool`` (``~/.cache/xlsx_tool``) elsewhere.

An entry is named by the SHA-256 of the template's bytes and of everything that shapes the
generated code (Python's bytecode version, Jinja, docxtpl, the sandbox module's source), so a
changed template, library or sandbox never meets stale code.  Entries are written atomically;
at most :data:`MAX_ENTRIES` are kept (oldest removed).  The folder must belong to the user and
not be writable by others (checked on POSIX), since the compiled code in it is executed; when it
cannot be used the cache is silently skipped — it only saves time.
"""
from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import secrets
import stat
import sys
from pathlib import Path

ENV_VAR = "XLSX_TOOL_CACHE"
MAX_ENTRIES = 64
MAX_ENTRY_BYTES = 64 * 2**20
_versions: bytes | None = None


def folder() -> Path | None:
    """The cache folder, created if needed; ``None`` when disabled or unsafe."""
    setting = os.environ.get(ENV_VAR, "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        base = Path(setting)
    elif os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "xlsx_tool" / "cache"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "xlsx_tool"
    try:
        base.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(base)
    except (OSError, RuntimeError):
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None
    if os.name == "posix" and (st.st_uid != os.geteuid() or st.st_mode & 0o022):
        return None
    return base


def _version_stamp() -> bytes:
    global _versions
    if _versions is None:
        import docxtpl
        import jinja2

        from . import sandbox

        parts = [importlib.util.MAGIC_NUMBER, sys.version.encode(), jinja2.__version__.encode(),
                 str(getattr(docxtpl, "__version__", "")).encode(), Path(sandbox.__file__).read_bytes()]
        _versions = hashlib.sha256(b"\0".join(parts)).digest()
    return _versions


def key(template: bytes) -> str:
    """The entry name of a template's bytes."""
    return hashlib.sha256(_version_stamp() + template).hexdigest()


def load(name: str) -> dict:
    """``{"patch": {hash: xml}, "code": {hash: code object}}`` of an entry (empty if none)."""
    base = folder()
    empty = {"patch": {}, "code": {}}
    if base is None:
        return empty
    path = base / f"{name}.bin"
    try:
        if os.stat(path).st_size > MAX_ENTRY_BYTES:
            return empty
        entry = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return empty
    if not (isinstance(entry, dict) and isinstance(entry.get("patch"), dict) and isinstance(entry.get("code"), dict)):
        return empty
    return entry


def save(name: str, entry: dict) -> None:
    """Write an entry atomically; drop the oldest beyond :data:`MAX_ENTRIES`.  Never raises."""
    base = folder()
    if base is None:
        return
    tmp = base / f".{name}.{secrets.token_hex(4)}.tmp"
    try:
        data = marshal.dumps(entry)
        if len(data) > MAX_ENTRY_BYTES:
            return
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, base / f"{name}.bin")
        entries = sorted(base.glob("*.bin"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-MAX_ENTRIES]:
            old.unlink(missing_ok=True)
    except (OSError, ValueError):
        pass
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
