"""A retraction list, offline: the Retraction Watch data Crossref publishes as CSV.

In: the CSV a user downloaded (the program never downloads it), in the published column
layout (``Record ID, Title, ..., RetractionDate, RetractionDOI, RetractionPubMedID,
OriginalPaperDate, OriginalPaperDOI, OriginalPaperPubMedID, RetractionNature, Reason,
...``). Out: a `RetractionList` — for each original paper, by DOI and by PMID, the notice
that matters (a retraction over an expression of concern over a correction; a later
reinstatement cancels a retraction) — that `status_of(doi, pmid)` looks up as a `Status`.

Stored as versioned JSON (`to_json` / `from_json`); a reader refuses a format it does not
know, saying to load the CSV again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import RetractionListError
from ..model import Status
from ..text.identifiers import normalise_doi

FORMAT_VERSION = 1
REQUIRED_COLUMNS = ("OriginalPaperDOI", "OriginalPaperPubMedID", "RetractionNature")
# RetractionNature → Status.state; "Reinstatement" undoes an earlier retraction.
NATURES = {
    "retraction": "retracted",
    "expression of concern": "expression of concern",
    "correction": "corrected",
}
SEVERITY = {"retracted": 3, "expression of concern": 2, "corrected": 1}
# Identifiers the published data uses for "none".
_NONE = {"", "0", "unavailable", "none", "n/a", "na"}


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice about a paper: its state, date (ISO) and the notice's DOI or URL."""

    state: str
    date: str = ""
    notice: str = ""


@dataclass(frozen=True, slots=True)
class RetractionList:
    """Notices by original paper: `by_doi` (normalised DOI) and `by_pmid`."""

    source: str = ""  # the file's name
    loaded: str = ""  # ISO date it was loaded
    newest: str = ""  # ISO date of the newest notice in it: how current the list is
    rows: int = 0
    by_doi: Mapping[str, Notice] = field(default_factory=dict)
    by_pmid: Mapping[str, Notice] = field(default_factory=dict)

    def status_of(self, doi: str = "", pmid: str = "") -> Status | None:
        """The status the list gives a paper with this DOI or PMID, or None."""
        notice = self.by_doi.get(_key(doi)) if doi else None
        if notice is None and pmid:
            notice = self.by_pmid.get(pmid.strip())
        if notice is None:
            return None
        return Status(notice.state, notice.notice, notice.date, self.checked)

    @property
    def checked(self) -> str:
        """Where a status came from, for a reader: the list, its date and its file."""
        return f"Retraction Watch list ({self.source}, notices to {self.newest or 'unknown'})"

    def age_days(self, today: dt.date | None = None) -> int | None:
        """Days since the newest notice in the list (how stale it may be), or None."""
        if not self.newest:
            return None
        return ((today or dt.date.today()) - dt.date.fromisoformat(self.newest)).days

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "source": self.source,
            "loaded": self.loaded,
            "newest": self.newest,
            "rows": self.rows,
            "by_doi": {k: [n.state, n.date, n.notice] for k, n in self.by_doi.items()},
            "by_pmid": {k: [n.state, n.date, n.notice] for k, n in self.by_pmid.items()},
        }


@dataclass(frozen=True, slots=True)
class RetractionReport:
    """What loading or checking a retraction list found: the list (its file, rows, papers,
    the date of its newest notice and how many days old that is) and the library studies
    it marks, with the status it gives each."""

    source: str
    rows: int
    papers: int
    newest: str
    age_days: int | None
    matches: tuple[tuple[str, Status], ...] = ()

    def summary(self) -> str:
        age = f", {self.age_days} days old" if self.age_days is not None else ""
        return (
            f"{self.source}: {self.rows:,} notices about {self.papers:,} papers "
            f"(newest {self.newest or 'undated'}{age}); {len(self.matches)} library "
            f"{'study' if len(self.matches) == 1 else 'studies'} marked."
        )


def from_json(data: Mapping[str, Any]) -> RetractionList:
    """Read a stored list. Raises RetractionListError for another format version."""
    if data.get("format") != FORMAT_VERSION:
        raise RetractionListError(
            f"the stored retraction list has format {data.get('format')!r}; this version "
            f"reads format {FORMAT_VERSION}. Load the CSV again: evidence retractions load FILE"
        )
    return RetractionList(
        source=str(data.get("source", "")),
        loaded=str(data.get("loaded", "")),
        newest=str(data.get("newest", "")),
        rows=int(data.get("rows", 0)),
        by_doi={k: Notice(*v) for k, v in data.get("by_doi", {}).items()},
        by_pmid={k: Notice(*v) for k, v in data.get("by_pmid", {}).items()},
    )


def read_csv(path: Path | str, today: dt.date | None = None) -> RetractionList:
    """Parse the Retraction Watch CSV at `path`. Raises RetractionListError when it is not
    that CSV (missing columns), with what to download."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RetractionListError(f"cannot read {path.name}: {exc.strerror or exc}.") from exc
    text = raw.decode("utf-8-sig", errors="replace")
    return parse_csv(text, path.name, today)


def parse_csv(text: str, source: str = "", today: dt.date | None = None) -> RetractionList:
    """`read_csv` for text already read."""
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise RetractionListError(
            f"{source or 'the file'} is not the Retraction Watch CSV: it has no "
            f"{', '.join(missing)} column. Download retraction_watch.csv from Crossref's "
            "retraction-watch-data repository and load that file."
        )
    rows = list(_rows(reader))
    by_doi: dict[str, list[tuple[str, str, str]]] = {}
    by_pmid: dict[str, list[tuple[str, str, str]]] = {}
    for doi, pmid, notice in rows:
        if doi:
            by_doi.setdefault(doi, []).append(notice)
        if pmid:
            by_pmid.setdefault(pmid, []).append(notice)
    dates = [n[1] for _, _, n in rows if n[1]]
    return RetractionList(
        source=source,
        loaded=(today or dt.date.today()).isoformat(),
        newest=max(dates, default=""),
        rows=len(rows),
        by_doi=_decide(by_doi),
        by_pmid=_decide(by_pmid),
    )


Row = tuple[str, str, tuple[str, str, str]]


def _rows(reader: Iterable[Mapping[str, str | None]]) -> Iterator[Row]:
    """(paper DOI, paper PMID, (nature, ISO date, notice)) of each row naming a paper."""
    for row in reader:
        get = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        doi = get.get("OriginalPaperDOI", "")
        doi = "" if doi.lower() in _NONE else (_key(doi))
        pmid = get.get("OriginalPaperPubMedID", "")
        pmid = "" if pmid.lower() in _NONE or not pmid.isdigit() else pmid
        if not doi and not pmid:
            continue
        nature = get.get("RetractionNature", "").lower()
        notice = get.get("RetractionDOI", "")
        notice = "" if notice.lower() in _NONE else notice
        yield doi, pmid, (nature, _iso(get.get("RetractionDate", "")), notice)


def _key(doi: str) -> str:
    """DOIs are case-insensitive: compare them folded."""
    return normalise_doi(doi).casefold()


def _iso(value: str) -> str:
    """The published "M/D/YYYY 0:00" (or ISO) date as YYYY-MM-DD; "" when unreadable."""
    text = value.split(" ")[0].strip()
    for pattern in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return ""


def _decide(notices: Mapping[str, list[tuple[str, str, str]]]) -> dict[str, Notice]:
    """The notice that matters for each paper: the most severe, a retraction only while no
    later reinstatement cancels it."""
    out = {}
    for key, found in notices.items():
        reinstated = max((d for n, d, _ in found if n == "reinstatement"), default="")
        states = [
            Notice(NATURES[n], d, notice)
            for n, d, notice in found
            if n in NATURES and not (n == "retraction" and reinstated and d <= reinstated)
        ]
        if states:
            out[key] = max(states, key=lambda s: (SEVERITY[s.state], s.date))
    return out
