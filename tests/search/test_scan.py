"""The int8 scan of the passage retriever (evidence/search/scan.py)."""

from __future__ import annotations

import threading

import numpy as np

from evidence.search.scan import Int8Scan


def _unit_rows(rows: int, dimension: int = 384, seed: int = 7) -> np.ndarray:
    matrix = np.random.default_rng(seed).standard_normal((rows, dimension)).astype(np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_scores_match_float32_products_to_a_few_thousandths() -> None:
    matrix, queries = _unit_rows(5000), _unit_rows(20, seed=8)
    scan = Int8Scan(matrix, min_rows=0)
    for query in queries:
        scores = scan.scores(query)
        exact = matrix @ query
        assert scores.shape == (5000,) and scores.dtype == np.float32
        assert np.abs(scores - exact).max() < 0.003
        assert int(np.argmax(scores)) == int(np.argmax(exact)) or (
            exact.max() - exact[np.argmax(scores)] < 0.003
        )
    # The scan really ran in int8 (not the float32 fallback): its scores are not exact.
    assert np.abs(scan.scores(queries[0]) - matrix @ queries[0]).max() > 1e-6


def test_a_row_of_zeros_and_an_empty_matrix_are_handled() -> None:
    matrix = _unit_rows(10)
    matrix[3] = 0.0
    scores = Int8Scan(matrix, min_rows=0).scores(matrix[0])
    assert scores[3] == 0.0 and abs(scores[0] - 1.0) < 0.003
    empty = Int8Scan(np.zeros((0, 384), dtype=np.float32), min_rows=0)
    assert empty.scores(np.ones(384, dtype=np.float32)).shape == (0,)


def test_threads_searching_at_once_get_their_own_answers() -> None:
    matrix, queries = _unit_rows(2000), _unit_rows(8, seed=9)
    scan = Int8Scan(matrix, min_rows=0)
    expected = [scan.scores(q) for q in queries]
    results: dict[int, list[np.ndarray]] = {}

    def work(i: int) -> None:
        results[i] = [scan.scores(queries[i]) for _ in range(30)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(queries))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i, runs in results.items():
        assert all(np.array_equal(run, expected[i]) for run in runs)


def test_a_small_matrix_is_scored_exactly_by_numpy() -> None:
    matrix, query = _unit_rows(500), _unit_rows(1, seed=10)[0]
    assert np.array_equal(Int8Scan(matrix).scores(query), matrix @ query)
