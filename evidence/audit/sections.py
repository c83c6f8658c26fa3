"""Where a draft's reference list is: under a heading, or found by its shape with none.

Drafts pasted from web pages and PDFs put the list under many headings ("References",
"Sources", "Works Cited", "Literature cited", "Notes", "REFERENCES:", "## Bibliography",
"<h2>Endnotes</h2>") or under none at all: right after the conclusion, an author's bio or a
rule. A heading counts only when entries follow it, so a body section called "Sources of
stress" or "Notes" with prose under it is not the list. With no such heading, the list is
the run of paragraphs at the end that are shaped like entries: names with initials first
(APA "Carleton, R. N.", Vancouver "Carleton RN", notes "R. N. Carleton"), then a year or a
DOI. A list ends at a reading list ("Further reading", "Resources"), a Markdown heading, an
appendix heading or a rule; what follows it is neither the body nor the list.

Works on the `layout.View` text. Linear: each line is looked at a bounded number of times.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .references import dated, marker_end, split_references

_UPPER = "A-ZÀ-ÖØ-Þ"
_LIST_WORDS = (
    r"references?(?:[ \t]+(?:cited|list))?|bibliography|works[ \t]+cited|literature[ \t]+cited|"
    r"sources(?:[ \t]+cited)?|cited[ \t]+(?:works|literature|sources)|notes|end[ \t]?notes|"
    r"foot[ \t]?notes|citations"
)
_READING_WORDS = (
    r"(?:further|additional|recommended|suggested|more)[ \t]+(?:reading|resources|sources)|"
    r"reading[ \t]+list|resources|useful[ \t]+(?:links|resources)|see[ \t]+also|helplines?"
)


def _heading(words: str) -> re.Pattern[str]:
    """A whole line holding only `words`: Markdown, HTML, bold, numbered, colon or caps."""
    return re.compile(
        rf"[ \t]{{0,3}}(?:#{{1,6}}[ \t]*|<h[1-6][^>]{{0,40}}>[ \t]*)?(?:\*\*|__|\*|_)?[ \t]*"
        rf"(?:\d{{1,2}}\.?[ \t]+|[A-Z]\.[ \t]+)?(?:{words})[ \t]*:?[ \t]*(?:\*\*|__|\*|_)?"
        r"[ \t]*(?:</h[1-6]>)?[ \t]*",
        re.IGNORECASE,
    )


LIST_HEADING = _heading(_LIST_WORDS)
READING_HEADING = _heading(_READING_WORDS)
_RULE = re.compile(r"[ \t]*(?:[-—–_*=~•·][ \t]*){3,}")
_NAME = rf"[{_UPPER}][\w'\-]{{0,40}}"
# How entries start: APA/Harvard "Carleton, R. N.," (or a spelled-out given name),
# Vancouver "Carleton RN," and notes "R. N. Carleton," / "H. Pierce and".
_PARTICLE = r"(?:(?:van|von|de|der|di|da|du|le|la|del|della|degli|ten|ter) )?"
_INITIAL = rf"(?:[{_UPPER}]\.|[{_UPPER}][a-z]+[ \t][{_UPPER}]\.)"
_APA = re.compile(rf"{_PARTICLE}{_NAME}(?:[ \t]{_NAME}){{0,3}},[ \t]{_INITIAL}")
_VANCOUVER = re.compile(rf"{_NAME}(?:[ \t]{_NAME}){{0,2}}[ \t][{_UPPER}]{{1,4}}(?:,|\.)")
_NOTE = re.compile(rf"(?:[{_UPPER}]\.[ \t]?){{1,3}}[ \t]?{_NAME}(?:,|[ \t]and\b|[ \t]et al)")
_CORPORATE = re.compile(rf"{_NAME}(?:[ \t][\w&'\-]{{1,40}}){{0,12}}\.[ \t]+\((?:\d{{4}}|n\.d)")
_YEAR = re.compile(r"(?<!\d)(?:1[89]\d\d|20\d\d)(?!\d)|\(\d{5}[a-z]?\)|\.[ \t]\d{5};")
_LINK = re.compile(r"\bdoi\b|\b10\.\d{4,9}/|https?://|\bwww\.", re.IGNORECASE)
# Short paragraphs (a bio, a footer, a contact line) that may follow a list with no heading.
MAX_AFTER = 3
# List headings tried, from the last: a real draft has one or two ("Notes", "References").
MAX_HEADINGS = 20


@dataclass(frozen=True, slots=True)
class ListPlace:
    """Where the reference list is, in view offsets: the body ends at `body_end` (the
    heading, or the first entry when there is none); entries run from `start` to `end`."""

    body_end: int
    start: int
    end: int
    heading: str  # the heading line as written, "" when the list was found by its shape


def looks_like_entry(entry: str) -> bool:
    """True when `entry` is shaped like a reference: names first, and a year or a link; or
    a bare link after a list marker."""
    text = entry[marker_end(entry) :].lstrip(" \t*_")
    head = text[:600]
    if not head:
        return False
    if _LINK.match(head) and len(head.split()) <= 3:
        return True  # "[3] https://www.mdpi.com/..."
    named = bool(_APA.match(head) or _VANCOUVER.match(head) or _NOTE.match(head))
    if named and (_YEAR.search(head) or _LINK.search(head)):
        return True
    return bool(_CORPORATE.match(head))


def find_reference_list(text: str) -> ListPlace | None:
    """The place of the reference list of view `text`, or None when it has none."""
    lines = _lines(text)
    tried = 0
    for i in range(len(lines) - 1, -1, -1):
        start, end = lines[i]
        if not LIST_HEADING.fullmatch(text, start, end):
            continue
        tried += 1
        if tried > MAX_HEADINGS:
            break  # each try reads to the end: a bound keeps odd drafts linear
        first = end + 1 if end < len(text) else end
        stop = list_end(text, lines, i + 1)
        if _entries_follow(text, first, stop):
            stop = _trimmed(text, first, stop)
            return ListPlace(start, first, stop, text[start:end].strip())
    return _headless(text, lines)


def _trimmed(text: str, start: int, end: int) -> int:
    """`end`, moved before what ends the page after the list's last entry: an author's bio
    or a copyright line is not a reference."""
    entries = split_references(text, start, end)
    while entries and not _entry_like_or_cited(entries[-1][0]):
        end = entries.pop()[1]
    return end


def _entry_like_or_cited(entry: str) -> bool:
    """An entry, even an odd one ("[4] Personal communication"), or text shaped like one."""
    return looks_like_entry(entry) or marker_end(entry) > 0 or dated(entry[:600])


def list_end(text: str, lines: list[tuple[int, int]], first: int) -> int:
    """Where a list that starts at line `first` ends: at a reading list, a Markdown heading,
    a rule, or a short heading-like line set apart by blank lines, once an entry was seen."""
    seen = False
    for i in range(first, len(lines)):
        start, end = lines[i]
        line = text[start:end]
        if READING_HEADING.fullmatch(line) or line.lstrip().startswith("#"):
            return start
        if seen and (_RULE.fullmatch(line) or _heading_like(text, lines, i)):
            return start
        seen = seen or bool(line.strip())
    return len(text)


def _heading_like(text: str, lines: list[tuple[int, int]], i: int) -> bool:
    """A short line alone between blank lines that no entry starts like ("Appendix A")."""
    start, end = lines[i]
    line = text[start:end].strip()
    before = i == 0 or not text[lines[i - 1][0] : lines[i - 1][1]].strip()
    after = i + 1 >= len(lines) or not text[lines[i + 1][0] : lines[i + 1][1]].strip()
    if not (before and after) or not line or len(line) > 60 or line[-1] in ".;,)":
        return False
    return line[0].isupper() and marker_end(line) == 0 and not looks_like_entry(line)


def _entries_follow(text: str, start: int, end: int) -> bool:
    entries = split_references(text, start, end)
    shaped = sum(looks_like_entry(entry) for entry, _ in entries[:200])
    return shaped >= 1 and 2 * shaped >= min(len(entries), 200)


def _headless(text: str, lines: list[tuple[int, int]]) -> ListPlace | None:
    """The run of entry-shaped paragraphs that ends the draft (or a reading list that ends
    it: "Further reading" and its entries are not the draft's references), if any."""
    first, end, skipped = None, len(text), 0
    for start, stop in reversed(_paragraphs(text, lines)):
        if looks_like_entry(text[start:stop]):
            first = start
            continue
        if READING_HEADING.fullmatch(text, start, stop) and end == len(text):
            first, end = None, start  # what follows was a reading list: look before it
            continue
        if first is None and skipped < MAX_AFTER and stop - start <= 400:
            end, skipped = start, skipped + 1  # a bio or a footer after the list
            continue
        break
    if first is None:
        return None
    return ListPlace(first, first, end, "")


def _lines(text: str) -> list[tuple[int, int]]:
    spans, at = [], 0
    for line in text.split("\n"):
        spans.append((at, at + len(line)))
        at += len(line) + 1
    return spans


def _paragraphs(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of each run of non-blank lines; a rule line stands alone."""
    found: list[tuple[int, int]] = []
    open_at, last_end = None, 0
    for start, end in lines:
        line = text[start:end]
        rule = bool(_RULE.fullmatch(line))
        if not line.strip() or rule:
            if open_at is not None:
                found.append((open_at, last_end))
                open_at = None
            if rule:  # never an entry, so it stops a run of them
                found.append((start, end))
        elif open_at is None:
            open_at = start
        last_end = end
    if open_at is not None:
        found.append((open_at, last_end))
    return found
