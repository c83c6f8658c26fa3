"""Bounds on what a request may cost, and the headers every response carries.

- Security headers on every response: Flask's own and waitress's (its 400/413/431/500
  answers to malformed requests never reach Flask, so its error task adds them too).
- A server listening on loopback answers only to loopback Host names (DNS rebinding):
  ``localhost``, 127.0.0.0/8 and ``::1``, any port; anything else is a plain 400.
- JSON bodies: nesting beyond the parser's depth, lone surrogates and non-characters are
  a 400, not a crash.
- Heavy work (the audit, talking points, exports, proposals) runs in a small pool with a
  time limit, so a flood of it leaves threads free for searches: when the pool is full the
  request queues for a few seconds; when the queue is full too, or the wait runs out, it
  gets 503 with Retry-After.
"""

from __future__ import annotations

import ipaddress
import json
import re
import threading
from collections.abc import Callable
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, current_app
from flask.json.provider import DefaultJSONProvider

from evidence import EvidenceError, time_limit

# Everything the pages load comes from this server; no inline script or style may run, so
# even a missed escape in a template could not execute anything.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),  # frame-ancestors, for older browsers
)
# Concurrent heavy requests (about one per core), how many more may queue and for how long,
# and how long one may run (an audit of a 1 MB draft takes about 5 s on one core). Queued
# requests hold server threads: 2 running + 10 queued leave 4 of the 16 default threads for
# searches and health checks. A queue of a few seconds, not a 503, is what 16 clients over
# two servers need (bench_cluster.py --load: 2 queued for 2 s refused ~10% of exports), and
# it slows a flood: refused at once, 8 clients sent 6,000 audits in 20 s and health checks
# waited 60 ms at p95; queued, 87 audits and 46 ms (abuse.py). An audit's cost grows with
# the draft, so it waits 2 s at most.
HEAVY_WORKERS = 2
HEAVY_WAITERS = 10
HEAVY_WAIT_SECONDS = 10.0
AUDIT_WAITERS = 10
AUDIT_WAIT_SECONDS = 2.0
HEAVY_TIME_LIMIT = 30.0
_BUSY = "the server is busy with other audits and exports; try again in a few seconds."
_BAD_TEXT = re.compile("[\ud800-\udfff\ufffe\uffff]")
_HOST = re.compile(r"^\[?([^\]]*?)\]?(?::\d{1,5})?$")

F = TypeVar("F", bound=Callable[..., Any])


class Busy(EvidenceError):
    """The server is busy with other heavy requests (503): try again in a moment."""


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS:
        response.headers.setdefault(name, value)
    return response


def loopback_host(host_header: str) -> bool:
    """True when a Host header names this machine: localhost, 127.0.0.0/8 or ::1."""
    match = _HOST.match(host_header.strip())
    name = match.group(1) if match else ""
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_host() -> Response | None:
    """A plain 400 for a foreign Host header on a loopback-only server (else None).

    Reads the raw header: a page built with an untrusted host must never be rendered."""
    from flask import request

    if not current_app.config.get("LOOPBACK_ONLY"):
        return None
    host = request.environ.get("HTTP_HOST", "")
    if loopback_host(host):
        return None
    text = (
        "This server answers only to requests for this machine (localhost or 127.0.0.1). "
        "Open http://127.0.0.1 with its port, or start it with --host and EVIDENCE_TOKEN.\n"
    )
    return Response(text, 400, mimetype="text/plain")


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing (as a 400) bodies nested too deep or holding text that is not
    text (lone surrogates, U+FFFE/U+FFFF), which would fail later, deep in an export."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("the JSON is nested too deeply") from None
        if _bad_text(value):
            raise ValueError("the JSON holds characters that are not text (e.g. \\ud800)")
        return value


def _bad_text(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return _BAD_TEXT.search(value) is not None
    if depth > 100:
        return False  # json.loads already bounds the depth
    if isinstance(value, dict):
        return any(_bad_text(k, depth + 1) or _bad_text(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_bad_text(v, depth + 1) for v in value)
    return False


class HeavyPool:
    """At most `workers` heavy requests run at once and up to `waiters` more wait (`wait`
    seconds at most); any beyond are Busy at once. An audit may only join a queue shorter
    than `audit_waiters`, and waits `audit_wait` at most. Waiting holds a server thread, so
    the bound on waiters keeps threads free for searches."""

    def __init__(
        self,
        workers: int = HEAVY_WORKERS,
        wait: float = HEAVY_WAIT_SECONDS,
        waiters: int = HEAVY_WAITERS,
        audit_waiters: int = AUDIT_WAITERS,
        audit_wait: float = AUDIT_WAIT_SECONDS,
    ) -> None:
        self._slots = threading.BoundedSemaphore(workers)
        self._lock = threading.Lock()
        self._admitted = 0
        self._limits = {False: (workers + waiters, wait)}
        self._limits[True] = (workers + min(audit_waiters, waiters), min(audit_wait, wait))

    @contextmanager
    def slot(self, seconds: float = HEAVY_TIME_LIMIT, audit: bool = False) -> Any:
        admitted, wait = self._limits[audit]
        with self._lock:
            if self._admitted >= admitted:
                raise Busy(_BUSY)
            self._admitted += 1
        try:
            if not self._slots.acquire(timeout=wait):
                raise Busy(_BUSY)
            try:
                with time_limit(seconds):
                    yield
            finally:
                self._slots.release()
        finally:
            with self._lock:
                self._admitted -= 1


def heavy(view: F) -> F:
    """Run `view` (bounded work: exports, talking points, proposals) in the app's heavy-work
    pool, within the time limit."""
    return _in_pool(view, audit=False)


def heavy_audit(view: F) -> F:
    """`heavy` for an audit, whose cost grows with the draft: the short queue."""
    return _in_pool(view, audit=True)


def _in_pool(view: F, audit: bool) -> F:
    @wraps(view)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        pool: HeavyPool = current_app.extensions["evidence.heavy"]
        seconds = current_app.config.get("HEAVY_TIME_LIMIT", HEAVY_TIME_LIMIT)
        with pool.slot(seconds, audit):
            return view(*args, **kwargs)

    return bounded  # type: ignore[return-value]


def install(app: Flask) -> None:
    """Host check, safe JSON, security headers and the heavy-work pool on `app`."""
    app.json = SafeJSONProvider(app)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    app.extensions["evidence.heavy"] = HeavyPool(
        app.config.get("HEAVY_WORKERS", HEAVY_WORKERS),
        app.config.get("HEAVY_WAIT_SECONDS", HEAVY_WAIT_SECONDS),
        app.config.get("HEAVY_WAITERS", HEAVY_WAITERS),
        app.config.get("AUDIT_WAITERS", AUDIT_WAITERS),
        app.config.get("AUDIT_WAIT_SECONDS", AUDIT_WAIT_SECONDS),
    )
    app.before_request(check_host)
    app.after_request(add_security_headers)
