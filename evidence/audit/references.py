"""A draft's reference list: its entries, and the fields of each entry.

Entries come one per paragraph, bulleted, numbered ("1.", "[1]", Markdown footnotes
"[^1]:"), or hard-wrapped over several lines; in APA/Harvard style ("Carleton, R. N., ...
(2020). Title. Journal, 49(1), 55–73."), PubMed/NLM and Vancouver ("Carleton RN, ... Title.
Cogn Behav Ther. 2020;49(1):55-73."), notes ('R. N. Carleton et al., "Title," Journal 49
(2020): 55') or a bare URL, mixed in one list. Pure and linear, like `citations.py`.
"""

from __future__ import annotations

import dataclasses
import re

from ..text.identifiers import normalise_doi
from .draft import DraftReference, parse_year

_UPPER = "A-ZÀ-ÖØ-Þ"
MARKER = re.compile(
    r"[ \t]*(?:[-*+•][ \t]+|\[\^(?P<note>\d{1,4})\]:[ \t]*|\[(?P<bracket>\d{1,3})\][ \t]*|"
    r"\((?P<paren>\d{1,3})\)[ \t]+|(?P<dot>\d{1,3})[.)][ \t]+)"
)
_APA_START = re.compile(
    r"[^\W\d_][\w'’\-]{0,40}(?: [^\W\d_][\w'’\-]{0,40}){0,3}, (?:[A-Z]\.|[A-Z][a-z]+ [A-Z]\.)"
)
_PUBMED_START = re.compile(r"[^\W\d_][\w'’\-]{0,40}(?: [^\W\d_][\w'’\-]{0,40}){0,2} [A-Z]{1,4}[,.]")
_NOTE_START = re.compile(rf"(?:[{_UPPER}]\.[ \t]?){{1,3}}[ \t]?[{_UPPER}][\w'\-]{{0,40}}"
                         r"(?:,|[ \t]and\b|[ \t]et al)")  # fmt: skip
_YEAR_PAREN = re.compile(
    r"\(\s*(\d{4}[a-z]?|n\.\s?d\.?|in press|forthcoming|[0-9OolI]{3,5}[a-z]?)"
    r"\s*(?:,[^()]{0,40})?\)",
    re.IGNORECASE,
)
# Vancouver/PubMed dates: "Venue. 2012;47(6):1001-11", "Venue. 2023:1151248", "Venue.
# 2021 Apr;64(4):283-95", "CMAJ 2020;192(24):E660", "Venue. 2016. doi:...".
_PUBMED_DATE = re.compile(
    r"(?:\.\s+|(?<=[A-Za-z])\s+(?=\d{4,5}[;:]))(\d{4,5}|[0-9OolI]{4,5})"
    r"(?:\s+[A-Z][a-z]{2}(?:-[A-Z][a-z]{2})?)?(?:\s+\d{1,2})?\s*(?=[;.:])"
    r"(?:;\s*([A-Za-z]?\d[\w]{0,10})?(?:\(([^)]{0,20})\))?)?(?::\s*([^.;\s]{1,20}))?"
)
# Harvard: "Smith, J. and Jones, K. 2020. Title." A year after the names, unbracketed.
_HARVARD_YEAR = re.compile(r"(?<=[.,])\s+(\d{4}[a-z]?|n\.d\.)[.,]\s")
_ANY_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)[a-z]?\b")
_DOI_TOKEN = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|\bdoi:\s*)(\S{1,300})|\b(10\.\d{1,9}/\S{0,300})",
                        re.IGNORECASE)  # fmt: skip
_RESOLVER = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi:)", re.IGNORECASE)
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})")
_EMPHASIS = re.compile(r"\*+|(?<!\w)_+|_+(?!\w)")
_VENUE = re.compile(
    r"(?P<venue>[^,]{2,200}),\s*(?P<vol>\d{1,6})\s*(?:\((?P<iss>[^()]{1,20})\))?"
    r"\s*(?:,\s*(?:pp?\.\s?)?(?P<pages>[A-Za-z]?\d{1,7}(?:\s*[-–—]\s*[A-Za-z]?\d{1,7})?))?"
)
_NOTE_VENUE = re.compile(r"\s*,?\s*(?P<venue>[^\d(\"]{2,200}?)\s+(?P<vol>\d{1,6})?"
                         r"(?:,\s*no\.\s*(?P<iss>\w{1,10}))?\s*\(")  # fmt: skip
# A title in quotes (Harvard, UK style): the quote closes before a comma or full stop, so
# an apostrophe inside ("workers' health", "world's") does not end it.
_QUOTED_TITLE = re.compile(r"['\"](?P<title>[^\n]{3,400}?)['\"]\s?[,.]\s*(?P<rest>.*)", re.DOTALL)
_LINK_ONLY = re.compile(r"(?:https?://|www\.)\S{1,500}")
_GIVEN = re.compile(r"(?:^|[\s.\-])[A-Z]\.|^[A-Z]{1,3}$")
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "et al", "et al.", "others"}


def marker_end(entry: str) -> int:
    """Where an entry's list marker ("1.", "[1]", "[^1]:", "- ") ends, or 0."""
    match = MARKER.match(entry)
    return match.end() if match else 0


def marker_number(entry: str) -> int | None:
    """The number of an entry's list marker ("3." and "[3]" and "[^3]:" give 3), or None."""
    match = MARKER.match(entry)
    if not match:
        return None
    found = match.group("note") or match.group("bracket") or match.group("paren")
    return int(found or match.group("dot") or 0) or None


def split_references(text: str, start: int, end: int | None = None) -> list[tuple[str, int]]:
    """Return the entries of the reference list in ``text[start:end]``: (entry, offset).

    Entries are separated by blank lines, list markers, or a line that starts like an entry
    ("Family, I." or PubMed's "Family AB,") once the entry before has its year; indented
    lines and other lines continue the entry before. In a numbered list only the next
    number starts an entry, so a wrapped line that begins "74. doi" stays where it is. A
    Markdown heading ends the list.
    """
    end = len(text) if end is None else end
    entries: list[list[int]] = []  # [start, end] offsets
    has_year, after_blank, at, number = False, True, start, None
    for raw in text[start:end].splitlines(keepends=True):
        line, at = raw.rstrip("\r\n"), at + len(raw)
        line_start = at - len(raw)
        if not line.strip():
            after_blank = True
            continue
        if line.lstrip().startswith("#"):
            break
        if _starts_new(line, entries, after_blank, has_year, number):
            entries.append([line_start, line_start + len(line)])
            has_year, number = False, marker_number(line) or number
        else:
            entries[-1][1] = line_start + len(line)
        after_blank = False
        has_year = has_year or dated(line)
    return [(text[a:b], a) for a, b in entries]


def _starts_new(line: str, entries: list[list[int]], after_blank: bool, has_year: bool,
                number: int | None) -> bool:  # fmt: skip
    if not entries or line.lstrip().startswith("[^"):
        return True
    found = marker_number(line)
    if number is not None and found is not None:
        return number < found <= number + 3  # the next number (a skipped one allowed)
    if after_blank or MARKER.match(line) and number is None:
        return True
    indented = line[:1] in (" ", "\t")
    return not indented and has_year and number is None and _starts_entry(line)


def dated(text: str) -> bool:
    """True when `text` dates itself as an entry does: "(2020)" or PubMed's ". 2020;"."""
    return bool(_YEAR_PAREN.search(text) or _PUBMED_DATE.search(text))


def _starts_entry(line: str) -> bool:
    return bool(_APA_START.match(line) or _PUBMED_START.match(line)
                or _YEAR_PAREN.search(line[:200]))  # fmt: skip


def parse_reference(entry: str, start: int, index: int) -> DraftReference:
    """Return the fields found in one reference entry (APA-like, notes, else PubMed-style)."""
    doi, doi_start, doi_end, doi_note = _find_doi(entry)
    pmid = _PMID.search(entry)
    clean = " ".join(_EMPHASIS.sub("", entry[marker_end(entry) :]).split())
    base = DraftReference(index, start, start + len(entry), entry, doi=doi,
                     doi_start=start + doi_start if doi else -1,
                     doi_end=start + doi_end if doi else -1,
                     pmid=pmid.group(1) if pmid else "", number=marker_number(entry),
                     doi_problem=doi_note)  # fmt: skip
    if _LINK_ONLY.fullmatch(clean):
        return _replace(base, style="url")
    if _NOTE_START.match(clean) and '"' in clean[:400]:
        return _note(base, clean)
    apa = _YEAR_PAREN.search(clean, 0, 1000) or _harvard_year(clean)
    pubmed = _PUBMED_DATE.search(clean)
    if apa and (pubmed is None or apa.start(1) <= pubmed.start(1)):
        return _apa(base, clean, apa)
    if pubmed:
        return _pubmed(base, clean, pubmed)
    year = _ANY_YEAR.search(clean)
    first = re.split(r"\.\s|\(", clean, maxsplit=1)[0]
    return _replace(base, style="unknown", authors=_families(first),
                    year=int(year.group(1)) if year else None,
                    year_text=year.group(0) if year else "")  # fmt: skip


def _harvard_year(clean: str) -> re.Match[str] | None:
    """The year of a Harvard entry: right after the names, where every full stop before it
    ends an initial ("J.") or "et al."."""
    match = _HARVARD_YEAR.search(clean, 0, 400)
    if match is None:
        return None
    before = clean[: match.start()]
    stops = [m.start() for m in re.finditer(r"\.", before)]
    names = all(re.search(r"(?:^|[\s.\-])(?:[A-Z]|al)$", before[:i]) for i in stops)
    return match if stops and names else None


def _apa(base: DraftReference, clean: str, year: re.Match[str]) -> DraftReference:
    value, year_text, _ = parse_year(year.group(1))
    rest = clean[year.end() :].lstrip(". ")
    quoted = _QUOTED_TITLE.match(rest)
    if quoted:  # Harvard: 'Title', Venue, 47(6), pp. 1-9: the title ends at its quote
        rest = f"{quoted['title'].rstrip('.')}. {quoted['rest']}"
    segments = re.split(r"(?<![ (]pp\.)(?<![ (]p\.)(?<=[.?!])\s+", rest)
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
    head = re.split(r"(?<=\.)\s+", clean[: date.start() + 1].rstrip() + ".")
    head = [h for h in head if h.strip(". ")]
    title = " ".join(head[1:-1]) if len(head) > 2 else (head[1] if len(head) > 1 else "")
    value, year_text, _ = parse_year(date.group(1))
    authors = _families(head[0], pubmed=True) if head else ()  # ". 2020;12(3)" has none
    return _replace(base, style="pubmed", authors=authors,
                    year=value, year_text=year_text, title=title.rstrip("."),
                    venue=head[-1].rstrip(".") if len(head) > 2 else "",
                    volume=date.group(2) or "", issue=date.group(3) or "",
                    pages=date.group(4) or "")  # fmt: skip


def _note(base: DraftReference, clean: str) -> DraftReference:
    """A note-style entry: 'S. E. Golding et al., "Title," Venue 5, no. 2 (2017): e3735'."""
    names, _, rest = clean.partition('"')
    title, _, after = rest.partition('"')
    authors = []
    for token in re.split(r",|\band\b|&", re.sub(r"\bet al\.?", ",", names)):
        words = [w for w in token.split() if not re.fullmatch(r"[^\W\d_]{1,2}\.", w)]
        if words and " ".join(words).casefold() not in _SUFFIXES:
            authors.append(" ".join(words))
    year = _YEAR_PAREN.search(after)
    value, year_text, _ = parse_year(year.group(1)) if year else (None, "", False)
    venue = _NOTE_VENUE.match(after)
    return _replace(base, style="note", authors=tuple(authors[:100]), year=value,
                    year_text=year_text, title=title.strip(" ,."),
                    venue=venue["venue"].strip(" ,") if venue else "",
                    volume=(venue["vol"] or "") if venue else "",
                    issue=(venue["iss"] or "") if venue else "")  # fmt: skip


def _families(authors: str, pubmed: bool = False) -> tuple[str, ...]:
    """The family names in an author list ("Carleton, R. N., ... & Camp, R. D." or PubMed's)."""
    text = authors.replace("…", ",").replace("...", ",").replace(". . .", ",").strip(" .,")
    if not pubmed and "," not in text and "&" not in text and not _GIVEN.search(text):
        return (text,) if text else ()  # one corporate author, "and" included
    families = []
    for token in re.split(r",|&|\band\b", text):
        token = token.strip(" .")
        if not token or token.casefold() in _SUFFIXES:
            continue
        if pubmed:
            token = re.sub(rf"\s+[{_UPPER}]{{1,4}}$", "", token)
        elif _GIVEN.search(token):
            continue
        families.append(token)
    return tuple(families[:100])


def _find_doi(entry: str) -> tuple[str, int, int, str]:
    """The DOI in `entry` (normalised), its offsets as written, and what is wrong with how
    it is written beyond the DOI itself; ``("", -1, -1, "")`` when there is none."""
    match = _DOI_TOKEN.search(entry)
    if not match:
        return "", -1, -1, ""
    group = 1 if match.group(1) is not None else 2
    token, at = match.group(group), match.start(group)
    token = re.split(r"\]\(|[\]>\"'<]", token, maxsplit=1)[0].rstrip(".,;")
    while token.endswith(")") and token.count(")") > token.count("("):
        token = token[:-1].rstrip(".,;")
    note = ""
    if group == 1 and _RESOLVER.match(token):
        note = "repeats the resolver prefix (https://doi.org/https://doi.org/...)"
        at = match.start()
        token = entry[at : match.start(group) + len(token)]
    return normalise_doi(_RESOLVER.sub("", token)), at, at + len(token), note


def _replace(base: DraftReference, **changes: object) -> DraftReference:
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]
