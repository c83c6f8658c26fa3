"""Proposal templates (TOML data files users copy and edit) → a `Proposal` draft.

A template has a title and sections; each section asks the library a few queries and
gets a budget of talking points. The draft's citations and its one reference list are
formatted as one document, and a passage is used in one section only.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cite.citer import Citer, Formatted, style_name
from ..errors import QueryError, TemplateError
from ..model import Proposal, ProposalSection
from ..search import Filters
from .fit import analyse
from .source import EvidenceSource
from .talking_points import Candidate, answering, build, merge, rank

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
MAX_POINTS = 20


@dataclass(frozen=True, slots=True)
class SectionSpec:
    """One section of a template: heading, queries, point budget and optional filters."""

    title: str
    queries: tuple[str, ...]
    points: int = 3
    filters: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed proposal template."""

    name: str
    title: str
    sections: tuple[SectionSpec, ...]
    description: str = ""


def list_templates() -> list[str]:
    """The names of the bundled templates (use them with `Library.proposal(name)`)."""
    return sorted(p.stem for p in TEMPLATES_DIR.glob("*.toml"))


def template_path(template: str | Path) -> Path:
    """The file of `template`: a bundled name or a path. Raises TemplateError if missing."""
    path = Path(template)
    if isinstance(template, str) and template in list_templates():
        path = TEMPLATES_DIR / f"{template}.toml"
    if not path.is_file():
        raise TemplateError(
            f"no proposal template '{template}': give a .toml file or one of: "
            f"{', '.join(list_templates())}."
        )
    return path


def load_template(template: str | Path) -> Template:
    """Read and check a template. Raises TemplateError saying what is wrong, and where."""
    path = template_path(template)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(f"{path}: cannot read the template: {exc}.") from None
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        raise TemplateError(f"{path}: no [[sections]]; add at least one with a title and queries.")
    specs = tuple(_section(path, n, s) for n, s in enumerate(sections, start=1))
    return Template(
        path.stem, str(data.get("title") or path.stem), specs, str(data.get("description", ""))
    )


def _section(path: Path, number: int, raw: Any) -> SectionSpec:
    where = f"{path}: section {number}"
    if not isinstance(raw, dict) or not str(raw.get("title", "")).strip():
        raise TemplateError(f"{where} has no title.")
    queries = raw.get("queries")
    if isinstance(queries, str):
        queries = [queries]
    if (
        not isinstance(queries, list)
        or not queries
        or not all(isinstance(q, str) and q.strip() for q in queries)
    ):
        raise TemplateError(f"{where} ('{raw['title']}'): queries must be a list of questions.")
    points = raw.get("points", 3)
    if not isinstance(points, int) or not 1 <= points <= MAX_POINTS:
        raise TemplateError(f"{where} ('{raw['title']}'): points must be 1 to {MAX_POINTS}.")
    filters = raw.get("filters", {})
    try:
        Filters.parse(filters)
    except QueryError as exc:
        raise TemplateError(f"{where} ('{raw['title']}'): {exc}") from None
    return SectionSpec(
        str(raw["title"]).strip(), tuple(q.strip() for q in queries), points, filters
    )


def build_proposal(
    source: EvidenceSource, citer: Citer, template: str | Path, style: str = "apa"
) -> Proposal:
    """A Proposal draft of `template`: talking points per section, one reference list.

    Raises TemplateError, and CitationError when citations cannot be formatted."""
    spec = load_template(template)
    style = style_name(style)
    used: set[str] = set()
    section_groups: list[list[list[Candidate]]] = []
    for section in spec.sections:
        results = source.batch_search(
            list(section.queries),
            k=max(2 * section.points, 10),
            filters=Filters.parse(section.filters),
        )
        best: dict[str, Candidate] = {}
        for query, hits in zip(section.queries, results, strict=True):
            question, vector = analyse(query), source.encode_query(query)
            for cand in answering(source, hits, question, vector):
                known = best.get(cand.passage.id)
                if cand.passage.id not in used and (known is None or cand.score > known.score):
                    best[cand.passage.id] = cand
        groups = merge(rank(list(best.values())), section.points, source.passage_vectors)
        used.update(c.passage.id for group in groups for c in group)
        section_groups.append(groups)
    flat = [group for groups in section_groups for group in groups]
    points, formatted = build(flat, style, citer) if flat else ([], Formatted((), ()))
    sections, start = [], 0
    for section, groups in zip(spec.sections, section_groups, strict=True):
        sections.append(
            ProposalSection(
                section.title, tuple(points[start : start + len(groups)]), section.queries
            )
        )
        start += len(groups)
    return Proposal(spec.title, tuple(sections), formatted.references, style, spec.name)
