"""Numbered in-text citations: "[1]", "[1, 3]", "[2–4]", "(4)", superscripts that lost
their formatting in a copy ("help-seeking.3,4", "disorders.1", "0.16).3"), and Markdown
footnote markers ("[^1]") whose notes hold the references.

A draft uses one numbered style, so the style with the most markers in the body is taken
and the others are read as text: in a draft cited with "[1]", "(1) estimate incidence" is
an aim, not a citation. Parentheses before a word count unless they number a list's
items ("(1) estimate ...; (2) compare"); superscripts count when the reference list is
numbered, or when an unnumbered list's works are first cited in order, 1, 2, 3 (as a web
copy of an HTML list loses its numbers); a group with a number far beyond the list
("(1,234)") is not a citation. One `Citation` per number cited: "[2–4]" cites 2, 3 and
4. Pure and linear: every pattern has bounded repetition.
"""

from __future__ import annotations

import re

from .draft import Citation

_GROUP = r"\d{1,3}(?:\s{0,2}[-–—]\s{0,2}\d{1,3})?(?:\s{0,2},\s{0,2}\d{1,3}(?:\s{0,2}[-–—]\s{0,2}\d{1,3})?){0,30}"  # noqa: E501
_TIGHT = r"\d{1,3}(?:[-–]\d{1,3})?(?:,\d{1,3}(?:[-–]\d{1,3})?){0,30}"
# Not a Markdown link "[1](url)", a footnote definition "[1]:" or a line's list marker.
_BRACKET = re.compile(rf"(?<![\w!\]\[])\[({_GROUP})\](?![(:\[])")
_PAREN = re.compile(rf"(?<=\S )\(({_GROUP})\)(?P<word>(?=[ \t]+[a-z]))?"
                    r"(?(word)|(?=[.,;:?!)\]]|[ \t]*(?:\n|$)))")  # fmt: skip
_ITEM = re.compile(r"\((\d{1,2})\)[ \t]+[a-z]")
_SUPERSCRIPT = re.compile(rf"(?<=[a-z)\]\"'])[.,;:]?({_TIGHT})(?=\s|$|[.,;:](?:\s|$))")
_FOOTNOTE = re.compile(r"\[\^(\d{1,4})\](?!:)")
_RANGE = re.compile(r"(\d{1,3})\s{0,2}[-–—]\s{0,2}(\d{1,3})|(\d{1,3})")
# A cited number may run past the list (a missing entry), but not this far past it.
SLACK = 10
MAX_RANGE = 50


def find_markers(
    text: str, end: int, entries: int, numbered_list: bool, author_year: int
) -> tuple[str, list[Citation]]:
    """The numbered style of ``text[:end]`` and its citations, in order.

    `entries` is the reference list's length, `numbered_list` whether its entries carry
    numbers, `author_year` how many author–year citations the body has. Returns ``("", [])``
    when the draft does not cite by number.
    """
    notes = _found(_FOOTNOTE, text, end, None)
    if notes:
        return "footnote", notes
    if not numbered_list and (author_year or not entries):
        return "", []
    bound = entries + SLACK
    styles = {"bracket": _found(_BRACKET, text, end, bound),
              "paren": _found(_PAREN, text, end, bound)}  # fmt: skip
    superscripts = _found(_SUPERSCRIPT, text, end, bound if numbered_list else entries)
    if numbered_list or _in_order(superscripts):
        styles["superscript"] = superscripts
    style = max(styles, key=lambda s: len(styles[s]))
    found = styles[style]
    if not found or len(found) <= author_year:
        return "", []
    return style, found


def _found(pattern: re.Pattern[str], text: str, end: int, bound: int | None) -> list[Citation]:
    cites: list[Citation] = []
    for match in pattern.finditer(text, 0, end):
        numbers = expand(match.group(1))
        if not numbers or bound is not None and max(numbers) > bound:
            continue
        if pattern is _PAREN and match.group("word") is not None and _enumerated(text, match):
            continue
        if (
            pattern is _BRACKET
            and not text[text.rfind("\n", 0, match.start()) + 1 : match.start()].strip()
        ):
            continue  # "[2] Smith J. ..." opening a line is an entry of a list, not a citation
        start, stop = match.span(1) if pattern is _SUPERSCRIPT else match.span()
        cites += [Citation(start, stop, text[start:stop], (), False, None, "", False, n)
                  for n in numbers]  # fmt: skip
    return cites


def _in_order(cites: list[Citation]) -> bool:
    """True when the numbers are first cited 1, 2, 3, ... (at least three of them): how a
    numbered style cites, and unlike digits glued to words by chance ("mp3", "x2")."""
    first: list[int] = []
    for cite in cites:
        if cite.number not in first:
            first.append(cite.number or 0)
    return len(first) >= 3 and first == list(range(1, len(first) + 1))


def _enumerated(text: str, match: re.Match[str]) -> bool:
    """True for "(2) compare" among "(1) estimate ...; (2) compare ...; (3) test": one
    number before a word, with its neighbour so written nearby, is an item, not a citation."""
    if not match.group(1).isdigit():
        return False  # "(1,2) define", "(6-8) form": a group or a range cites
    number = int(match.group(1))
    around = text[max(0, match.start() - 400) : match.end() + 400]
    return any(int(m.group(1)) in (number - 1, number + 1) for m in _ITEM.finditer(around))


def expand(group: str) -> list[int]:
    """The numbers a marker cites: "1, 3" gives [1, 3], "2–4" gives [2, 3, 4]; [] when one
    is 0. A range that runs backwards or over MAX_RANGE numbers gives its two ends."""
    numbers: list[int] = []
    for match in _RANGE.finditer(group):
        if match.group(3):
            numbers.append(int(match.group(3)))
            continue
        low, high = int(match.group(1)), int(match.group(2))
        if low < high <= low + MAX_RANGE:
            numbers += range(low, high + 1)
        else:
            numbers += [low, high]
    return [] if 0 in numbers else numbers
