"""Proposal builder: pick a template and the group it is for, tick and order its sections,
add questions of your own, name the title and organisation; see the draft (per section
the evidence summary, talking points and evidence table, or "no study"); export it as
DOCX, Markdown or PPTX. The last draft's choices are kept in the session beside the
basket. JSON twin: `GET /api/proposal`; `POST /api/export` with ``{"template": NAME, ...}``.

Only the bundled templates are offered: `Library.proposal` also reads a .toml *path*,
which a web request must never be able to name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from flask import Blueprint, jsonify, render_template, request, session
from flask.typing import ResponseReturnValue

from evidence import (
    PROPOSAL_POPULATIONS,
    Library,
    Proposal,
    QueryError,
    list_templates,
    load_template,
    to_json,
)

from .citing import FORMAT_LABELS, chosen_style, export_formats, styles
from .errors import envelope
from .hardening import heavy
from .params import choice
from .state import get_library

bp = Blueprint("proposal", __name__)
SESSION_KEY = "proposal"
MAX_TEXT = 200
MAX_QUESTIONS = 10
MAX_QUESTION_CHARS = 300
POPULATION_LABELS = {
    "": "As the template is written",
    "fire": "Fire service",
    "police": "Police",
    "ems": "Paramedics and EMS",
    "dispatch": "911 dispatch",
    "corrections": "Corrections",
    "all": "All public safety",
}
DOCUMENT_FORMATS = ("docx", "md", "pptx", "html")


@dataclass(frozen=True)
class ProposalRequest:
    """What the proposal form or a JSON body asked for (checked)."""

    template: str = ""
    population: str = ""
    sections: tuple[int, ...] | None = None  # kept sections in order; None: all
    questions: tuple[str, ...] = ()
    title: str = ""
    organisation: str = ""
    author: str = ""


def chosen_template(value: Any) -> str:
    """A bundled template's name, or "" when none was picked. Raises QueryError."""
    return choice(value, list_templates(), "template", "")


def from_form(form: Any) -> ProposalRequest:
    """A request from the page's form fields (a MultiDict). Raises QueryError."""
    template = chosen_template(form.get("template"))
    sections = None
    if template and form.get("customised"):
        count = len(load_template(template).sections)
        kept = [_index(v, count) for v in form.getlist("section")]
        sections = tuple(sorted(kept, key=lambda i: (_order(form.get(f"order-{i}"), i), i)))
    questions = [q for q in form.get("questions", "").splitlines() if q.strip()]
    return _checked(template, form.get("population"), sections, questions, form)


def from_json(body: Mapping[str, Any]) -> ProposalRequest:
    """A request from a JSON body: template, population, sections (0-based), questions,
    title, organisation, author. Raises QueryError."""
    template = chosen_template(body.get("template"))
    raw = body.get("sections")
    sections = None
    if raw is not None:
        if not isinstance(raw, list) or not all(isinstance(i, int) for i in raw):
            raise QueryError("sections must be a list of section numbers (from 0).")
        count = len(load_template(template).sections) if template else 0
        sections = tuple(_index(i, count) for i in raw)
    questions = body.get("questions") or []
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        raise QueryError("questions must be a list of strings.")
    return _checked(template, body.get("population"), sections, questions, body)


def _checked(
    template: str, population: Any, sections: tuple[int, ...] | None, questions: list[str],
    fields: Any,
) -> ProposalRequest:  # fmt: skip
    if len(questions) > MAX_QUESTIONS:
        raise QueryError(f"at most {MAX_QUESTIONS} questions of your own, one per line.")
    if any(len(q) > MAX_QUESTION_CHARS for q in questions):
        raise QueryError(f"a question is longer than {MAX_QUESTION_CHARS} characters.")
    texts = {}
    for name in ("title", "organisation", "author"):
        value = fields.get(name) or ""
        if not isinstance(value, str):
            raise QueryError(f"{name} must be text.")
        texts[name] = value.strip()[:MAX_TEXT]
    return ProposalRequest(
        template,
        choice(population, tuple(PROPOSAL_POPULATIONS), "population", ""),
        sections,
        tuple(q.strip() for q in questions),
        **texts,
    )


def _index(value: Any, count: int) -> int:
    try:
        index = int(value)
    except (TypeError, ValueError):
        raise QueryError(f"section {value!r} is not a section number.") from None
    if not 0 <= index < count:
        raise QueryError(f"the template has no section {index + 1}.")
    return index


def _order(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default + 1


def build(library: Library, req: ProposalRequest, style: str) -> Proposal:
    """The draft `req` asks for. Raises TemplateError, CitationError."""
    return library.proposal(
        req.template,
        style=style,
        population=req.population,
        sections=req.sections,
        questions=req.questions,
        title=req.title,
        organisation=req.organisation,
    )


def remembered() -> ProposalRequest:
    """The choices of the last draft in this session (empty when none)."""
    stored = session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return ProposalRequest()
    try:
        return from_json(stored)
    except QueryError:
        return ProposalRequest()


def remember(req: ProposalRequest) -> None:
    data = asdict(req)
    data["sections"] = list(req.sections) if req.sections is not None else None
    data["questions"] = list(req.questions)
    session[SESSION_KEY] = data


@bp.get("/proposal")
@heavy
def page() -> ResponseReturnValue:
    library = get_library()
    req = from_form(request.args) if request.args.get("template") else remembered()
    style = chosen_style(library)
    proposal = build(library, req, style) if req.template else None
    if proposal is not None:
        remember(req)
    return render_template(
        "proposal.html",
        templates=list_templates(),
        req=req,
        spec=load_template(req.template) if req.template else None,
        populations=POPULATION_LABELS,
        style=style,
        styles=styles(),
        proposal=proposal,
        formats=[(f, FORMAT_LABELS.get(f, f)) for f in DOCUMENT_FORMATS if f in export_formats()],
    )


@bp.get("/api/proposal")
@heavy
def api_proposal() -> ResponseReturnValue:
    """The templates (with their sections); with ``template=NAME`` (and ``population``,
    ``title``, ``organisation``), also the draft."""
    library = get_library()
    req = from_form(request.args)
    style = chosen_style(library)
    draft = to_json(build(library, req, style)) if req.template else None
    templates = [
        {"name": n, "title": t.title, "sections": [s.title for s in t.sections]}
        for n, t in ((n, load_template(n)) for n in list_templates())
    ]
    return jsonify(
        envelope(
            templates=templates,
            populations=list(PROPOSAL_POPULATIONS),
            style=style,
            proposal=draft,
        )
    )
