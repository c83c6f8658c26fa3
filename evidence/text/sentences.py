"""Sentence boundaries in abstracts and drafts, with character offsets, in linear time.

pysbd handles the cases abstracts are full of ("et al.", "e.g.", "p < .05",
"95% CI 1.2–3.4", decimals) where a naive split on full stops fails. Its time grows with
the square of its input (a 64 KB run of cited sentences took 2.8 s, 1 MB would take
minutes), so text is first cut into pieces of at most CHUNK_CHARS at safe places — blank
lines, then a full stop followed by a space and a capital, then any space — and pysbd
reads one piece at a time.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import lru_cache
from typing import Any

from .deadline import check_time, remaining_time, time_limit

_pool: ProcessPoolExecutor | None = None

CHUNK_CHARS = 1000
OFFLOAD_CHARS = 20_000  # texts longer than this go to a worker process, if there are some
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of each sentence in `text`, whitespace trimmed.

    Raises TimeLimitError when a time limit (`deadline.time_limit`) runs out. A long text
    goes to a worker process when `use_processes` was called."""
    if _pool is not None and len(text) > OFFLOAD_CHARS:
        return _in_worker(text)
    spans: list[tuple[int, int]] = []
    for start, end in chunks(text):
        check_time()
        spans += _sentences(text[start:end], start)
    return spans


def use_worker_processes(workers: int) -> None:
    """From now on, split texts longer than OFFLOAD_CHARS in `workers` worker processes.

    For a server: pysbd is pure Python, so splitting a long draft in a request thread holds
    the interpreter lock and stalls every other request (health checks took 460 ms at p95
    while 8 clients posted 100 KB drafts). 0 workers splits in-process again."""
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
    _pool = None
    if workers > 0:
        context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        _pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )
        for _ in range(workers):  # start them now, not on the first long draft
            _pool.submit(_split_with_limit, "Warm up. Now.", None)


def _exit_with_parent(parent: int) -> None:
    """In a worker: exit once the server that started it is gone. A server killed with
    SIGKILL cannot stop its workers, and they would otherwise wait for work for ever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _in_worker(text: str) -> list[tuple[int, int]]:
    assert _pool is not None
    seconds = remaining_time()
    future = _pool.submit(_split_with_limit, text, seconds)
    try:
        return future.result(timeout=None if seconds is None else seconds + 1)
    except FutureTimeout:
        future.cancel()
        check_time()
        raise


def _split_with_limit(text: str, seconds: float | None) -> list[tuple[int, int]]:
    """In a worker: `split_sentences` within what is left of the caller's time limit."""
    if seconds is None:
        return split_sentences(text)
    with time_limit(seconds):
        return split_sentences(text)


def chunks(text: str, limit: int = CHUNK_CHARS) -> Iterator[tuple[int, int]]:
    """``(start, end)`` pieces of `text`, each at most `limit` characters, cut at paragraph
    breaks, else at a likely sentence end, else at a space (in that order of preference)."""
    start = 0
    for paragraph in _PARAGRAPH.finditer(text):
        yield from _bounded(text, start, paragraph.start(), limit)
        start = paragraph.end()
    yield from _bounded(text, start, len(text), limit)


def _bounded(text: str, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    while end - start > limit:
        window = text[start : start + limit]
        cut = max((m.end() for m in _SENTENCE_END.finditer(window)), default=0)
        if cut < limit // 4:  # no sentence end in most of it: a space will do
            cut = window.rfind(" ", limit // 2) + 1 or limit
        yield start, start + cut
        start += cut
    if text[start:end].strip():
        yield start, end


def _sentences(piece: str, offset: int) -> list[tuple[int, int]]:
    if not piece.strip():
        return []
    spans: list[tuple[int, int]] = []
    cursor = 0
    for found in _segmenter().segment(piece):
        sentence = found.sent
        start = piece.find(sentence, cursor)
        if start < 0:  # pysbd normally echoes the text; fall back to its own offset
            start = found.start
        end = start + len(sentence)
        cursor = end
        stripped_start = start + (len(sentence) - len(sentence.lstrip()))
        stripped_end = end - (len(sentence) - len(sentence.rstrip()))
        if stripped_end > stripped_start:
            spans.append((offset + stripped_start, offset + stripped_end))
    return spans
