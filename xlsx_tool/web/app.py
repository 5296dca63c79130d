"""The web application: FastAPI routes for the clerk (:mod:`.clerk_pages`) and the review office
(:mod:`.review_pages`), behind :class:`~.security.Guard`, with Jinja2 pages and local static files.

:func:`create_app` builds it for one :class:`~.config.Settings`.  At start-up it creates the
application's private temporary folder (mode 0700; every upload, every generated file and every
temporary file of the workers goes there), the session store and the worker pool; at shutdown
it stops the workers and deletes the folder.  Expired sessions are swept every
:data:`~.config.SWEEP_SECONDS`.  No API documentation pages are served (they would load assets
from a CDN).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from . import config
from .config import Settings
from .pool import Pool
from .sessions import SessionStore

HERE = Path(__file__).resolve().parent
log = logging.getLogger("xlsx_tool.web")


@dataclass
class WebState:
    """What every request handler shares."""
    settings: Settings
    root: Path
    store: SessionStore
    pool: Pool
    #: the review office's batches run apart, so a long batch never waits for clerks nor the
    #: reverse, and replacing a stuck clerk worker never ends a batch
    batch_pool: Pool
    templates: object
    port: int
    owns_root: bool = True
    tasks: set = field(default_factory=set)


def make_root(settings: Settings) -> tuple[Path, bool]:
    if settings.root is not None:
        root = Path(settings.root)
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        return root, False
    return Path(tempfile.mkdtemp(prefix="xlsx_tool_web_")), True


def create_app(settings: Settings | None = None):
    """The ASGI application (FastAPI wrapped in the guard) for ``settings``."""
    from fastapi import FastAPI
    from fastapi.staticfiles import StaticFiles
    from fastapi.templating import Jinja2Templates

    from . import clerk_pages, errors, review_pages
    from .security import Guard

    settings = settings or Settings()
    root, owns = make_root(settings)
    os.chmod(root, 0o700)
    work_tmp = root / "tmp"
    work_tmp.mkdir(mode=0o700, exist_ok=True)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals.update(version=__version__, settings=settings)
    state = WebState(settings, root, SessionStore(root / "sessions", keep_seconds=settings.keep_minutes * 60,
                                                  max_sessions=settings.max_sessions),
                     Pool(settings.workers, work_tmp, timeout=settings.job_seconds),
                     Pool(1, work_tmp, timeout=config.BATCH_SECONDS), templates, settings.port, owns_root=owns)
    state.store.root.mkdir(mode=0o700, exist_ok=True)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        saved = tempfile.tempdir
        tempfile.tempdir = str(work_tmp)       # multiprocessing's fork server socket goes here too
        sweeper = asyncio.create_task(_sweep(state))
        warming = asyncio.create_task(state.pool.warm())
        state.tasks.add(warming)
        warming.add_done_callback(state.tasks.discard)
        try:
            yield
        finally:
            sweeper.cancel()
            for task in list(state.tasks):
                task.cancel()
            state.pool.close()
            state.batch_pool.close()
            state.store.close()
            tempfile.tempdir = saved
            if state.owns_root:
                shutil.rmtree(root, ignore_errors=True)

    app = FastAPI(title="xlsx_tool", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.web = state
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    errors.install(app)
    app.include_router(clerk_pages.router)
    app.include_router(review_pages.router)
    return Guard(app, state)


async def _sweep(state: WebState) -> None:
    while True:
        await asyncio.sleep(config.SWEEP_SECONDS)
        try:
            gone = state.store.sweep()
            if gone:
                log.info("expired sessions removed: %d", gone)
        except Exception:  # noqa: BLE001 — the sweeper must keep running
            log.exception("sweep failed")
