"""SearchBatcher mechanics with a fake library (no model): concurrent searches are
answered correctly, grouped by their parameters, and one bad query fails alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any, cast

import pytest

from evidence import Library
from evidence.errors import QueryError
from evidence.search.searcher import Filters, Results
from webui.batching import SearchBatcher


class FakeLibrary:
    """Answers a query with one "hit" naming the query; records each batch it saw."""

    def __init__(self, delay: float = 0.02) -> None:
        self.delay = delay
        self.batches: list[tuple[tuple[str, ...], int, int, Filters]] = []
        self.lock = threading.Lock()

    def batch_search(
        self, queries: Sequence[str], k: int, offset: int, filters: Filters
    ) -> list[Results]:
        if any(not q.strip() for q in queries):
            raise QueryError("the query is empty")
        time.sleep(self.delay)  # long enough for other callers to queue up
        with self.lock:
            self.batches.append((tuple(queries), k, offset, filters))
        return [Results((), q, total=k * 100 + offset, offset=offset) for q in queries]

    def search(self, query: str, k: int, offset: int, filters: Filters) -> Results:
        return self.batch_search([query], k, offset, filters)[0]


def run_all(
    batcher: SearchBatcher, library: Any, calls: list[tuple[str, int, Filters]]
) -> list[Any]:
    out: list[Any] = [None] * len(calls)

    def one(i: int) -> None:
        query, k, filters = calls[i]
        try:
            out[i] = batcher.search(library, query, k, 0, filters)
        except QueryError as exc:
            out[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    return out


def test_each_caller_gets_its_own_answer_and_searches_are_batched() -> None:
    library = FakeLibrary()
    calls = [(f"query {i}", 10, Filters()) for i in range(24)]
    results = run_all(SearchBatcher(max_batch=8, leaders=1), library, calls)
    assert [r.query for r in results] == [c[0] for c in calls]
    assert sum(len(b[0]) for b in library.batches) == 24
    assert len(library.batches) < 24  # some searches shared an encoder batch
    assert max(len(b[0]) for b in library.batches) <= 8


def test_only_searches_with_the_same_parameters_share_a_batch() -> None:
    library = FakeLibrary()
    police = Filters(populations=("police",))
    calls = [(f"q{i}", 5 if i % 2 else 10, police if i % 3 == 0 else Filters()) for i in range(18)]
    results = run_all(SearchBatcher(), library, calls)
    for (query, k, _), result in zip(calls, results, strict=True):
        assert result.query == query and result.total == k * 100
    for queries, k, _, filters in library.batches:
        expected = {(c[1], c[2]) for c in calls if c[0] in queries}
        assert expected == {(k, filters)}


def test_a_bad_query_fails_alone() -> None:
    library = FakeLibrary()
    calls = [("fine", 10, Filters()), ("   ", 10, Filters()), ("also fine", 10, Filters())]
    results = run_all(SearchBatcher(), library, calls)
    assert isinstance(results[1], QueryError)
    assert results[0].query == "fine" and results[2].query == "also fine"


def test_an_unexpected_error_reaches_every_caller_of_the_batch() -> None:
    class Broken(FakeLibrary):
        def batch_search(self, *args: Any) -> list[Results]:
            raise RuntimeError("index gone")

    batcher = SearchBatcher()
    with pytest.raises(RuntimeError, match="index gone"):
        batcher.search(cast(Library, Broken()), "q", 10, 0, Filters())
    fine = cast(Library, FakeLibrary(delay=0))
    assert batcher.search(fine, "next", 10, 0, Filters()).query == "next"
