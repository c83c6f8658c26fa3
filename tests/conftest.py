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
