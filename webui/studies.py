"""Study: one study in full (metadata, findings, abstract sentences, its reference in every
style, BibTeX, related studies) and its JSON twin `GET /api/studies/<key>`."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue

from evidence import CitationError, ExportError, Library, Passage, Study, to_json

from .citing import styles
from .errors import envelope
from .present import author_line
from .state import get_library

bp = Blueprint("studies", __name__)

RELATED = 5


@dataclass(frozen=True, slots=True)
class StudyView:
    """What the study page shows, gathered from the library once for both renderings."""

    study: Study
    passages: list[Passage]
    references: dict[str, Any]  # style -> Reference, or None when it could not be formatted
    bibtex: str
    related: list[tuple[Study, float]]
    notes: list[str]


def gather(library: Library, key: str) -> StudyView:
    """Collect the study's page. Raises NotFoundError for an unknown key."""
    study = library.study(key)
    passages = library.passages_of(key)
    notes: list[str] = []
    references = _references(library, key, notes)
    try:
        bibtex = library.export([key], "bib").decode("utf-8")
    except ExportError as exc:
        bibtex = ""
        notes.append(f"BibTeX could not be written: {exc}")
    return StudyView(study, passages, references, bibtex, library.related(key, RELATED), notes)


def _references(library: Library, key: str, notes: list[str]) -> dict[str, Any]:
    """The study's reference in every style; styles are formatted in parallel (one CSL
    processor run each, which is mostly waiting on a subprocess)."""

    def one(style: str) -> Any:
        try:
            return library.references([key], style=style)[0]
        except (CitationError, IndexError) as exc:
            notes.append(f"The {style} reference could not be formatted: {exc}")
            return None

    with ThreadPoolExecutor(max_workers=len(styles())) as pool:
        return dict(zip(styles(), pool.map(one, styles()), strict=True))


@bp.get("/studies/<path:key>")
def page(key: str) -> ResponseReturnValue:
    view = gather(get_library(), key)
    findings = [p for p in view.passages if p.kind == "finding"]
    sentences = [p for p in view.passages if p.kind == "abstract"]
    return render_template(
        "study.html",
        view=view,
        study=view.study,
        findings=findings,
        sentences=sentences,
        authors=author_line(view.study.authors, limit=100),
        editors=author_line(view.study.editors, limit=100),
    )


@bp.get("/api/studies/<path:key>")
def api_study(key: str) -> ResponseReturnValue:
    """JSON twin of the study page."""
    view = gather(get_library(), key)
    return jsonify(
        envelope(
            study=to_json(view.study),
            passages=[to_json(p) for p in view.passages],
            references={
                style: None if ref is None else to_json(ref)
                for style, ref in view.references.items()
            },
            bibtex=view.bibtex,
            related=[{**to_json(s, summary=True), "score": score} for s, score in view.related],
            notes=view.notes,
        )
    )
