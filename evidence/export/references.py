"""Studies as reference-manager files: BibTeX (written here), RIS (rispy) and CSL-JSON.

All three carry the studies themselves, not formatted citations, and re-import to the
same studies (`evidence.load_references`), each as far as its fields go.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ..cite.csl import to_csl
from ..errors import ExportError
from ..model import Finding, Person, Study

_BIB_TYPES = {
    "article": "article",
    "book": "book",
    "chapter": "incollection",
    "report": "techreport",
    "thesis": "phdthesis",
    "conference paper": "inproceedings",
    "web page": "online",
    "other": "misc",
}
_BIB_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_RIS_TYPES = {
    "article": "JOUR",
    "book": "BOOK",
    "chapter": "CHAP",
    "report": "RPRT",
    "thesis": "THES",
    "conference paper": "CPAPER",
    "web page": "ELEC",
    "other": "GEN",
}


def _tex(text: str) -> str:
    """`text` as a BibTeX value: LaTeX specials escaped, "--" kept from becoming a dash."""
    out = "".join(_BIB_ESCAPES.get(ch, ch) for ch in text)
    return out.replace("--", "-{}-").replace("\n", " ")


def _bib_title(study: Study) -> str:
    """The title with words that sentence case keeps capitalised braced (proper nouns,
    acronyms), so a re-import derives the same sentence-case title."""
    words, sentence = study.title.split(" "), study.title_sentence.split(" ")
    if len(words) != len(sentence):
        return _tex(study.title)
    return " ".join(
        f"{{{_tex(w)}}}" if _kept(s, w, first=i == 0) else _tex(w)
        for i, (w, s) in enumerate(zip(words, sentence, strict=True))
    )


def _kept(sentence_word: str, word: str, first: bool) -> bool:
    """True when sentence case kept `word`'s capitals (beyond a first word's first letter)."""
    tail = sentence_word[1:] if first else sentence_word
    return sentence_word == word and tail != tail.lower()


def _bib_name(person: Person) -> str:
    if person.literal:
        return f"{{{_tex(person.family)}}}"
    family = _tex(f"{person.particle} {person.family}".strip())
    family = f"{{{family}}}" if " and " in family else family
    parts = (
        [family, _tex(person.suffix), _tex(person.given)]
        if person.suffix
        else [family, _tex(person.given)]
    )
    return ", ".join(p for p in parts if p) if person.given or person.suffix else family


def _bib_fields(study: Study) -> list[tuple[str, str]]:
    venue = "booktitle" if study.entry_type in ("chapter", "conference paper") else "journal"
    publisher = {"report": "institution", "thesis": "school"}.get(study.entry_type, "publisher")
    fields = [
        ("author", " and ".join(_bib_name(p) for p in study.authors)),
        ("editor", " and ".join(_bib_name(p) for p in study.editors)),
        ("title", _bib_title(study)),
        (venue, _tex(study.venue)),
        (publisher, _tex(study.publisher)),
        ("year", str(study.year or "")),
        ("onlinedate", str(study.online_year or "")),
        ("volume", _tex(study.volume)),
        ("number", _tex(study.issue)),
        ("pages", _tex(study.pages)),
        ("doi", study.doi),
        ("pmid", study.pmid),
        ("url", study.url),
        ("abstract", _tex(study.abstract)),
        ("keywords", _tex("; ".join(study.keywords))),
        ("design", _tex(study.design)),
        ("population", _tex(study.population)),
    ]
    fields += [("includes", _tex("; ".join(study.includes))), ("summary", _tex(study.summary))]
    fields += [("sample", _tex(study.sample))]
    for finding in study.findings:
        fields += _finding_fields(finding)
    fields += [("note", _tex(study.note))]
    fields += [
        ("status", study.status.state),
        ("statusnotice", study.status.notice),
        ("statusdate", study.status.date),
        ("statuschecked", _tex(study.status.checked)),
    ]
    fields += [("source", "; ".join(study.sources))]
    fields += [(name, _tex(value)) for name, value in study.extra]
    return [(name, value) for name, value in fields if value]


def _finding_fields(finding: Finding) -> list[tuple[str, str]]:
    """The ``findingN…`` fields of one finding, as the curated corpus writes them."""
    name = finding.field
    return [
        (name, _tex(finding.result)),
        (f"{name}context", _tex(finding.context)),
        (f"{name}exposure", _tex("; ".join(finding.exposures))),
        (f"{name}outcome", _tex("; ".join(finding.outcomes))),
        (f"{name}direction", _tex(finding.direction)),
        (f"{name}population", _tex(finding.population)),
        (f"{name}headline", _tex(finding.headline)),
        (f"{name}confirm", _tex(finding.confirm)),
        (f"{name}note", _tex(finding.note)),
    ]


def to_bibtex(studies: Sequence[Study]) -> str:
    """BibTeX (UTF-8) of `studies`, readable back by `evidence.load_bibtex` to the same studies."""
    blocks = []
    for study in studies:
        kind = study.bibtex_type or _BIB_TYPES.get(study.entry_type, "misc")
        fields = _bib_fields(study)
        width = max((len(name) for name, _ in fields), default=0)
        body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
        blocks.append(f"@{kind}{{{study.key},\n{body}\n}}\n")
    return "\n".join(blocks)


def _ris_name(person: Person) -> str:
    if person.literal:
        return person.family
    family = f"{person.particle} {person.family}".strip()
    return ", ".join(p for p in (family, person.given, person.suffix) if p)


def to_ris(studies: Sequence[Study]) -> str:
    """RIS of `studies` (rispy), one record each; the key is kept in ID."""
    import rispy

    class Writer(rispy.RisWriter):  # type: ignore[misc]
        def set_header(self, count: int) -> str:  # rispy writes "1." before each record
            return ""

    records = []
    for s in studies:
        first, _, last = s.pages.replace("--", "–").partition("–")
        record = {
            "type_of_reference": _RIS_TYPES.get(s.entry_type, "GEN"),
            "id": s.key,
            "title": s.title,
            "authors": [_ris_name(p) for p in s.authors],
            "secondary_authors": [_ris_name(p) for p in s.editors],
            "secondary_title": s.venue,
            "publisher": s.publisher,
            "year": str(s.year or ""),
            "volume": s.volume,
            "number": s.issue,
            "start_page": first.strip(),
            "end_page": last.strip(),
            "doi": s.doi,
            "urls": [s.url] if s.url else [],
            "abstract": s.abstract,
            "keywords": list(s.keywords),
            "notes": [
                f"{name}: {value}"
                for name, value in (
                    ("PMID", s.pmid),  # no RIS tag for it; "PMID: …" is what importers read
                    ("Design", s.design),
                    ("Population", s.population),
                )
                if value
            ]
            + [f"Finding (in our words): {f.result}" for f in s.findings],
        }
        records.append({k: v for k, v in record.items() if v})
    text: str = rispy.dumps(records, implementation=Writer)
    return text.lstrip("\n")


def to_csl_json(studies: Sequence[Study]) -> str:
    """CSL-JSON of `studies`: the items citations are formatted from (titles in sentence
    case), with what a reference manager also keeps: the abstract, keywords and the URL
    beside a DOI. (Not the online-first date: Chicago would print its "available-date".)"""
    return json.dumps([_csl_file_item(s) for s in studies], indent=2, ensure_ascii=False) + "\n"


def _csl_file_item(study: Study) -> dict[str, Any]:
    item = to_csl(study)
    extra = (
        ("URL", study.url),
        ("abstract", study.abstract),
        ("keyword", "; ".join(study.keywords)),
    )
    item.update({name: value for name, value in extra if value})
    return item


def write_references(studies: Sequence[Study], fmt: str = "bibtex") -> str:
    """The text of a reference file of `studies` in `fmt` ("bibtex", "ris" or "csljson",
    the names `detect_format` gives), which `parse_references` reads back.

    Raises ExportError for another format.
    """
    writers = {"bibtex": to_bibtex, "ris": to_ris, "csljson": to_csl_json}
    if fmt not in writers:
        raise ExportError(f"unknown reference format '{fmt}'; use one of: {', '.join(writers)}.")
    return writers[fmt](studies)
