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
TERMS_FILE = "terms.txt"  # one line of space-separated terms per row (terms have no spaces)


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
        self._tokens: list[list[str]] | None = None  # kept until `save` writes them

    @classmethod
    def build(
        cls,
        documents: Sequence[str],
        k1: float = 1.2,
        b: float = 0.75,
        known: Sequence[list[str] | None] | None = None,
    ) -> LexicalIndex:
        """Index `documents` (joined text per row). `known[i]`, when given, holds row i's
        terms from an earlier build, so only new documents are analyzed."""
        import bm25s

        retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        known = known or [None] * len(documents)
        # bm25s needs at least one token per row.
        tokens = [
            terms if terms is not None else (analyze(doc) or ["\u2205"])
            for doc, terms in zip(documents, known, strict=True)
        ]
        retriever.index(tokens, show_progress=False)
        index = cls(retriever, k1, b)
        index._tokens = tokens
        return index

    @property
    def size(self) -> int:
        return int(self._retriever.scores["num_docs"])

    def scores(self, query_terms: Sequence[str]) -> np.ndarray:
        """Return the BM25 score of every row for the (analyzed) query terms."""
        vocab = self._retriever.vocab_dict
        ids = [vocab[t] for t in query_terms if t in vocab]
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores_from_ids(ids), dtype=np.float32)

    def save(self, folder: Path) -> None:
        """Write the index files into `folder` (no pickle), with each row's terms."""
        folder.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(folder), show_progress=False)
        (folder / "analyzer.json").write_text(
            json.dumps({"analyzer_version": ANALYZER_VERSION, "k1": self.k1, "b": self.b})
        )
        if self._tokens is not None:
            with (folder / TERMS_FILE).open("w", encoding="utf-8") as handle:
                for terms in self._tokens:
                    handle.write(" ".join(terms) + "\n")
            self._tokens = None

    @classmethod
    def load(cls, folder: Path, mmap: bool = False) -> LexicalIndex:
        """Read an index written by `save`."""
        import bm25s

        meta = json.loads((folder / "analyzer.json").read_text())
        retriever = bm25s.BM25.load(str(folder), mmap=mmap, show_progress=False, verbosity=0)
        return cls(retriever, float(meta["k1"]), float(meta["b"]))

    @staticmethod
    def load_terms(folder: Path) -> list[list[str]] | None:
        """Each row's terms as saved, or None (older index, unreadable, other analyzer)."""
        try:
            meta = json.loads((folder / "analyzer.json").read_text())
            if meta.get("analyzer_version") != ANALYZER_VERSION:
                return None
            lines = (folder / TERMS_FILE).read_text(encoding="utf-8").split("\n")
        except (OSError, ValueError):
            return None
        return [line.split(" ") for line in lines[:-1]]
