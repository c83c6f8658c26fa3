"""The searcher of one loaded index generation: hybrid search grouped by study, and the
lookups of studies, passages and stored vectors that talking points and exports need.

The retrievers (`retrievers.py`) are fused (`fusion.py`); filters (`filters.py`) and
paging apply to the fused list.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass, field
from typing import overload

import numpy as np

from ..config import Settings
from ..errors import NotFoundError, QueryError
from ..ids import split_passage_id
from ..index.embed import Embedder
from ..index.lexical import analyze, term_spans
from ..index.store import IndexData
from ..model import Hit, Passage, PassageMatch, Study
from .filters import Filters
from .fusion import fuse_arrays
from .retrievers import (
    KeywordRetriever,
    PassageVectorRetriever,
    Query,
    Retriever,
    StudyVectorRetriever,
    eligible,
)

# Within a hit, a title is shown as the matching passage only when the study has nothing
# else: the card already shows the title, and a title is not evidence to quote.
TITLE_HANDICAP = 1.0


class RankLookup:
    """Each fused row's rank in each retriever, computed only for the rows asked for."""

    def __init__(self, rows: np.ndarray, names: list[str], lists: list[np.ndarray], size: int):
        self._rows = rows
        self._names = names
        self._lists = lists
        self._size = size
        self._ranks: np.ndarray | None = None

    def at(self, position: int) -> dict[str, int]:
        if self._ranks is None:  # one array per retriever: 0 = not returned (a dict was 1 ms)
            self._ranks = np.zeros((len(self._lists), self._size), dtype=np.int32)
            for ranks, ids in zip(self._ranks, self._lists, strict=True):
                ranks[ids] = np.arange(1, len(ids) + 1, dtype=np.int32)
        column = self._ranks[:, int(self._rows[position])].tolist()
        return {n: r for n, r in zip(self._names, column, strict=True) if r}


@dataclass(frozen=True, slots=True)
class Results(SequenceABC[Hit]):
    """A page of hits (a read-only sequence), the query as searched, the number of studies
    that matched in all, the page's offset, and any notes about the query."""

    hits: tuple[Hit, ...]
    query: str
    total: int
    offset: int = 0
    notes: tuple[str, ...] = ()

    @overload
    def __getitem__(self, index: int) -> Hit: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Hit, ...]: ...
    def __getitem__(self, index: int | slice) -> Hit | tuple[Hit, ...]:
        return self.hits[index]

    def __len__(self) -> int:
        return len(self.hits)


@dataclass(slots=True)
class Searcher:
    """Searches one loaded index generation."""

    data: IndexData
    embedder: Embedder
    settings: Settings
    retrievers: list[Retriever] = field(init=False)
    _weights: dict[str, float] = field(init=False)
    _study_rows: dict[str, int] = field(init=False)
    _ranges: np.ndarray = field(init=False)
    _matrix: np.ndarray | None = field(init=False)  # passage vectors, when exact (a view)
    _handicaps: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self._study_rows = {s.key: i for i, s in enumerate(self.data.studies)}
        passage_study = np.array(
            [self._study_rows[p.study_key] for p in self.data.passages], dtype=np.int64
        )
        starts = np.searchsorted(passage_study, np.arange(len(self.data.studies)), side="left")
        ends = np.searchsorted(passage_study, np.arange(len(self.data.studies)), side="right")
        self._ranges = np.stack([starts, ends], axis=1) if len(starts) else np.zeros((0, 2), int)
        self._matrix = self.data.vectors.matrix()
        self._handicaps = np.array(
            [TITLE_HANDICAP if p.kind == "title" else 0.0 for p in self.data.passages]
        )
        available: list[Retriever] = [
            KeywordRetriever(self.data.lexical),
            StudyVectorRetriever(self.data.documents),
            PassageVectorRetriever(
                self.data.vectors,
                passage_study,
                starts[ends > starts].astype(np.int64),
                self.settings.query_threads or 1,
            ),
        ]
        self.retrievers = [r for r in available if r.name in self.settings.retrievers]
        self._weights = {
            "bm25": self.settings.weight_lexical,
            "dense": self.settings.weight_dense,
            "dense_passage": self.settings.weight_passage,
        }

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

    def rank(self, query: Query, filters: Filters) -> tuple[np.ndarray, np.ndarray, RankLookup]:
        """Fused study rows and scores for one prepared query, best first, filtered; with
        per-retriever ranks. Arrays, not a list of tuples: a page needs 10 rows of ~2,000."""
        lists = [r.search(query) for r in self.retrievers]
        weights = [self._weights[r.name] for r in self.retrievers]
        size = len(self.data.studies)
        ids, scores = fuse_arrays(lists, weights, size, self.settings.fusion, self.settings.rrf_k)
        keep = eligible(self.retrievers, lists, size)[ids]
        ids, scores = ids[keep], scores[keep]
        if filters.active:
            studies = self.data.studies
            allowed = [filters.allows(studies[row]) for row in ids.tolist()]
            ids, scores = ids[allowed], scores[allowed]
        names = [r.name for r in self.retrievers]
        return ids, scores, RankLookup(ids, names, [ids for ids, _ in lists], size)

    def _search_one(
        self, query: Query, k: int, offset: int, filters: Filters, notes: list[str]
    ) -> Results:
        rows, scores, ranks = self.rank(query, filters)
        window = slice(offset, offset + k)
        page = zip(rows[window].tolist(), scores[window].tolist(), strict=True)
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
        if not len(rows):
            notes = notes + ["No study matched. Try fewer or more general words."]
        return Results(tuple(hits), query.text, len(rows), offset, tuple(notes))

    def best_passages(self, row: int, query: Query, limit: int = 3) -> tuple[PassageMatch, ...]:
        """The study's passages most similar to the query, with matched words marked."""
        start, end = (int(x) for x in self._ranges[row]) if len(self._ranges) else (0, 0)
        if end <= start:
            return ()
        matrix = self._matrix
        vectors = matrix[start:end] if matrix is not None else None
        if vectors is None:
            vectors = self.data.vectors.reconstruct_range(start, end)
        similarity = vectors @ query.vector
        # In float64, as Python floats were: ties (broken by position) stay the same.
        adjusted = similarity.astype(np.float64) - self._handicaps[start:end]
        order = np.argsort(-adjusted, kind="stable")[:limit].tolist()
        passages: list[Passage] = self.data.passages
        terms = set(query.terms)
        return tuple(
            PassageMatch(
                passages[start + i],
                round(float(similarity[i]), 6),
                tuple(term_spans(passages[start + i].text, terms)),
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

    def passage_rows(self, key: str) -> range:
        """The rows (in `data.passages` and the passage vectors) of study `key`'s passages."""
        row = self._study_rows.get(key)
        if row is None or not len(self._ranges):
            return range(0)
        start, end = self._ranges[row]
        return range(int(start), int(end))

    def study(self, key: str) -> Study:
        """The study with citation key `key`. Raises NotFoundError."""
        row = self._study_rows.get(key)
        if row is None:
            raise NotFoundError(
                f"no study with key '{key}' in the library; check the key, or search for it."
            )
        return self.data.studies[row]

    def passages_of(self, key: str) -> list[Passage]:
        """The passages of study `key`, in order (an unknown key has none)."""
        rows = self.passage_rows(key)
        return self.data.passages[rows.start : rows.stop]

    def passage(self, passage_id: str) -> Passage:
        """The passage with id ``key#pN``. Raises NotFoundError."""
        row = self._passage_row(passage_id)
        if row is None:
            raise NotFoundError(_no_passage(passage_id))
        return self.data.passages[row]

    def passage_vectors(self, passage_ids: Sequence[str]) -> np.ndarray:
        """The stored vectors of `passage_ids`, ``(n, d)`` float32 normalised, in order.

        Raises NotFoundError for an unknown passage id."""
        rows = []
        for passage_id in passage_ids:
            row = self._passage_row(passage_id)
            if row is None:
                raise NotFoundError(_no_passage(passage_id))
            rows.append(self.data.vectors.reconstruct_range(row, row + 1))
        return np.concatenate(rows) if rows else np.zeros((0, self.embedder.dimension), np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """The query vector of `text` (normalised)."""
        vector: np.ndarray = self.embedder.encode_queries([text])[0]
        return vector

    def _passage_row(self, passage_id: str) -> int | None:
        """The row of `passage_id` ("key#pN"), looked up within its study only."""
        key, number = split_passage_id(passage_id)
        own = self.passage_rows(key)
        guess = own.start + number if number is not None else -1
        if guess in own and self.data.passages[guess].id == passage_id:
            return guess
        return next((i for i in own if self.data.passages[i].id == passage_id), None)


def _no_passage(passage_id: str) -> str:
    return f"no passage '{passage_id}' in the library (ids look like KEY#p3); check the id."
