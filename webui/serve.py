"""Serve the web UI and JSON API with waitress: `evidence serve` and `make run` call `serve()`.

waitress runs one process with a pool of threads, so the model and the index are loaded
once; Flask's development server is never used.
"""

from __future__ import annotations

import errno
import logging
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

import click
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from evidence import EvidenceError, Library, Settings, terminal_progress, use_worker_processes

from . import create_app
from .hardening import HEAVY_WORKERS, SECURITY_HEADERS
from .security import check_serving, is_loopback


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
    EVIDENCE_SERVER_THREADS, then 16. Imports need EVIDENCE_TOKEN when it is set.
    Raises UnsafeServer for an address beyond loopback without EVIDENCE_TOKEN, ServeError
    when the port is in use, and what `Library.open_or_build` raises (the CLI prints each
    as ``Error: ...``).
    """
    given = {"host": host, "port": port, "index_dir": index_dir, "corpus": corpus}
    settings = Settings.resolve({k: v for k, v in given.items() if v is not None})
    token = settings.token or None
    check_serving(settings.host, token)  # before the slow part: the library is not opened
    check_port(settings.host, settings.port)
    library = open_library(settings)
    app = create_app(
        {"INDEX_DIR": settings.index_dir, "CORPUS": settings.corpus, "TOKEN": token},
        library=library,
    )
    app.debug = False  # FLASK_DEBUG in the environment must not reach a served app
    # Another site's page must not reach a loopback server through a DNS name that points
    # at 127.0.0.1 (DNS rebinding): only loopback Host headers are answered.
    app.config["LOOPBACK_ONLY"] = is_loopback(settings.host)
    # waitress warns "Task queue depth is 1" whenever a request waits a few ms for a free
    # thread; with batched searches that is normal under load and would flood the terminal.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = create_bounded_server(app, settings, threads or settings.server_threads)
    use_worker_processes(HEAVY_WORKERS)  # long drafts are split beside, not in, this process
    # A plain `kill` (SIGTERM) stops as Ctrl+C does: temporary folders are removed.
    signal.signal(signal.SIGTERM, _stop)
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(f"Serving on http://{shown}:{settings.port}/  (Ctrl+C to stop)", file=sys.stderr)
    server.run()


def _stop(*_: object) -> None:
    # The first SIGTERM stops the server; one more while it shuts down (a supervisor that
    # signals the process group, say) must not interrupt the cleanup with a traceback.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(0)


def create_bounded_server(app: Any, settings: Settings, threads: int) -> Any:
    """A waitress server whose connections are bounded: how many, how long idle, how long
    to send one request; its own error answers carry the security headers.

    Raises ServeError when the port was taken while the library opened."""
    import waitress

    try:
        server = waitress.create_server(
            app,
            host=settings.host,
            port=settings.port,
            threads=threads,
            ident="evidence",
            connection_limit=settings.server_connection_limit,
            channel_timeout=settings.server_channel_timeout,
            cleanup_interval=min(10, settings.server_channel_timeout),
        )
    except OSError as exc:
        raise port_error(settings.host, settings.port, exc) from None
    server.channel_class = BoundedChannel
    # A thread running an audit holds the interpreter lock for 5 ms at a time by default; a
    # health check or search needs it a dozen times, so under a flood of audits it waited
    # 146 ms at p95 (abuse.py); switching every 1 ms: 60 ms, for a little throughput.
    sys.setswitchinterval(0.001)
    timeout = settings.server_request_timeout
    plain = server.maintenance

    def maintenance(now: float) -> None:
        plain(now)
        for channel in list(server.active_channels.values()):
            started = getattr(channel, "request_started", now)
            if channel.request is not None and now - started > timeout:
                channel.will_close = True  # a request still arriving after `timeout` s

    server.maintenance = maintenance
    return server


class SecureErrorTask(ErrorTask):  # type: ignore[misc]
    """waitress's answer to a malformed request (400, 413, 431, 500), with our headers."""

    def execute(self) -> None:
        self.response_headers.extend(SECURITY_HEADERS)  # before: execute() writes the head
        super().execute()


class BoundedChannel(HTTPChannel):  # type: ignore[misc]
    """A connection that remembers when its current request began to arrive."""

    error_task_class = SecureErrorTask
    request_started = 0.0

    def received(self, data: bytes) -> bool:
        if self.request is None and data:
            self.request_started = time.time()
        return bool(super().received(data))


class ServeError(EvidenceError):
    """The server cannot listen: its port is in use or its address is not this machine's."""


def check_port(host: str, port: int) -> None:
    """Raise ServeError now if `host`:`port` cannot be listened on (before the slow start)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ServeError(
            f"cannot listen on {host}: {exc.strerror}. Use --host 127.0.0.1 (this machine) or "
            "an address of this machine."
        ) from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise port_error(host, port, exc) from None


def port_error(host: str, port: int, exc: OSError) -> ServeError:
    """The one-line error for a port or address that cannot be listened on."""
    if exc.errno == errno.EADDRINUSE:
        return ServeError(
            f"port {port} on {host} is already in use (another `evidence serve`?). Stop it, or "
            f"pick another port: EVIDENCE_PORT={port + 1} make run, or evidence serve --port "
            f"{port + 1}."
        )
    if exc.errno == errno.EACCES:
        return ServeError(
            f"port {port} needs administrator rights; use a port above 1023, e.g. "
            "evidence serve --port 5000."
        )
    return ServeError(
        f"cannot listen on {host}:{port} ({exc.strerror or exc}). Use --host 127.0.0.1 or an "
        "address of this machine."
    )


def open_library(settings: Settings) -> Library:
    """Open or build the library, showing progress, and warm it up with one query."""
    started = time.perf_counter()
    print(f"Opening the library in {settings.index_dir} (built on first run)…", file=sys.stderr)
    library = Library.open_or_build(settings=settings, progress=terminal_progress())
    library.search("warm up the model")  # loads the model now, not on the first user's query
    library.follow()  # shared library: imports through other servers arrive within seconds
    print(
        f"Library ready: {len(library.studies)} studies, {len(library.passages)} passages "
        f"({time.perf_counter() - started:.1f} s)"
        + (", shared through PostgreSQL." if library.shared else "."),
        file=sys.stderr,
    )
    return library


@click.command("serve")
@click.option(
    "--host",
    default=None,
    envvar="EVIDENCE_HOST",
    show_envvar=True,
    help="Address to listen on [default: 127.0.0.1].",
)
@click.option(
    "--port",
    default=None,
    type=int,
    envvar="EVIDENCE_PORT",
    show_envvar=True,
    help="Port [default: 5000].",
)
@click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="EVIDENCE_INDEX",
    show_envvar=True,
    help="Index folder [default: index/ of the project].",
)
def serve_command(host: str | None, port: int | None, index_dir: Path | None) -> None:
    """Serve the web UI and JSON API (waitress), building the index on first run.

    With EVIDENCE_TOKEN set, imports need that token; a --host beyond loopback
    (127.0.0.1) is refused without one.
    """
    try:
        serve(host=host, port=port, index_dir=index_dir)
    except EvidenceError as exc:
        raise click.ClickException(str(exc)) from None
