"""Search: the home page (query box, filters, result cards, paging) and `GET /api/search`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue

from evidence import (
    DESIGNS,
    POPULATIONS,
    EvidenceProfile,
    Library,
    QueryError,
    Results,
    to_json,
)

from .batching import SearchBatcher
from .citing import chosen_style, references_by_key, styles
from .errors import envelope
from .params import SearchRequest, search_request
from .present import example_queries
from .state import get_library

bp = Blueprint("search", __name__)
BATCHER = "evidence.search_batcher"


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    state.app.extensions[BATCHER] = SearchBatcher()


def run(req: SearchRequest) -> Results:
    """The library's results for a parsed request (batched with concurrent ones).

    Raises QueryError.
    """
    batcher: SearchBatcher = current_app.extensions[BATCHER]
    return batcher.search(get_library(), req.query, req.k, req.offset, req.parsed_filters())


@bp.get("/")
def page() -> ResponseReturnValue:
    """The search page; without ``q`` it shows the empty form and example queries."""
    library = get_library()
    context: dict[str, Any] = {"error": "", "results": None, "refs": {}, "cite_note": ""}
    status = 200
    try:
        req = search_request(request.args, allowed=("style",))
        style = chosen_style(library)
        context.update(req=req, style=style)
        if req.query:
            results = run(req)
            refs, note = references_by_key(library, [h.study.key for h in results], style)
            profile = library.evidence(req.query, req.parsed_filters())
            context.update(results=results, refs=refs, cite_note=note, profile=profile)
            context.update(evidence_view(library, profile, style))
    except QueryError as exc:
        context.update(
            error=str(exc), req=_lenient_request(), style=library.settings.citation_style
        )
        status = 400
    if not context["results"]:
        context["examples"] = example_queries(library.studies)
    return (
        render_template(
            "search.html",
            designs=DESIGNS,
            populations=POPULATIONS,
            styles=styles(),
            page_url=_page_url,
            **context,
        ),
        status,
    )


def evidence_view(library: Library, profile: EvidenceProfile, style: str) -> dict[str, Any]:
    """What the page shows of a profile: each study's answering passage (to lead its card)
    and the strongest finding for and against the claim, with its citation."""
    answers = {key: library.passage(pid) for key, pid in profile.answers}
    sides = []
    strongest = (("Strongest for", profile.supporting), ("Strongest against", profile.contrary))
    for heading, pid in strongest:
        if pid:
            passage = library.passage(pid)
            citation = library.cite([passage.study_key], style)
            sides.append({"heading": heading, "passage": passage, "citation": citation})
    return {"answers": answers, "sides": sides}


@bp.get("/api/search")
def api_search() -> ResponseReturnValue:
    """JSON twin of the search page: the hits with their best passages and ranks; with
    ``evidence=true``, also the evidence on the claim (`evidence`: how many studies answer
    it, by design and finding). That costs a second, deeper search, so it is asked for:
    with it on every search, 8 clients waited 140 ms at p50 instead of about 30 ms."""
    req = search_request(request.args, allowed=("evidence",))
    if not req.query:
        raise QueryError("the query is empty; pass q=, a claim or a question.")
    found = to_json(run(req), k=req.k)
    if _flag(request.args.get("evidence", "")):
        found["evidence"] = to_json(get_library().evidence(req.query, req.parsed_filters()))
    return jsonify(envelope(**found))


def _flag(value: str) -> bool:
    if value.strip().lower() in ("", "0", "false", "no"):
        return False
    if value.strip().lower() in ("1", "true", "yes"):
        return True
    raise QueryError(f"evidence={value!r}: use true or false.")


@bp.get("/api/evidence")
def api_evidence() -> ResponseReturnValue:
    """The evidence on a claim: how many studies bear on it, by design and by what they
    found, the strongest finding for and against it, or the nearest studies when none
    answers (`answered` false)."""
    req = search_request(request.args)
    if not req.query:
        raise QueryError("the query is empty; pass q=, a claim or a question.")
    profile = get_library().evidence(req.query, req.parsed_filters())
    return jsonify(envelope(evidence=to_json(profile)))


def _page_url(req: SearchRequest, page: int, style: str) -> str:
    """This search's URL at another page, keeping the query and filters."""
    args: dict[str, Any] = {"q": req.query, "page": page, **req.filters}
    if req.k != 10:
        args["k"] = req.k
    if style != get_library().settings.citation_style:
        args["style"] = style
    return url_for("search.page", **args)


def _lenient_request() -> SearchRequest:
    """The request as typed (unvalidated), to refill the form under an error message."""
    filters = {k: request.args.getlist(k) for k in ("design", "population") if request.args.get(k)}
    for key in ("year_from", "year_to"):
        if request.args.get(key):
            filters[key] = request.args[key]  # type: ignore[assignment]
    return SearchRequest(request.args.get("q", ""), 10, 0, filters)
