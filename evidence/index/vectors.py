"""A FAISS index of normalised vectors, searched by inner product (= cosine).

Exact (`IndexFlatIP`) up to `HNSW_THRESHOLD` vectors: exact is simpler and reproducible,
and at these sizes fast enough. Above it, HNSW (see `benchmarks/bench_scale.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

# Exact search costs grow with the library: 0.25 ms at 10k passages, 5.6 ms at 100k (one
# thread, benchmarks/bench_scale.py), against 0.1-0.3 ms for HNSW with recall@10 ≥ 0.99.
# Above this, HNSW pays for its build time (37 s per 100k passages on 2 cores).
HNSW_THRESHOLD = 150_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 200
HNSW_EF_SEARCH = 128
# Vectors added to an HNSW graph per step, so a long build can report progress.
HNSW_ADD_CHUNK = 50_000


def _faiss() -> Any:
    import faiss

    return faiss


class VectorIndex:
    """Row i of the index is vector i of what it was built from."""

    def __init__(self, index: Any) -> None:
        self._index = index

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        kind: str = "auto",
        progress: Callable[[int, int], None] | None = None,
    ) -> VectorIndex:
        """Index `vectors` ``(n, d)`` float32, L2-normalised. `kind`: auto, flat or hnsw.
        `progress(done, total)` is called as an HNSW graph grows (minutes at 1M vectors)."""
        faiss = _faiss()
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        n, d = vectors.shape
        if kind == "auto":
            kind = "hnsw" if n > HNSW_THRESHOLD else "flat"
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(d, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = HNSW_EF_SEARCH
        else:
            index = faiss.IndexFlatIP(d)
        step = HNSW_ADD_CHUNK if kind == "hnsw" else max(n, 1)
        for start in range(0, n, step):
            index.add(vectors[start : start + step])
            if progress and kind == "hnsw":
                progress(min(start + step, n), n)
        return cls(index)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    @property
    def kind(self) -> str:
        return "hnsw" if "HNSW" in type(self._index).__name__ else "flat"

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(scores, rows)`` of the `k` nearest rows per query; missing rows are -1."""
        k = max(1, min(k, self.size))
        if self.size == 0:
            empty = np.full((len(queries), 1), -1)
            return np.zeros_like(empty, dtype=np.float32), empty
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if self.kind == "hnsw":
            # Widen the beam for large k, per call (thread-safe, unlike setting hnsw.efSearch).
            params = _faiss().SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, k))
            scores, rows = self._index.search(queries, k, params=params)
        else:
            scores, rows = self._index.search(queries, k)
        return scores, rows

    def extended(self, vectors: np.ndarray) -> VectorIndex:
        """A copy of this index, in memory, with `vectors` appended as new rows."""
        copy = self._in_memory()
        if len(vectors):
            copy.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return VectorIndex(copy)

    def _in_memory(self) -> Any:
        """A private in-memory copy of the FAISS index (clone_index would share a mapped
        index's read-only storage, and appending to it aborts)."""
        faiss = _faiss()
        if self.kind == "flat":
            copy = faiss.IndexFlatIP(self.dimension)
            matrix = self.matrix()
            if matrix is not None:
                copy.add(matrix)
            return copy
        copy = faiss.deserialize_index(faiss.serialize_index(self._index))
        copy.hnsw.efSearch = HNSW_EF_SEARCH
        return copy

    def reconstruct_all(self) -> np.ndarray:
        """Every stored vector, in row order."""
        if self.size == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(self._index.reconstruct_n(0, self.size), dtype=np.float32)

    def matrix(self) -> np.ndarray | None:
        """A read-only (n, d) view of an exact index's vectors, without copying; None for HNSW.

        Exact scores for every row are then one matrix-vector product (1.7 ms for 50,000
        passages here, against 5.7 ms for FAISS's top-4,000 search)."""
        if self.kind != "flat" or self.size == 0:
            return None
        faiss = _faiss()
        view = faiss.rev_swig_ptr(self._index.get_xb(), self.size * self.dimension)
        matrix = np.asarray(view).reshape(self.size, self.dimension)
        matrix.flags.writeable = False
        return matrix

    def reconstruct_range(self, start: int, end: int) -> np.ndarray:
        """Vectors of rows ``start..end-1`` (a study's passages are contiguous rows)."""
        if end <= start:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(self._index.reconstruct_n(start, end - start), dtype=np.float32)

    def save(self, path: Path) -> None:
        _faiss().write_index(self._index, str(path))

    @classmethod
    def open(cls, path: Path) -> VectorIndex:
        """Load a saved index for serving: an HNSW index stays memory-mapped (shared by
        processes; it is read sparsely), an exact index is copied into memory, where its
        scan of every vector per query ran twice as fast as from mapped page-cache pages
        (benchmarks/bench_search.py: warm query p50 8.4 against 18.6 ms)."""
        mapped = cls.load(path, mmap=True)
        return mapped if mapped.kind == "hnsw" else cls(mapped._in_memory())

    @classmethod
    def load(cls, path: Path, mmap: bool = False) -> VectorIndex:
        """Read an index written by `save`. With `mmap`, the vectors (and an HNSW graph's
        storage) stay in the file, mapped read-only: processes serving the same index share
        one copy in the page cache, and opening costs no read. (faiss's older IO_FLAG_MMAP
        copies flat codes into memory anyway; IO_FLAG_MMAP_IFC maps them.)"""
        faiss = _faiss()
        flags = faiss.IO_FLAG_MMAP_IFC | faiss.IO_FLAG_READ_ONLY if mmap else 0
        index = faiss.read_index(str(path), flags)
        if hasattr(index, "hnsw"):
            index.hnsw.efSearch = HNSW_EF_SEARCH
        return cls(index)
