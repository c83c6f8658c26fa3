"""BM25 keyword ranking (bm25s) over study documents, with one shared analyzer.

The analyzer (lowercase, word tokens, English stopwords, Snowball stemming) is used for
documents, queries and highlighting alike, so a highlighted word is one that matched.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

_TOKEN = re.compile(r"\w+", re.UNICODE)
ANALYZER_VERSION = 2  # 2: words split before lowercasing
TERMS_FILE = "terms.npy"  # every row's term ids, concatenated (int32)
OFFSETS_FILE = "terms-offsets.npy"  # row i is terms[offsets[i]:offsets[i + 1]]


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def analyze(text: str) -> list[str]:
    """Return the stemmed, stopword-free terms of `text`, in order (the words of
    `term_spans`, without their offsets: this runs over every document at build time)."""
    words = [w for w in map(str.lower, _TOKEN.findall(text)) if _indexed(w)]
    return list(_stemmer().stemWords(words))


def _indexed(word: str) -> bool:
    """Whether a lowercased word is a term: not a stopword, not a single letter."""
    return word not in _stopwords() and (len(word) > 1 or word.isdigit())


def term_spans(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the words of `text` whose stem is in `terms`.

    Words are split before they are lowercased (lowercasing can change a word's length:
    "İ" becomes two characters), so analysis and highlighting see the same words."""
    if not terms:
        return []
    spans, stems = _word_stems(text)
    return [
        (start, end)
        for (start, end), stem in zip(spans, stems, strict=True)
        if stem in terms and _indexed(text[start:end].lower())
    ]


# Highlighting stems the same passages again and again (a study's best passages recur
# across queries); caching them took /api/search from 3.8 to 3.1 ms per request. Every
# word is stemmed, stopwords too, and only matches are checked against the stopwords:
# 0.019 against 0.036 ms per passage for a new one (10 hits show 30 passages).
@lru_cache(maxsize=8192)
def _word_stems(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[str, ...]]:
    """Every word's offsets, and the stem of its lowercased form."""
    words = _TOKEN.findall(text)
    stems = _stemmer().stemWords([w.lower() for w in words])
    return tuple(m.span() for m in _TOKEN.finditer(text)), tuple(stems)


class LexicalIndex:
    """BM25 over a list of documents; row i is document i."""

    def __init__(self, retriever: Any, k1: float, b: float) -> None:
        self._retriever = retriever
        self.k1 = k1
        self.b = b
        self._rows: list[list[int]] | None = None  # each row's term ids, until `save`

    @classmethod
    def build(
        cls,
        documents: Sequence[str],
        k1: float = 1.2,
        b: float = 0.75,
        known: Terms | None = None,
    ) -> LexicalIndex:
        """Index `documents` (joined text per row). `known`, when given, holds term ids of
        rows from an earlier build (None for a new row) and their vocabulary, so only new
        documents are analyzed and nothing is re-mapped."""
        import bm25s
        from bm25s.tokenization import Tokenized

        vocab: dict[str, int] = dict(known.vocab) if known else {}
        previous = known.rows if known else [None] * len(documents)
        rows: list[list[int]] = []
        for doc, ids in zip(documents, previous, strict=True):
            if ids is None:
                terms = analyze(doc) or ["\u2205"]  # bm25s needs ≥1 token per row
                ids = [vocab.setdefault(term, len(vocab)) for term in terms]
            rows.append(ids)
        retriever = bm25s.BM25(k1=k1, b=b, method="lucene")
        retriever.index(Tokenized(ids=rows, vocab=vocab), show_progress=False)
        index = cls(retriever, k1, b)
        index._rows = rows
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
        """Write the index files into `folder` (no pickle), with each row's term ids."""
        folder.mkdir(parents=True, exist_ok=True)
        self._retriever.save(str(folder), show_progress=False)
        meta = {"analyzer_version": ANALYZER_VERSION, "k1": self.k1, "b": self.b}
        (folder / "analyzer.json").write_text(json.dumps(meta))
        if self._rows is not None:
            lengths = np.fromiter(
                (len(r) for r in self._rows), dtype=np.int64, count=len(self._rows)
            )
            flat = np.fromiter(
                itertools.chain.from_iterable(self._rows), dtype=np.int32, count=int(lengths.sum())
            )
            np.save(folder / TERMS_FILE, flat, allow_pickle=False)
            np.save(folder / OFFSETS_FILE, np.concatenate([[0], np.cumsum(lengths)]))
            self._rows = None

    @classmethod
    def load(cls, folder: Path, mmap: bool = False) -> LexicalIndex:
        """Read an index written by `save`."""
        import bm25s

        meta = json.loads((folder / "analyzer.json").read_text())
        retriever = bm25s.BM25.load(str(folder), mmap=mmap, show_progress=False, verbosity=0)
        return cls(retriever, float(meta["k1"]), float(meta["b"]))

    @staticmethod
    def load_terms(folder: Path) -> Terms | None:
        """Each row's term ids and the vocabulary, as saved; None when absent or written
        by another analyzer (then everything is analyzed again)."""
        try:
            meta = json.loads((folder / "analyzer.json").read_text())
            if meta.get("analyzer_version") != ANALYZER_VERSION:
                return None
            vocab = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
            flat = np.load(folder / TERMS_FILE, allow_pickle=False)
            offsets = np.load(folder / OFFSETS_FILE, allow_pickle=False)
        except (OSError, ValueError):
            return None
        ids, bounds = flat.tolist(), offsets.tolist()  # slicing lists beats 10k array slices
        rows: list[list[int] | None] = [
            ids[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        return Terms(rows, {str(k): int(v) for k, v in vocab.items()})


@dataclass(slots=True)
class Terms:
    """Term ids per row (None: not known) and the vocabulary they index."""

    rows: list[list[int] | None]
    vocab: dict[str, int]
