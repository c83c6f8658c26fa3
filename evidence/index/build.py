"""Studies → an `IndexData` ready to write: passages, vectors, keyword index, manifest.

Vectors already in the previous generation (same model, same text) are reused, so a
rebuild of a changed corpus embeds only new or changed passages.
"""

from __future__ import annotations

import ctypes
import hashlib
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from ..model import Passage, Study
from .embed import Embedder
from .lexical import ANALYZER_VERSION, LexicalIndex, Terms
from .passages import MIN_SENTENCE_CHARS, split_study
from .progress import GRAPH_LABEL, Progress
from .store import IndexData
from .vectors import VectorIndex

# Chunks handed to the model at once: big enough for full batches, small enough to show progress.
ENCODE_CHUNK = 2048
SMALL_APPEND = 2000  # texts; below this an append skips the cache of old vectors
TITLE_REPEAT = 2  # the title counts twice in the keyword index (a measured, small gain)
BM25_K1 = 1.2
BM25_B = 0.75


def index_identity(embedder: Embedder) -> dict[str, Any]:
    """Everything that decides an index's contents, as its manifest records it: the model
    (another one is refused when reading), how studies are cut into passages, and the
    keyword settings (an index built with other chunking or keyword settings is rebuilt,
    reusing its vectors)."""
    return {
        "model": embedder.identity(),
        "chunking": {
            "kinds": ["title", "finding", "abstract sentence"],
            "splitter": "pysbd",
            "min_sentence_chars": MIN_SENTENCE_CHARS,
        },
        "lexical": {
            "analyzer_version": ANALYZER_VERSION,
            "k1": BM25_K1,
            "b": BM25_B,
            "title_repeat": TITLE_REPEAT,
        },
    }


def text_key(text: str) -> str:
    """The embedding-cache key of a text (the model is checked separately)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def curated_text(study: Study) -> list[str]:
    """The curated words about a study: its summary, each finding's result and context."""
    parts = [study.summary]
    for finding in study.findings:
        parts += [finding.result, finding.context]
    return [p for p in parts if p]


def document_text(study: Study) -> str:
    """What the study-level vector encodes: title and abstract, or title and curated text."""
    body = study.abstract or " ".join([*curated_text(study), *study.keywords])
    return f"{study.title} {body}".strip()


def keyword_text(study: Study) -> str:
    """What the keyword index sees for a study."""
    parts = [study.title] * TITLE_REPEAT + [study.abstract, *curated_text(study), *study.keywords]
    return " ".join(p for p in parts if p)


def build_data(
    studies: Sequence[Study],
    embedder: Embedder,
    manifest: dict[str, Any],
    previous: IndexData | None = None,
    progress: Progress | None = None,
) -> IndexData:
    """Return the full index contents for `studies` (reusing `previous` where possible).

    When the previous generation's studies and passages are an unchanged prefix (an
    import appends), its vectors, keys and files are extended rather than rebuilt."""
    passages = _passages(studies, previous)
    usable = previous if previous is not None and _same_vectors(previous, embedder) else None
    p_prefix = _prefix(usable.passages, passages) if usable else 0
    s_prefix = _prefix(usable.studies, studies) if usable else 0
    old_keys = usable.text_keys if usable else {}
    passage_texts = [p.text for p in passages[p_prefix:]]
    passage_keys = old_keys.get("passages", [])[:p_prefix] + [text_key(t) for t in passage_texts]
    study_texts = [document_text(s) for s in studies[s_prefix:]]
    study_keys = old_keys.get("studies", [])[:s_prefix] + [text_key(t) for t in study_texts]
    appended = usable is not None and (p_prefix, s_prefix) == (
        len(usable.passages),
        len(usable.studies),
    )
    fresh = len(passage_texts) + len(study_texts)
    # A small append re-encodes the rare repeated text rather than indexing every old key.
    cache = _Cache(None if appended and fresh < SMALL_APPEND else usable)
    grow = partial(_grown, cache=cache, embedder=embedder, progress=progress)
    vectors = grow(
        usable.vectors if usable else None, p_prefix, passage_keys, passage_texts, label="passages"
    )
    documents = grow(
        usable.documents if usable else None, s_prefix, study_keys, study_texts, label="studies"
    )
    lexical, keyword_keys = _keyword_index(studies, previous)
    manifest = dict(manifest)
    manifest.update(index_identity(embedder), study_count=len(studies), passage_count=len(passages))
    data = IndexData(
        manifest=manifest,
        studies=list(studies),
        passages=passages,
        vectors=vectors,
        documents=documents,
        lexical=lexical,
        path=Path(),
        text_keys={"passages": passage_keys, "studies": study_keys, "keywords": keyword_keys},
    )
    if usable is not None:  # lets the store copy the unchanged head of its row files
        data.appended_to = (usable.path, s_prefix, p_prefix)
    return data


def _keyword_index(
    studies: Sequence[Study], previous: IndexData | None
) -> tuple[LexicalIndex, list[str]]:
    """The BM25 index of the studies' keyword texts, and those texts' keys (terms of
    unchanged texts are taken from `previous`)."""
    keyword_texts = [keyword_text(s) for s in studies]
    keyword_keys = [text_key(t) for t in keyword_texts]
    lexical = LexicalIndex.build(
        keyword_texts, k1=BM25_K1, b=BM25_B, known=_known_terms(previous, keyword_keys)
    )
    return lexical, keyword_keys


def _same_vectors(previous: IndexData, embedder: Embedder) -> bool:
    built = previous.manifest.get("model", {})
    identity = embedder.identity()
    return all(built.get(k) == identity[k] for k in ("name", "precision"))


def _prefix(old: Sequence[Any], new: Sequence[Any]) -> int:
    """How many leading items of `new` are the very objects of `old` (unchanged rows)."""
    n = 0
    for a, b in zip(old, new, strict=False):
        if a is not b and a != b:
            break
        n += 1
    return n


class _Cache:
    """Vectors of the previous generation, looked up by text key, read only when needed."""

    def __init__(self, previous: IndexData | None) -> None:
        self._rows: dict[str, tuple[VectorIndex, int]] = {}
        if previous is not None:
            for name, index in (("passages", previous.vectors), ("studies", previous.documents)):
                keys = previous.text_keys.get(name, [])
                if len(keys) == index.size:
                    self._rows.update((k, (index, i)) for i, k in enumerate(keys))
        self._new: dict[str, np.ndarray] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._new or key in self._rows

    def add(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        self._new.update(zip(keys, vectors, strict=True))

    def get(self, key: str) -> np.ndarray:
        if key in self._new:
            return self._new[key]
        index, row = self._rows[key]
        vector: np.ndarray = index.reconstruct_range(row, row + 1)[0]
        return vector


def _grown(
    old: VectorIndex | None,
    prefix: int,
    keys: list[str],
    new_texts: list[str],
    cache: _Cache,
    embedder: Embedder,
    label: str,
    progress: Progress | None,
) -> VectorIndex:
    """The vector index of all rows: the old index extended when its rows are a prefix."""
    new_keys = keys[prefix:]
    _encode_missing(new_keys, new_texts, embedder, cache, label, progress)
    tail = _stack([cache.get(k) for k in new_keys], embedder)
    if old is not None and prefix == old.size and prefix > 0:
        return old.extended(tail)
    head = old.reconstruct_range(0, prefix) if old is not None and prefix else None
    vectors = tail if head is None else np.concatenate([head, tail])
    graph = (lambda done, total: progress(GRAPH_LABEL, done, total)) if progress else None
    return VectorIndex.build(vectors, "flat" if label == "studies" else "auto", graph)


def _stack(vectors: list[np.ndarray], embedder: Embedder) -> np.ndarray:
    if not vectors:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.stack(vectors).astype(np.float32)


def _passages(studies: Sequence[Study], previous: IndexData | None) -> list[Passage]:
    """Split each study, reusing the previous generation's passages of unchanged studies
    (sentence splitting is the slow part of an incremental update)."""
    old_studies = {s.key: s for s in previous.studies} if previous else {}
    old_passages: dict[str, list[Passage]] = {}
    for passage in previous.passages if previous else ():
        old_passages.setdefault(passage.study_key, []).append(passage)
    out: list[Passage] = []
    for study in studies:
        old = old_studies.get(study.key)
        if old is not None and _same_text(old, study):
            out += old_passages.get(study.key, [])
        else:
            out += split_study(study)
    return out


def _known_terms(previous: IndexData | None, keys: list[str]) -> Terms | None:
    """Term ids of documents the previous generation already indexed."""
    old_keys = previous.text_keys.get("keywords", []) if previous else []
    if previous is None or not old_keys:
        return None
    terms = LexicalIndex.load_terms(previous.path / "bm25")
    if terms is None or len(terms.rows) != len(old_keys):
        return None
    by_key = dict(zip(old_keys, terms.rows, strict=True))
    return Terms([by_key.get(key) for key in keys], terms.vocab)


def _same_text(a: Study, b: Study) -> bool:
    return (a.title, a.abstract, a.findings) == (b.title, b.abstract, b.findings)


def _encode_missing(
    keys: list[str],
    texts: list[str],
    embedder: Embedder,
    cache: _Cache,
    label: str,
    progress: Progress | None,
) -> None:
    """Encode the texts whose keys the cache lacks, shortest first, in chunks."""
    missing = sorted(
        {k: t for k, t in zip(keys, texts, strict=True) if k not in cache}.items(),
        key=lambda kv: len(kv[1]),
    )  # similar lengths batch with little padding
    done = 0
    if progress and missing:
        progress(label, 0, len(missing))  # start the bar (and its clock) before the first chunk
    for start in range(0, len(missing), ENCODE_CHUNK):
        chunk = missing[start : start + ENCODE_CHUNK]
        cache.add([k for k, _ in chunk], embedder.encode_passages([t for _, t in chunk]))
        _release_memory()
        done += len(chunk)
        if progress:
            progress(label, done, len(missing))


def _release_memory() -> None:
    """Hand freed heap pages back to the OS between chunks (glibc keeps them otherwise):
    about 100 MB less peak memory when indexing SciFact. A no-op where unavailable."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
