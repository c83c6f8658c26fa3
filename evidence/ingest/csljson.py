"""CSL-JSON files (Zotero, Better BibTeX, pandoc, Mendeley) → `RawEntry`s, with every
problem located by line.

The file is a JSON list of items, read item by item around any damage (`csl_list`).
Values of an unexpected type (a number for a title, a list for a DOI) are taken where the
meaning is clear and otherwise reported and skipped.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import ImportProblem, Person
from .csl_list import Lines, read_items
from .csl_values import item_type, name_of, year_of
from .entries import RawEntry
from .plain import PlainRecord, doi_in, give_keys, pmid_in, to_latex

_NOCASE = re.compile(r'<span\s+class="nocase">(.*?)</span>', re.DOTALL)
_MARKUP = re.compile(r"</?(?:i|b|sup|sub|sc)>|<span(?:\s[^<>]*)?>|</span>")
_NOT_A_KEY = re.compile(r"://|/|^\d+$")  # a Zotero URI or item path, a number: no citekey

# CSL variable → BibTeX field, for plain values (the first given wins).
_VALUES = (
    ("container-title", "journal"), ("container-title-short", "journal"),
    ("journalAbbreviation", "journal"), ("publisher", "publisher"),
    ("publisher-place", "address"), ("volume", "volume"), ("issue", "number"),
    ("number", "number"), ("page", "pages"), ("page-first", "pages"), ("DOI", "doi"),
    ("PMID", "pmid"), ("PMCID", "pmcid"), ("URL", "url"), ("abstract", "abstract"),
    ("ISSN", "issn"), ("ISBN", "isbn"), ("language", "language"), ("edition", "edition"),
    ("title-short", "shorttitle"),
)  # fmt: skip


def read_csl_json(text: str, file: str) -> tuple[list[RawEntry], list[ImportProblem]]:
    """The entries of CSL-JSON `text` (named `file` in problems) and every problem found."""
    lines = Lines(text)
    items, problems = read_items(text, file, lines)
    records = [_record(item, start, end, lines, file) for item, start, end in items]
    give_keys(records)
    for record in records:
        problems += record.problems
    return [record.to_raw() for record in records], problems


def _record(item: dict[str, Any], start: int, end: int, lines: Lines, file: str) -> PlainRecord:
    """One CSL item (at `start`:`end` of the text) as a PlainRecord under BibTeX names."""
    out = PlainRecord(file, lines.at(start))
    where = _Where(lines.text, start, end, out.line)

    def value(name: str) -> str:
        return _string(item.get(name), name, out, where)

    out.entry_type = item_type(value("type"))
    key = value("citation-key") or value("id")
    out.key = "" if _NOT_A_KEY.search(key) else key
    title = value("title")
    out.set("title", title_latex(title), where.of("title"), latex=True)
    out.authors = _names(item.get("author"), "author", out, where)
    out.editors = _names(item.get("editor"), "editor", out, where)
    for name in ("issued", "available-date"):
        year, raw = year_of(item.get(name))
        out.set("year" if name == "issued" else "onlinedate", year or raw, where.of(name))
    for variable, field in _VALUES:
        out.set(field, value(variable), where.of(variable))
    out.set("keywords", value("keyword"), where.of("keyword"))  # "a, b" or "a; b"
    note = value("note")  # Zotero writes "PMID: …", "DOI: …" and the citekey here
    out.set("pmid", pmid_in(note), where.of("note"))
    out.set("doi", doi_in(note) if "10." in note else "", where.of("note"))
    return out


def title_latex(title: str) -> str:
    """A CSL title as a BibTeX value: its nocase spans braced (protected from sentence
    case, as braces are in BibTeX), other rich-text markup (<i>, <b>, <sup>, <sub>, small
    caps) removed."""
    parts = _NOCASE.split(title)
    return "".join(
        ("{%s}" if n % 2 else "%s") % to_latex(_MARKUP.sub("", part))
        for n, part in enumerate(parts)
    )


class _Where:
    """The line of a variable inside an item (found by its quoted name), for problems."""

    def __init__(self, text: str, start: int, end: int, line: int) -> None:
        self.text, self.start, self.end, self.line = text, start, end, line

    def of(self, name: str) -> int:
        at = self.text.find(f'"{name}"', self.start, self.end)
        return self.line if at < 0 else self.line + self.text.count("\n", self.start, at)


def _string(value: Any, name: str, out: PlainRecord, where: _Where) -> str:
    """A variable's text: strings as they are, numbers as digits, the first string of a
    list (an ISSN list); anything else is reported and skipped."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        return str(value)
    elif isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return str(value[0])
    line = where.of(name)
    out.problems.append(
        ImportProblem(
            out.file,
            line,
            "value-type",
            f"the {name} of the item on line {out.line} is a {type(value).__name__}, not text; "
            "it was left out.",
            hint=f"Write {name} as text in quotes.",
        )
    )
    return ""


def _names(value: Any, role: str, out: PlainRecord, where: _Where) -> list[Person]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    people = [name_of(item) for item in items]
    if any(p is None for p in people):
        out.problems.append(
            ImportProblem(
                out.file,
                where.of(role),
                "name-unreadable",
                f"a name in the {role} list of the item on line {out.line} has no family, given "
                "or literal part; it was left out.",
                hint='Write each name as {"family": "…", "given": "…"} or {"literal": "…"}.',
            )
        )
    return [p for p in people if p is not None]
