"""In-text author–year citations in a draft's body: parenthetical and narrative.

Parsing is pure and linear: every regex here is anchored or has bounded repetition, so no
input makes it backtrack catastrophically, and it never raises on odd text.
"""

from __future__ import annotations

import re

from .draft import (
    _PARTICLES,
    _POSSESSIVE,
    _WORD,
    Citation,
    _is_name_word,
    name_key,
    parse_year,
    year_label,
)

_PAREN = re.compile(r"\(([^()]{1,300})\)")
_LOCATOR = re.compile(r",?\s*(?:pp?\.|para\.|paras\.|ch\.|chap\.|sec\.)\s*[\w–\-]{1,12}\s*$")
# A comment after the year: "(see Stanley et al., 2016, for a review)".
_NOTE = re.compile(r",\s*(?:for|as|in|on|with|see|who|which|and)\b[^,()]{0,60}$")
_TRAILING_YEAR = re.compile(
    r"(?:,\s*|\s)((?:\d|[OolI](?=\d))[0-9OolI]{1,4}[a-z]?|n\.\s?d\.?|in\s+press|forthcoming)\s*$",
    re.IGNORECASE,
)
_REPORTING = re.compile(
    r"\s*,?\s*(?:also\s+|similarly\s+)?(?:found|find|finds|reported|reports|report|showed|"
    r"shows|show|argued|argues|noted|notes|observed|suggested|suggests|concluded|concludes|"
    r"demonstrated|described|describes|estimated|examined|surveyed|reviewed|identified)\b"
)


def find_citations(
    text: str, end: int | None = None, known: frozenset[str] = frozenset()
) -> list[Citation]:
    """Return the author–year citations in ``text[:end]``, in order of appearance.

    `known` holds the `name_key` of every author in the reference list: a narrative
    citation with one unknown name ("Canada (2019)") counts only when a reporting verb
    follows it, and a malformed year only when the name looks like a citation.
    """
    end = len(text) if end is None else end
    found: list[Citation] = []
    for match in _PAREN.finditer(text, 0, end):
        inner_start = match.start(1)
        parts = _split_parts(match.group(1), inner_start)
        if len(parts) == 1 and _only_years(parts[0][0]):
            found += _narrative(text, match, known)
            continue
        for part, offset in parts:
            found += _parenthetical(part, offset, known)
    return found


def _split_parts(inner: str, offset: int) -> list[tuple[str, int]]:
    parts, cursor = [], 0
    for piece in inner.split(";"):
        parts.append((piece, offset + cursor))
        cursor += len(piece) + 1
    return parts


def _only_years(part: str) -> bool:
    rest, years = _strip_years(part)
    return bool(years) and not rest.strip(" ,")


def _strip_years(part: str) -> tuple[str, list[tuple[str, int]]]:
    """Split trailing year tokens off `part`: (the rest, [(token, offset in part)...])."""
    part = _LOCATOR.sub("", part)
    if not _TRAILING_YEAR.search(" " + part):
        part = _NOTE.sub("", part)
    years: list[tuple[str, int]] = []
    while len(years) < 6:
        match = _TRAILING_YEAR.search(" " + part)
        if not match:
            break
        years.insert(0, (match.group(1), match.start(1) - 1))
        part = part[: match.start() - 1] if match.start() > 0 else ""
    return part, years


def _parenthetical(part: str, offset: int, known: frozenset[str]) -> list[Citation]:
    rest, years = _strip_years(part)
    if not years:
        return []
    names = _names_before(rest, len(rest))
    if names is None:
        return []
    authors, et_al, name_start = names
    return _citations(part, offset, authors, et_al, name_start, years, False, known)


def _narrative(text: str, paren: re.Match[str], known: frozenset[str]) -> list[Citation]:
    # The names may be wrapped onto the line before, never in the paragraph before.
    paragraph = text.rfind("\n\n", 0, paren.start())
    window_start = max(0, paren.start() - 160, paragraph + 2 if paragraph >= 0 else 0)
    before = text[window_start : paren.start()]
    names = _names_before(before, len(before))
    if names is None:
        return []
    authors, et_al, name_start = names
    kept = _drop_unknown_lead(authors, known)
    if kept != authors:
        authors, name_start = kept, max(name_start, before.find(kept[0], name_start))
    single_unknown = len(authors) == 1 and not et_al and name_key(authors[0]) not in known
    if single_unknown and not _REPORTING.match(text, paren.end()):
        return []
    _, years = _strip_years(paren.group(1))
    inner = paren.start(1)
    # One Citation per year; the first one's span starts at the names.
    cites = _citations(paren.group(1), inner, authors, et_al, 0, years, True, known)
    if cites:
        first = cites[0]
        cites[0] = Citation(window_start + name_start, paren.end(),
                            text[window_start + name_start : paren.end()], first.authors,
                            first.et_al, first.year, first.year_text, True)  # fmt: skip
    return cites


def _citations(
    part: str, offset: int, authors: tuple[str, ...], et_al: bool, name_start: int,
    years: list[tuple[str, int]], narrative: bool, known: frozenset[str],
) -> list[Citation]:  # fmt: skip
    out = []
    for n, (token, at) in enumerate(years):
        year, year_text, yearish = parse_year(token)
        if not yearish:
            return []
        malformed = year is None and not year_label(token)
        plausible = et_al or len(authors) > 1 or name_key(authors[0]) in known
        if malformed and not plausible:
            return []
        start = offset + (name_start if n == 0 else at)
        stop = offset + at + len(token)
        out.append(Citation(start, stop, part[start - offset : stop - offset], authors, et_al,
                            year, year_text, narrative))  # fmt: skip
    return out


def _names_before(text: str, stop: int) -> tuple[tuple[str, ...], bool, int] | None:
    """Walk back from `stop` over "A, B, & C et al." and return (names, et_al, start) or None."""
    tokens = [(m.group(0), m.start()) for m in _WORD.finditer(text, 0, stop)][-40:]
    i, et_al, start = len(tokens) - 1, False, stop
    while i >= 0 and tokens[i][0] == ",":
        i -= 1
    if i >= 1 and _POSSESSIVE.sub("", tokens[i][0]).rstrip(".").lower() in (
        "al",
        "colleagues",
        "coworkers",
    ):
        if tokens[i - 1][0].rstrip(".").lower() in ("et", "and"):
            et_al, i = True, i - 2
            while i >= 0 and tokens[i][0] == ",":  # "Carleton, Afifi, et al."
                i -= 1
    names: list[str] = []
    while i >= 0:
        name, i2 = _take_name(tokens, i)
        if not name:
            break
        names.insert(0, name)
        start, i = tokens[i2 + 1][1], i2
        j = i
        while j >= 0 and tokens[j][0].lower() in (",", "&", "and"):
            j -= 1
        if j == i or j < 0 or not _is_name_word(tokens[j][0]) or len(names) >= 8:
            break
        i = j
    if not names:
        return None
    return tuple(names), et_al, start


def _take_name(tokens: list[tuple[str, int]], i: int) -> tuple[str, int]:
    """Take one family name ending at token i (capitalised words and particles, ≤ 4 words)."""
    words: list[str] = []
    while i >= 0 and len(words) < 4:
        word = tokens[i][0]
        if _is_name_word(word) or words and word.lower() in _PARTICLES:
            words.insert(0, _POSSESSIVE.sub("", word).rstrip(",") if not words else word)
            i -= 1
            continue
        break
    return " ".join(words), i


def _drop_unknown_lead(authors: tuple[str, ...], known: frozenset[str]) -> tuple[str, ...]:
    """Drop capitalised words swept in before the first author ("Firefighters, Smith (2019)")."""
    if not known or name_key(authors[0]) in known:
        return authors
    for n in range(1, len(authors)):
        if name_key(authors[n]) in known:
            return authors[n:]
    return authors
