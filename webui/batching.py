"""Concurrent searches, encoded together: one `Library.batch_search` call per burst.

Encoding a query is most of a search's cost (7.3 of 9.7 ms), and the model encodes four
queries in 14 ms where one takes 7.3 ms. Measured with benchmarks/bench_http.py (8 clients,
2 cores): without batching p50 105 ms, p95 151 ms, 17.6 ms of server CPU per search; with
it p50 60 ms, p95 70 ms, 7.6 ms.

A request that arrives while a batch is running waits for it, and the next leader takes
everything that queued up meanwhile (natural batching: no timer, no added delay when the
server is idle). Requests are batched only with others that have the same k, offset and
filters, because `batch_search` takes those once.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from dataclasses import dataclass

from evidence import Filters, Library, QueryError, Results

MAX_BATCH = 16
# Batches run at once. One: the other core parses requests and writes JSON meanwhile.
# Measured with 8 clients on 2 cores: one leader gave batches of 4.0 queries, 7.6 ms of
# server CPU per search and p95 70 ms; two gave batches of 2.3, 9.0 ms and p95 87 ms.
LEADERS = 1


@dataclass(eq=False, slots=True)
class _Pending:
    query: str
    k: int
    offset: int
    filters: Filters
    result: Results | None = None
    error: BaseException | None = None
    done: bool = False

    @property
    def group(self) -> Hashable:
        return (self.k, self.offset, self.filters)


class SearchBatcher:
    """Runs `Library.batch_search` for concurrent callers of `search`; thread-safe."""

    def __init__(self, max_batch: int = MAX_BATCH, leaders: int = LEADERS) -> None:
        self.max_batch = max_batch
        self.leaders = leaders
        self._cond = threading.Condition()
        self._waiting: list[_Pending] = []
        self._running = 0
        self.searches = 0  # counters for /api/health: searches answered, batches run
        self.batches = 0

    def search(
        self, library: Library, query: str, k: int, offset: int, filters: Filters
    ) -> Results:
        """`library.search(query, k, offset, filters)`, possibly batched with other callers.

        Raises what `Library.search` raises for this query (QueryError, ...).
        """
        mine = _Pending(query, k, offset, filters)
        with self._cond:
            self._waiting.append(mine)
            while not mine.done:
                if self._running < self.leaders and self._waiting:
                    batch = self._take()
                    self._running += 1
                    self.batches += 1
                    self.searches += len(batch)
                    self._cond.release()
                    try:
                        _run(library, batch)
                    finally:
                        self._cond.acquire()
                        self._running -= 1
                        self._cond.notify_all()
                else:
                    self._cond.wait()
        if mine.error is not None:
            raise mine.error
        assert mine.result is not None
        return mine.result

    def _take(self) -> list[_Pending]:
        """Remove and return the oldest waiting request with the others of its group."""
        group = self._waiting[0].group
        batch = [p for p in self._waiting if p.group == group][: self.max_batch]
        taken = set(map(id, batch))
        self._waiting = [p for p in self._waiting if id(p) not in taken]
        return batch


def _run(library: Library, batch: list[_Pending]) -> None:
    """Search the batch; if the batch fails on one bad query, search each alone."""
    first = batch[0]
    try:
        results = library.batch_search(
            [p.query for p in batch], first.k, first.offset, first.filters
        )
        for pending, result in zip(batch, results, strict=True):
            pending.result = result
    except QueryError:
        for pending in batch:
            try:
                pending.result = library.search(pending.query, first.k, first.offset, first.filters)
            except BaseException as exc:  # handed to the caller's thread, raised there
                pending.error = exc
    except BaseException as exc:
        for pending in batch:
            pending.error = exc
    finally:
        for pending in batch:
            pending.done = True
