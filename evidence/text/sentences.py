"""Sentence boundaries in abstracts, with character offsets.

pysbd handles the cases abstracts are full of ("et al.", "e.g.", "p < .05",
"95% CI 1.2–3.4", decimals) where a naive split on full stops fails.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of each sentence in `text`, whitespace trimmed."""
    if not text.strip():
        return []
    spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in _segmenter().segment(text):
        sentence = piece.sent
        start = text.find(sentence, cursor)
        if start < 0:  # pysbd normally echoes the text; fall back to its own offset
            start = piece.start
        end = start + len(sentence)
        cursor = end
        stripped_start = start + (len(sentence) - len(sentence.lstrip()))
        stripped_end = end - (len(sentence) - len(sentence.rstrip()))
        if stripped_end > stripped_start:
            spans.append((stripped_start, stripped_end))
    return spans
