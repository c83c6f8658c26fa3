"""The body's prose, as sentences: the only text checked for uncited claims.

A draft's body also holds text that claims nothing, and flagging it is noise: headings and
slide titles, title blocks and memo headers (runs of short lines), bylines and metadata
lines ("By ...", "Posted in:", "Keywords:", "Funding:"), standfirsts and captions set in
italics or bold, figure and table captions and placeholders, author bios ("About the
author"), lists of resources ("Further reading", "Helplines"), and quoted speech. What is
left is read into sentences, hard-wrapped lines joined, with offsets into the draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.sentences import split_sentences
from .draft import Draft
from .sections import LIST_HEADING, READING_HEADING

# A paragraph: lines up to a blank line, a heading, or a bulleted or numbered item.
_BLOCK = re.compile(
    r"[^\n]+(?:\n(?![ \t]*\n|[ \t]*#|[ \t]*<h\d|[ \t]*[-*+•][ \t]|[ \t]*\d{1,3}[.)][ \t])[^\n]+)*"
)
_HEADING = re.compile(r"[ \t]*(?:#|<h\d)")
_EMPHASISED = re.compile(r"[ \t]*(\*{1,2}|_{1,2})[^*_\n].*\1[ \t]*", re.DOTALL)
_CAPTION = re.compile(
    r"[ \t]*[\[(]?(?:figure|fig\.|table|chart|exhibit|photo|image|caption|source|box)\b"
    r"[ \t]*[\dA-Z]{0,3}[ \t]*(?:[.:\-–—]|about here|here\b)",
    re.IGNORECASE,
)
_PLACEHOLDER = re.compile(r"[ \t]*\[[^\]\n]{0,300}\][ \t]*")
_METADATA = re.compile(
    r"[ \t]*(?:\*\*|__)?(?:by|posted(?: in| on)?|published|updated|reading time|keywords?|"
    r"key words|abstract id|session|presentation type|conflicts? of interest|competing "
    r"interests|funding|disclosures?|to|from|re|cc|date|subject|authors?|affiliations?|"
    r"correspondence|contact|tags|filed under|share|credits?|photo credit|speaker|"
    r"word count)(?:\*\*|__)?[ \t]*:",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"[ \t]*by [A-Z][\w.'\-]*(?: [A-Z][\w.'\-]*){0,4}[ \t]*")
_BIO_HEADING = re.compile(
    r"[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*|__)?(?:about the (?:authors?|writer|contributors?)|"
    r"about us|author bio(?:graphy)?|biography|bio|the authors?|contributors?|author "
    r"information|acknowledge?ments?|disclosures?|conflicts? of interest|funding|"
    r"declarations?)[ \t]*:?(?:\*\*|__)?[ \t]*",
    re.IGNORECASE,
)
# "Dana Whitfield spent 19 years ...", "J. Smith is a paramedic ...": a bio's first words.
_BIO_START = re.compile(
    r"[ \t]*[A-Z][\w.'\-]*(?: [A-Z][\w.'\-]*){1,3} (?:is an?|has been|has worked|spent|"
    r"works|worked|serves|served|was an?|teaches|writes|holds|leads|directs|retired)\b"
)
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?:\d[\d,\-–]{0,20})?[ \t]*$")
SHORT_LINE = 80


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of body prose: draft offsets, its text as read (line breaks as spaces),
    the number of its paragraph, and where its text starts in the view."""

    start: int
    end: int
    text: str
    paragraph: int
    view_start: int


def body_sentences(draft: Draft, body_end: int) -> list[Sentence]:
    """The sentences of the prose of ``draft.view.text[:body_end]`` (see the module)."""
    view = draft.view
    found: list[Sentence] = []
    for n, (start, end) in enumerate(prose_paragraphs(view.text, body_end)):
        flat = view.text[start:end].replace("\n", " ")
        for a, b in split_sentences(flat):
            if flat[a] == '"':
                continue  # quoted speech: someone's words, not the draft's claim
            found.append(Sentence(view.origin(start + a), view.origin_end(start + b),
                                  flat[a:b], n, start + a))  # fmt: skip
    return found


def prose_paragraphs(text: str, end: int) -> list[tuple[int, int]]:
    """(start, end) of each paragraph of ``text[:end]`` that is prose."""
    found = []
    skipping = False  # inside a bio or a list of resources, until the next heading
    for block in _BLOCK.finditer(text, 0, end):
        body = block.group(0)
        first = body.split("\n", 1)[0]
        if _is_heading(body, first):
            skipping = bool(_BIO_HEADING.fullmatch(first) or READING_HEADING.fullmatch(first))
            continue
        if skipping or not _is_prose(body, first):
            continue
        found.append(block.span())
    if found and _BIO_START.match(text, found[-1][0]):
        found.pop()  # the draft's last paragraph introduces its author
    return found


def _is_heading(body: str, first: str) -> bool:
    """A heading, a label or a title: a Markdown/HTML heading, or a single short line that
    does not end like a sentence ("One in ten, give or take", "What helps")."""
    if _HEADING.match(first) or LIST_HEADING.fullmatch(first) or _BIO_HEADING.fullmatch(first):
        return True
    return "\n" not in body and len(body) <= SHORT_LINE * 1.5 and not _SENTENCE_END.search(body)


def _is_prose(body: str, first: str) -> bool:
    if _EMPHASISED.fullmatch(body) or _PLACEHOLDER.fullmatch(body):
        return False  # a standfirst, a caption in italics, "[Figure 1 about here: ...]"
    if _CAPTION.match(first) or _METADATA.match(first) or _BYLINE.fullmatch(first):
        return False
    lines = body.split("\n")
    short = all(len(line) <= SHORT_LINE for line in lines)
    return not (short and not _SENTENCE_END.search(lines[-1]))  # a title block, a memo header
