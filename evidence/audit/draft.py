"""A parsed draft: its author–year citations and its reference list, with offsets.

Vocabulary: a **Citation** is one author–year mention in the draft's body, either
parenthetical ("(Carleton et al., 2020)"; one per work in "(A, 2009; B, 2011)") or
narrative ("Joyce et al. (2016) found"); a **DraftReference** is one entry of the draft's
reference list, APA-like or PubMed-style. Offsets index the draft text. The names and
years helpers here are shared by `citations.py` (finding citations) and `references.py`
(reading the list); `reading.py` puts them together.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .layout import View


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
    number: int | None = None  # a numbered citation ("[3]", "(3)", "work.3", "[^3]") instead

    @property
    def suffix(self) -> str:
        """The year's letter ("a" in "2020a"), or ``""``."""
        return year_suffix(self.year_text)

    @property
    def malformed(self) -> bool:
        return self.number is None and self.year is None and year_label(self.year_text) == ""

    def label(self) -> str:
        """How the draft names the work, e.g. ``"Carleton et al., 2020"`` or ``"[3]"``."""
        if self.number is not None:
            return f"[{self.number}]"
        return f"{author_label(self.authors, self.et_al)}, {self.year_text}"


@dataclass(frozen=True, slots=True)
class DraftReference:
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
    style: str = "apa"  # "apa", "pubmed", "note", "url" or "unknown"
    number: int | None = None  # its number in a numbered list ("3." or "[3]" or "[^3]:")
    doi_problem: str = ""  # what is wrong with how the DOI is written ("" when nothing)

    @property
    def suffix(self) -> str:
        return year_suffix(self.year_text)

    def label(self) -> str:
        """How an APA in-text citation would name it, e.g. ``"Hefner & Eisenberg, 2009"``."""
        return f"{author_label(self.authors, len(self.authors) > 2)}, {self.year_text or 'n.d.'}"


@dataclass(frozen=True, slots=True)
class Draft:
    """A parsed draft: its text, where the body ends, its citations and references.

    Offsets index `text`; `view` is the text as the parsers read it (`layout.View`), whose
    offsets `view.origin` maps back.
    """

    text: str
    body_end: int  # start of the reference list (its heading), or len(text) when none
    has_reference_list: bool
    citations: tuple[Citation, ...]
    references: tuple[DraftReference, ...]
    view: View = field(default_factory=lambda: View(""))
    view_body_end: int = 0  # body_end in the view
    list_heading: str = ""  # the list's heading as written (HTML tags read); "" by its shape
    numbered: str = ""  # the numbered citation style found: "bracket", "paren", ...


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
