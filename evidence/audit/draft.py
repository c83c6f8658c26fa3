"""A draft's author–year citations and its reference list, with character offsets.

Vocabulary: a **Citation** is one author–year mention in the draft's body, either
parenthetical ("(Carleton et al., 2020)"; one per work in "(A, 2009; B, 2011)") or
narrative ("Joyce et al. (2016) found"); a **Reference** is one entry of the list under
the draft's "References" heading, APA-like or PubMed-style. Offsets index the draft text.

Parsing is pure and linear: every regex here is anchored or has bounded repetition, so
no input makes it backtrack catastrophically. It never raises on odd text; only
`read_draft` raises (`DraftError`) when a file cannot be read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import EvidenceError
from ..ingest.records import normalise_doi

MAX_DRAFT_BYTES = 20_000_000


class DraftError(EvidenceError):
    """A draft could not be read (missing, unreadable, not text or DOCX)."""


@dataclass(frozen=True, slots=True)
class Citation:
    """One in-text citation: the family names as written and the year as written."""

    start: int
    end: int
    text: str
    authors: tuple[str, ...]
    et_al: bool
    year: int | None  # None for "n.d.", "in press" and malformed years
    year_text: str  # as written: "2020", "2020a", "n.d.", "in press", "20l9"
    narrative: bool

    @property
    def suffix(self) -> str:
        """The year's letter ("a" in "2020a"), or ``""``."""
        return year_suffix(self.year_text)

    @property
    def malformed(self) -> bool:
        return self.year is None and year_label(self.year_text) == ""

    def label(self) -> str:
        """How the draft names the work, e.g. ``"Carleton et al., 2020"``."""
        return f"{author_label(self.authors, self.et_al)}, {self.year_text}"


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of the draft's reference list (1-based `index`), with the fields found."""

    index: int
    start: int
    end: int
    text: str
    authors: tuple[str, ...] = ()
    year: int | None = None
    year_text: str = ""
    title: str = ""
    venue: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    doi_start: int = -1  # offsets of the DOI as written, -1 when there is none
    doi_end: int = -1
    pmid: str = ""
    style: str = "apa"  # "apa", "pubmed" or "unknown"

    @property
    def suffix(self) -> str:
        return year_suffix(self.year_text)

    def label(self) -> str:
        """How an APA in-text citation would name it, e.g. ``"Hefner & Eisenberg, 2009"``."""
        return f"{author_label(self.authors, len(self.authors) > 2)}, {self.year_text or 'n.d.'}"


@dataclass(frozen=True, slots=True)
class Draft:
    """A parsed draft: its text, where the body ends, its citations and references."""

    text: str
    body_end: int  # start of the reference-list heading, or len(text) when there is none
    has_reference_list: bool
    citations: tuple[Citation, ...]
    references: tuple[Reference, ...]


# ---- names and years ---------------------------------------------------------------------

_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "dos", "das",
              "la", "le", "ten", "ter", "st", "st."}  # fmt: skip
# Capitalised words that start sentences or label things, never an author's name here.
_NOT_NAMES = {
    "a", "an", "the", "in", "on", "at", "by", "for", "from", "of", "to", "with", "as", "and",
    "or", "but", "according", "also", "however", "while", "when", "where", "since", "because",
    "although", "though", "this", "that", "these", "those", "our", "we", "it", "its", "their",
    "both", "similarly", "likewise", "further", "furthermore", "moreover", "recently",
    "earlier", "later", "notably", "see", "cf", "cf.", "e.g.", "i.e.", "table", "figure", "fig",
    "fig.", "appendix", "section", "chapter", "wave", "phase", "study", "studies", "time",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "spring", "summer", "fall", "autumn", "winter",
    "here", "there", "then", "thus", "yet", "after", "before", "during", "between", "among",
    "until", "only", "even", "one", "two", "three", "each", "all", "some",
}  # fmt: skip
_YEAR = re.compile(r"(\d{4})([a-z]?)")
_YEAR_WORDS = {"n.d.": "n.d.", "n.d": "n.d.", "nd": "n.d.", "n. d.": "n.d.",
               "in press": "in press", "forthcoming": "in press"}  # fmt: skip
_MALFORMED_YEAR = re.compile(r"[0-9OolI]{3,5}[a-z]?")
# Words, the connectors "&" and ",", and any other mark or number as a stop.
_WORD = re.compile(r"[^\W\d_][\w'’.\-]{0,40}|&|,|\d+|[^\s\w]")
_POSSESSIVE = re.compile(r"['’]s$")


def year_suffix(year_text: str) -> str:
    match = _YEAR.fullmatch(year_text)
    return match.group(2) if match else ""


def year_label(year_text: str) -> str:
    """``"n.d."`` or ``"in press"`` for those year words, else ``""``."""
    return _YEAR_WORDS.get(year_text.casefold().strip(), "")


def parse_year(token: str) -> tuple[int | None, str, bool]:
    """Return ``(year, year_text, looks_like_a_year)`` for a year token as written.

    A plausible 4-digit year gives its int; "n.d."/"in press" give None with the
    canonical text; a malformed year ("20l9", "202", "20190") gives None and True.
    """
    token = token.strip()
    match = _YEAR.fullmatch(token)
    if match and 1800 <= int(match.group(1)) <= 2100:
        return int(match.group(1)), token, True
    label = year_label(token)
    if label:
        return None, label, True
    digits = sum(ch.isdigit() for ch in token)
    return None, token, bool(_MALFORMED_YEAR.fullmatch(token)) and digits >= 2


def name_key(name: str) -> str:
    """The matching key of a family name: its last word, unaccented, casefolded, letters only.

    "Di Nota" and "Nota" share a key, as do "Martínez" and "Martinez".
    """
    words = name.replace("-", "").split()
    last = words[-1] if words else ""
    flat = unicodedata.normalize("NFKD", last)
    return "".join(ch for ch in flat if ch.isalnum() and not unicodedata.combining(ch)).casefold()


def author_label(authors: tuple[str, ...], et_al: bool) -> str:
    """APA-style author part: "A", "A & B" or "A et al."."""
    if not authors:
        return "Anonymous"
    if et_al or len(authors) > 2:
        return f"{authors[0]} et al."
    return " & ".join(authors)


def _is_name_word(word: str) -> bool:
    if word in ("&", ","):
        return False
    bare = _POSSESSIVE.sub("", word).rstrip(".")
    return bool(bare) and bare[0].isupper() and word.casefold() not in _NOT_NAMES


# ---- citations -------------------------------------------------------------------------------

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
    window_start = max(0, paren.start() - 160, text.rfind("\n", 0, paren.start()) + 1)
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


# ---- the reference list ----------------------------------------------------------------------

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


def parse_reference(entry: str, start: int, index: int) -> Reference:
    """Return the fields found in one reference entry (APA-like, else PubMed-style)."""
    doi, doi_start, doi_end = _find_doi(entry)
    pmid = _PMID.search(entry)
    clean = " ".join(_EMPHASIS.sub("", entry[_marker_end(entry) :]).split())
    base = Reference(index, start, start + len(entry), entry, doi=doi,
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


def _apa(base: Reference, clean: str, year: re.Match[str]) -> Reference:
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


def _pubmed(base: Reference, clean: str, date: re.Match[str]) -> Reference:
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


def _replace(base: Reference, **changes: object) -> Reference:
    import dataclasses

    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


# ---- the draft --------------------------------------------------------------------------------

_HEADING = re.compile(
    r"^[ \t]{0,3}(?:#{1,6}[ \t]*)?(?:\*\*|__)?[ \t]*(?:references?|reference list|bibliography|"
    r"works cited|literature cited|sources cited)[ \t]*:?[ \t]*(?:\*\*|__)?[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


def parse_draft(text: str) -> Draft:
    """Return the parsed draft: body citations and the entries under its last "References"."""
    headings = list(_HEADING.finditer(text))
    if not headings:
        return Draft(text, len(text), False, tuple(find_citations(text)), ())
    heading = headings[-1]
    references = tuple(
        parse_reference(entry, start, n)
        for n, (entry, start) in enumerate(split_references(text, heading.end()), start=1)
    )
    known = frozenset(name_key(a) for r in references for a in r.authors)
    citations = find_citations(text, heading.start(), known)
    return Draft(text, heading.start(), True, tuple(citations), references)


DRAFT_SUFFIXES = (".txt", ".md", ".markdown", ".text", ".docx")


def load_draft(text_or_path: str | Path) -> tuple[str, str]:
    """Return ``(text, source name)``: a Path is read as a file; a str is the draft's text.

    A str is never taken for a file name, so text from a web form cannot make the server
    read its files. Raises DraftError when a file cannot be read.
    """
    if isinstance(text_or_path, Path):
        return read_draft(text_or_path), str(text_or_path)
    return text_or_path, ""


def read_draft(path: Path | str) -> str:
    """Return the text of a .txt/.md draft (any common encoding) or a .docx (paragraphs).

    Raises DraftError when the file is missing, unreadable, too large, empty or binary.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DraftError(f"{path}: cannot be read ({exc.strerror}). Check the path.") from None
    if size > MAX_DRAFT_BYTES:
        raise DraftError(f"{path}: {size:,} bytes is too large for a draft; split it.")
    if path.suffix.lower() == ".docx":
        return _read_docx(path)
    from ..errors import BibtexImportError
    from ..text.decode import decode_bytes

    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        return _read_docx(path)
    try:
        text = decode_bytes(data, str(path)).text
    except BibtexImportError:
        raise DraftError(f"{path}: empty or not a text file. Save the draft as .txt, .md "
                         "or .docx.") from None  # fmt: skip
    return text


def _read_docx(path: Path) -> str:
    import docx  # python-docx; imported here because only DOCX drafts need it

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several unrelated types for a bad file
        raise DraftError(
            f"{path}: not a readable .docx ({exc.__class__.__name__}). "
            "Open it in Word and save it again, or save it as .txt."
        ) from None
    return "\n".join(p.text for p in document.paragraphs)
