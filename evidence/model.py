"""The data model: plain frozen value objects, no I/O.

Vocabulary: a **Study** is one work in the library (its id is the BibTeX key); a
**Passage** is a citable piece of a study's text (its id is ``"{key}#p{n}"``); a **Hit**
is a study returned by a search with the passages that matched; a **TalkingPoint** is
a quotable statement traced to the exact span of a stored passage; a **Reference** is one
entry of a formatted reference list; a **Proposal** is a draft of sections of talking
points with one reference list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePath

ENTRY_TYPES = (
    "article", "book", "chapter", "report", "thesis", "conference paper", "web page", "other",
)  # fmt: skip

DESIGNS = (
    "meta-analysis", "systematic review", "randomised controlled trial",
    "non-randomised trial", "cohort", "case-control", "cross-sectional", "qualitative",
    "mixed methods", "program evaluation", "narrative review", "debate / commentary",
    "guideline", "trial protocol", "economic evaluation",
)  # fmt: skip

POPULATIONS = (
    "police", "firefighters", "paramedics / EMS", "dispatchers", "corrections",
    "mixed public safety", "military", "health care workers", "general workforce",
    "students", "other",
)  # fmt: skip

# The prefix an import's copy in imports/ gets: ``20261206T142233-000-``.
_IMPORT_STAMP = re.compile(r"^\d{8}T\d{6}-\d{3}-")


@dataclass(frozen=True, slots=True)
class Person:
    """An author or editor. A corporate author has ``literal=True`` and its name in ``family``."""

    family: str
    given: str = ""
    particle: str = ""
    suffix: str = ""
    literal: bool = False

    def full_name(self) -> str:
        """Return the name in reading order, e.g. ``"Ludwig van Beethoven Jr."``."""
        if self.literal:
            return self.family
        parts = [self.given, self.particle, self.family]
        name = " ".join(p for p in parts if p)
        return f"{name}, {self.suffix}" if self.suffix else name

    def sort_name(self) -> str:
        """Return ``"van Beethoven, Ludwig, Jr."`` (family first, as in a reference list)."""
        if self.literal:
            return self.family
        family = f"{self.particle} {self.family}".strip()
        parts = [family, self.given, self.suffix]
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of a study as curated, in our words: `result` is the citable statement
    (the study's numbers, who it is about); the rest say what it is about and how sure.

    `exposures`, `outcomes` and `direction` use the vocabularies of `vocabulary.py`;
    `population` is set only when it differs from the study's; `note` is a curator's
    caveat, never part of a talking point's own words. A finding of an imported entry
    (a plain ``finding1`` field) has a result only.
    """

    number: int  # 1-based: the BibTeX field findingN
    result: str
    context: str = ""
    exposures: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    direction: str = ""
    population: str = ""
    headline: str = ""
    confirm: str = ""
    note: str = ""

    @property
    def field(self) -> str:
        return f"finding{self.number}"

    @property
    def structured(self) -> bool:
        """True when a curator said what it is about (outcomes and direction)."""
        return bool(self.outcomes and self.direction)


@dataclass(frozen=True, slots=True)
class Status:
    """Whether a study was corrected or retracted, as checked on its pages."""

    state: str = ""  # "none found", "corrected", "expression of concern", "retracted"; "" unchecked
    notice: str = ""  # the notice's DOI or URL
    date: str = ""  # of the notice
    checked: str = ""  # when and where it was checked, e.g. "2026-12 PubMed"

    @property
    def warning(self) -> bool:
        """True when the study was corrected, retracted or has an expression of concern."""
        return self.state not in ("", "none found")


@dataclass(frozen=True, slots=True)
class Study:
    """One work of the library. Empty strings and tuples mean "not given"."""

    key: str
    entry_type: str = "other"
    title: str = ""
    title_sentence: str = ""  # sentence case for styles that want it; braced words kept
    authors: tuple[Person, ...] = ()
    editors: tuple[Person, ...] = ()
    year: int | None = None
    online_year: int | None = None  # online-first year, when earlier than `year`
    venue: str = ""  # journal, book title or proceedings
    publisher: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""
    abstract: str = ""
    keywords: tuple[str, ...] = ()
    design: str = ""
    population: str = ""
    includes: tuple[str, ...] = ()  # responder groups a mixed sample includes
    summary: str = ""  # what the study is, in our words (curated)
    sample: str = ""  # its size in a few words, e.g. "859 police personnel"
    findings: tuple[Finding, ...] = ()
    note: str = ""  # a curator's caveat about the whole study
    status: Status = field(default_factory=Status)
    sources: tuple[str, ...] = ()  # where the curated facts were confirmed
    flags: tuple[str, ...] = ()  # e.g. "doi-malformed", "year-missing"
    bibtex_type: str = ""  # the entry type as written, e.g. "incollection"
    extra: tuple[tuple[str, str], ...] = ()  # other fields, decoded, kept for export
    source_file: str = ""  # the file it was imported from (a path on this machine)
    source_line: int = 0  # 1-based

    @property
    def source(self) -> str:
        """Where the study came from, without this machine's folders: the file's name, and
        for an import the name it was imported as (``"imported: my-library.bib"``)."""
        path = PurePath(self.source_file)
        if not self.source_file:
            return ""
        if "imports" in path.parts and _IMPORT_STAMP.match(path.name):  # or still staged
            return "imported: " + _IMPORT_STAMP.sub("", path.name)
        return path.name

    def field_text(self, name: str) -> str:
        """Return the text of a passage-bearing field: ``title``, ``abstract`` or ``findingN``.

        Raises KeyError for any other name.
        """
        if name == "title":
            return self.title
        if name == "abstract":
            return self.abstract
        if name.startswith("finding") and name[7:].isdigit():
            for finding in self.findings:
                if finding.field == name:
                    return finding.result
        raise KeyError(name)

    def finding(self, field_name: str) -> Finding | None:
        """The finding whose field is `field_name` (``"finding2"``), or None."""
        return next((f for f in self.findings if f.field == field_name), None)


@dataclass(frozen=True, slots=True)
class Passage:
    """A citable span of a study: ``study.field_text(field)[char_start:char_end] == text``."""

    id: str
    study_key: str
    kind: str  # "title", "finding" or "abstract"
    field: str  # "title", "abstract", "finding1", ...
    text: str
    char_start: int
    char_end: int

    @property
    def label(self) -> str:
        """Whose words these are, for a reader: a curated finding is ours, an abstract
        sentence the authors'."""
        return PASSAGE_LABELS.get(self.kind, "")

    @property
    def quoted(self) -> bool:
        """True when the text is the authors' own words (shown in quotation marks)."""
        return self.kind in ("abstract", "title")


@dataclass(frozen=True, slots=True)
class PassageMatch:
    """A passage that matched a query, with the matched terms' offsets into its text."""

    passage: Passage
    score: float
    highlights: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """A study returned by a search: its score, rank, best passages and per-retriever ranks."""

    study: Study
    score: float
    rank: int
    passages: tuple[PassageMatch, ...]
    ranks: dict[str, int] = field(default_factory=dict, hash=False, compare=False)

    @property
    def passage(self) -> Passage | None:
        """The best matching passage, if any."""
        return self.passages[0].passage if self.passages else None


# How a talking point's words relate to its source: a curated finding is our paraphrase of
# the study; an abstract sentence is the authors' own words, quoted.
PARAPHRASE = "paraphrase"
QUOTATION = "quotation"
LABELS = {
    PARAPHRASE: "The study's finding, in our words",
    QUOTATION: "Quoted from the study's abstract",
}
PASSAGE_LABELS = {
    "finding": LABELS[PARAPHRASE],
    "abstract": LABELS[QUOTATION],
    "title": "The study's title",
}


@dataclass(frozen=True, slots=True)
class PointSource:
    """Where a talking point comes from: ``passage.text[start:end] == passage_text``.

    `kind` says whose words they are: ``"paraphrase"`` (a curated finding, our words) or
    ``"quotation"`` (a sentence of the study's abstract, the authors' words)."""

    study_key: str
    passage_id: str
    start: int
    end: int
    passage_text: str
    citation: str = ""
    design: str = ""
    population: str = ""
    kind: str = PARAPHRASE
    headline: str = ""  # a curated finding's slide headline
    about: str = ""  # "TRiM → PTSD symptoms"
    direction: str = ""
    context: str = ""  # the finding's sample and comparison, for speaker notes
    sample: str = ""  # the study's size in a few words ("859 police personnel")


@dataclass(frozen=True, slots=True)
class TalkingPoint:
    """A statement ready to paste, with its citation(s), traced to the exact stored span(s).

    `text` is the statement with the in-text `citation` of every source: a curated finding
    as written (our words, never in quotation marks) or an abstract sentence in quotation
    marks (the authors' words); `kind` and `label` say which. `caveat` holds what a reader
    must know alongside it (another population, a design that cannot show an effect, a
    curator's warning): separate sentences, never part of the study's result.
    """

    text: str
    sources: tuple[PointSource, ...]
    score: float = 0.0
    caveat: str = ""
    citation: str = ""
    style: str = ""
    kind: str = PARAPHRASE

    @property
    def label(self) -> str:
        """Whose words these are, for a reader: "The study's finding, in our words"."""
        return LABELS.get(self.kind, "")

    @property
    def passage_text(self) -> str:
        return self.sources[0].passage_text

    @property
    def headline(self) -> str:
        return self.sources[0].headline

    @property
    def passage_id(self) -> str:
        return self.sources[0].passage_id

    @property
    def study_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.study_key for s in self.sources))


@dataclass(frozen=True, slots=True)
class Run:
    """A piece of formatted text (for DOCX and PPTX, which are built from runs, not HTML)."""

    text: str
    italic: bool = False
    bold: bool = False
    link: str = ""


@dataclass(frozen=True, slots=True)
class Reference:
    """One formatted entry of a reference list, as the CSL processor wrote it.

    `html` is safe HTML (escaped by the processor) with the DOI as an https://doi.org/ link.
    """

    key: str
    text: str
    markdown: str
    html: str
    style: str = "apa"
    runs: tuple[Run, ...] = ()


@dataclass(frozen=True, slots=True)
class ProposalSection:
    """One section of a proposal draft: its heading, the queries behind it, its points;
    `summary`, what the evidence says in one deterministic sentence (or `empty`, that the
    library has nothing for it); `rows`, the evidence table (one row per study cited)."""

    title: str
    points: tuple[TalkingPoint, ...] = ()
    queries: tuple[str, ...] = ()
    summary: str = ""
    empty: str = ""
    rows: tuple[EvidenceRow, ...] = ()


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """A row of a section's evidence table: a study cited there, its design, population,
    size, key result (its finding's headline) and direction. The citation is the point
    source's, so an export that re-cites keeps it right."""

    study_key: str
    design: str
    population: str
    sample: str
    result: str
    direction: str
    passage_id: str


@dataclass(frozen=True, slots=True)
class Proposal:
    """A proposal draft: sections of talking points and one reference list."""

    title: str
    sections: tuple[ProposalSection, ...]
    references: tuple[Reference, ...] = ()
    style: str = "apa"
    template: str = ""
    organisation: str = ""
    population: str = ""  # the chosen group ("firefighters"), "" for all public safety

    @property
    def points(self) -> tuple[TalkingPoint, ...]:
        return tuple(p for section in self.sections for p in section.points)


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One problem found while importing (file, 1-based line), with what to do (`hint`)."""

    file: str
    line: int | None
    kind: str
    message: str
    key: str = ""
    severity: str = "warning"  # "warning": imported anyway; "error": something was skipped
    hint: str = ""

    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        text = f"{self.location()}: {self.severity}: {self.message}"
        return f"{text} {self.hint}" if self.hint else text


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did: files read, studies read from them, every problem found and,
    for an import into a library, which keys are new, updated or already there as read."""

    files: tuple[str, ...] = ()
    studies: int = 0
    problems: tuple[ImportProblem, ...] = ()
    new: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()  # already in the library (their library keys)
    checked: bool = False  # only read: the library was not changed

    @property
    def errors(self) -> tuple[ImportProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[ImportProblem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")

    @property
    def changed(self) -> bool:  # added or updated a study (or would, when `checked`)
        return bool(self.new or self.updated)

    def with_problems(self, problems: Sequence[ImportProblem]) -> ImportReport:
        """This report with `problems` added."""
        return replace(self, problems=self.problems + tuple(problems))

    def merged(self, other: ImportReport) -> ImportReport:
        """Return one report covering both imports."""
        sums = ("files", "studies", "problems", "new", "updated", "unchanged")
        parts = {name: getattr(self, name) + getattr(other, name) for name in sums}
        return ImportReport(**parts, checked=self.checked and other.checked)

    def summary(self) -> str:
        """In the user's words: "Imported 2 studies from my.ris: 158 already in the library,
        1 new, 1 updated." ("Would import …" when only checked)."""
        files = self.files[0] if len(self.files) == 1 else f"{len(self.files)} files"
        if not (self.changed or self.unchanged):  # read only, not compared with a library
            read = f"{self.studies} {'study' if self.studies == 1 else 'studies'}"
            return f"{'Would import' if self.checked else 'Read'} {read} from {files}."
        count = len(self.new) + len(self.updated)
        noun = f"{count} {'study' if count == 1 else 'studies'}"
        verb = f"{'Would import' if self.checked else 'Imported'} {noun} from"
        if not count:
            verb = "Would import nothing from" if self.checked else "Nothing new in"
        return (
            f"{verb} {files}: {len(self.unchanged)} already in the library, "
            f"{len(self.new)} new, {len(self.updated)} updated."
        )
