"""Titles: case-protection marks removed, and sentence case for styles that want it.

`decode_latex(..., mark_protected=True)` marks braced groups (``{PTSD}``, ``{Canada}``);
CSL never sentence-cases (ECOSYSTEM.md, trap 4), so it is derived here, keeping them.
"""

from __future__ import annotations

import re

from .latex import PROTECT_CLOSE, PROTECT_OPEN


def strip_marks(text: str) -> str:
    """Remove case-protection markers."""
    return text.replace(PROTECT_OPEN, "").replace(PROTECT_CLOSE, "")


_LETTERS = re.compile(r"[^\W\d_]+")
_PROTECTED = re.compile(f"({PROTECT_OPEN}[^{PROTECT_CLOSE}]*(?:{PROTECT_CLOSE}|$))")
_LONG_WORD = re.compile(r"[^\W\d_]{4,}")
_OPENERS = " \t\"“‘'(["


def sentence_case(marked: str) -> str:
    """Return a title in sentence case, keeping protected groups, acronyms and names.

    A title already in sentence case (few capitalised words) is returned unchanged, so
    unbraced proper nouns in it survive. The first word, and the first word after ":",
    "?", "!" or ".", keep their capital. Input may carry protection markers.
    """
    rest = marked[1:]
    if rest == rest.lower() or not _mostly_capitalised(marked):
        return strip_marks(marked)
    out: list[str] = []
    for piece in _PROTECTED.split(marked):
        if piece.startswith(PROTECT_OPEN):
            out.append(strip_marks(piece))
            continue
        done = "".join(out)
        out.append(_LETTERS.sub(lambda m, p=piece, d=done: _lower(m, p, d), piece))
    return "".join(out)


def _lower(match: re.Match[str], piece: str, done: str) -> str:
    word = match.group(0)
    if len(word) < 2 or not (word[0].isupper() and word[1:].islower()):
        return word  # acronyms, names like McDonald, single letters
    before = (done + piece[: match.start()]).rstrip(_OPENERS)
    if not before or before[-1] in ":?!.":
        return word  # the start of the title or of a subtitle
    return word.lower()


def _mostly_capitalised(marked: str) -> bool:
    """True when most long words after the first are capitalised (a title-case title)."""
    unprotected = _PROTECTED.sub(" ", marked)
    words = _LONG_WORD.findall(unprotected)[1:]
    if not words:
        return False
    return sum(1 for w in words if w[0].isupper()) / len(words) > 0.5
