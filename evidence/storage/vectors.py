"""`StoredVectors`: an embedder that first takes the vectors a database already holds.

Every server of a shared library builds its own index; the vectors of a text are the
same on each (same model, same text), so the first server to embed a text stores the
vector under the model and the text's embedding-cache key, and the others read it instead
of running the model (reading is ~1,000 times faster than encoding on a CPU).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import numpy as np

from ..index import Embedder
from ..index.build import text_key

log = logging.getLogger(__name__)

# text keys -> the stored vectors of those found (float32, normalised)
Lookup = Callable[[list[str]], dict[str, np.ndarray]]


class StoredVectors(Embedder):
    """`inner` with `lookup` consulted before encoding passages (queries always encode).

    Shares `inner`'s loaded model: only the attributes readers use are copied, and the
    runtime is always `inner`'s."""

    def __init__(self, inner: Embedder, lookup: Lookup) -> None:  # no super(): shares inner's
        self.inner = inner
        self.lookup = lookup
        self.model_name = inner.model_name
        self.device = inner.device
        self.batch_size = inner.batch_size
        self.index_threads = inner.index_threads
        self.query_threads = inner.query_threads
        self.cache_dir = inner.cache_dir
        self._backend = inner._backend
        self.reused = 0  # vectors taken from the database (for tests and logs)

    @property
    def encoder(self) -> object:
        return self.inner.encoder

    @property
    def backend(self) -> str:
        return self.inner.backend

    @property
    def precision(self) -> str:
        return self.inner.precision

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def encode_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        found = self.lookup(keys) if texts else {}
        missing = [i for i, key in enumerate(keys) if key not in found]
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        if missing:
            out[missing] = self.inner.encode_passages([texts[i] for i in missing], progress)
        for i, key in enumerate(keys):
            if key in found:
                out[i] = found[key]
        self.reused += len(texts) - len(missing)
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.encode_queries(texts)
