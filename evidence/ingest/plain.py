"""Records of the plain-text formats (RIS, CSL-JSON) → `RawEntry`, so that one path
(`records.to_study`) turns every format into studies, with the same checks.

A `RawEntry` holds BibTeX values, which `records.py` decodes as LaTeX; RIS and CSL-JSON
values are plain text, so they are escaped here (`to_latex`) to decode back unchanged:
"50% of" stays "50% of", "a--b" stays "a--b", "{" stays "{".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import ImportProblem, Person
from .entries import MAX_VALUE_CHARS, RawEntry, generated_key

_LATEX_SPECIAL = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\{",
        "}": r"\}",
        "$": r"\$",
        "&": r"\&",
        "%": r"\%",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)
_NEEDS_ESCAPE = re.compile(r"[\\{}$&%#_~^]|--|``|''")
# Values records.py reads as identifiers (not decoded as LaTeX): kept as they are.
_IDENTIFIERS = {"doi", "pmid", "url", "year", "date", "onlinedate"}
_PMID_TEXT = re.compile(r"\bPMID:?\s*(\d{1,9})\b|\b(\d{1,9})\s*\[pmid\]", re.IGNORECASE)
_PAGE_RANGE = re.compile(r"^(\w+)\s*[-‐‑–—]{1,2}\s*(\w+)$")
_DOI_TEXT = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")
_PUBMED_URL = re.compile(r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)(\d{1,9})")


def to_latex(text: str) -> str:
    """`text` as a BibTeX value that `decode_latex` reads back unchanged (spacing apart)."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    out = text.translate(_LATEX_SPECIAL)
    for pair, split in (("--", "-{}-"), ("``", "`{}`"), ("''", "'{}'")):
        while pair in out:  # "---" needs two passes
            out = out.replace(pair, split)
    return out


def pmid_in(text: str) -> str:
    """The PMID written in `text` ("PMID: 31234567", a PubMed address), or ""."""
    found = _PMID_TEXT.search(text) or _PUBMED_URL.search(text)
    return next((g for g in found.groups() if g), "") if found else ""


def doi_in(text: str) -> str:
    """The first DOI in `text` (bare, in a doi.org address, after "doi:"), or ""."""
    found = _DOI_TEXT.search(text)
    return found.group(1).rstrip(".,;)") if found else ""


@dataclass(slots=True)
class PlainRecord:
    """One record being read: plain-text fields under BibTeX names, and its names."""

    file: str
    line: int  # 1-based, where the record starts
    entry_type: str = "misc"  # a BibTeX type (records.py maps it to ours)
    key: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    field_lines: dict[str, int] = field(default_factory=dict)
    latex: set[str] = field(default_factory=set)  # fields already written as BibTeX
    authors: list[Person] = field(default_factory=list)
    editors: list[Person] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    def set(self, name: str, value: str, line: int | None = None, latex: bool = False) -> None:
        """Set field `name` unless it already has a value; a value over MAX_VALUE_CHARS is
        cut there (and reported)."""
        value = value.strip()
        if not value or self.fields.get(name):
            return
        if len(value) > MAX_VALUE_CHARS:
            value = value[:MAX_VALUE_CHARS]
            self.problems.append(
                ImportProblem(
                    self.file,
                    line or self.line,
                    "value-too-long",
                    f"the {name} of the record on line {self.line} is longer than "
                    f"{MAX_VALUE_CHARS:,} characters; it was cut there.",
                    self.key,
                    hint="Check that the field holds what it should.",
                )
            )
        self.fields[name] = value
        self.field_lines[name] = line or self.line
        if latex:
            self.latex.add(name)

    def to_raw(self) -> RawEntry:
        """The record as a RawEntry (values escaped for records.py; a page range written
        with a hyphen, "54-64", given the en dash BibTeX's "54--64" decodes to)."""
        pages = _PAGE_RANGE.match(self.fields.get("pages", ""))
        if pages:
            self.fields["pages"] = f"{pages.group(1)}–{pages.group(2)}"
        fields = {
            name: value if name in _IDENTIFIERS or name in self.latex else to_latex(value)
            for name, value in self.fields.items()
        }
        raw = RawEntry(self.key, self.entry_type, fields, self.field_lines, self.file, self.line)
        raw.persons = {"author": tuple(self.authors), "editor": tuple(self.editors)}
        return raw


def keywords_value(words: list[str]) -> str:
    """Keywords (each value may hold several, separated by ";") as one field that
    `records._keywords` splits back into them: it splits at ";" when there is one, else
    at ",", so a lone "Stress, Psychological" gets a ";" to keep its comma."""
    kept = [w.strip() for value in words for w in value.split(";") if w.strip()]
    return "; ".join(kept) + (";" if len(kept) == 1 else "")


def give_keys(records: list[PlainRecord]) -> None:
    """Give each record without a key one like ``smith2020peer``, unique in the file
    (silently: the user never chose it). Keys a record carries are left to `assign_keys`."""
    taken = {r.key for r in records if r.key}
    for record in records:
        if record.key:
            continue
        first = (record.authors or record.editors or [Person("")])[0]
        year = record.fields.get("year", "")
        base = generated_key(first.family, year, record.fields.get("title", ""))
        base = base or f"entry-line{record.line}"
        key, n = base, 2
        while key in taken:
            key, n = f"{base}-{n}", n + 1
        record.key = key
        taken.add(key)
