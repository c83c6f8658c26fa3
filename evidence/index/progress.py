"""Progress of long work (embedding, building the search graph): a callback and its
terminal rendering as tqdm bars."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

Progress = Callable[[str, int, int], None]  # (label, done, total)
GRAPH_LABEL = "graph"  # building the approximate (HNSW) index; other labels are texts embedded


def terminal_progress() -> Progress:
    """A progress reporter that draws tqdm bars on stderr, one per label."""
    from tqdm import tqdm

    bars: dict[str, Any] = {}

    def report(label: str, done: int, total: int) -> None:
        bar = bars.get(label)
        if bar is None:
            graph = label == GRAPH_LABEL
            bar = bars[label] = tqdm(
                total=total,
                desc="Building the vector search graph" if graph else f"Embedding {label}",
                unit=" vectors" if graph else " texts",
                file=sys.stderr,
                dynamic_ncols=True,
            )
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return report
