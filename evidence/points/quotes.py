"""A passage → the span to quote: all of it, or a leading run of whole sentences or clauses.

Quotes are extractive: a span is only ever cut, never reworded, and only where what is
cut does not qualify what is kept (see `quote_span`).
"""

from __future__ import annotations

import re

from ..index.lexical import analyze
from ..text.sentences import split_sentences

# Longer passages are cut after a sentence or clause ("; ") when what is cut carries no
# hedge; a slide line or proposal bullet rarely needs more.
MAX_QUOTE_CHARS = 300
# What is cut from a quote must not qualify what is kept.
_HEDGE = re.compile(
    r"\b(not|no|nor|neither|never|none|but|however|although|though|whereas|yet|only|except|"
    r"unless|fail\w*|limit\w*|small|mixed|inconsistent|uncertain|unclear|cannot|may|might|"
    r"weak|poor|bias\w*|caution\w*|confound\w*|did not|could not)\b",
    re.IGNORECASE,
)


def quote_span(text: str, terms: set[str] | None = None) -> tuple[int, int]:
    """The span of `text` to quote: all of it, or a leading run of whole sentences/clauses.

    Cutting happens only when `text` is longer than MAX_QUOTE_CHARS, only at a sentence end
    or a top-level "; ", and never when the part left out contains a hedge or negation. The
    kept run must contain a query term when any is given and the full text has one.
    """
    text_end = len(text.rstrip())
    start = len(text) - len(text.lstrip())
    if text_end - start <= MAX_QUOTE_CHARS:
        return start, text_end
    for cut in reversed(_clause_ends(text)):
        if cut - start > MAX_QUOTE_CHARS or cut >= text_end:
            continue
        if _HEDGE.search(text[cut:]):
            break
        kept = set(analyze(text[start:cut])) if terms else set()
        if terms and not (kept & terms) and (set(analyze(text)) & terms):
            break
        return start, len(text[:cut].rstrip(" ;,"))
    return start, text_end


def _clause_ends(text: str) -> list[int]:
    """Offsets just after each sentence, and after each "; " outside brackets."""
    ends = {end for _, end in split_sentences(text)}
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch in "([") - (ch in ")]")
        if ch == ";" and depth == 0 and text[i + 1 : i + 2] == " ":
            ends.add(i + 1)
    return sorted(ends)
