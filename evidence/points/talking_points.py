"""Hits or chosen passages → `TalkingPoint`s: extractive, cited, ranked, merged, caveated.

A point is a curated finding or an abstract sentence, quoted verbatim or cut at a
clause boundary (never reworded), with the exact span it came from. Points are ranked by
relevance band, then by strength of design; points that say the same thing are merged
into one with several citations; weak or off-population evidence carries a caveat. All
citations of a list of points are formatted together, as one document. Where a long
passage may be cut is decided in `quotes.py`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..cite.citer import Citer, CiteRequest, Formatted
from ..errors import QueryError
from ..index.lexical import analyze
from ..model import Hit, Passage, PointSource, Study, TalkingPoint
from ..search import Filters
from .quotes import MAX_QUOTE_CHARS as MAX_QUOTE_CHARS  # both re-exported from here
from .quotes import quote_span as quote_span
from .source import EvidenceSource

# Ranking: strength of design, strongest first (issue 5: syntheses, trials, observational,
# commentary). Unknown designs rank last.
DESIGN_TIERS = {
    "meta-analysis": 0, "systematic review": 0,
    "randomised controlled trial": 1, "non-randomised trial": 1,
    "cohort": 2, "case-control": 2, "cross-sectional": 2, "qualitative": 2,
    "mixed methods": 2, "program evaluation": 2,
    "narrative review": 3, "debate / commentary": 3, "guideline": 3,
}  # fmt: skip
UNKNOWN_TIER = 4
# Passages whose query similarity differs by less than this are "equally relevant", so the
# stronger design goes first. MiniLM cosines of one query's top passages spread over ~0.3.
RELEVANCE_BAND = 0.1
# Two passages say the same thing at cosine >= 0.85 and when the lead quote's numbers all
# appear in the other. Measured on the 175 finding passages of corpus/: 2 of ~15,000
# cross-study pairs reach 0.85 (pooled PTSD prevalence ~10% in two meta-analyses; two
# firefighter suicidality surveys, which the number rule keeps apart); pairs near 0.8 are
# related but different findings.
MERGE_SIMILARITY = 0.85
MAX_SOURCES = 4
PUBLIC_SAFETY = {
    "police",
    "firefighters",
    "paramedics / EMS",
    "dispatchers",
    "corrections",
    "mixed public safety",
}
_DESIGN_WORDS = {
    "meta-analysis": "a meta-analysis", "systematic review": "a systematic review",
    "randomised controlled trial": "a randomised trial",
    "non-randomised trial": "a non-randomised trial",
    "cohort": "a cohort study", "case-control": "a case-control study",
    "cross-sectional": "a cross-sectional study", "qualitative": "a qualitative study",
    "mixed methods": "a mixed-methods study", "program evaluation": "a program evaluation",
    "narrative review": "a narrative review", "debate / commentary": "a commentary",
    "guideline": "a guideline",
}  # fmt: skip
_POPULATION_WORDS = {
    "police": "police officers", "firefighters": "firefighters",
    "paramedics / EMS": "paramedics and EMS staff", "dispatchers": "dispatchers",
    "corrections": "corrections staff", "mixed public safety": "public safety personnel",
    "military": "military personnel", "health care workers": "health care workers",
    "general workforce": "workers outside public safety", "students": "students",
    "other": "a population other than first responders",
}  # fmt: skip
# A quote that opens by describing its own study needs no caveat in front of it.
_FRAMED = re.compile(
    r"^(in|among|across|from)\b|^(this|these|a|an|the|one|our)\b[^,;]{0,80}?\b(review|"
    r"meta-analys[ie]s|meta-regression|trial|survey|study|studies|synthesis|sample|interviews?|"
    r"evaluation|article|analysis)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A passage that may become a point, with its quote span and relevance."""

    passage: Passage
    study: Study
    score: float
    start: int
    end: int

    @property
    def quote(self) -> str:
        return self.passage.text[self.start : self.end]

    @property
    def tier(self) -> int:
        return DESIGN_TIERS.get(self.study.design, UNKNOWN_TIER)


def candidates(hits: Sequence[Hit], query: str | None) -> list[Candidate]:
    """Every quotable (non-title) matched passage of `hits`, its quote cut to size."""
    terms = set(analyze(query)) if query else set()
    found: list[Candidate] = []
    for hit in hits:
        for match in hit.passages:
            if match.passage.kind == "title":
                continue
            start, end = quote_span(match.passage.text, terms)
            found.append(Candidate(match.passage, hit.study, match.score, start, end))
    return found


def rank(found: Sequence[Candidate]) -> list[Candidate]:
    """Best first: one passage per study before any study's second, then relevance band,
    then strength of design, then similarity."""
    ordered = sorted(
        found,
        key=lambda c: (
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
    """Group `ranked` into at most `k` points; a candidate that says the same as a point's
    lead (see MERGE_SIMILARITY) joins it as another source instead of making a new point."""
    if not ranked:
        return []
    matrix = vectors([c.passage.id for c in ranked])
    similarity = matrix @ matrix.T
    groups: list[list[int]] = []
    for i, cand in enumerate(ranked):
        home = next((g for g in groups if _same_claim(ranked, similarity, g[0], i)), None)
        if home is not None:
            if len(home) < MAX_SOURCES and cand.study.key not in {
                ranked[j].study.key for j in home
            }:
                home.append(i)
        elif len(groups) < k:
            groups.append([i])
    return [[ranked[i] for i in group] for group in groups]


def _same_claim(ranked: Sequence[Candidate], similarity: np.ndarray, lead: int, other: int) -> bool:
    if ranked[lead].passage.id == ranked[other].passage.id:
        return True
    if similarity[lead, other] < MERGE_SIMILARITY:
        return False
    return set(_NUMBER.findall(ranked[lead].quote)) <= set(_NUMBER.findall(ranked[other].quote))


def caveat(study: Study) -> str:
    """ "In a cross-sectional study of police officers" when the design is observational or
    weaker, or the population is not public safety; "" for strong, on-population evidence."""
    weak = DESIGN_TIERS.get(study.design, UNKNOWN_TIER) >= 2
    elsewhere = study.population not in PUBLIC_SAFETY
    if not weak and not elsewhere:
        return ""
    design = _DESIGN_WORDS.get(study.design, "a study of unstated design")
    population = _POPULATION_WORDS.get(study.population, "an unstated population")
    return f"In {design} of {population}"


def compose(quote: str, citation: str, note: str) -> str:
    """The paste-ready sentence: the caveat (unless the quote frames its own study), the
    quote, and its citation before the final full stop."""
    body = quote.rstrip()
    end = body[-1] if body[-1:] in (".", "!", "?") else "."
    body = body[:-1] if body[-1:] in ".!?" else body.rstrip(";,:")
    lead = f"{note}: " if note and not _FRAMED.match(body) else ""
    return f"{lead}{body} {citation}{end}" if citation else f"{lead}{body}{end}"


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
    points = [
        TalkingPoint(
            text="",
            score=round(group[0].score, 6),
            caveat=caveat(group[0].study),
            sources=tuple(
                PointSource(
                    study_key=c.study.key,
                    passage_id=c.passage.id,
                    start=c.start,
                    end=c.end,
                    quote=c.quote,
                    design=c.study.design,
                    population=c.study.population,
                )
                for c in group
            ),
        )
        for group in groups
    ]
    return recite(points, formatted, style), formatted


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
        out.append(
            replace(
                point,
                sources=sources,
                citation=citation,
                style=style,
                text=compose(point.quote, citation, point.caveat),
            )
        )
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
    """Talking points from a query, from chosen hits, or from chosen passages (a basket).

    Chosen passages are all kept, whole and unmerged, in the order given (by relevance
    when a query is also given). Raises QueryError when nothing to work from is given,
    NotFoundError for an unknown passage id, CitationError when formatting fails.
    """
    if k < 1:
        raise QueryError("k must be at least 1.")
    if passage_ids is not None:
        groups = [[c] for c in _chosen(source, passage_ids, query)]
    else:
        if hits is None:
            if not query or not query.strip():
                raise QueryError("give a query, hits or passage ids to draft talking points from.")
            hits = source.batch_search([query], k=max(2 * k, 10), filters=filters)[0]
        groups = merge(rank(candidates(hits, query)), k, source.passage_vectors)
    return build(groups, style, citer)[0] if groups else []


def _chosen(
    source: EvidenceSource, passage_ids: Sequence[str], query: str | None
) -> list[Candidate]:
    passages = [source.passage(pid) for pid in dict.fromkeys(passage_ids)]
    scores = [0.0] * len(passages)
    if query and query.strip() and passages:
        vectors = source.passage_vectors([p.id for p in passages])
        scores = (vectors @ source.encode_query(query)).tolist()
    found = [
        Candidate(p, source.study(p.study_key), float(s), 0, len(p.text))
        for p, s in zip(passages, scores, strict=True)
    ]
    return rank(found) if query else found
