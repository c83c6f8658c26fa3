"""A draft's reference list: where it starts, its entries, and the fields of each entry
(APA-like or PubMed-style). Pure and linear, like `citations.py`.
"""

from __future__ import annotations

import dataclasses
import re

from ..text.identifiers import normalise_doi
from .draft import DraftReference, parse_year

_MARKER = re.compile(r"[ \t]*(?:[-*+•][ \t]+|\d{1,3}[.)][ \t]+|\[\d{1,3}\][ \t]*)")
_APA_START = re.compile(
    r"[^\W\d_][\w'’\-]{0,40}(?: [^\W\d_][\w'’\-]{0,40}){0,3}, (?:[A-Z]\.|[A-Z][a-z]+ [A-Z]\.)"
)
_PUBMED_START = re.compile(r"[^\W\d_][\w'’\-]{0,40}(?: [^\W\d_][\w'’\-]{0,40}){0,2} [A-Z]{1,4}[,.]")
_YEAR_PAREN = re.compile(
    r"\(\s*(\d{4}[a-z]?|n\.\s?d\.?|in press|forthcoming|[0-9OolI]{3,5}[a-z]?)"
    r"\s*(?:,[^()]{0,40})?\)",
    re.IGNORECASE,
)
_PUBMED_DATE = re.compile(
    r"\.\s+(\d{4})(?:\s+[A-Z][a-z]{2}(?:-[A-Z][a-z]{2})?)?(?:\s+\d{1,2})?\s*[;.:]\s*"
    r"([^:;(\s.]{0,12})(?:\(([^)]{0,20})\))?(?::\s*([^.;\s]{1,20}))?"
)
_ANY_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)[a-z]?\b")
_DOI_TOKEN = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|\bdoi:\s*)(\S{1,300})|\b(10\.\d{1,9}/\S{0,300})",
                        re.IGNORECASE)  # fmt: skip
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})")
_EMPHASIS = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)")
_VENUE = re.compile(
    r"(?P<venue>[^,]{2,200}),\s*(?P<vol>\d{1,6})\s*(?:\((?P<iss>[^()]{1,20})\))?"
    r"\s*(?:,\s*(?P<pages>[A-Za-z]?\d{1,7}(?:\s*[-–—]\s*[A-Za-z]?\d{1,7})?))?"
)
_GIVEN = re.compile(r"(?:^|[\s.\-])[A-Z]\.|^[A-Z]{1,3}$")
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "et al", "et al.", "others"}


def split_references(text: str, start: int) -> list[tuple[str, int]]:
    """Return the entries of the reference list that begins at `start`: (entry text, offset).

    Entries are separated by blank lines, list markers, or a line that starts like an entry
    ("Family, I." or PubMed's "Family AB,") once the entry before has its year; indented
    lines and other lines continue the entry before. A Markdown heading ends the list.
    """
    entries: list[list[int]] = []  # [start, end] offsets
    has_year, after_blank, at = False, True, start
    for raw in text[start:].splitlines(keepends=True):
        line, at = raw.rstrip("\r\n"), at + len(raw)
        line_start = at - len(raw)
        if not line.strip():
            after_blank = True
            continue
        if line.lstrip().startswith("#"):
            break
        indented = line[:1] in (" ", "\t") and bool(entries)
        if after_blank or _MARKER.match(line) or not indented and has_year and _starts_entry(line):
            entries.append([line_start, line_start + len(line)])
            has_year = False
        else:
            entries[-1][1] = line_start + len(line)
        after_blank = False
        has_year = has_year or bool(_YEAR_PAREN.search(line) or _PUBMED_DATE.search(line))
    return [(text[a:b], a) for a, b in entries]


def _starts_entry(line: str) -> bool:
    return bool(_APA_START.match(line) or _PUBMED_START.match(line)
                or _YEAR_PAREN.search(line[:200]))  # fmt: skip


def parse_reference(entry: str, start: int, index: int) -> DraftReference:
    """Return the fields found in one reference entry (APA-like, else PubMed-style)."""
    doi, doi_start, doi_end = _find_doi(entry)
    pmid = _PMID.search(entry)
    clean = " ".join(_EMPHASIS.sub("", entry[_marker_end(entry) :]).split())
    base = DraftReference(index, start, start + len(entry), entry, doi=doi,
                     doi_start=start + doi_start if doi else -1,
                     doi_end=start + doi_end if doi else -1,
                     pmid=pmid.group(1) if pmid else "")  # fmt: skip
    apa = _YEAR_PAREN.search(clean, 0, 1000)
    pubmed = _PUBMED_DATE.search(clean)
    if apa and (pubmed is None or apa.start() < pubmed.start()):
        return _apa(base, clean, apa)
    if pubmed:
        return _pubmed(base, clean, pubmed)
    year = _ANY_YEAR.search(clean)
    first = re.split(r"\.\s|\(", clean, maxsplit=1)[0]
    return _replace(base, style="unknown", authors=_families(first),
                    year=int(year.group(1)) if year else None,
                    year_text=year.group(0) if year else "")  # fmt: skip


def _marker_end(entry: str) -> int:
    match = _MARKER.match(entry)
    return match.end() if match else 0


def _apa(base: DraftReference, clean: str, year: re.Match[str]) -> DraftReference:
    value, year_text, _ = parse_year(year.group(1))
    segments = re.split(r"(?<=[.?!])\s+", clean[year.end() :].lstrip(". "))
    title, i = segments[0], 1
    while title.endswith(("?", "!")) and i < len(segments) - 1 and not _VENUE.match(segments[i]):
        title, i = f"{title} {segments[i]}", i + 1
    venue, volume, issue, pages = "", "", "", ""
    if i < len(segments) and not re.match(r"(?:https?:|doi:|Retrieved|PMID)", segments[i], re.I):
        match = _VENUE.match(segments[i])
        if match:
            venue, volume = match["venue"], match["vol"]
            issue, pages = match["iss"] or "", match["pages"] or ""
        else:
            venue = segments[i].rstrip(".")
    return _replace(base, authors=_families(clean[: year.start()]), year=value,
                    year_text=year_text, title=title.rstrip("."), venue=venue.strip(),
                    volume=volume, issue=issue, pages=pages)  # fmt: skip


def _pubmed(base: DraftReference, clean: str, date: re.Match[str]) -> DraftReference:
    head = re.split(r"(?<=\.)\s+", clean[: date.start() + 1])
    title = " ".join(head[1:-1]) if len(head) > 2 else (head[1] if len(head) > 1 else "")
    return _replace(base, style="pubmed", authors=_families(head[0], pubmed=True),
                    year=int(date.group(1)), year_text=date.group(1), title=title.rstrip("."),
                    venue=head[-1].rstrip(".") if len(head) > 2 else "",
                    volume=date.group(2) or "", issue=date.group(3) or "",
                    pages=date.group(4) or "")  # fmt: skip


def _families(authors: str, pubmed: bool = False) -> tuple[str, ...]:
    """The family names in an author list ("Carleton, R. N., ... & Camp, R. D." or PubMed's)."""
    text = authors.replace("…", ",").replace("...", ",").strip(" .,")
    if not pubmed and "," not in text and "&" not in text and not _GIVEN.search(text):
        return (text,) if text else ()  # one corporate author, "and" included
    families = []
    for token in re.split(r",|&|\band\b", text):
        token = token.strip(" .")
        if not token or token.casefold() in _SUFFIXES:
            continue
        if pubmed:
            token = re.sub(r"\s+[A-Z]{1,4}$", "", token)
        elif _GIVEN.search(token):
            continue
        families.append(token)
    return tuple(families[:100])


def _find_doi(entry: str) -> tuple[str, int, int]:
    """The DOI in `entry` (normalised) and its offsets as written, or ``("", -1, -1)``."""
    match = _DOI_TOKEN.search(entry)
    if not match:
        return "", -1, -1
    group = 1 if match.group(1) is not None else 2
    token, at = match.group(group), match.start(group)
    token = re.split(r"\]\(|[\]>\"'<]", token, maxsplit=1)[0].rstrip(".,;")
    while token.endswith(")") and token.count(")") > token.count("("):
        token = token[:-1].rstrip(".,;")
    return normalise_doi(token), at, at + len(token)


def _replace(base: DraftReference, **changes: object) -> DraftReference:
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]
