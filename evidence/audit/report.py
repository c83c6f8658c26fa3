"""A citation audit's findings and report: their vocabulary, recording and rendering.

Vocabulary: a **AuditFinding** is one problem at a place in the draft (character offsets and a
1-based line), with a `kind` from `KINDS`, a severity (``error``: a citation or reference
is wrong; ``warning``: worth checking; ``info``: for your information), a message and a
suggested fix. An **AuditReport** holds the findings and, for every citation and
reference, what it matched. Nothing here edits the draft or inserts a citation.

The checks (`reference_checks`, `citation_checks`, `claims`) record findings through
`AuditState.add` and name library studies with `in_text`; `render` shows the report.
"""

from __future__ import annotations

import bisect
from dataclasses import asdict, dataclass, field
from typing import Any

from ..model import Passage, Study
from .draft import Citation, Draft, DraftReference

# Every kind of finding: (severity, what it means).
KINDS: dict[str, tuple[str, str]] = {
    "citation-not-in-references": ("error", "no reference-list entry has this author (or number)"),
    "citation-year-mismatch": ("error", "the author is listed, but not with this year"),
    "citation-year-malformed": ("error", "the year is not a year ('20l9', '202')"),
    "citation-ambiguous": ("warning", "two or more entries fit; add a year letter or co-author"),
    "citation-author-typo": ("warning", "the name differs slightly from the reference list's"),
    "citation-year-suffix": ("warning", "the year letter differs from the reference list's"),
    "no-reference-list": ("warning", "citations, but no reference list after them"),
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
    "cites-retracted": ("error", "the cited work was retracted"),
    "cites-concern": ("warning", "the cited work has an expression of concern"),
    "cites-corrected": ("warning", "the cited work was corrected; check the figure you cite"),
    "fit-population": ("warning", "the study's population differs from the one the text claims"),
    "fit-design": ("warning", "a commentary is cited as evidence that something works"),
    "fit-number": ("warning", "a figure the cited study does not report"),
    "fit-effect": ("warning", "an effect the cited study did not find, or the opposite one"),
    "fit-topic": ("warning", "an intervention or outcome the cited study does not study"),
    "uncited-claim": ("warning", "an empirical claim with no citation; findings that answer it"),
}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A library passage that could support an uncited claim (never inserted for you)."""

    study_key: str
    citation: str
    passage_id: str
    passage: str
    score: float


@dataclass(frozen=True, slots=True)
class AuditFinding:
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

    reference: DraftReference
    study_key: str
    found_by: str  # "doi", "doi-prefix", "title" or ""
    cited: bool


@dataclass(frozen=True, slots=True)
class AuditReport:
    """What the audit found, in draft order, with every citation and reference checked."""

    text: str
    findings: tuple[AuditFinding, ...]
    citations: tuple[CitationCheck, ...] = ()
    references: tuple[ReferenceCheck, ...] = ()
    topic: tuple[str, ...] = ()
    source: str = ""

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def render(self, fmt: str = "text") -> str:
        """The report as plain text ("text") or Markdown ("md"); JSON is `to_dict()`."""
        return render(self, fmt)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (offsets index `text`)."""
        data = asdict(self)
        data["summary"] = {s: self.count(s) for s in SEVERITY_ORDER}
        return data


@dataclass
class AuditState:
    """Working state of one audit, shared by its checks: the draft, the library lookups,
    the findings so far."""

    draft: Draft
    findings: list[AuditFinding] = field(default_factory=list)
    ref_study: dict[int, Study] = field(default_factory=dict)  # reference index -> study
    found_by: dict[int, str] = field(default_factory=dict)
    cited: set[int] = field(default_factory=set)
    newlines: list[int] = field(default_factory=list)
    _numbered: dict[int, DraftReference] | None = None

    def numbered(self) -> dict[int, DraftReference]:
        """The entries by the number a numbered citation gives: their own, when the list
        is numbered, else their place in it."""
        if self._numbered is None:
            refs = self.draft.references
            if any(r.number is not None for r in refs):
                self._numbered = {r.number: r for r in reversed(refs) if r.number is not None}
            else:
                self._numbered = {r.index: r for r in refs}
        return self._numbered

    def add(self, kind: str, start: int, end: int, message: str, fix: str, study: str = "",
            suggestions: tuple[Suggestion, ...] = ()) -> None:  # fmt: skip
        """Record a finding of `kind` at ``text[start:end]``, with its severity and line."""
        severity = KINDS[kind][0]
        line = bisect.bisect_right(self.newlines, start - 1) + 1
        self.findings.append(AuditFinding(kind, severity, start, end, line, message, fix, study,
                                     suggestions))  # fmt: skip


def suggestion(study: Study, passage: Passage, score: float) -> Suggestion:
    """A library finding (`passage` of `study`) offered for an uncited claim."""
    return Suggestion(study.key, in_text(study), passage.id, passage.text, round(score, 3))


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
