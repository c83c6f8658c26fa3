"""Hybrid search: keyword (BM25) and two dense retrievers, fused, grouped by study.

Retrievers share one tiny protocol, ``search(query) -> (ids, scores)`` over study rows,
best first. `fusion.fuse` combines them; filters and paging apply to the fused list.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ..config import Settings
from ..errors import QueryError
from ..index.embed import Embedder
from ..index.lexical import LexicalIndex, analyze, term_spans
from ..index.store import IndexData
from ..index.vectors import VectorIndex
from ..model import DESIGNS, ENTRY_TYPES, POPULATIONS, Hit, Passage, PassageMatch, Study
from .fusion import fuse_arrays

STUDY_CANDIDATES = 1000  # per retriever; z-score statistics are taken over these
PASSAGE_CANDIDATES = 4000
# An approximate (HNSW) index is searched for fewer neighbours: its cost grows with k.
APPROXIMATE_CANDIDATES = 1000
# Within a hit, a title is shown as the matching passage only when the study has nothing
# else: the card already shows the title, and a title is not evidence to quote.
TITLE_HANDICAP = 1.0
# A study with no keyword match must be at least this similar (cosine) to count as a result,
# so that a query about nothing in the library gets an honest empty page. On SciFact no
# relevant study of the 809 dev queries falls below it.
MIN_SIMILARITY = 0.2


@dataclass(frozen=True, slots=True)
class Query:
    """A cleaned query: its text, analyzed terms and vector."""

    text: str
    terms: tuple[str, ...]
    vector: np.ndarray


class Retriever(Protocol):
    name: str

    def search(self, query: Query) -> tuple[np.ndarray, np.ndarray]: ...


class KeywordRetriever:
    name = "bm25"

    def __init__(self, index: LexicalIndex) -> None:
        self.index = index

    def search(self, query: Query) -> tuple[np.ndarray, np.ndarray]:
        scores = self.index.scores(query.terms)
        return _top(scores, STUDY_CANDIDATES, positive_only=True)


class StudyVectorRetriever:
    name = "dense"

    def __init__(self, index: VectorIndex) -> None:
        self.index = index

    def search(self, query: Query) -> tuple[np.ndarray, np.ndarray]:
        matrix = self.index.matrix()
        if matrix is not None:
            return _top(matrix @ query.vector, STUDY_CANDIDATES)
        scores, rows = self.index.search(query.vector[None, :], STUDY_CANDIDATES)
        keep = rows[0] >= 0
        return rows[0][keep], scores[0][keep]


class PassageVectorRetriever:
    """Best passage per study (max aggregation), from the nearest passages."""

    name = "dense_passage"

    def __init__(self, index: VectorIndex, passage_study: np.ndarray, starts: np.ndarray) -> None:
        self.index = index
        self.passage_study = passage_study
        # First passage row of each study that has passages (rows are grouped by study).
        self._starts = starts
        self._owners = passage_study[starts] if len(starts) else starts

    def search(self, query: Query) -> tuple[np.ndarray, np.ndarray]:
        matrix = self.index.matrix()
        if matrix is not None:  # exact: every passage scored, max per study
            best = np.maximum.reduceat(matrix @ query.vector, self._starts)
            rows, scores = _top(best, STUDY_CANDIDATES)
            return self._owners[rows], scores
        k = PASSAGE_CANDIDATES if self.index.kind == "flat" else APPROXIMATE_CANDIDATES
        scores, rows = self.index.search(query.vector[None, :], k)
        keep = rows[0] >= 0
        studies = self.passage_study[rows[0][keep]]
        # Rows come best first, so the first time a study appears is its best passage.
        _, first = np.unique(studies, return_index=True)
        first.sort()
        return studies[first][:STUDY_CANDIDATES], scores[0][keep][first][:STUDY_CANDIDATES]


def _eligible(lists: Sequence[tuple[np.ndarray, np.ndarray]], size: int) -> np.ndarray:
    """Mask of rows matched by keywords (list 0), or similar enough by a dense retriever."""
    mask = np.zeros(size, dtype=bool)
    mask[lists[0][0]] = True
    for ids, scores in lists[1:]:
        mask[ids[scores >= MIN_SIMILARITY]] = True
    return mask


def _top(scores: np.ndarray, k: int, positive_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    if positive_only:
        candidates = np.flatnonzero(scores > 0)
    else:
        candidates = np.arange(len(scores))
    if len(candidates) > k:
        part = np.argpartition(-scores[candidates], k - 1)[:k]
        candidates = candidates[part]
    order = np.lexsort((candidates, -scores[candidates]))
    rows = candidates[order]
    return rows, scores[rows]


@dataclass(frozen=True, slots=True)
class Filters:
    """Which studies a search may return. Empty tuples and None mean "any"."""

    year_from: int | None = None
    year_to: int | None = None
    designs: tuple[str, ...] = ()
    populations: tuple[str, ...] = ()
    entry_types: tuple[str, ...] = ()
    has_doi: bool | None = None

    @classmethod
    def parse(cls, value: Filters | Mapping[str, Any] | None) -> Filters:
        """Filters from a mapping (as from a query string). Raises QueryError when invalid."""
        if value is None:
            return cls()
        if isinstance(value, Filters):
            filters = value
        else:
            unknown = set(value) - {
                "year_from",
                "year_to",
                "design",
                "designs",
                "population",
                "populations",
                "entry_type",
                "entry_types",
                "has_doi",
            }
            if unknown:
                raise QueryError(f"unknown filter(s): {', '.join(sorted(unknown))}")
            filters = cls(
                year_from=_year(value.get("year_from"), "year_from"),
                year_to=_year(value.get("year_to"), "year_to"),
                designs=_terms(value.get("designs", value.get("design")), DESIGNS, "design"),
                populations=_terms(
                    value.get("populations", value.get("population")), POPULATIONS, "population"
                ),
                entry_types=_terms(
                    value.get("entry_types", value.get("entry_type")), ENTRY_TYPES, "entry type"
                ),
                has_doi=_bool(value.get("has_doi")),
            )
        if filters.year_from and filters.year_to and filters.year_from > filters.year_to:
            raise QueryError("year_from is after year_to; swap them.")
        return filters

    @property
    def active(self) -> bool:
        return self != Filters()

    def allows(self, study: Study) -> bool:
        if self.year_from is not None and (study.year is None or study.year < self.year_from):
            return False
        if self.year_to is not None and (study.year is None or study.year > self.year_to):
            return False
        if self.designs and study.design not in self.designs:
            return False
        if self.populations and study.population not in self.populations:
            return False
        if self.entry_types and study.entry_type not in self.entry_types:
            return False
        return self.has_doi is None or bool(study.doi) == self.has_doi


def _year(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise QueryError(f"{name} must be a year such as 2015, not {value!r}.") from None


def _terms(value: Any, allowed: Sequence[str], name: str) -> tuple[str, ...]:
    if value in (None, "", ()):
        return ()
    items = [value] if isinstance(value, str) else list(value)
    lookup = {a.lower(): a for a in allowed}
    out = []
    for item in items:
        if str(item).lower() not in lookup:
            raise QueryError(f"unknown {name} {item!r}; use one of: {', '.join(allowed)}.")
        out.append(lookup[str(item).lower()])
    return tuple(out)


def _bool(value: Any) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no"):
        return False
    raise QueryError(f"has_doi must be true or false, not {value!r}.")


class RankLookup:
    """Each fused row's rank in each retriever, computed only for the rows asked for."""

    def __init__(self, fused: list[tuple[int, float]], names: list[str], lists: list[np.ndarray]):
        self._fused = fused
        self._names = names
        self._lists = lists
        self._maps: list[dict[int, int]] | None = None

    def at(self, position: int) -> dict[str, int]:
        if self._maps is None:
            self._maps = [{int(i): r for r, i in enumerate(ids.tolist(), 1)} for ids in self._lists]
        row = self._fused[position][0]
        return {n: m[row] for n, m in zip(self._names, self._maps, strict=True) if row in m}


class Results(list[Hit]):
    """A page of hits, with the total number of matching studies and any notes."""

    def __init__(
        self, hits: list[Hit], query: str, total: int, offset: int, notes: Sequence[str] = ()
    ) -> None:
        super().__init__(hits)
        self.query = query
        self.total = total
        self.offset = offset
        self.notes = tuple(notes)


@dataclass(slots=True)
class Searcher:
    """Searches one loaded index generation."""

    data: IndexData
    embedder: Embedder
    settings: Settings
    retrievers: list[Any] = field(init=False)
    _study_rows: dict[str, int] = field(init=False)
    _ranges: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self._study_rows = {s.key: i for i, s in enumerate(self.data.studies)}
        passage_study = np.array(
            [self._study_rows[p.study_key] for p in self.data.passages], dtype=np.int64
        )
        starts = np.searchsorted(passage_study, np.arange(len(self.data.studies)), side="left")
        ends = np.searchsorted(passage_study, np.arange(len(self.data.studies)), side="right")
        self._ranges = np.stack([starts, ends], axis=1) if len(starts) else np.zeros((0, 2), int)
        self.retrievers = [
            KeywordRetriever(self.data.lexical),
            StudyVectorRetriever(self.data.documents),
            PassageVectorRetriever(
                self.data.vectors, passage_study, starts[ends > starts].astype(np.int64)
            ),
        ]

    def prepare(self, queries: Sequence[str]) -> tuple[list[Query], list[list[str]]]:
        """Clean, truncate, analyze and encode queries. Raises QueryError for an empty one."""
        texts, notes = [], []
        limit = self.settings.max_query_chars
        for raw in queries:
            text = " ".join(str(raw).split())
            if not text:
                raise QueryError("the query is empty; type a claim or a question.")
            note = []
            if len(text) > limit:
                text = text[:limit].rsplit(" ", 1)[0] or text[:limit]
                note.append(f"The query was longer than {limit} characters and was shortened.")
            texts.append(text)
            notes.append(note)
        vectors = self.embedder.encode_queries(texts)
        prepared = [
            Query(text, tuple(analyze(text)), vector)
            for text, vector in zip(texts, vectors, strict=True)
        ]
        return prepared, notes

    def batch_search(
        self, queries: Sequence[str], k: int = 10, offset: int = 0, filters: Filters | None = None
    ) -> list[Results]:
        """Search several queries at once (one encoder batch). Raises QueryError."""
        if k < 1 or offset < 0:
            raise QueryError("k must be at least 1 and offset at least 0.")
        filters = filters or Filters()
        prepared, notes = self.prepare(queries)
        return [
            self._search_one(q, k, offset, filters, n) for q, n in zip(prepared, notes, strict=True)
        ]

    def rank(self, query: Query, filters: Filters) -> tuple[list[tuple[int, float]], RankLookup]:
        """Fused study ranking for one prepared query, filtered; with per-retriever ranks."""
        lists = [r.search(query) for r in self.retrievers]
        weights = [
            self.settings.weight_lexical,
            self.settings.weight_dense,
            self.settings.weight_dense,
        ]
        size = len(self.data.studies)
        ids, scores = fuse_arrays(lists, weights, size, self.settings.fusion, self.settings.rrf_k)
        keep = _eligible(lists, size)[ids]
        fused = list(zip(ids[keep].tolist(), scores[keep].tolist(), strict=True))
        if filters.active:
            fused = [(row, s) for row, s in fused if filters.allows(self.data.studies[row])]
        names = [r.name for r in self.retrievers]
        return fused, RankLookup(fused, names, [ids for ids, _ in lists])

    def _search_one(
        self, query: Query, k: int, offset: int, filters: Filters, notes: list[str]
    ) -> Results:
        fused, ranks = self.rank(query, filters)
        page = fused[offset : offset + k]
        hits = [
            Hit(
                study=self.data.studies[row],
                score=round(score, 6),
                rank=offset + i + 1,
                passages=self.best_passages(row, query),
                ranks=ranks.at(offset + i),
            )
            for i, (row, score) in enumerate(page)
        ]
        if not fused:
            notes = notes + ["No study matched. Try fewer or more general words."]
        return Results(hits, query.text, len(fused), offset, notes)

    def best_passages(self, row: int, query: Query, limit: int = 3) -> tuple[PassageMatch, ...]:
        """The study's passages most similar to the query, with matched words marked."""
        start, end = (int(x) for x in self._ranges[row]) if len(self._ranges) else (0, 0)
        if end <= start:
            return ()
        vectors = self.data.vectors.reconstruct_range(start, end)
        similarity = vectors @ query.vector
        passages: list[Passage] = self.data.passages[start:end]
        adjusted = [
            s - (TITLE_HANDICAP if p.kind == "title" else 0.0)
            for s, p in zip(similarity.tolist(), passages, strict=True)
        ]
        order = sorted(range(len(passages)), key=lambda i: (-adjusted[i], i))[:limit]
        terms = set(query.terms)
        return tuple(
            PassageMatch(
                passages[i],
                round(float(similarity[i]), 6),
                tuple(term_spans(passages[i].text, terms)),
            )
            for i in order
        )

    def related(self, key: str, k: int = 5) -> list[tuple[Study, float]]:
        """Studies whose study vectors are nearest to `key`'s (the study itself excluded)."""
        row = self._study_rows[key]
        vector = self.data.documents.reconstruct_range(row, row + 1)
        scores, rows = self.data.documents.search(vector, k + 1)
        return [
            (self.data.studies[int(r)], round(float(s), 6))
            for s, r in zip(scores[0], rows[0], strict=True)
            if r >= 0 and int(r) != row
        ][:k]

    def study_row(self, key: str) -> int | None:
        return self._study_rows.get(key)

    def passage_rows(self, key: str) -> range:
        """The rows (in `data.passages` and the passage vectors) of study `key`'s passages."""
        row = self._study_rows.get(key)
        if row is None or not len(self._ranges):
            return range(0)
        start, end = self._ranges[row]
        return range(int(start), int(end))
