"""Proposal templates (TOML data files users copy and edit) → a `Proposal` draft.

A template has a title and sections; each section asks the library a few queries and
gets a budget of talking points. The draft's citations and its one reference list are
formatted as one document, and a passage is used in one section only.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..cite.citer import Citer, Formatted, style_name
from ..errors import QueryError, TemplateError
from ..model import EvidenceRow, Proposal, ProposalSection
from ..search import Filters
from .fit import analyse, caveats_for
from .profile import section_summary
from .source import EvidenceSource
from .talking_points import Candidate, answering, build, merge, rank

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
MAX_POINTS = 20
# Studies searched per question: a finding that answers may sit below the top 10 by
# similarity (its words differ from the question's), and the fit decides, not the rank.
SEARCH_DEPTH = 30
# Fit given up by a finding about another group than the one chosen: more than any two
# questions' fits differ by, so the chosen group's findings rank first.
OFF_GROUP = 2.0


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


# The groups a proposal can be written for: (population term, words for a question).
POPULATIONS = {
    "fire": ("firefighters", "firefighters"),
    "police": ("police", "police officers"),
    "ems": ("paramedics / EMS", "paramedics and EMS staff"),
    "dispatch": ("dispatchers", "911 dispatchers"),
    "corrections": ("corrections", "correctional officers"),
    "all": ("mixed public safety", "first responders"),
}
EMPTY = (
    "No study in the library addresses this section's questions. Consider local data "
    "(your service's own figures), or import studies that do."
)
OWN_QUESTIONS = "Your questions"


@dataclass(frozen=True, slots=True)
class Choices:
    """What a user chose: a population (a `POPULATIONS` key, "" for as written), the
    sections to keep in their order (indexes into the template; None for all), questions
    of their own (a section of their own), a title and their organisation's name."""

    population: str = ""
    sections: tuple[int, ...] | None = None
    questions: tuple[str, ...] = ()
    title: str = ""
    organisation: str = ""


def build_proposal(
    source: EvidenceSource,
    citer: Citer,
    template: str | Path,
    style: str = "apa",
    choices: Choices | None = None,
) -> Proposal:
    """A Proposal draft of `template` as `choices` adapt it: per section, an evidence
    summary, the talking points that answer its questions (a passage used once), and an
    evidence table; a section nothing answers says so. One reference list.

    Raises TemplateError (also for an unknown population or section), and CitationError
    when citations cannot be formatted."""
    choices = choices or Choices()
    spec = load_template(template)
    sections = _chosen_sections(spec, choices)
    style = style_name(style)
    used: set[str] = set()
    found: list[tuple[list[Candidate], list[list[Candidate]]]] = []
    for section in sections:
        answers = _answers(source, section, choices.population, used)
        groups = merge(rank(answers), section.points, source.passage_vectors)
        used.update(c.passage.id for group in groups for c in group)
        found.append((answers, groups))
    flat = [group for _, groups in found for group in groups]
    points, formatted = build(flat, style, citer) if flat else ([], Formatted((), ()))
    drafted, start = [], 0
    for section, (answers, groups) in zip(sections, found, strict=True):
        mine = tuple(points[start : start + len(groups)])
        start += len(groups)
        drafted.append(
            ProposalSection(
                section.title,
                mine,
                section.queries,
                summary=section_summary(answers) if groups else "",
                empty="" if groups else EMPTY,
                rows=evidence_rows(groups),
            )
        )
    population = POPULATIONS[choices.population][1] if choices.population else ""
    return Proposal(
        choices.title.strip() or spec.title,
        tuple(drafted),
        formatted.references,
        style,
        spec.name,
        organisation=choices.organisation.strip(),
        population=population,
    )


def _chosen_sections(spec: Template, choices: Choices) -> list[SectionSpec]:
    """The template's sections the user kept, in their order, then their own questions."""
    if choices.population and choices.population not in POPULATIONS:
        raise TemplateError(
            f"unknown population '{choices.population}': use one of {', '.join(POPULATIONS)}."
        )
    order = choices.sections if choices.sections is not None else range(len(spec.sections))
    bad = [i for i in order if not 0 <= i < len(spec.sections)]
    if bad:
        raise TemplateError(f"the template has no section {bad[0] + 1}.")
    chosen = [spec.sections[i] for i in dict.fromkeys(order)]
    own = tuple(q.strip() for q in choices.questions if q.strip())
    if own:
        chosen.append(SectionSpec(OWN_QUESTIONS, own, points=min(MAX_POINTS, 2 * len(own))))
    return chosen


def _answers(
    source: EvidenceSource, section: SectionSpec, population: str, used: set[str]
) -> list[Candidate]:
    """Every finding (not yet used) that answers one of the section's questions. With a
    chosen group, each question is asked of that group and as written: findings about the
    group rank first (they fit better), others follow with a caveat naming the group."""
    asks = []
    for query in section.queries:
        steered = _for_group(query, population)
        asks += [(steered, steered)] + ([(query, steered)] if steered != query else [])
    results = source.batch_search(
        [asked for asked, _ in asks],
        k=max(4 * section.points, SEARCH_DEPTH),
        filters=Filters.parse(section.filters),
    )
    best: dict[str, Candidate] = {}
    for (asked, steered), hits in zip(asks, results, strict=True):
        group_question = analyse(steered)
        for cand in answering(source, hits, analyse(asked), source.encode_query(asked)):
            if asked != steered and cand.finding is not None and cand.fit is not None:
                notes = caveats_for(group_question, cand.finding, cand.study)
                score = cand.fit.score - OFF_GROUP  # the chosen group's findings come first
                cand = replace(cand, fit=replace(cand.fit, score=score, caveats=notes))
            known = best.get(cand.passage.id)
            if cand.passage.id not in used and (
                known is None or (cand.fit_score, cand.score) > (known.fit_score, known.score)
            ):
                best[cand.passage.id] = cand
    return list(best.values())


def _for_group(query: str, population: str) -> str:
    """`query` asked of the chosen group, unless it names a group itself."""
    if not population or analyse(query).populations:
        return query
    return f"{query} in {POPULATIONS[population][1]}"


def evidence_rows(groups: Sequence[Sequence[Candidate]]) -> tuple[EvidenceRow, ...]:
    """One row per study cited in `groups`: design, population, size, headline, direction."""
    rows: dict[str, EvidenceRow] = {}
    for cand in (c for group in groups for c in group):
        finding = cand.finding
        result = finding.headline if finding and finding.headline else cand.passage.text
        rows.setdefault(
            cand.study.key,
            EvidenceRow(
                cand.study.key,
                cand.study.design,
                (finding.population if finding else "") or cand.study.population,
                cand.study.sample,
                result,
                finding.direction if finding else "",
                cand.passage.id,
            ),
        )
    return tuple(rows.values())
