"""Talking points and exports: `POST /api/talking-points`, `POST /api/export`, and the
basket page's no-JavaScript export form (`POST /basket/export`)."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from flask import Blueprint, current_app, jsonify, request, send_file
from flask.typing import ResponseReturnValue
from flask.wrappers import Response

from evidence import FORMATS, Library, QueryError, to_json

from .basket import check_item, items, point_json, split
from .citing import chosen_style, export_formats, references_by_key
from .errors import envelope
from .hardening import heavy
from .params import choice, filters_from_json, integer, json_object, string_list
from .proposal import build as build_proposal
from .proposal import from_form as proposal_form
from .proposal import from_json as proposal_json
from .state import get_library

bp = Blueprint("exporting", __name__)

DEFAULT_TITLE = "Talking points"


def send_export(data: bytes, fmt: str, title: str) -> Response:
    """The exported bytes as a download named after the title."""
    media_type, extension = FORMATS[fmt].media_type, FORMATS[fmt].extension
    stem = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower() or "export"
    return send_file(
        BytesIO(data), mimetype=media_type, as_attachment=True, download_name=f"{stem}.{extension}"
    )


def export_items(library: Library, wanted: list[str], fmt: str, style: str, title: str) -> bytes:
    """Export basket-like items (passage ids become talking points, keys stay studies).

    Raises QueryError when nothing is left to export, and what `Library.export` raises.
    """
    passage_ids, keys, _ = split(library, wanted)
    if not passage_ids and not keys:
        raise QueryError("nothing to export: add studies or passages to the basket first.")
    points: list[Any] = (
        library.talking_points(passage_ids=passage_ids, style=style) if passage_ids else []
    )
    data: bytes = library.export([*points, *keys], fmt, style=style, title=title)
    return data


@bp.post("/basket/export")
@heavy
def basket_export() -> ResponseReturnValue:
    """The basket as a file (the export buttons' target when JavaScript is off)."""
    library = get_library()
    fmt = choice(request.form.get("format"), export_formats(), "format", "md")
    style = chosen_style(library, request.form.get("style", ""))
    title = request.form.get("title", "").strip()[:200] or DEFAULT_TITLE
    return send_export(export_items(library, items(), fmt, style, title), fmt, title)


@bp.post("/proposal/export")
@heavy
def proposal_export() -> ResponseReturnValue:
    """A proposal draft as a file (the proposal page's export buttons)."""
    library = get_library()
    req = proposal_form(request.form)
    if not req.template:
        raise QueryError("pick a template first.")
    fmt = choice(request.form.get("format"), export_formats(), "format", "md")
    style = chosen_style(library, request.form.get("style", ""))
    proposal = build_proposal(library, req, style)
    data = library.export(proposal, fmt, style=style, author=req.author)
    return send_export(data, fmt, proposal.title)


@bp.post("/api/export")
@heavy
def api_export() -> ResponseReturnValue:
    """``{"passage_ids": [...], "keys": [...], "format": "md", "style": "apa", "title": ""}``
    or ``{"template": NAME, ...}`` (a proposal draft) → the file (the envelope on error)."""
    library = get_library()
    body = json_object()
    if body.get("template") is not None:
        return _export_proposal(library, body)
    limit = current_app.config["JSON_MAX_ITEMS"]
    wanted = string_list(body.get("passage_ids"), "passage_ids", limit)
    wanted += string_list(body.get("keys"), "keys", limit)
    fmt = choice(body.get("format"), export_formats(), "format", "md")
    style = chosen_style(library, body.get("style", ""))
    title = body.get("title") or DEFAULT_TITLE
    if not isinstance(title, str):
        raise QueryError("title must be a string.")
    for item in wanted:
        check_item(library, item)  # NotFoundError (404) names the first unknown id
    return send_export(export_items(library, wanted, fmt, style, title[:200]), fmt, title[:200])


def _export_proposal(library: Library, body: dict[str, Any]) -> Response:
    req = proposal_json(body)
    if not req.template:
        raise QueryError("template is empty; use one of GET /api/proposal's templates.")
    fmt = choice(body.get("format"), export_formats(), "format", "md")
    style = chosen_style(library, body.get("style", ""))
    proposal = build_proposal(library, req, style)
    data = library.export(proposal, fmt, style=style, author=req.author)
    return send_export(data, fmt, proposal.title)


@bp.post("/api/talking-points")
@heavy
def api_talking_points() -> ResponseReturnValue:
    """Talking points from ``passage_ids`` or from a ``query`` (with ``k`` and ``filters``)."""
    library = get_library()
    body = json_object()
    style = chosen_style(library, body.get("style", ""))
    passage_ids = string_list(
        body.get("passage_ids"), "passage_ids", current_app.config["JSON_MAX_ITEMS"]
    )
    query = body.get("query")
    if passage_ids and query:
        raise QueryError("give passage_ids or query, not both.")
    if passage_ids:
        for pid in passage_ids:
            library.passage(pid)  # NotFoundError (404) for an unknown id
        points = library.talking_points(passage_ids=passage_ids, style=style)
    elif isinstance(query, str) and query.strip():
        k = integer(body, "k", 5, 1, 50)
        filters = filters_from_json(body.get("filters"))
        points = library.talking_points(query, k=k, style=style, filters=filters)
    else:
        raise QueryError("give passage_ids (a list of KEY#pN) or query (a claim).")
    keys = list(dict.fromkeys(k for p in points for k in p.study_keys))
    refs, note = references_by_key(library, keys, style)
    return jsonify(
        envelope(
            style=style,
            talking_points=[point_json(p) for p in points],
            references=[to_json(r) for r in refs.values()],
            notes=[note] if note else [],
        )
    )
