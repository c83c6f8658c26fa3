"""BM25 keyword ranking (bm25s) over study documents, with one shared analyzer.

The analyzer (lowercase, word tokens, English stopwords, Snowball stemming) is used for
documents, queries and highlighting alike, so a highlighted word is one that matched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

_TOKEN = re.compile(r"\w+", re.UNICODE)
ANALYZER_VERSION = 1


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def analyze(text: str) -> list[str]:
    """Return the stemmed, stopword-free terms of `text`, in order."""
    stop = _stopwords()
    words = [
        w for w in _TOKEN.findall(text.lower()) if w not in stop and (len(w) > 1 or w.isdigit())
    ]
    return list(_stemmer().stemWords(words))


def term_spans(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the words of `text` whose stem is in `terms`."""
    if not terms:
        return []
    stop = _stopwords()
    matches = [m for m in _TOKEN.finditer(text) if m.group(0).lower() not in stop]
    stems = _stemmer().stemWords([m.group(0).lower() for m in matches])
    return [(m.start(), m.end()) for m, stem in zip(matches, stems, strict=True) if stem in terms]


class LexicalIndex:
    """BM25 over a list of documents; row i is document i."""

    def __init__(self, retriever: Any, k1: float, b: float) -> None:
        self._retriever = retriever
        self.k1 = k1
        self.b = b

    @classmethod
    def build(cls, documents: Sequence[str], k1: float = 0.9, b: float = 0.4) -> LexicalIndex:
        """Index `documents` (already joined text per row)."""
        import bm25s

        retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        tokens = [analyze(doc) or ["\u2205"] for doc in documents]  # bm25s needs ≥1 token per row
        retriever.index(tokens, show_progress=False)
        return cls(retriever, k1, b)

    @property
    def size(self) -> int:
        return int(self._retriever.scores["num_docs"])

    def scores(
        self, query_terms: Sequence[str], weights: Sequence[float] | None = None
    ) -> np.ndarray:
        """Return the BM25 score of every row for the (analyzed) query terms.

        With `weights`, each term's contribution is scaled (for expanded queries).
        """
        vocab = self._retriever.vocab_dict
        out = np.zeros(self.size, dtype=np.float32)
        if weights is None:
            ids = [vocab[t] for t in query_terms if t in vocab]
            if ids:
                out += self._retriever.get_scores_from_ids(ids)
            return out
        for term, weight in zip(query_terms, weights, strict=True):
            if term in vocab:
                out += weight * self._retriever.get_scores_from_ids([vocab[term]])
        return out

    def save(self, folder: Path) -> None:
        """Write the index files into `folder` (no pickle)."""
        folder.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(folder), show_progress=False)
        (folder / "analyzer.json").write_text(
            json.dumps({"analyzer_version": ANALYZER_VERSION, "k1": self.k1, "b": self.b})
        )

    @classmethod
    def load(cls, folder: Path, mmap: bool = False) -> LexicalIndex:
        """Read an index written by `save`."""
        import bm25s

        meta = json.loads((folder / "analyzer.json").read_text())
        retriever = bm25s.BM25.load(str(folder), mmap=mmap, show_progress=False, verbosity=0)
        return cls(retriever, float(meta["k1"]), float(meta["b"]))
