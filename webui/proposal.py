"""Proposal builder: pick a template, see the draft's talking points per section and its
reference list, export it. JSON twin: `GET /api/proposal`; `POST /api/export` with
``{"template": NAME}`` exports the draft.

Only the bundled templates are offered: `Library.proposal` also reads a .toml *path*,
which a web request must never be able to name.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from evidence import Library, Proposal, list_templates, to_json

from .citing import FORMAT_LABELS, chosen_style, export_formats, styles
from .errors import envelope
from .hardening import heavy
from .params import choice
from .state import get_library

bp = Blueprint("proposal", __name__)


def chosen_template(value: Any) -> str:
    """A bundled template's name, or "" when none was picked. Raises QueryError."""
    return choice(value, list_templates(), "template", "")


def build(library: Library, template: str, style: str) -> Proposal:
    """The draft of a bundled template. Raises TemplateError, CitationError."""
    return library.proposal(template, style=style)


@bp.get("/proposal")
@heavy
def page() -> ResponseReturnValue:
    library = get_library()
    template = chosen_template(request.args.get("template"))
    style = chosen_style(library)
    proposal = build(library, template, style) if template else None
    return render_template(
        "proposal.html",
        templates=list_templates(),
        template=template,
        style=style,
        styles=styles(),
        proposal=proposal,
        formats=[(f, FORMAT_LABELS.get(f, f)) for f in export_formats()],
    )


@bp.get("/api/proposal")
@heavy
def api_proposal() -> ResponseReturnValue:
    """The templates; with ``template=NAME``, also the draft (sections, points, references)."""
    library = get_library()
    template = chosen_template(request.args.get("template"))
    style = chosen_style(library)
    draft = to_json(build(library, template, style)) if template else None
    return jsonify(envelope(templates=list_templates(), style=style, proposal=draft))
