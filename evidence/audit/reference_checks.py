"""Citation audit, part one: the draft's reference list against the library.

Each entry is looked up by DOI, then by title; DOI problems found on the way, and the
entry's year, first author and volume against the library's, become findings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from difflib import SequenceMatcher

from ..model import Status, Study
from ..text.identifiers import doi_problem, title_fingerprint
from .draft import DraftReference, name_key
from .report import AuditState, in_text

TITLE_MATCH = 0.9  # fingerprint similarity for a title lookup (typos, punctuation, subtitles)
# A title written without its subtitle matches on its main title alone when that is this
# long (a short one, "Burnout in paramedics", may be another work's) and the authors agree.
MAIN_TITLE_MIN = 24


class LibraryIndex:
    """The library's studies by DOI, by title fingerprint, and by first author and year."""

    def __init__(self, studies: Sequence[Study]) -> None:
        self.studies = studies
        self.by_doi = {s.doi.casefold(): s for s in studies if s.doi}
        self.by_title = {title_fingerprint(s.title): s for s in studies if s.title}
        self.by_main_title: dict[str, list[Study]] = {}
        self.by_author: dict[str, list[Study]] = {}
        for study in studies:
            main = title_fingerprint(study.title.partition(":")[0])
            if ":" in study.title and len(main) >= MAIN_TITLE_MIN:
                self.by_main_title.setdefault(main, []).append(study)
            if study.authors:
                self.by_author.setdefault(name_key(study.authors[0].family), []).append(study)

    def doi_prefix_of(self, doi: str) -> Study | None:
        """The one study whose DOI starts with `doi` (a truncated DOI), if exactly one."""
        folded = doi.casefold()
        longer = [s for key, s in self.by_doi.items() if key.startswith(folded) and key != folded]
        return longer[0] if len(longer) == 1 else None

    def title(self, title: str, first_author: str = "") -> Study | None:
        """The study with this title (allowing typos), or with this main title and first
        author when the draft leaves out the subtitle; None when there is none."""
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
        if best is None and first_author:
            author = name_key(first_author)
            same = [s for s in self.by_main_title.get(fingerprint, [])
                    if s.authors and name_key(s.authors[0].family) == author]  # fmt: skip
            best = same[0] if len(same) == 1 else None
        return best


# A retraction list's lookup: (DOI, PMID) → the status it gives, or None.
Notices = Callable[[str, str], Status | None]
_STATUS_KINDS = {
    "retracted": "cites-retracted",
    "expression of concern": "cites-concern",
    "corrected": "cites-corrected",
}


def check_status(state: AuditState, ref: DraftReference, notices: Notices | None) -> None:
    """Report a reference to a retracted or corrected work: the library study's status, or
    for a work not in the library what the retraction list says of its DOI or PMID."""
    study = state.ref_study.get(ref.index)
    status = study.status if study is not None else None
    where = "the library records"
    if (status is None or not status.warning) and notices is not None and (ref.doi or ref.pmid):
        status, where = notices(ref.doi, ref.pmid), "your retraction list records"
    if status is None or status.state not in _STATUS_KINDS:
        return
    date = f" ({status.date})" if status.date else ""
    notice = f" Notice: {status.notice}." if status.notice else ""
    state.add(
        _STATUS_KINDS[status.state],
        ref.start,
        ref.end,
        f"Reference {ref.index} ({ref.label()}): {where} that it was {status.state}{date}.{notice}",
        "Do not rely on a retracted work; for a correction, check that what you cite still stands.",
        study.key if study is not None else "",
    )


def check_reference(state: AuditState, lookup: LibraryIndex, ref: DraftReference) -> None:
    """Find `ref` in the library and record in `state` what does not match it."""
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


def _find_study(
    state: AuditState, lookup: LibraryIndex, ref: DraftReference
) -> tuple[Study | None, str]:
    """The library study `ref` describes (by DOI, then by title), reporting DOI problems."""
    doi_at = (ref.doi_start, ref.doi_end) if ref.doi else (ref.start, ref.end)
    other = False
    if ref.doi_problem:
        state.add("doi-malformed", *doi_at, f"Reference {ref.index}'s DOI {ref.doi_problem}.",
                  f"Write it once: https://doi.org/{ref.doi}")  # fmt: skip
    if ref.doi:
        found, how, other = _by_doi(state, lookup, ref, doi_at)
        if found is not None:
            return found, how
    first = ref.authors[0] if ref.authors else ""
    study = lookup.title(ref.title, first) if ref.title else None
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


def _by_doi(
    state: AuditState, lookup: LibraryIndex, ref: DraftReference, doi_at: tuple[int, int]
) -> tuple[Study | None, str, bool]:
    """The study whose DOI is `ref`'s (or of which it is a cut-short copy), how it was
    found, and whether the DOI belongs to another library study; DOI problems reported."""
    study = lookup.by_doi.get(ref.doi.casefold())
    if study is not None and _same_work(ref, study):
        return study, "doi", False
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
            f"Reference {ref.index}'s DOI {ref.doi} is cut short; the library's is {prefix.doi}.",
            f"Use https://doi.org/{prefix.doi}",
            prefix.key,
        )
        return prefix, "doi-prefix", study is not None
    problem = doi_problem(ref.doi)
    if problem:
        state.add(
            "doi-malformed",
            *doi_at,
            f"Reference {ref.index}'s DOI {ref.doi} {problem}.",
            "Copy the DOI again from the publisher's page.",
        )
    return None, "", study is not None


def _same_work(ref: DraftReference, study: Study) -> bool:
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


def _compare(state: AuditState, ref: DraftReference, study: Study) -> None:
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
