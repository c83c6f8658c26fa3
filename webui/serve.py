"""Serve the web UI and JSON API with waitress: `evidence serve` and `make run` call `serve()`.

waitress runs one process with a pool of threads, so the model and the index are loaded
once; Flask's development server is never used.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from evidence import Library, Settings
from evidence.index.build import terminal_progress

from . import create_app
from .security import check_serving, is_loopback

# Request threads. Concurrent searches are encoded together (webui.batching), so a thread
# mostly waits for its batch: 8 threads let 8 concurrent clients share batches (mean batch
# 4.0, 8.2 ms of server CPU per search) where 4 threads gave batches of 2.2 and 10.6 ms.
THREADS = 8
LOOPBACK_NAMES = ["127.0.0.1", "localhost", "::1", "[::1]"]


def serve(
    host: str | None = None,
    port: int | None = None,
    index_dir: Path | str | None = None,
    corpus: tuple[Path, ...] | None = None,
    threads: int | None = None,
) -> None:
    """Open (building on first run) the library and serve it until interrupted.

    Unset arguments come from EVIDENCE_HOST, EVIDENCE_PORT, EVIDENCE_INDEX and
    EVIDENCE_CORPUS, then the defaults (127.0.0.1:5000, index/, corpus/); `threads` from
    EVIDENCE_SERVER_THREADS, then `THREADS`. Imports need EVIDENCE_TOKEN when it is set.
    Raises UnsafeServer for an address beyond loopback without EVIDENCE_TOKEN, and what
    `Library.open_or_build` raises (the CLI prints either as ``Error: ...``).
    """
    import waitress

    given = {"host": host, "port": port, "index_dir": index_dir, "corpus": corpus}
    settings = Settings.resolve({k: v for k, v in given.items() if v is not None})
    token = os.environ.get("EVIDENCE_TOKEN") or None
    check_serving(settings.host, token)  # before the slow part: the library is not opened
    library = open_library(settings)
    app = create_app(
        {"INDEX_DIR": settings.index_dir, "CORPUS": settings.corpus, "TOKEN": token},
        library=library,
    )
    app.debug = False  # FLASK_DEBUG in the environment must not reach a served app
    if _is_loopback(settings.host):
        # Another site's page must not reach this server through a DNS name that points
        # at 127.0.0.1 (DNS rebinding): only loopback Host headers are answered.
        app.config["TRUSTED_HOSTS"] = LOOPBACK_NAMES
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(f"Serving on http://{shown}:{settings.port}/  (Ctrl+C to stop)", file=sys.stderr)
    threads = threads or int(os.environ.get("EVIDENCE_SERVER_THREADS") or THREADS)
    # waitress warns "Task queue depth is 1" whenever a request waits a few ms for a free
    # thread; with batched searches that is normal under load and would flood the terminal.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    waitress.serve(app, host=settings.host, port=settings.port, threads=threads, ident="evidence")


def open_library(settings: Settings) -> Library:
    """Open or build the library, showing progress, and warm it up with one query."""
    started = time.perf_counter()
    print(f"Opening the library in {settings.index_dir} (built on first run)…", file=sys.stderr)
    library = Library.open_or_build(settings=settings, progress=terminal_progress())
    library.search("warm up the model")  # loads the model now, not on the first user's query
    print(
        f"Library ready: {len(library.studies)} studies, {len(library.passages)} passages "
        f"({time.perf_counter() - started:.1f} s).",
        file=sys.stderr,
    )
    return library


_is_loopback = is_loopback
