"""`Study` → `Passage`s: the title, each curated finding, each abstract sentence.

Ids are ``"{key}#p{n}"`` in that order, and each passage records its field and
character offsets, so ``study.field_text(p.field)[p.char_start:p.char_end] == p.text``.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..ids import passage_id
from ..model import Passage, Study
from ..text.sentences import split_sentences

# Sentences shorter than this are merged into the next one ("Methods:", "Results.").
MIN_SENTENCE_CHARS = 25


def split_study(study: Study) -> list[Passage]:
    """Return the passages of one study, in a deterministic order."""
    pieces: list[tuple[str, str, int, int]] = []
    if study.title:
        pieces.append(("title", "title", 0, len(study.title)))
    for finding in study.findings:
        pieces.append(("finding", finding.field, 0, len(finding.result)))
    for start, end in _merge_short(split_sentences(study.abstract), study.abstract):
        pieces.append(("abstract", "abstract", start, end))
    return [
        Passage(
            id=passage_id(study.key, i),
            study_key=study.key,
            kind=kind,
            field=field,
            text=study.field_text(field)[start:end],
            char_start=start,
            char_end=end,
        )
        for i, (kind, field, start, end) in enumerate(pieces)
    ]


def split_studies(studies: Iterable[Study]) -> list[Passage]:
    """Return the passages of all `studies`, study by study."""
    return [p for study in studies for p in split_study(study)]


def _merge_short(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Join fragments such as section labels to the following sentence."""
    merged: list[tuple[int, int]] = []
    pending: int | None = None
    for start, end in spans:
        if pending is not None:
            start = pending
            pending = None
        if end - start < MIN_SENTENCE_CHARS and text[start:end].rstrip().endswith(":"):
            pending = start
            continue
        merged.append((start, end))
    if pending is not None:
        if merged:
            merged[-1] = (merged[-1][0], len(text.rstrip()))
        else:
            merged.append((pending, len(text.rstrip())))
    return merged
