"""Every row's inner product with one query vector, computed from int8 rows.

The passage retriever scores every passage for each query (50,000 on SciFact). In float32
that reads 78 MB per query, which also pushes the embedding model out of the CPU caches.
Rows quantised to int8 with one scale per row (cosine error below 0.003) are multiplied by
OpenVINO's int8 matrix kernels instead: a quarter of the bytes, 2.8 ms against numpy's
3.7 ms on two threads (benchmarks/bench_search.py). numpy in float32 is the fallback when
the product cannot be compiled, and for small libraries, where it is faster.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

# Below this many rows the float32 matrix stays in the CPU caches and numpy is faster
# (531 rows: 0.012 vs 0.068 ms; 10,000: even; 50,000: 3.5 vs 0.8 ms).
MIN_ROWS = 16_384


class Int8Scan:
    """Scores of all rows of a fixed ``(n, d)`` float32 matrix against query vectors."""

    def __init__(self, matrix: np.ndarray, threads: int = 1, min_rows: int = MIN_ROWS) -> None:
        self._matrix = matrix
        self._threads = threads
        self._compiled: Any = None
        self._failed = len(matrix) < max(min_rows, 1)  # numpy is used
        self._lock = threading.Lock()
        self._local = threading.local()

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """``(n,)`` float32: each row's inner product with `vector` (to about 0.003)."""
        compiled = None if self._failed else self._compile()
        if compiled is None:
            return np.asarray(self._matrix @ vector, dtype=np.float32)
        request = getattr(self._local, "request", None)
        if request is None:  # infer requests are not thread-safe; the compiled model is
            request = self._local.request = compiled.create_infer_request()
        result = request.infer({0: np.ascontiguousarray(vector[None, :], dtype=np.float32)})
        return np.asarray(result[compiled.output(0)][0], dtype=np.float32)

    def _compile(self) -> Any:
        if self._compiled is None:
            with self._lock:
                if self._compiled is None and not self._failed:
                    try:
                        self._compiled = _compile(self._matrix, self._threads)
                    except Exception as exc:  # any runtime problem: exact numpy instead
                        log.warning("int8 passage scan unavailable (%s); using numpy", exc)
                        self._failed = True
        return self._compiled


def _compile(matrix: np.ndarray, threads: int) -> Any:
    import openvino
    from openvino import opset13 as ops

    scale = np.abs(matrix).max(axis=1, keepdims=True) / 127.0
    scale[scale == 0] = 1.0
    rows = np.round(matrix / scale).astype(np.int8)
    query = ops.parameter([1, matrix.shape[1]], np.float32, name="query")
    # int8 constant -> convert -> scale: the pattern OpenVINO runs as an int8-weight product.
    weights = ops.multiply(ops.convert(ops.constant(rows), "f32"), ops.constant(scale))
    product = ops.matmul(query, weights, transpose_a=False, transpose_b=True)
    config = {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY"}
    model = openvino.Model([product], [query])
    return openvino.Core().compile_model(model, "CPU", config)
