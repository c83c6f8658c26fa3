"""Passage ids: ``"key#pN"``, the Nth passage (0-based) of study ``key``."""

from __future__ import annotations

PASSAGE_SEPARATOR = "#p"


def passage_id(study_key: str, number: int) -> str:
    """The id of passage `number` (0-based) of study `study_key`: ``"key#pN"``."""
    return f"{study_key}{PASSAGE_SEPARATOR}{number}"


def split_passage_id(value: str) -> tuple[str, int | None]:
    """``("key", N)`` for a passage id ``"key#pN"``; ``(value, None)`` for anything else
    (a study key, or an id with no valid number)."""
    key, separator, number = value.rpartition(PASSAGE_SEPARATOR)
    if not separator or not key or not number.isdigit():
        return value, None
    return key, int(number)


def is_passage_id(value: str) -> bool:
    """True for ``"key#pN"``; a study key is not one."""
    return split_passage_id(value)[1] is not None
