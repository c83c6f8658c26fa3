"""A resolved BibTeX entry → `Study`: decoded text, typed fields, and what was wrong."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..model import DESIGNS, POPULATIONS, Finding, ImportProblem, Person, Status, Study
from ..text.identifiers import doi_problem, normalise_doi, unwrap_identifier
from ..vocabulary import DIRECTIONS, EXPOSURES, OUTCOMES, RESPONDER_GROUPS, STATUSES
from .entries import RawEntry
from .latex import decode_latex
from .titles import sentence_case, strip_marks

_TYPES = {
    "article": "article", "periodical": "article", "suppperiodical": "article",
    "magazine_article": "article", "newspaper_article": "article", "journal_article": "article",
    "book": "book", "mvbook": "book", "collection": "book", "mvcollection": "book",
    "proceedings": "book", "mvproceedings": "book", "reference": "book", "mvreference": "book",
    "booklet": "book", "manual": "book",
    "inbook": "chapter", "incollection": "chapter", "inreference": "chapter",
    "bookinbook": "chapter", "suppbook": "chapter", "suppcollection": "chapter",
    "book_section": "chapter",
    "report": "report", "techreport": "report",
    "thesis": "thesis", "phdthesis": "thesis", "mastersthesis": "thesis",
    "inproceedings": "conference paper", "conference": "conference paper",
    "conference_paper": "conference paper",
    "online": "web page", "www": "web page", "webpage": "web page", "web_page": "web page",
    "electronic": "web page",
}  # fmt: skip

# Fields turned into Study attributes; everything else not in _NOISE is kept in `extra`.
_MAPPED = {
    "title", "author", "editor", "year", "date", "journal", "journaltitle", "booktitle",
    "publisher", "institution", "school", "organization", "volume", "number", "issue",
    "pages", "doi", "pmid", "url", "abstract", "keywords", "design", "population", "source",
    "onlinedate", "crossref", "summary", "summaryconfirm", "sample", "includes", "note",
    "status", "statusnotice", "statusdate", "statuschecked",
}  # fmt: skip
_NOISE_PREFIXES = ("bdsk-", "mendeley-", "jabref-", "date-added", "date-modified", "file")
_NOISE = {"groups", "owner", "timestamp", "__markedentry", "abstractnote", "annote", "comment"}

# Resolver prefixes: doi.org, dx.doi.org, and older ones such as doi.acm.org.
_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_DATE_YEAR = re.compile(r"^\s*(\d{4})(?:[-/]\d{1,2}){0,2}\s*$")
_FINDING = re.compile(r"^finding(\d+)$")
# The parts of a structured finding: findingN<part>.
_FINDING_PART = re.compile(
    r"^finding(\d+)(context|exposure|outcome|direction|population|headline|confirm|note)$"
)
_MISSING_COMMA = re.compile(r"\n\s*[A-Za-z][\w-]*\s*=\s*[{\"]")

# problem(kind, message, field=None, severity="warning") records an ImportProblem.
Sink = Callable[..., None]

_VOCAB_ALIASES = {
    "randomized controlled trial": "randomised controlled trial",
    "non-randomized trial": "non-randomised trial",
    "rct": "randomised controlled trial",
    "debate/commentary": "debate / commentary",
    "paramedics/ems": "paramedics / EMS",
    "paramedics / ems": "paramedics / EMS",
}


def to_study(entry: RawEntry) -> tuple[Study, list[ImportProblem]]:
    """Return the Study for `entry` and the problems found in its fields."""
    f = entry.fields
    problems: list[ImportProblem] = []

    def problem(
        kind: str, message: str, field: str | None = None, severity: str = "warning"
    ) -> None:
        line = entry.field_lines.get(field, entry.line) if field else entry.line
        problems.append(ImportProblem(entry.file, line, kind, message, entry.key, severity))

    marked_title = decode_latex(f.get("title", ""), mark_protected=True)
    if not marked_title:
        problem("missing-title", f"entry '{entry.key}' has no title.")
    year, year_flag = _year(f, problem, entry.key)
    doi, doi_flag = _doi(f.get("doi", ""), problem, entry.key)
    _check_missing_commas(entry, problem)
    study = Study(
        key=entry.key,
        entry_type=_TYPES.get(entry.entry_type, "other"),
        title=strip_marks(marked_title),
        title_sentence=sentence_case(marked_title) if marked_title else "",
        authors=_persons(entry, "author"),
        editors=_persons(entry, "editor"),
        year=year,
        online_year=_online_year(f.get("onlinedate", "")),
        venue=_text(f, "journal", "journaltitle", "booktitle"),
        publisher=_text(f, "publisher", "institution", "school", "organization"),
        volume=_text(f, "volume"),
        issue=_text(f, "number", "issue"),
        pages=_text(f, "pages"),
        doi=doi,
        pmid=_pmid(f, problem, entry.key),
        url=unwrap_identifier(f.get("url", "")),
        abstract=_text(f, "abstract"),
        keywords=_keywords(f.get("keywords", "")),
        design=_vocabulary(f, "design", DESIGNS, problem, entry.key),
        population=_vocabulary(f, "population", POPULATIONS, problem, entry.key),
        includes=_terms(f, "includes", RESPONDER_GROUPS, problem, entry.key),
        summary=_text(f, "summary"),
        sample=_text(f, "sample"),
        findings=_findings(f, problem, entry.key),
        note=_text(f, "note"),
        status=_status(f, problem, entry.key),
        sources=_sources(f.get("source", "")),
        flags=tuple(
            flag
            for flag in (year_flag, doi_flag, "authors-incomplete" * _truncated_names(entry))
            if flag
        ),
        bibtex_type=entry.entry_type,
        extra=_extra(f),
        source_file=entry.file,
        source_line=entry.line,
    )
    return study, problems


def _text(fields: dict[str, str], *names: str) -> str:
    for name in names:
        value = fields.get(name, "")
        if value.strip():
            return decode_latex(value)
    return ""


def _persons(entry: RawEntry, name: str) -> tuple[Person, ...]:
    """The Persons of a name field; a trailing ``and others`` (meaning et al.) is dropped."""
    persons = entry.persons.get(name, ())
    return tuple(
        p for p in persons if isinstance(p, Person) and not (p.family == "others" and not p.given)
    )


def _truncated_names(entry: RawEntry) -> bool:
    return any(
        isinstance(p, Person) and p.family == "others" and not p.given
        for p in entry.persons.get("author", ())
    )


def _year(fields: dict[str, str], problem: Sink, key: str) -> tuple[int | None, str]:
    raw = unwrap_identifier(fields.get("year", ""))
    match = _YEAR.match(raw) if raw else _DATE_YEAR.match(unwrap_identifier(fields.get("date", "")))
    if match:
        return int(match.group(1)), ""
    if not raw and not fields.get("date"):
        problem("year-missing", f"entry '{key}' has no year; it sorts as 'n.d.'. Add a year.")
        return None, "year-missing"
    shown = raw or fields.get("date", "")
    problem(
        "year-invalid",
        f"entry '{key}' has year '{shown}', which is not a four-digit year; kept as unknown.",
        "year" if raw else "date",
    )
    return None, "year-invalid"


def _doi(raw: str, problem: Sink, key: str) -> tuple[str, str]:
    if not raw.strip():
        return "", ""
    doi = normalise_doi(raw)
    reason = doi_problem(doi)
    if reason:
        problem("doi-malformed", f"entry '{key}': DOI '{doi}' {reason}; kept, but check it.", "doi")
        return doi, "doi-malformed"
    return doi, ""


def _pmid(fields: dict[str, str], problem: Sink, key: str) -> str:
    raw = fields.get("pmid", "")
    if not raw and fields.get("eprinttype", "").strip("{} ").lower() == "pubmed":
        raw = fields.get("eprint", "")
    value = unwrap_identifier(raw)
    if value and not value.isdigit():
        problem("pmid-invalid", f"entry '{key}': PMID '{value}' is not a number; ignored.", "pmid")
        return ""
    return value


def _online_year(raw: str) -> int | None:
    match = re.match(r"\s*(\d{4})", unwrap_identifier(raw))
    return int(match.group(1)) if match else None


def _keywords(raw: str) -> tuple[str, ...]:
    text = decode_latex(raw)
    if not text:
        return ()
    parts = text.split(";") if ";" in text else text.split(",")
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))


def _vocabulary(
    fields: dict[str, str], name: str, allowed: tuple[str, ...], problem: Sink, key: str
) -> str:
    raw = decode_latex(fields.get(name, "")).strip()
    if not raw:
        return ""
    value = _VOCAB_ALIASES.get(raw.lower(), raw).lower()
    for term in allowed:
        if term.lower() == value:
            return str(term)
    problem(
        f"{name}-unknown",
        f"entry '{key}': {name} '{raw}' is not one of: {', '.join(allowed)}; kept as written.",
        name,
    )
    return str(raw)


def _findings(fields: dict[str, str], problem: Sink, key: str) -> tuple[Finding, ...]:
    """The findings: a ``findingN`` result each, with its ``findingN<part>`` fields."""
    parts: dict[int, dict[str, str]] = {}
    for name, value in fields.items():
        match = _FINDING.match(name) or _FINDING_PART.match(name)
        if match and value.strip():
            part = match.group(2) if match.re is _FINDING_PART else "result"
            parts.setdefault(int(match.group(1)), {})[part] = value
    findings = []
    for number, found in sorted(parts.items()):
        if "result" not in found:
            where = f"finding{number}{next(iter(found))}"
            problem("finding-incomplete", f"entry '{key}': finding{number} has parts but no "
                    f"result; add a finding{number} field.", where)  # fmt: skip
            continue
        findings.append(_finding(number, found, problem, key))
    return tuple(findings)


def _finding(number: int, found: dict[str, str], problem: Sink, key: str) -> Finding:
    def terms(part: str, allowed: tuple[str, ...] | dict[str, str]) -> tuple[str, ...]:
        return _terms(found, part, tuple(allowed), problem, key, f"finding{number}{part}")

    return Finding(
        number=number,
        result=decode_latex(found["result"]),
        context=_text(found, "context"),
        exposures=terms("exposure", EXPOSURES),
        outcomes=terms("outcome", OUTCOMES),
        direction=(terms("direction", DIRECTIONS) or ("",))[0],
        population=(terms("population", POPULATIONS) or ("",))[0],
        headline=_text(found, "headline"),
        confirm=_text(found, "confirm"),
        note=_text(found, "note"),
    )


def _terms(
    fields: dict[str, str],
    name: str,
    allowed: tuple[str, ...],
    problem: Sink,
    key: str,
    field_name: str | None = None,
) -> tuple[str, ...]:
    """The ``;``-separated vocabulary terms of a field; unknown ones reported and dropped."""
    raw = decode_latex(fields.get(name, ""))
    lookup = {term.lower(): term for term in allowed}
    out = []
    for item in (t.strip() for t in raw.split(";")):
        if not item:
            continue
        term = lookup.get(_VOCAB_ALIASES.get(item.lower(), item).lower())
        if term is None:
            problem(f"{name}-unknown", f"entry '{key}': {field_name or name} '{item}' is not "
                    f"one of: {', '.join(allowed)}; left out.", field_name or name)  # fmt: skip
        else:
            out.append(term)
    return tuple(dict.fromkeys(out))


def _sources(raw: str) -> tuple[str, ...]:
    """The ``;``-separated pages a curator used; "URL (mirror)" keeps its mark. Addresses
    separated by spaces only (older files) are split too."""
    out: list[str] = []
    for item in unwrap_identifier(raw).split(";"):
        words = item.split()
        mirror = bool(words) and words[-1] == "(mirror)"
        urls = words[:-1] if mirror else words
        out += [f"{url} (mirror)" if mirror and url == urls[-1] else url for url in urls]
    return tuple(out)


def _status(fields: dict[str, str], problem: Sink, key: str) -> Status:
    state = (_terms(fields, "status", STATUSES, problem, key) or ("",))[0]
    return Status(
        state=state,
        notice=unwrap_identifier(fields.get("statusnotice", "")),
        date=unwrap_identifier(fields.get("statusdate", "")),
        checked=_text(fields, "statuschecked"),
    )


def _extra(fields: dict[str, str]) -> tuple[tuple[str, str], ...]:
    kept = []
    for name, value in fields.items():
        if name in _MAPPED or name in _NOISE or name.startswith(_NOISE_PREFIXES):
            continue
        if _FINDING.match(name) or _FINDING_PART.match(name) or not value.strip():
            continue
        kept.append((name, decode_latex(value)))
    return tuple(kept)


def _check_missing_commas(entry: RawEntry, problem: Sink) -> None:
    for name in ("author", "editor", "title"):
        match = _MISSING_COMMA.search(entry.fields.get(name, ""))
        if match:
            problem(
                "missing-comma",
                f"entry '{entry.key}': the {name} field seems to contain another field "
                f"('{match.group(0).strip()}...'): a comma is probably missing before it.",
                name,
            )
