"""The retrievers of hybrid search, over study rows: keyword (BM25), study vectors, and
best passage vectors. They share one tiny protocol, ``search(query) -> (rows, scores)``,
best first, for `fusion.fuse_arrays` to combine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..index.lexical import LexicalIndex
from ..index.vectors import VectorIndex
from .scan import Int8Scan

STUDY_CANDIDATES = 1000  # per retriever; z-score statistics are taken over these
PASSAGE_CANDIDATES = 4000
# An approximate (HNSW) index is searched for fewer neighbours: its cost grows with k.
APPROXIMATE_CANDIDATES = 1000
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
        return top(scores, STUDY_CANDIDATES, positive_only=True)


class StudyVectorRetriever:
    name = "dense"

    def __init__(self, index: VectorIndex) -> None:
        self.index = index

    def search(self, query: Query) -> tuple[np.ndarray, np.ndarray]:
        matrix = self.index.matrix()
        if matrix is not None:
            return top(matrix @ query.vector, STUDY_CANDIDATES)
        scores, rows = self.index.search(query.vector[None, :], STUDY_CANDIDATES)
        keep = rows[0] >= 0
        return rows[0][keep], scores[0][keep]


class PassageVectorRetriever:
    """Best passage per study (max aggregation), from the nearest passages."""

    name = "dense_passage"

    def __init__(
        self, index: VectorIndex, passage_study: np.ndarray, starts: np.ndarray, threads: int = 1
    ) -> None:
        self.index = index
        matrix = index.matrix()
        self._scan = Int8Scan(matrix, threads) if matrix is not None else None
        self.passage_study = passage_study
        # First passage row of each study that has passages (rows are grouped by study).
        self._starts = starts
        self._owners = passage_study[starts] if len(starts) else starts

    def search(self, query: Query) -> tuple[np.ndarray, np.ndarray]:
        if self._scan is not None:  # every passage scored, max per study
            best = np.maximum.reduceat(self._scan.scores(query.vector), self._starts)
            rows, scores = top(best, STUDY_CANDIDATES)
            return self._owners[rows], scores
        k = PASSAGE_CANDIDATES if self.index.kind == "flat" else APPROXIMATE_CANDIDATES
        scores, rows = self.index.search(query.vector[None, :], k)
        keep = rows[0] >= 0
        studies = self.passage_study[rows[0][keep]]
        # Rows come best first, so the first time a study appears is its best passage.
        _, first = np.unique(studies, return_index=True)
        first.sort()
        return studies[first][:STUDY_CANDIDATES], scores[0][keep][first][:STUDY_CANDIDATES]


def eligible(
    retrievers: Sequence[Retriever], lists: Sequence[tuple[np.ndarray, np.ndarray]], size: int
) -> np.ndarray:
    """Mask of rows matched by keywords, or similar enough by a dense retriever."""
    mask = np.zeros(size, dtype=bool)
    for retriever, (ids, scores) in zip(retrievers, lists, strict=True):
        keyword = isinstance(retriever, KeywordRetriever)
        mask[ids if keyword else ids[scores >= MIN_SIMILARITY]] = True
    return mask


def top(scores: np.ndarray, k: int, positive_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
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
