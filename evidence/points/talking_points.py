"""A question → the findings that answer it, as cited talking points; or chosen passages
(a basket) → points.

A point is a result, never a title or a method: a curated finding (our words) or, for an
imported study without curated findings, an abstract sentence that reports a result and
names the question's terms (the authors' words, quoted). A curated finding must fit the
question (`fit.py`): its intervention and outcome, and the kind of result asked for. A
finding that does not fit is left out, so a question the library cannot answer gets no
points at all. Points are ranked
by fit, then relevance, then strength of design; one point per study, and points that say
the same thing are merged into one with several citations.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..cite.citer import Citer, CiteRequest, Formatted
from ..errors import QueryError
from ..model import (
    PARAPHRASE,
    QUOTATION,
    Finding,
    Hit,
    Passage,
    PointSource,
    Study,
    TalkingPoint,
)
from ..search import Filters
from ..vocabulary import with_parents
from .fit import Fit, Question, analyse, caveats_for, describe, fit, status_note
from .source import EvidenceSource

# Strength of design, strongest first. Unknown designs rank last.
DESIGN_TIERS = {
    "meta-analysis": 0, "systematic review": 0,
    "randomised controlled trial": 1, "non-randomised trial": 1,
    "cohort": 2, "case-control": 2, "economic evaluation": 2,
    "cross-sectional": 3, "program evaluation": 3, "mixed methods": 3, "qualitative": 3,
    "narrative review": 4, "debate / commentary": 4, "guideline": 4, "trial protocol": 5,
}  # fmt: skip
UNKNOWN_TIER = 5
# Passages whose query similarity differs by less than this are "equally relevant", so the
# stronger design goes first. MiniLM cosines of one query's top passages spread over ~0.3.
RELEVANCE_BAND = 0.1
# A finding that fits the question by its terms must still be about it: this similarity
# (cosine, query to the finding's result) at least.
MIN_FIT_SIMILARITY = 0.15
# Without terms to compare (an unstructured finding, an abstract sentence, a question whose
# words we do not know), only similarity can decide; this much is needed.
MIN_SIMILARITY = 0.5
# Two points say the same thing at cosine >= 0.85 when the lead's numbers all appear in the
# other. Measured on the finding passages of corpus/: pairs near 0.8 are related but
# different findings.
MERGE_SIMILARITY = 0.85
MAX_SOURCES = 4
# An abstract sentence reports a result when it has numbers of a result or result words;
# aims, methods and background do not.
_RESULT = re.compile(
    r"(\d+(\.\d+)?\s?%|\b(OR|RR|HR|CI|SMD|d|r|β|p)\s?[=<>]|\bp\s?[<=]|"
    r"\b(found|showed|shows|reported|associated|reduced|increased|decreased|improved|"
    r"lower|higher|fewer|more likely|less likely|no (significant )?(difference|effect|change)|"
    r"did not|predicted|prevalence|compared with)\b)",
    re.IGNORECASE,
)
_NOT_RESULT = re.compile(
    r"^(the )?(aims?|objectives?|purpose|background|methods?|introduction|design)\b|"
    r"\b(this|the present|our|we) (study|paper|review|article|trial) "
    r"(aims?|aimed|examines?|examined|explores?|explored|investigates?|investigated|describes?)|"
    r"\bwe (aimed|sought|conducted|recruited|surveyed|searched|used)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A passage that may become a point: its study, finding (if curated), similarity to
    the question and fit."""

    passage: Passage
    study: Study
    score: float
    finding: Finding | None = None
    fit: Fit | None = None

    @property
    def kind(self) -> str:
        return PARAPHRASE if self.passage.kind == "finding" else QUOTATION

    @property
    def tier(self) -> int:
        return DESIGN_TIERS.get(self.study.design, UNKNOWN_TIER)

    @property
    def fit_score(self) -> float:
        return self.fit.score if self.fit is not None else 0.0


def answering(
    source: EvidenceSource, hits: Sequence[Hit], question: Question, vector: np.ndarray
) -> list[Candidate]:
    """Every passage of the `hits`' studies that answers `question` (see the module)."""
    found: list[Candidate] = []
    for hit in hits:
        curated = any(f.structured for f in hit.study.findings)
        passages = [
            p
            for p in source.passages_of(hit.study.key)
            if p.kind == "finding" or p.kind == "abstract" and not curated
        ]
        if not passages:
            continue
        scores = source.passage_vectors([p.id for p in passages]) @ vector
        for passage, score in zip(passages, scores.tolist(), strict=True):
            candidate = _candidate(question, passage, hit.study, float(score))
            if candidate is not None:
                found.append(candidate)
    return found


def _candidate(
    question: Question, passage: Passage, study: Study, score: float
) -> Candidate | None:
    if study.design == "trial protocol":
        return None  # a protocol reports what will be done, not a result
    finding = study.finding(passage.field) if passage.kind == "finding" else None
    if finding is not None and finding.structured and question.specific:
        judged = fit(question, finding, study)
        if judged.answers and score >= MIN_FIT_SIMILARITY:
            return Candidate(passage, study, score, finding, judged)
        return None
    if score < MIN_SIMILARITY:
        return None
    if finding is None and not is_result(passage.text):
        return None  # an abstract sentence that reports no result
    if question.specific and not _mentions(question, passage.text):
        return None
    return Candidate(passage, study, score, finding)


def is_result(sentence: str) -> bool:
    """True for a sentence that reports a result (numbers or result words), not an aim,
    a method or background."""
    return bool(_RESULT.search(sentence)) and not _NOT_RESULT.search(sentence)


def _mentions(question: Question, text: str) -> bool:
    """True when `text` names the question's intervention (or a narrower one) and its
    outcome, each when the question names one (for texts with no curated terms)."""
    said = analyse(text)
    named = {term for e in said.exposures for term in with_parents(e)}
    exposure = not question.exposures or bool(named & question.exposures)
    outcome = not question.outcomes or bool(said.outcomes & question.outcomes)
    return exposure and outcome


def rank(found: Sequence[Candidate]) -> list[Candidate]:
    """Best first: each study's best candidate before any study's second; within that, fit,
    then relevance band, then strength of design, then similarity."""
    ordered = sorted(
        found,
        key=lambda c: (
            -c.fit_score,
            -math.floor(c.score / RELEVANCE_BAND + 1e-9),
            c.tier,
            -c.score,
            c.passage.id,
        ),
    )
    seen: dict[str, int] = {}
    keyed = []
    for position, cand in enumerate(ordered):
        keyed.append((seen.get(cand.study.key, 0), position, cand))
        seen[cand.study.key] = seen.get(cand.study.key, 0) + 1
    return [cand for _, _, cand in sorted(keyed, key=lambda item: (item[0], item[1]))]


def merge(
    ranked: Sequence[Candidate], k: int, vectors: Callable[[Sequence[str]], np.ndarray]
) -> list[list[Candidate]]:
    """Group `ranked` into at most `k` points, one study once: a candidate that says the
    same as a point's lead (see MERGE_SIMILARITY) joins it as another source; a study's
    further findings wait until every study has had one."""
    if not ranked:
        return []
    matrix = vectors([c.passage.id for c in ranked])
    similarity = matrix @ matrix.T
    groups: list[list[int]] = []
    used: set[str] = set()
    for i, cand in enumerate(ranked):
        home = next((g for g in groups if _same_claim(ranked, similarity, g[0], i)), None)
        if home is not None:
            keys = {ranked[j].study.key for j in home}
            if len(home) < MAX_SOURCES and cand.study.key not in keys:
                home.append(i)
        elif len(groups) < k and cand.study.key not in used:
            groups.append([i])
        used.add(cand.study.key)
    return [[ranked[i] for i in group] for group in groups]


def _same_claim(ranked: Sequence[Candidate], similarity: np.ndarray, lead: int, other: int) -> bool:
    if ranked[lead].passage.id == ranked[other].passage.id:
        return True
    if similarity[lead, other] < MERGE_SIMILARITY:
        return False
    lead_numbers = set(_NUMBER.findall(ranked[lead].passage.text))
    return lead_numbers <= set(_NUMBER.findall(ranked[other].passage.text))


def compose(text: str, citation: str, kind: str) -> str:
    """The statement as pasted: our words as they are, or the authors' in quotation marks,
    with the citation before the final full stop."""
    body = text.strip()
    end = body[-1] if body[-1:] in (".", "!", "?") else "."
    body = body[:-1] if body[-1:] in ".!?" else body.rstrip(";,:")
    if kind == QUOTATION:
        body = f"\u201c{body}\u201d"
    return f"{body} {citation}{end}" if citation else f"{body}{end}"


def requests(groups: Sequence[Sequence[str]]) -> list[CiteRequest]:
    """One citation per point (all its sources), then one per source: the point citations
    come first so numeric styles number in order of the points."""
    singles = list(dict.fromkeys(key for keys in groups for key in keys))
    return [CiteRequest(tuple(keys)) for keys in groups] + [CiteRequest((k,)) for k in singles]


def studies_of(groups: Sequence[Sequence[str]], lookup: Callable[[str], Study]) -> list[Study]:
    """The distinct studies cited by `groups`, in order of first citation."""
    return [lookup(k) for k in dict.fromkeys(key for keys in groups for key in keys)]


def build(
    groups: Sequence[Sequence[Candidate]], style: str, citer: Citer
) -> tuple[list[TalkingPoint], Formatted]:
    """Talking points from candidate groups, and the document (all their citations and
    the reference list) they were formatted in."""
    keys = [[c.study.key for c in group] for group in groups]
    by_key = {c.study.key: c.study for group in groups for c in group}
    formatted = citer.format(studies_of(keys, by_key.__getitem__), requests(keys), style)
    points = [_point(group) for group in groups]
    return recite(points, formatted, style), formatted


def _point(group: Sequence[Candidate]) -> TalkingPoint:
    lead = group[0]
    caveats = lead.fit.caveats if lead.fit is not None else _plain_caveats(lead)
    return TalkingPoint(
        text="",
        score=round(lead.score, 6),
        caveat=" ".join(dict.fromkeys(caveats)),
        kind=lead.kind,
        sources=tuple(_source(c) for c in group),
    )


def _source(c: Candidate) -> PointSource:
    finding = c.finding
    return PointSource(
        study_key=c.study.key,
        passage_id=c.passage.id,
        start=0,
        end=len(c.passage.text),
        passage_text=c.passage.text,
        design=c.study.design,
        population=(finding.population if finding else "") or c.study.population,
        kind=c.kind,
        headline=finding.headline if finding else "",
        about=describe(finding) if finding else "",
        direction=finding.direction if finding else "",
        context=finding.context if finding else "",
        sample=c.study.sample,
    )


def _plain_caveats(candidate: Candidate) -> tuple[str, ...]:
    """For a point without curated terms: its status, and what we could not check."""
    notes = [status_note(candidate.study)]
    if not (candidate.study.design or candidate.study.population):
        notes.append(
            "An imported study without curated labels: its design and population were not checked."
        )
    return tuple(n for n in notes if n)


def recite(points: Sequence[TalkingPoint], formatted: Formatted, style: str) -> list[TalkingPoint]:
    """`points` with their citations and text from `formatted`, a document made with
    `requests` for these points (first) and perhaps more works: disambiguation and
    numbering depend on everything cited, so an export with more works re-cites."""
    count = len(points)
    singles = list(dict.fromkeys(s.study_key for p in points for s in p.sources))
    by_key = dict(zip(singles, formatted.citations[count : count + len(singles)], strict=True))
    out = []
    for point, citation in zip(points, formatted.citations[:count], strict=True):
        sources = tuple(replace(s, citation=by_key[s.study_key]) for s in point.sources)
        text = compose(point.passage_text, citation, point.kind)
        out.append(replace(point, sources=sources, citation=citation, style=style, text=text))
    return out


def draft(
    source: EvidenceSource,
    citer: Citer,
    query: str | None,
    k: int,
    style: str,
    hits: Sequence[Hit] | None = None,
    passage_ids: Sequence[str] | None = None,
    filters: Filters | None = None,
) -> list[TalkingPoint]:
    """Talking points that answer a query (none when nothing answers), from chosen hits, or
    one per chosen passage (a basket).

    Chosen passages are all kept, whole and unmerged, in the order given (by relevance
    when a query is also given). Raises QueryError when nothing to work from is given,
    NotFoundError for an unknown passage id, CitationError when formatting fails.
    """
    if k < 1:
        raise QueryError("k must be at least 1.")
    if passage_ids is not None:
        groups = [[c] for c in _chosen(source, passage_ids, query)]
    else:
        if not query or not query.strip():
            raise QueryError("give a query, hits or passage ids to draft talking points from.")
        if hits is None:
            hits = source.batch_search([query], k=max(3 * k, 20), filters=filters)[0]
        found = answering(source, hits, analyse(query), source.encode_query(query))
        groups = merge(rank(found), k, source.passage_vectors)
    return build(groups, style, citer)[0] if groups else []


def _chosen(
    source: EvidenceSource, passage_ids: Sequence[str], query: str | None
) -> list[Candidate]:
    passages = [source.passage(pid) for pid in dict.fromkeys(passage_ids)]
    scores = [0.0] * len(passages)
    if query and query.strip() and passages:
        vectors = source.passage_vectors([p.id for p in passages])
        scores = (vectors @ source.encode_query(query)).tolist()
    found = []
    for passage, score in zip(passages, scores, strict=True):
        study = source.study(passage.study_key)
        finding = study.finding(passage.field) if passage.kind == "finding" else None
        notes = caveats_for(analyse(query or ""), finding, study) if finding else ()
        found.append(Candidate(passage, study, float(score), finding, Fit(True, 0.0, notes)))
    return rank(found) if query else found
