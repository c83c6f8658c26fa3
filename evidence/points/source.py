"""What drafting talking points needs of a library: a narrow protocol, not the facade.

A `search.Searcher` provides it; tests can hand in anything with these six methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from ..model import Passage, Study
from ..search import Filters, Results


class EvidenceSource(Protocol):
    """Searches, and looks up studies, passages and their stored vectors."""

    def batch_search(
        self, queries: Sequence[str], k: int = 10, offset: int = 0, filters: Filters | None = None
    ) -> list[Results]: ...

    def study(self, key: str) -> Study: ...

    def passage(self, passage_id: str) -> Passage: ...

    def passages_of(self, key: str) -> list[Passage]: ...

    def passage_vectors(self, passage_ids: Sequence[str]) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...
