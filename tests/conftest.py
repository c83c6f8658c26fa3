"""Shared fixtures. `../shared` (benchmarks, real-world .bib files) exists beside a
development checkout and in CI, never on a user's machine: tests that need it skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(os.environ.get("EVIDENCE_SHARED", ROOT.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """Return a path under ../shared, skipping the test (with the reason) when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared exists only in development checkouts and CI)")
    return path


@pytest.fixture
def tiny_corpus() -> Path:
    """A small curated-style .bib with findings, abstracts, accents and a corporate author."""
    return DATA / "tiny.bib"


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """The real default model, loaded once per test session (lazily, on first encode)."""
    from evidence.index.embed import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def tiny_library(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    """A Library built from tests/data/tiny.bib with the real model. Read-only: tests that
    import into a library build their own (see `fresh_library`)."""
    from evidence import Library

    index_dir = tmp_path_factory.mktemp("tiny-index")
    return Library.build([DATA / "tiny.bib"], index_dir=index_dir, embedder=embedder)


@pytest.fixture
def fresh_library(tmp_path: Path, embedder):  # type: ignore[no-untyped-def]
    """A private, writable Library of tests/data/tiny.bib (vectors reuse the loaded model)."""
    from evidence import Library

    return Library.build([DATA / "tiny.bib"], index_dir=tmp_path / "index", embedder=embedder)


@pytest.fixture(scope="session")
def corpus_library(tmp_path_factory: pytest.TempPathFactory, embedder):  # type: ignore[no-untyped-def]
    """A Library of the bundled corpus/ with the real model, built once per session.
    Read-only."""
    from evidence import Library

    index_dir = tmp_path_factory.mktemp("corpus-index")
    return Library.build([ROOT / "corpus"], index_dir=index_dir, embedder=embedder)
