"""Citation audit: paste or upload a draft; every finding with its line, the text it is
about, and a suggested fix. JSON twin: `POST /api/audit`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.utils import secure_filename

from evidence import DRAFT_SUFFIXES, AuditReport, DraftError, Library, QueryError

from .errors import UnsupportedType, envelope, human_size
from .hardening import heavy_audit
from .state import get_library

bp = Blueprint("audit", __name__)

RAW_TYPES = ("text/plain", "text/markdown")


def audit_text(library: Library, text: str) -> AuditReport:
    """Audit pasted text. Raises QueryError when it is empty."""
    if not text.strip():
        raise QueryError("the draft is empty; paste its text or upload a file.")
    return library.audit(text)


def audit_upload(library: Library, name: str, data: bytes) -> AuditReport:
    """Audit an uploaded .txt/.md/.docx. Raises UnsupportedType, DraftError."""
    safe = secure_filename(Path(name).name) or "draft.txt"
    if not safe.lower().endswith(DRAFT_SUFFIXES):
        raise UnsupportedType(f"{name!r} is not a draft; upload .txt, .md or .docx.")
    return library.audit(data, name=safe)


def from_request(library: Library) -> AuditReport:
    """The audit of what the request carries: a file field, a ``draft`` form field, JSON
    ``{"text": ...}`` or (API) a text/plain body. Raises UnsupportedType, QueryError."""
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            return audit_upload(library, upload.filename, upload.read())
        return audit_text(library, request.form.get("draft", ""))
    if request.is_json:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise QueryError('send {"text": "the draft"}.')
        return audit_text(library, body["text"])
    if request.path.startswith("/api/") and request.mimetype in RAW_TYPES:
        return audit_text(library, request.get_data(as_text=True))
    raise UnsupportedType(
        f'send the draft as a form, JSON {{"text": ...}} or text/plain, '
        f"not {request.mimetype or 'no type'}."
    )


def _limit() -> str:
    return human_size(current_app.config["MAX_CONTENT_LENGTH"])


def excerpt(report: AuditReport, start: int, end: int, limit: int = 160) -> str:
    """The draft text a finding is about, shortened for display."""
    text = " ".join(report.text[start:end].split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@bp.get("/audit")
def page() -> ResponseReturnValue:
    return render_template("audit.html", limit=_limit(), report=None, error="", draft="")


@bp.post("/audit")
@heavy_audit
def submit() -> ResponseReturnValue:
    library = get_library()
    draft = request.form.get("draft", "")
    try:
        report = from_request(library)
    except (QueryError, DraftError) as exc:
        context: dict[str, Any] = {"report": None, "error": str(exc), "draft": draft}
        return render_template("audit.html", limit=_limit(), **context), 400
    return render_template(
        "audit.html", limit=_limit(), report=report, error="", draft=draft, excerpt=excerpt
    )


@bp.post("/api/audit")
@heavy_audit
def api_audit() -> ResponseReturnValue:
    """JSON twin of the audit page: the report, with offsets into its `text`."""
    report = from_request(get_library())
    return jsonify(envelope(report=report.to_dict()))
