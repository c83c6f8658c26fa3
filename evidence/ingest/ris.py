"""RIS files (EndNote, Mendeley, Zotero, RefWorks, Papers, PubMed by way of them) →
`RawEntry`s, with every problem located by line.

rispy's parser keeps no line numbers and silently drops a record with no ``ER`` line, so
its tag grammar and value handling (`RisParser.parse_line`, `_add_tag`: list tags, the
``UR`` delimiter, continuation lines) are driven here line by line. Tags are read the
way reference managers write them: ``AU``/``A1`` authors in order, year from
``PY``/``Y1``/``DA``, the journal from ``T2``/``JF``/``JO``/``JA``/``J2``, ``SP``/``EP``
pages, a DOI from ``DO`` (or one written in ``UR``, ``M3``, ``N1``), a PMID from ``AN``
in a PubMed record or "PMID: …" in a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import rispy

from ..model import ImportProblem, Person
from .entries import RawEntry
from .plain import PlainRecord, doi_in, give_keys, keywords_value, pmid_in

# RIS types → BibTeX types (records.py maps those to ours); anything else is "misc".
_TYPES = {
    **dict.fromkeys(("JOUR", "JFULL", "EJOUR", "MGZN", "NEWS", "ABST", "INPR"), "article"),
    **dict.fromkeys(("BOOK", "EBOOK", "EDBOOK", "SER", "CLSWK"), "book"),
    **dict.fromkeys(("CHAP", "ECHAP", "DICT", "ENCYC"), "incollection"),
    **dict.fromkeys(("RPRT", "GOVDOC", "STAND"), "techreport"),
    **dict.fromkeys(("CONF", "CPAPER"), "inproceedings"),
    **dict.fromkeys(("ELEC", "BLOG", "WEB", "ICOMM"), "online"),
    "THES": "phdthesis",
}
_KNOWN_TYPES = set(rispy.TYPE_OF_REFERENCE_MAPPING) | set(_TYPES)
_NAME_TAGS = {"AU": "author", "A1": "author", "A2": "editor", "ED": "editor"}
_NOTE_FIELDS = {"design": "Design:", "population": "Population:"}  # as export/ writes them
_INITIALS = re.compile(r"^[A-Z]{1,3}$|^(?:[A-Z]\.\s?){1,3}$")
_TAG_LINE = re.compile(r"^\s*([A-Z][A-Z0-9])(  | )-(.*)$")
_TAG_LIKE = re.compile(r"^\s*[A-Z][A-Z0-9]\s*-")
_NUMBERED_HEADER = re.compile(r"^\s*\d+\.\s*$")  # rispy's writer puts "1." before records


class _Parser(rispy.RisParser):  # type: ignore[misc]
    """rispy's tag grammar (``AU  - Smith, Jane``), also taking what managers write beside
    it: an indented tag, no space after the ``-``, and ``TY - JOUR`` (one space, as Zotero
    reads it) for a known tag; an unknown two-letter word with one space stays text."""

    def parse_line(self, line: str) -> tuple[str | None, str]:
        found = _TAG_LINE.match(line)
        if found is None or (found.group(2) == " " and found.group(1) not in self.mapping):
            return None, line.strip()
        return found.group(1), found.group(3).strip()


@dataclass(slots=True)
class _Record:
    line: int
    values: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)  # tag → first line
    names: dict[str, list[str]] = field(default_factory=dict)  # "author"/"editor", in order


def read_ris(text: str, file: str) -> tuple[list[RawEntry], list[ImportProblem]]:
    """The entries of RIS `text` (named `file` in problems) and every problem found."""
    records, problems = _records(text.split("\n"), file)
    if not records:
        problems.append(
            ImportProblem(
                file,
                1,
                "not-ris",
                "no RIS records found: no line starts with 'TY  - '.",
                severity="error",
                hint="Export the library again as RIS (.ris), or as BibTeX or CSL-JSON.",
            )
        )
    plain = [_plain(record, file) for record in records]
    give_keys(plain)
    for record in plain:
        problems += record.problems
    return [record.to_raw() for record in plain], problems


def _records(lines: list[str], file: str) -> tuple[list[_Record], list[ImportProblem]]:
    """Split the lines into records (TY … ER), reporting what lies outside or is unclosed."""
    parser = _Parser()
    records: list[_Record] = []
    problems: list[ImportProblem] = []
    current: _Record | None = None
    last_tag: str | None = None
    stray = 0  # first line of a run of text outside any record
    for number, line in enumerate(lines, start=1):
        tag, content = parser.parse_line(line)
        if current is None and tag != "TY":
            if (tag or content) and not _NUMBERED_HEADER.match(line):
                stray = stray or number
            elif stray:
                problems.append(_outside(file, stray, number - 1))
                stray = 0
            continue
        if tag == "TY":
            if stray:
                problems.append(_outside(file, stray, number - 1))
                stray = 0
            if current is not None:
                problems.append(_unclosed(current, file, number))
                records.append(current)
            current, last_tag = (
                _Record(number, {"type_of_reference": content}, {"TY": number}),
                "TY",
            )
        elif current is None:
            continue
        elif tag == "ER":
            records.append(current)
            current = None
        elif tag is None:
            if content and last_tag:
                if _TAG_LIKE.match(line):
                    problems.append(_misshapen(file, number, line, current.lines[last_tag]))
                parser._add_tag(current.values, last_tag, content, extend_multiline=True)
        else:
            parser._add_tag(current.values, tag, content)
            current.lines.setdefault(tag, number)
            if tag in _NAME_TAGS and content:
                current.names.setdefault(_NAME_TAGS[tag], []).append(content)
            last_tag = tag
    if stray:
        problems.append(_outside(file, stray, len(lines)))
    if current is not None:
        problems.append(_unclosed(current, file, None))
        records.append(current)
    return records, problems


def _unclosed(record: _Record, file: str, next_line: int | None) -> ImportProblem:
    where = f"before the next record (line {next_line})" if next_line else "at the end of the file"
    return ImportProblem(
        file,
        record.line,
        "record-unclosed",
        f"the record that starts on line {record.line} is never closed: an 'ER  - ' line is "
        f"missing {where}; it was imported as far as it goes.",
        hint="Add 'ER  - ' after its last field, and check that none of them is missing.",
    )


def _outside(file: str, first: int, last: int) -> ImportProblem:
    where = f"line {first}" if first == last else f"lines {first}–{last}"
    return ImportProblem(
        file,
        first,
        "outside-record",
        f"{where} lie outside any record (not between 'TY  - ' and 'ER  - '); ignored.",
        hint="If they belong to a record, move them between its TY and ER lines.",
    )


def _misshapen(file: str, number: int, line: str, previous: int) -> ImportProblem:
    shown = line.strip()[:40]
    return ImportProblem(
        file,
        number,
        "misshapen-tag",
        f"line {number} ('{shown}') looks like a field but is not written 'XX  - value'; "
        f"it was read as more text of the field on line {previous}.",
        hint="Write the tag, two spaces, '-' and a space, as in 'AU  - Smith, Jane'.",
    )


def _plain(record: _Record, file: str) -> PlainRecord:
    """One RIS record as a PlainRecord under BibTeX field names."""
    v, at = record.values, record.lines
    out = PlainRecord(file, record.line)
    ris_type = str(v.get("type_of_reference", "")).strip().upper()
    out.entry_type = _TYPES.get(ris_type, "misc")
    if ris_type not in _KNOWN_TYPES:
        shown = f"type '{ris_type}', which is not an RIS type" if ris_type else "no type"
        out.problems.append(
            ImportProblem(
                file,
                record.line,
                "ris-type-unknown",
                f"the record on line {record.line} has {shown}; imported as 'other'.",
                hint="Use a type such as JOUR, BOOK, CHAP, RPRT, THES, CONF, ELEC or GEN.",
            )
        )
    ident = _text(v.get("id"))
    out.key = "" if ident.isdigit() else ident  # EndNote's ID is a record number
    _set_first(out, at, v, "title", ("TI", "title"), ("T1", "primary_title"), ("CT", "CT"))
    if (
        _from_pubmed(v)
        and out.fields.get("title", "").endswith(".")
        and "..." not in out.fields["title"][-3:]
    ):
        out.fields["title"] = out.fields["title"][:-1]  # PubMed ends every title with "."
    if out.entry_type == "book":
        _set_first(out, at, v, "title", ("BT", "BT"))
    out.authors = [ris_person(n) for n in record.names.get("author", [])]
    out.editors = [ris_person(n) for n in record.names.get("editor", [])]
    _set_year(out, v, at)
    venue = "journal" if out.entry_type == "article" else "booktitle"
    _set_first(
        out,
        at,
        v,
        venue,
        ("T2", "secondary_title"),
        ("JF", "alternate_title3"),
        ("JO", "journal_name"),
        ("JA", "alternate_title2"),
        ("J2", "alternate_title1"),
        ("BT", "BT"),
    )
    for name, tag, key in (("volume", "VL", "volume"), ("number", "IS", "number"),
                           ("publisher", "PB", "publisher"), ("address", "CY", "place_published"),
                           ("edition", "ET", "edition"), ("language", "LA", "language"),
                           ("shorttitle", "ST", "short_title"), ("abstract", "AB", "abstract"),
                           ("abstract", "N2", "notes_abstract")):  # fmt: skip
        out.set(name, _text(v.get(key) or _unknown(v, tag)), at.get(tag))
    _set_pages(out, v, at)
    _set_identifiers(out, v, at)
    out.set("keywords", keywords_value(_list(v, "keywords")), at.get("KW"))
    out.set("issn" if out.entry_type == "article" else "isbn", _text(v.get("issn")), at.get("SN"))
    for name, label in _NOTE_FIELDS.items():
        for note in _list(v, "notes"):
            if note.startswith(label):
                out.set(name, note[len(label) :], at.get("N1"))
    return out


def _set_first(out: PlainRecord, at: dict[str, int], v: dict[str, Any], name: str,
               *sources: tuple[str, str]) -> None:  # fmt: skip
    """Set `name` from the first of `sources` (tag, rispy key) that has a value."""
    for tag, key in sources:
        value = _text(v.get(key) or _unknown(v, tag))
        if value:
            out.set(name, value, at.get(tag))
            return


def _set_year(out: PlainRecord, v: dict[str, Any], at: dict[str, int]) -> None:
    """The year from PY, Y1 or DA ("2020", "2020///", "2020/05/12/"); a date with no
    four-digit year is kept as written, so records.py reports it."""
    dates = [(tag, _text(v.get(key))) for tag, key in
             (("PY", "year"), ("Y1", "publication_year"), ("DA", "date"))]  # fmt: skip
    for tag, date in dates:
        found = re.search(r"(?<!\d)(\d{4})(?!\d)", date)
        if found:
            out.set("year", found.group(1), at.get(tag))
            return
    for tag, date in dates:
        out.set("year", date, at.get(tag))


def _set_pages(out: PlainRecord, v: dict[str, Any], at: dict[str, int]) -> None:
    first, last = _text(v.get("start_page")), _text(v.get("end_page"))
    if first and last and last != first and "-" not in first and "–" not in first:
        out.set("pages", f"{first}–{last}", at.get("SP"))
    else:
        out.set("pages", first or last, at.get("SP") or at.get("EP"))


def _set_identifiers(out: PlainRecord, v: dict[str, Any], at: dict[str, int]) -> None:
    """DOI, PMID and URL, from their own tags or from where managers also write them."""
    urls = _list(v, "urls")
    out.set("doi", _text(v.get("doi")), at.get("DO"))
    for tag, text in [("M3", _text(v.get("type_of_work")))] + [
        ("UR", u) for u in urls] + [("N1", n) for n in _list(v, "notes")]:  # fmt: skip
        out.set("doi", doi_in(text) if "10." in text else "", at.get(tag))
    accession = _text(v.get("accession_number"))
    if accession.isdigit() and _from_pubmed(v):
        out.set("pmid", accession, at.get("AN"))
    for tag, text in [("AN", accession), ("N1", " ".join(_list(v, "notes"))),
                      ("M2", _unknown(v, "M2")), ("U1", _unknown(v, "U1")),
                      ("UR", " ".join(urls))]:  # fmt: skip
        out.set("pmid", pmid_in(text), at.get(tag))
    out.set("url", urls[0] if urls else "", at.get("UR"))


def _from_pubmed(v: dict[str, Any]) -> bool:
    """True for a record that says it came from PubMed (DB or DP: PubMed, MEDLINE, NLM)."""
    database = f"{_text(v.get('name_of_database'))} {_text(v.get('database_provider'))}".lower()
    return any(name in database for name in ("pubmed", "medline", "nlm"))


def ris_person(name: str) -> Person:
    """One RIS name: "Family, Given[, Suffix]" (leading lowercase words of the family part
    are its particle: "van der Berg"), "Smith JA" (PubMed style), or a name with no comma,
    kept whole (an organisation)."""
    name = " ".join(name.split())
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 1 or not any(parts[1:]):
        words = parts[0].split()
        if len(words) >= 2 and _INITIALS.match(words[-1]):
            initials = words[-1].replace(".", "").replace(" ", "")
            return _split_particle(" ".join(words[:-1]), " ".join(f"{i}." for i in initials))
        return Person(family=parts[0], literal=True)
    return _split_particle(parts[0], parts[1], ", ".join(p for p in parts[2:] if p))


def _split_particle(family: str, given: str, suffix: str = "") -> Person:
    words = family.split()
    lead = 0
    while lead < len(words) - 1 and words[lead][:1].islower():
        lead += 1
    particle = " ".join(words[:lead])
    return Person(family=" ".join(words[lead:]), given=given, particle=particle, suffix=suffix)


def _text(value: object) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value).strip()
    return str(value).strip() if value is not None else ""


def _list(values: dict[str, Any], key: str) -> list[str]:
    value = values.get(key) or _unknown(values, key)
    items = value if isinstance(value, list) else [value] if value else []
    return [str(item).strip() for item in items if str(item).strip()]


def _unknown(values: dict[str, Any], tag: str) -> Any:
    """A tag rispy keeps under "unknown_tag" (ED, BT, M2, …)."""
    unknown = values.get("unknown_tag") or {}
    found = unknown.get(tag) if len(tag) == 2 else None
    return found if isinstance(found, list) and len(found) > 1 else (found or [""])[0]
