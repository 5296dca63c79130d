"""Browser sessions: each one's files in its own private folder, invisible to every other session.

A session is created on a browser's first page view and named by a random cookie (256 bits, sent
back only with ``HttpOnly; SameSite=Strict``); the store keeps only the cookie's SHA-256, so the
table of sessions does not even hold the secret.  Its folder has a separate random name (the
cookie never appears on disk or in a URL), mode 0700, under the application's temporary folder.
Everything a session uploads or gets generated lives in an *item* folder with a random id; pages
and downloads look items up in the requesting session only, so another session's id — guessed or
copied — is simply not found.  Sessions idle longer than ``keep_minutes`` are deleted with their
files by :meth:`SessionStore.sweep`; :meth:`SessionStore.close` deletes all of them at shutdown.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

#: Items (uploads, review batches) one session keeps; older ones are deleted first.
MAX_ITEMS = 40
#: Kinds of item that are kept until replaced or deleted by the user (the review office's roster).
KEPT_KINDS = ("roster",)
#: When every session slot is taken, sessions without files idle this long make room.
EMPTY_SESSION_SECONDS = 300


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass
class Item:
    """One upload or batch of a session: its folder and what the page shows about it."""
    id: str
    kind: str
    folder: Path
    created: float
    name: str = ""
    #: set while a background job (a review batch) works in the folder: never swept then
    busy: bool = False
    data: dict = field(default_factory=dict)


@dataclass
class Session:
    """One browser: the CSRF token of its forms, whether it gave the access code, its items."""
    key: str
    folder: Path
    csrf: str
    created: float
    last_seen: float
    authenticated: bool = False
    items: dict[str, Item] = field(default_factory=dict)
    #: the review office's roster, uploaded once and reused: (path, name shown)
    roster: tuple[Path, str] | None = None

    @property
    def busy(self) -> bool:
        return any(i.busy for i in self.items.values())


class SessionStore:
    """All sessions of one server; thread-safe (background review jobs touch their items)."""

    def __init__(self, root: Path, *, keep_seconds: float, max_sessions: int):
        self.root = Path(root)
        self.keep_seconds = keep_seconds
        self.max_sessions = max_sessions
        self._sessions: dict[str, Session] = {}
        self._lock = threading.RLock()

    # -- sessions ----------------------------------------------------------------------------------
    def create(self) -> tuple[str, Session] | None:
        """A new session and its cookie value, or ``None`` when :attr:`max_sessions` are in use
        even after sweeping the expired ones."""
        with self._lock:
            if len(self._sessions) >= self.max_sessions:
                self.sweep()
            if len(self._sessions) >= self.max_sessions:     # under pressure: empty sessions idle
                now = time.monotonic()                       # for a few minutes go first
                for sess in [s for s in self._sessions.values()
                             if not s.items and now - s.last_seen > EMPTY_SESSION_SECONDS]:
                    self._drop(sess)
            if len(self._sessions) >= self.max_sessions:
                return None
            token = secrets.token_urlsafe(32)
            now = time.monotonic()
            sess = Session(_digest(token), self.root / f"s-{secrets.token_hex(12)}",
                           secrets.token_urlsafe(32), now, now)
            self._sessions[sess.key] = sess
            return token, sess

    def get(self, token: str | None) -> Session | None:
        """The live session of a cookie value (its last use is now), else ``None``."""
        if not token or len(token) > 100:
            return None
        with self._lock:
            sess = self._sessions.get(_digest(token))
            if sess is None:
                return None
            now = time.monotonic()
            if now - sess.last_seen > self.keep_seconds and not sess.busy:
                self._drop(sess)
                return None
            sess.last_seen = now
            return sess

    def __len__(self) -> int:
        return len(self._sessions)

    # -- items ---------------------------------------------------------------------------------------
    def new_item(self, sess: Session, kind: str, name: str = "") -> Item:
        """A fresh private folder for one upload or batch (mode 0700)."""
        with self._lock:
            sess.folder.mkdir(mode=0o700, exist_ok=True)
            idle = self._evictable(sess)
            while len(sess.items) >= MAX_ITEMS and idle:
                self.drop_item(sess, idle.pop(0).id)
            item_id = secrets.token_urlsafe(16)
            folder = sess.folder / f"i-{secrets.token_hex(8)}"
            folder.mkdir(mode=0o700)
            item = Item(item_id, kind, folder, time.monotonic(), name)
            sess.items[item_id] = item
            return item

    def item(self, sess: Session | None, item_id: str, kind: str | None = None) -> Item | None:
        """The item ``item_id`` of this session (of ``kind`` when given), else ``None``."""
        if sess is None:
            return None
        with self._lock:
            item = sess.items.get(item_id)
        if item is None or (kind and item.kind != kind) or not item.folder.is_dir():
            return None
        return item

    @staticmethod
    def _evictable(sess: Session) -> list[Item]:
        """Items that may make room, oldest first: not busy, not kept (the roster)."""
        return sorted((i for i in sess.items.values() if not i.busy and i.kind not in KEPT_KINDS),
                      key=lambda i: i.created)

    def drop_item(self, sess: Session, item_id: str) -> None:
        with self._lock:
            item = sess.items.pop(item_id, None)
        if item is not None:
            shutil.rmtree(item.folder, ignore_errors=True)

    def usage(self, sess: Session) -> int:
        """Bytes the session's folder holds on disk."""
        total = 0
        for base, _dirs, files in os.walk(sess.folder):
            for f in files:
                try:
                    total += os.lstat(os.path.join(base, f)).st_size
                except OSError:
                    pass
        return total

    def make_room(self, sess: Session, need: int, limit: int) -> bool:
        """Delete the session's oldest idle items until ``need`` more bytes fit under ``limit``."""
        idle = self._evictable(sess)
        while self.usage(sess) + need > limit:
            if not idle:
                return False
            self.drop_item(sess, idle.pop(0).id)
        return True

    # -- expiry ----------------------------------------------------------------------------------------
    def sweep(self, now: float | None = None) -> int:
        """Delete every session idle longer than ``keep_seconds`` (not while a job runs in it);
        returns how many were deleted."""
        now = time.monotonic() if now is None else now
        with self._lock:
            old = [s for s in self._sessions.values()
                   if now - s.last_seen > self.keep_seconds and not s.busy]
            for sess in old:
                self._drop(sess)
        return len(old)

    def _drop(self, sess: Session) -> None:
        self._sessions.pop(sess.key, None)
        shutil.rmtree(sess.folder, ignore_errors=True)

    def close(self) -> None:
        """Forget every session and delete every file (server shutdown)."""
        with self._lock:
            for sess in list(self._sessions.values()):
                self._drop(sess)
