"""Citation audit of a draft: its citations against its reference list and the library.

Vocabulary: a **Finding** is one problem at a place in the draft (character offsets and a
1-based line), with a `kind` from `KINDS`, a severity (``error``: a citation or reference
is wrong; ``warning``: worth checking; ``info``: for your information), a message and a
suggested fix. An **AuditReport** holds the findings and, for every citation and
reference, what it matched. Nothing here edits the draft or inserts a citation.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from typing import Any

from .dedupe import title_fingerprint
from .draft import Citation, Draft, Reference, name_key, parse_draft
from .model import Hit, Study
from .records import doi_problem

# Every kind of finding: (severity, what it means).
KINDS: dict[str, tuple[str, str]] = {
    "citation-not-in-references": ("error", "no reference-list entry has this author"),
    "citation-year-mismatch": ("error", "the author is listed, but not with this year"),
    "citation-year-malformed": ("error", "the year is not a year ('20l9', '202')"),
    "citation-ambiguous": ("warning", "two or more entries fit; add a year letter or co-author"),
    "citation-author-typo": ("warning", "the name differs slightly from the reference list's"),
    "citation-year-suffix": ("warning", "the year letter differs from the reference list's"),
    "no-reference-list": ("warning", "citations, but no 'References' heading after them"),
    "reference-uncited": ("warning", "an entry no citation in the text points to"),
    "reference-year-malformed": ("error", "the entry's year is not a year"),
    "doi-truncated": ("error", "the DOI is the start of the library's DOI for this work"),
    "doi-malformed": ("error", "the DOI does not look like a DOI"),
    "doi-mismatch": ("error", "the library has a different DOI for this work"),
    "doi-other-study": ("error", "the DOI belongs to another study in the library"),
    "doi-missing": ("info", "the library knows this work's DOI"),
    "library-year-mismatch": ("error", "the library has another year for this work"),
    "library-online-year": ("warning", "the entry gives the online-first year, not the issue's"),
    "library-author-mismatch": ("error", "the library has another first author for this work"),
    "library-volume-mismatch": ("error", "the library has another volume for this work"),
    "not-in-library": ("info", "the work is not in the library, so it was not checked"),
    "fit-population": ("warning", "the study's population differs from the one the text claims"),
    "fit-design": ("warning", "a commentary is cited as evidence that something works"),
    "uncited-claim": ("warning", "an empirical claim with no citation; library passages suggested"),
}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
# Populations (model.POPULATIONS) whose results may not carry over to first responders;
# "other" is too vague to warn about.
_OFF_TOPIC = {"students", "general workforce", "health care workers", "military"}
_FR_WORDS = re.compile(
    r"\b(?:first[- ]responders?|fire ?fighters?|fire (?:service|department)s?|police|officers?|"
    r"law enforcement|paramedics?|EMS|emergency medical|ambulance|dispatch(?:ers?)?|"
    r"telecommunicators?|public safety|PSP|correctional|rescue workers?|emergency services)\b",
    re.IGNORECASE,
)
# "outside public safety", "unlike police": a mention that is not a claim about them.
_NEGATED = re.compile(r"\b(?:outside|beyond|unlike|other than|not|non|than)\W+(?:the\W+)?$",
                      re.IGNORECASE)  # fmt: skip
_EFFICACY = re.compile(
    r"\b(?:works?|effective(?:ness)?|efficacy|reduc\w*|improv\w*|prevent\w*|lower\w*|increas\w*|"
    r"decreas\w*|benefit\w*|evidence|shown|demonstrat\w*|proven|outcomes?)\b",
    re.IGNORECASE,
)
TITLE_MATCH = 0.9  # fingerprint similarity for a title lookup (typos, punctuation, subtitles)

Suggest = Callable[[Sequence[str]], Sequence[Sequence[Hit]]]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A library passage that could support an uncited claim (never inserted for you)."""

    study_key: str
    citation: str
    passage_id: str
    passage: str
    score: float


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: ``report.text[start:end]`` is the text it is about."""

    kind: str
    severity: str
    start: int
    end: int
    line: int  # 1-based
    message: str
    fix: str
    study_key: str = ""
    suggestions: tuple[Suggestion, ...] = ()


@dataclass(frozen=True, slots=True)
class CitationCheck:
    """A citation and the reference it matched (1-based index, or None) or most likely means."""

    citation: Citation
    reference: int | None
    status: str  # "ok" or the kind of its finding


@dataclass(frozen=True, slots=True)
class ReferenceCheck:
    """A reference-list entry and the library study it was found as ("" when not found)."""

    reference: Reference
    study_key: str
    found_by: str  # "doi", "doi-prefix", "title" or ""
    cited: bool


@dataclass(frozen=True, slots=True)
class AuditReport:
    """What the audit found, in draft order, with every citation and reference checked."""

    text: str
    findings: tuple[Finding, ...]
    citations: tuple[CitationCheck, ...] = ()
    references: tuple[ReferenceCheck, ...] = ()
    topic: tuple[str, ...] = ()
    source: str = ""

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (offsets index `text`)."""
        data = asdict(self)
        data["summary"] = {s: self.count(s) for s in SEVERITY_ORDER}
        return data


@dataclass
class _Audit:
    """Working state of one audit: the draft, the library lookups, the findings so far."""

    draft: Draft
    findings: list[Finding] = field(default_factory=list)
    ref_study: dict[int, Study] = field(default_factory=dict)  # reference index -> study
    found_by: dict[int, str] = field(default_factory=dict)
    cited: set[int] = field(default_factory=set)
    newlines: list[int] = field(default_factory=list)

    def add(self, kind: str, start: int, end: int, message: str, fix: str, study: str = "",
            suggestions: tuple[Suggestion, ...] = ()) -> None:  # fmt: skip
        severity = KINDS[kind][0]
        line = bisect.bisect_right(self.newlines, start - 1) + 1
        self.findings.append(Finding(kind, severity, start, end, line, message, fix, study,
                                     suggestions))  # fmt: skip


def audit_draft(text: str, studies: Sequence[Study], suggest: Suggest | None = None,
                source: str = "") -> AuditReport:  # fmt: skip
    """Return the audit of `text` against its own reference list and `studies`.

    `suggest` maps claim sentences to library hits (``Library.batch_search``); without it,
    uncited claims are reported with no suggestions. Never raises on odd text.
    """
    draft = parse_draft(text)
    state = _Audit(draft, newlines=[m.start() for m in re.finditer("\n", text)])
    lookup = _LibraryIndex(studies)
    for reference in draft.references:
        _check_reference(state, lookup, reference)
    checks = [_check_citation(state, lookup, c) for c in draft.citations]
    if draft.citations and not draft.has_reference_list:
        first = draft.citations[0]
        state.add(
            "no-reference-list",
            first.start,
            first.end,
            "The draft cites works but has no reference list after them.",
            "Add a 'References' heading at the end, with one entry per cited work.",
        )
    for reference in draft.references:
        if reference.index not in state.cited:
            state.add(
                "reference-uncited",
                reference.start,
                reference.end,
                f"Reference {reference.index} ({reference.label()}) is never cited in the text.",
                "Cite it where it supports a claim, or remove it.",
            )
    sentences = sentence_spans(text, draft.body_end)
    topic = draft_topic(text[: draft.body_end])
    _check_fit(state, checks, sentences, topic)
    _check_claims(state, sentences, suggest)
    findings = sorted(state.findings, key=lambda f: (f.start, SEVERITY_ORDER[f.severity], f.kind))
    references = tuple(
        ReferenceCheck(r, state.ref_study[r.index].key if r.index in state.ref_study else "",
                       state.found_by.get(r.index, ""), r.index in state.cited)
        for r in draft.references
    )  # fmt: skip
    return AuditReport(text, tuple(findings), tuple(checks), references, topic, source)


def in_text(study: Study) -> str:
    """A simple APA-like parenthetical citation of a library study, e.g. "(Joyce et al., 2016)".

    One small function so that `Library.cite` can replace it.
    """
    names = [p.family for p in study.authors] or [study.title[:40] or study.key]
    if len(names) > 2 or "authors-incomplete" in study.flags:  # BibTeX "and others"
        people = f"{names[0]} et al."
    else:
        people = " & ".join(names)
    return f"({people}, {study.year or 'n.d.'})"


# ---- the reference list against the library ------------------------------------------------


class _LibraryIndex:
    """The library's studies by DOI, by title fingerprint, and by first author and year."""

    def __init__(self, studies: Sequence[Study]) -> None:
        self.studies = studies
        self.by_doi = {s.doi.casefold(): s for s in studies if s.doi}
        self.by_title = {title_fingerprint(s.title): s for s in studies if s.title}
        self.by_author: dict[str, list[Study]] = {}
        for study in studies:
            if study.authors:
                self.by_author.setdefault(name_key(study.authors[0].family), []).append(study)

    def doi_prefix_of(self, doi: str) -> Study | None:
        """The one study whose DOI starts with `doi` (a truncated DOI), if exactly one."""
        folded = doi.casefold()
        longer = [s for key, s in self.by_doi.items() if key.startswith(folded) and key != folded]
        return longer[0] if len(longer) == 1 else None

    def title(self, title: str) -> Study | None:
        fingerprint = title_fingerprint(title)
        if len(fingerprint) < 12:
            return None
        if fingerprint in self.by_title:
            return self.by_title[fingerprint]
        best, best_ratio = None, TITLE_MATCH
        for key, study in self.by_title.items():
            matcher = SequenceMatcher(None, fingerprint, key, autojunk=False)
            if matcher.real_quick_ratio() >= best_ratio and matcher.ratio() >= best_ratio:
                best, best_ratio = study, matcher.ratio()
        return best


def _check_reference(state: _Audit, lookup: _LibraryIndex, ref: Reference) -> None:
    study, how = _find_study(state, lookup, ref)
    if ref.year is None and ref.year_text and ref.year_text not in ("n.d.", "in press"):
        year = f" {study.year}" if study and study.year else ""
        state.add("reference-year-malformed", ref.start, ref.end,
                  f"Reference {ref.index} has the year '{ref.year_text}', which is not a year."
                  + (f" The library gives{year}." if year else ""),
                  f"Write the four-digit year{year}.", study.key if study else "")  # fmt: skip
    if study is None:
        state.add(
            "not-in-library",
            ref.start,
            ref.end,
            f"Reference {ref.index} ({ref.label()}) is not in the library, so its details "
            "were not checked.",
            "Check it against the publisher's page, or import it.",
        )
        return
    state.ref_study[ref.index], state.found_by[ref.index] = study, how
    _compare(state, ref, study)


def _find_study(state: _Audit, lookup: _LibraryIndex, ref: Reference) -> tuple[Study | None, str]:
    """The library study `ref` describes (by DOI, then by title), reporting DOI problems."""
    doi_at = (ref.doi_start, ref.doi_end) if ref.doi else (ref.start, ref.end)
    other = False
    if ref.doi:
        study = lookup.by_doi.get(ref.doi.casefold())
        if study is not None and _same_work(ref, study):
            return study, "doi"
        other = study is not None
        if study is not None:
            state.add(
                "doi-other-study",
                *doi_at,
                f"Reference {ref.index}'s DOI {ref.doi} is the library's DOI of "
                f"{in_text(study)} '{study.title}', not of '{ref.title}'.",
                "Check the DOI on the publisher's page of this work.",
                study.key,
            )
        prefix = lookup.doi_prefix_of(ref.doi)
        if prefix is not None and _same_work(ref, prefix):
            state.add(
                "doi-truncated",
                *doi_at,
                f"Reference {ref.index}'s DOI {ref.doi} is cut short; the library's is "
                f"{prefix.doi}.",
                f"Use https://doi.org/{prefix.doi}",
                prefix.key,
            )
            return prefix, "doi-prefix"
        problem = doi_problem(ref.doi)
        if problem:
            state.add(
                "doi-malformed",
                *doi_at,
                f"Reference {ref.index}'s DOI {ref.doi} {problem}.",
                "Copy the DOI again from the publisher's page.",
            )
    study = lookup.title(ref.title) if ref.title else None
    if study is None:
        return None, ""
    if ref.doi and study.doi and ref.doi.casefold() != study.doi.casefold():
        if not doi_problem(ref.doi) and not other:
            state.add(
                "doi-mismatch",
                *doi_at,
                f"Reference {ref.index} has DOI {ref.doi}; the library has {study.doi} "
                "for this title.",
                f"Use https://doi.org/{study.doi}",
                study.key,
            )
    elif not ref.doi and study.doi:
        state.add(
            "doi-missing",
            ref.start,
            ref.end,
            f"Reference {ref.index} has no DOI; the library has {study.doi}.",
            f"Add https://doi.org/{study.doi}",
            study.key,
        )
    return study, "title"


def _same_work(ref: Reference, study: Study) -> bool:
    """False only when the entry's title and first author both name another work than `study`
    (a title alone could be one our parser cut at the wrong full stop)."""
    if not ref.title or not study.title:
        return True
    if (
        ref.authors
        and study.authors
        and name_key(ref.authors[0]) == name_key(study.authors[0].family)
    ):
        return True
    a, b = title_fingerprint(ref.title), title_fingerprint(study.title)
    return a.startswith(b) or b.startswith(a) or SequenceMatcher(None, a, b).ratio() >= 0.6


def _compare(state: _Audit, ref: Reference, study: Study) -> None:
    """Year, first author and volume of `ref` against the library's `study`."""
    label = f"Reference {ref.index} ({ref.label()})"
    if ref.year is not None and study.year is not None and ref.year != study.year:
        if study.online_year == ref.year:
            state.add(
                "library-online-year",
                ref.start,
                ref.end,
                f"{label} gives {ref.year}, the year it appeared online; the issue year "
                f"in the library is {study.year}.",
                f"Use {study.year} in the entry and in its in-text citations.",
                study.key,
            )
        else:
            state.add(
                "library-year-mismatch",
                ref.start,
                ref.end,
                f"{label} gives {ref.year}; the library has {study.year} for this work.",
                f"Check the year; the library's citation is {in_text(study)}.",
                study.key,
            )
    if ref.authors and study.authors:
        library_first = study.authors[0].family
        if name_key(ref.authors[0]) != name_key(library_first):
            state.add(
                "library-author-mismatch",
                ref.start,
                ref.end,
                f"{label} names {ref.authors[0]} first; the library's first author is "
                f"{library_first}.",
                f"Write the authors as the library has them: "
                f"{'; '.join(p.sort_name() for p in study.authors[:3])}...",
                study.key,
            )
    if ref.volume and study.volume and ref.volume.strip() != study.volume.strip():
        state.add(
            "library-volume-mismatch",
            ref.start,
            ref.end,
            f"{label} gives volume {ref.volume}; the library has {study.volume}.",
            f"Use volume {study.volume}.",
            study.key,
        )


# ---- in-text citations against the reference list ------------------------------------------


def _check_citation(state: _Audit, lookup: _LibraryIndex, cite: Citation) -> CitationCheck:
    """Match `cite` to one reference, or report why it cannot be matched."""
    if not state.draft.references:
        return CitationCheck(cite, None, "no-reference-list")
    candidates, typo = _by_author(state.draft.references, cite)
    if not candidates:
        return _not_listed(state, lookup, cite)
    same = _same_year(cite, candidates)
    if len(same) == 1:
        return _matched(state, cite, same[0], typo)
    if len(same) > 1:
        state.cited.update(r.index for r in same)
        listed = "; ".join(f"reference {r.index} ({r.label()})" for r in same)
        state.add("citation-ambiguous", cite.start, cite.end,
                  f"'{cite.text}' fits more than one entry: {listed}.",
                  f"Add year letters ({cite.year_text[:4]}a, {cite.year_text[:4]}b) in the list "
                  "and the text, or name a second author.")  # fmt: skip
        return CitationCheck(cite, None, "citation-ambiguous")
    if typo:  # a near name with another year is too weak to call it the same work
        return _not_listed(state, lookup, cite)
    return _wrong_year(state, cite, candidates)


def _by_author(refs: Sequence[Reference], cite: Citation) -> tuple[list[Reference], str]:
    """The entries whose first author is the cited one, and the listed spelling if it took
    a one-typo match to find them (else "")."""
    key = name_key(cite.authors[0])
    candidates = [r for r in refs if r.authors and name_key(r.authors[0]) == key]
    if not candidates:  # a corporate author with "and" in its name reads as two names
        last = name_key(cite.authors[-1])
        candidates = [
            r
            for r in refs
            if len(r.authors) == 1
            and " " in r.authors[0]
            and name_key(r.authors[0]) == last
            and cite.authors[0] in r.authors[0]
        ]
    if candidates:
        return candidates, ""
    near = [r for r in refs if r.authors and _near(key, name_key(r.authors[0]))]
    return near, near[0].authors[0] if near else ""


def _wrong_year(state: _Audit, cite: Citation, candidates: list[Reference]) -> CitationCheck:
    """Report a listed author cited with a year no entry of theirs has."""
    likely = _likely(state, cite, candidates)
    state.cited.add(likely.index)
    if cite.malformed:
        state.add("citation-year-malformed", cite.start, cite.end,
                  f"'{cite.text}' has the year '{cite.year_text}', which is not a year; it most "
                  f"likely means reference {likely.index} ({likely.label()}).",
                  f"Write ({likely.label()}).", _key(state, likely))  # fmt: skip
        return CitationCheck(cite, likely.index, "citation-year-malformed")
    if likely.year is None and likely.year_text not in ("", "n.d.", "in press"):
        # The entry's own year is malformed: its reference-year-malformed finding says so.
        return CitationCheck(cite, likely.index, "reference-year-malformed")
    note = _online_note(state, cite, likely)
    state.add(
        "citation-year-mismatch",
        cite.start,
        cite.end,
        f"'{cite.text}': the reference list has no {cite.authors[0]} entry from "
        f"{cite.year_text}; it most likely means reference {likely.index} "
        f"({likely.label()}).{note}",
        f"Make the years agree: ({likely.label()}), or correct the reference list.",
        _key(state, likely),
    )
    return CitationCheck(cite, likely.index, "citation-year-mismatch")


def _key(state: _Audit, ref: Reference) -> str:
    """The library key of the study `ref` was found as, or ""."""
    study = state.ref_study.get(ref.index)
    return study.key if study else ""


def _near(a: str, b: str) -> bool:
    """True when two name keys differ by one typo (two for long names)."""
    if a == b or min(len(a), len(b)) < 4:
        return False
    return _edit_distance(a, b, 2) <= (2 if min(len(a), len(b)) >= 8 else 1)


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours counts 1), capped at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]


def _same_year(cite: Citation, refs: list[Reference]) -> list[Reference]:
    """The entries with the cited year; by letter, then by co-authors, when several fit."""
    if cite.malformed:
        return []
    same = [r for r in refs if r.year_text[:4].casefold() == cite.year_text[:4].casefold()]
    exact = [r for r in same if r.suffix == cite.suffix]
    if len(exact) >= 1 and (cite.suffix or len(exact) == 1):
        same = exact
    if len(same) > 1:
        same = _by_coauthors(cite, same) or same
    return same


def _by_coauthors(cite: Citation, refs: list[Reference]) -> list[Reference]:
    if len(cite.authors) >= 2:
        second = name_key(cite.authors[1])
        return [r for r in refs if len(r.authors) > 1 and name_key(r.authors[1]) == second]
    if cite.et_al:
        return [r for r in refs if len(r.authors) > 2]
    return [r for r in refs if len(r.authors) == 1]


def _likely(state: _Audit, cite: Citation, refs: list[Reference]) -> Reference:
    """The entry a citation with a wrong year most likely means: one the library knows was
    online in the cited year, else co-authors and the nearest year."""
    pool = _by_coauthors(cite, refs) or refs
    online = [r for r in pool if cite.year and _online_year(state, r) == cite.year]
    if len(online) == 1:
        return online[0]
    year = cite.year or 0
    return min(pool, key=lambda r: (abs((r.year or 0) - year) if year else 0, r.index))


def _online_year(state: _Audit, ref: Reference) -> int | None:
    study = state.ref_study.get(ref.index)
    return study.online_year if study else None


def _matched(state: _Audit, cite: Citation, ref: Reference, typo: str) -> CitationCheck:
    state.cited.add(ref.index)
    if typo:
        state.add("citation-author-typo", cite.start, cite.end,
                  f"'{cite.text}' spells the name '{cite.authors[0]}'; reference {ref.index} "
                  f"has '{typo}'.", f"Write ({ref.label()}).", _key(state, ref))  # fmt: skip
        return CitationCheck(cite, ref.index, "citation-author-typo")
    if cite.suffix != ref.suffix:
        state.add("citation-year-suffix", cite.start, cite.end,
                  f"'{cite.text}' writes {cite.year_text}; reference {ref.index} has "
                  f"{ref.year_text}.", f"Write ({ref.label()}).", _key(state, ref))  # fmt: skip
        return CitationCheck(cite, ref.index, "citation-year-suffix")
    return CitationCheck(cite, ref.index, "ok")


def _online_note(state: _Audit, cite: Citation, ref: Reference) -> str:
    study = state.ref_study.get(ref.index)
    if study is None or cite.year is None:
        return ""
    if study.online_year == cite.year:
        return (f" The library records that this work appeared online in {cite.year} and in "
                f"an issue in {study.year}, which explains the difference.")  # fmt: skip
    return ""


def _not_listed(state: _Audit, lookup: _LibraryIndex, cite: Citation) -> CitationCheck:
    hint = ""
    known = [s for s in lookup.by_author.get(name_key(cite.authors[0]), []) if s.year == cite.year]
    if len(known) == 1:
        hint = f" The library has {in_text(known[0])}: '{known[0].title}'."
    state.add("citation-not-in-references", cite.start, cite.end,
              f"'{cite.text}': no entry in the reference list has the author "
              f"{cite.authors[0]}.{hint}", "Add the work to the reference list, or correct "
              "the name.", known[0].key if len(known) == 1 else "")  # fmt: skip
    return CitationCheck(cite, None, "citation-not-in-references")


# ---- fit of cited studies, and uncited claims ----------------------------------------------

_BLOCK = re.compile(r"[^\n]+(?:\n(?![ \t]*\n|[ \t]*#|[ \t]*[-*+•][ \t])[^\n]+)*")
_CLAIM = re.compile(
    r"\b(?:reduc(?:e|es|ed|ing|tion|tions)|increas(?:e|es|ed|ing)|decreas(?:e|es|ed|ing)|"
    r"improv(?:e|es|ed|ement|ements)|associated with|associations? (?:with|between)|"
    r"linked (?:to|with)|predict(?:s|ed|ors?)|prevent(?:s|ed)|more likely|less likely|"
    r"(?:research|studies|evidence|data|trials?|surveys?|reviews?) (?:shows?|suggests?|"
    r"indicates?|has shown|have shown|found|finds|demonstrates?)|prevalence|rates? of|"
    r"twice as|one in (?:two|three|four|five|ten)|(?:nearly|almost|about|over|more than|roughly) "
    r"(?:half|a third|a quarter|two-thirds)|(?:higher|greater|elevated|increased|lower) "
    r"(?:risks?|rates?|levels?))\b|\d(?:\.\d+)?\s?(?:%|percent\b)",
    re.IGNORECASE,
)
# Plans and the writer's own data ("we", "our department") are not claims that need a source.
_PLAN = re.compile(r"\b(?:will|we|our|us|this (?:proposal|program|project)|aims? to|goals?|"
                   r"objectives?|request|funding)\b", re.IGNORECASE)  # fmt: skip
_CONTINUES = re.compile(
    r"(?:They|These|This|Their|It|Its|The (?:authors?|study|same|review|"
    r"trial|survey)|In (?:that|this|the same) (?:study|review|trial))\b"
)
_CLAUSE = re.compile(r",\s+(?:and|but|while|whereas|although|though)\s+|;\s+(?=[a-z])")
_LOOSE_CITE = re.compile(r"\([^()]{0,200}\b(?:1[89]|20)\d\d[a-z]?\b[^()]{0,40}\)|\[\d{1,3}\]")


def sentence_spans(text: str, end: int) -> list[tuple[int, int]]:
    """The (start, end) of each sentence of ``text[:end]``, skipping Markdown headings."""
    from .sentences import split_sentences

    spans: list[tuple[int, int]] = []
    for block in _BLOCK.finditer(text, 0, end):
        if block.group(0).lstrip().startswith("#"):
            continue
        flat = block.group(0).replace("\n", " ")  # hard-wrapped lines are not sentence ends
        spans += [(block.start() + a, block.start() + b) for a, b in split_sentences(flat)]
    return spans


def draft_topic(body: str) -> tuple[str, ...]:
    """``("first responders",)`` when the draft is about them (a small keyword lexicon), else ()."""
    return ("first responders",) if len(_FR_WORDS.findall(body)) >= 3 else ()


def _sentence_of(spans: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    starts = [s for s, _ in spans]
    i = bisect.bisect_right(starts, offset) - 1
    return spans[i] if i >= 0 and spans[i][0] <= offset < spans[i][1] else (offset, offset)


def _clause_of(text: str, sentence: tuple[int, int], offset: int) -> str:
    """The clause of the sentence holding `offset`: a citation supports its own clause."""
    start, end = sentence
    if not start <= offset < end:
        return text[max(0, offset - 200) : offset + 50]
    body, at = text[start:end], offset - start
    cut_start, cut_end = 0, len(body)
    for match in _CLAUSE.finditer(body):
        if match.end() <= at:
            cut_start = match.end()
        elif match.start() >= at:
            cut_end = match.start()
            break
    return body[cut_start:cut_end]


def _check_fit(state: _Audit, checks: list[CitationCheck], spans: list[tuple[int, int]],
               topic: tuple[str, ...]) -> None:  # fmt: skip
    """Warn when a cited study's population or design does not fit the claim citing it."""
    text = state.draft.text
    for check in checks:
        study = state.ref_study.get(check.reference or 0)
        if study is None or check.status != "ok":
            continue
        cite = check.citation
        sentence = _clause_of(text, _sentence_of(spans, cite.start), cite.start)
        about_fr = any(not _NEGATED.search(sentence, max(0, m.start() - 24), m.start())
                       for m in _FR_WORDS.finditer(sentence))  # fmt: skip
        students = bool(topic) and study.population == "students"
        if study.population in _OFF_TOPIC and (about_fr or students):
            state.add(
                "fit-population",
                cite.start,
                cite.end,
                f"{in_text(study)} studied {study.population}, but the draft uses it for a "
                "claim about first responders.",
                "Cite a study of first responders, or "
                f"say that the evidence comes from {study.population}.",
                study.key,
            )
        if study.design == "debate / commentary" and _EFFICACY.search(sentence):
            state.add(
                "fit-design",
                cite.start,
                cite.end,
                f"{in_text(study)} is a debate / commentary article, cited here as "
                "evidence that something works.",
                "Cite a trial or review that tested "
                "it, or present this source as an argument, not a finding.",
                study.key,
            )


def _check_claims(state: _Audit, spans: list[tuple[int, int]], suggest: Suggest | None) -> None:
    """Report empirical claims with no citation, with the best library passages for each."""
    text = state.draft.text
    cited = [c.start for c in state.draft.citations]
    claims, previous_cited = [], False
    for start, end in spans:
        sentence = text[start:end]
        has_cite = bisect.bisect_left(cited, start) < bisect.bisect_left(cited, end) or bool(
            _LOOSE_CITE.search(sentence)
        )
        continues = previous_cited and _CONTINUES.match(sentence)
        previous_cited = has_cite or bool(continues)
        if has_cite or continues or not _CLAIM.search(sentence) or _PLAN.search(sentence):
            continue
        if len(sentence.split()) >= 6 and not sentence.rstrip().endswith("?"):
            claims.append((start, end))
    hits: Sequence[Sequence[Hit]] = []
    if suggest is not None and claims:
        hits = suggest([text[a:b] for a, b in claims])
    listed = {study.key: index for index, study in state.ref_study.items()}
    for n, (start, end) in enumerate(claims):
        found = tuple(_suggestion(h) for h in (hits[n] if n < len(hits) else [])[:3])
        ideas = "; ".join(f"{s.citation} (score {s.score:.2f}"
                          + (f", already reference {listed[s.study_key]})" if s.study_key in listed
                             else ")") for s in found)  # fmt: skip
        state.add("uncited-claim", start, end,
                  "This sentence makes an empirical claim but cites no source.",
                  f"Cite a source for it; the library suggests: {ideas}." if found else
                  "Cite a source for it (no library study matched), or soften the claim.",
                  found[0].study_key if found else "", found)  # fmt: skip


def _suggestion(hit: Hit) -> Suggestion:
    passage = hit.passage
    return Suggestion(
        hit.study.key,
        in_text(hit.study),
        passage.id if passage else "",
        passage.text if passage else "",
        round(float(hit.score), 3),
    )


# ---- rendering -------------------------------------------------------------------------------


def render(report: AuditReport, fmt: str = "text") -> str:
    """The report as plain text ("text") or Markdown ("md"); JSON is `report.to_dict()`."""
    name = report.source or "draft"
    counts = ", ".join(f"{report.count(s)} {s}{'s' if s != 'info' and report.count(s) != 1 else ''}"
                       for s in SEVERITY_ORDER)  # fmt: skip
    head = (f"{name}: {counts} ({len(report.citations)} citations, "
            f"{len(report.references)} references checked)")  # fmt: skip
    lines = [f"# Citation audit of {name}\n\n{counts.capitalize()}." if fmt == "md" else head]
    for f in report.findings:
        quote = " ".join(report.text[f.start : f.end].split())
        quote = quote if len(quote) <= 90 else quote[:87] + "..."
        if fmt == "md":
            lines.append(f"\n- **{f.severity}** `{f.kind}`, line {f.line}: \u201c{quote}\u201d  \n"
                         f"  {f.message}  \n  *Fix:* {f.fix}")  # fmt: skip
        else:
            lines.append(f"\n{name}:{f.line}: {f.severity} [{f.kind}] \u201c{quote}\u201d\n"
                         f"    {f.message}\n    fix: {f.fix}")  # fmt: skip
        for s in f.suggestions:
            lead = "  - " if fmt == "md" else "    suggestion: "
            lines.append(f"{lead}{s.citation} [{s.study_key}] score {s.score:.2f}: "
                         f"\u201c{s.passage}\u201d")  # fmt: skip
    if not report.findings:
        lines.append("\nNo problems found.")
    return "\n".join(lines) + "\n"
