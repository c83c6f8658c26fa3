"""Errors → HTTP: one mapping from library exceptions to status codes, two renderings.

Under ``/api`` every error is the JSON envelope ``{"ok": false, "error": str, "status": int}``
(datasette's error shape); elsewhere it is the `error.html` page with the same message.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from evidence import (
    BibtexImportError,
    CitationError,
    ConflictError,
    DatabaseError,
    DraftError,
    EvidenceError,
    ExportError,
    IndexFormatError,
    IndexNotFoundError,
    LockTimeoutError,
    ModelLoadError,
    NotFoundError,
    ProjectAccessError,
    ProjectError,
    QueryError,
    SettingsError,
    TimeLimitError,
)

from .hardening import Busy
from .security import Unauthorized

log = logging.getLogger(__name__)

# Most specific first: the first matching class decides the status.
STATUS: tuple[tuple[type[EvidenceError], int], ...] = (
    (QueryError, 400),
    (ConflictError, 409),
    (ProjectAccessError, 403),
    (ProjectError, 400),
    (DatabaseError, 503),  # unreachable (try again), or a schema newer than this server's
    (NotFoundError, 404),
    (BibtexImportError, 400),
    (DraftError, 400),
    (CitationError, 400),
    (ExportError, 400),
    (IndexNotFoundError, 503),
    (IndexFormatError, 503),
    (ModelLoadError, 503),
    (LockTimeoutError, 503),
    (TimeLimitError, 503),
    (SettingsError, 500),
)

HINTS = {
    400: "Check the request and try again.",
    401: "Imports on this server need its access token.",
    403: "Forms must be sent from this site's own pages, and projects need their link.",
    404: "Check the address, or search for the study instead.",
    405: "This address does not accept that method.",
    409: "Someone else changed it meanwhile; reload, then make your change again.",
    413: "The upload is too large.",
    415: "The upload has the wrong type.",
    503: "The server could not do this now; the message says why.",
}
# Extra headers by status: how to authenticate (401), when to come back (503).
STATUS_HEADERS = {
    401: {"WWW-Authenticate": 'Bearer realm="evidence imports"'},
    503: {"Retry-After": "5"},
}


class UnsupportedType(EvidenceError):
    """A request body or upload of the wrong media type (415)."""


class TooLarge(EvidenceError):
    """A request that names more items than one request may (413)."""


# An absolute path of this machine: /a/b/c (not a URL's //host, not a DOI's 10.1/x).
_PATH = re.compile(r"(?<![\w:/.])/(?:[^\s/'\"`]+/)+([^\s/'\"`]*)")


def without_paths(message: str) -> str:
    """`message` with this machine's folders left out (only file names stay): the server's
    layout is nobody else's business; its terminal log has the full message."""
    return _PATH.sub(r"\1", message)


def status_for(error: EvidenceError) -> int:
    """Return the HTTP status for a library error (500 when it is not the caller's fault)."""
    if isinstance(error, Unauthorized):
        return 401
    if isinstance(error, UnsupportedType):
        return 415
    if isinstance(error, TooLarge):
        return 413
    if isinstance(error, Busy):
        return 503
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 500


def human_size(size: int) -> str:
    """Return "5 MB" or "64 KB" for a byte count (the units the upload forms state)."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{max(1, size // 1024)} KB"


def envelope(**data: Any) -> dict[str, Any]:
    """Return the success envelope ``{"ok": true, **data}``."""
    return {"ok": True, **data}


def wants_json() -> bool:
    """True for API requests (and the pages' own fetch calls, which ask for JSON)."""
    if request.path.startswith("/api/") or request.path == "/api":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def render_error(message: str, status: int) -> ResponseReturnValue:
    """Return the error as the JSON envelope or the error page, whichever the client wants."""
    headers = STATUS_HEADERS.get(status, {})
    if wants_json():
        return jsonify({"ok": False, "error": message, "status": status}), status, headers
    hint = HINTS.get(status, "")
    page = render_template("error.html", message=message, status=status, hint=hint)
    return page, status, headers


def register(app: Flask) -> None:
    """Install the handlers that turn every error into the envelope or the error page."""

    @app.errorhandler(EvidenceError)
    def library_error(error: EvidenceError) -> ResponseReturnValue:
        status = status_for(error)
        if status >= 500:
            log.error("library error on %s: %s", request.path, error)
        return render_error(without_paths(str(error)), status)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        status = error.code or 500
        message = error.description or error.name
        if status == 413:
            limit = human_size(app.config.get("MAX_CONTENT_LENGTH") or 0)
            message = f"the upload is larger than the {limit} limit."
        return render_error(message, status)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> ResponseReturnValue:
        log.exception("unexpected error on %s", request.path)
        return render_error(
            "an unexpected error occurred (a bug in the web UI, not in your input; the "
            "server's log has the details).",
            500,
        )
