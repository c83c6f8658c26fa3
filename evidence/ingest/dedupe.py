"""Duplicate studies (same DOI, else same PMID, else same title, year and first author):
merged, reported."""

from __future__ import annotations

import dataclasses

from ..model import ImportProblem, Study
from ..text.identifiers import title_fingerprint


def identities(study: Study) -> list[tuple[str, ...]]:
    """What makes two studies one work, strongest first: the DOI, the PMID, then the title
    with the year and the first author."""
    ids: list[tuple[str, ...]] = []
    if study.doi and "doi-malformed" not in study.flags:
        ids.append(("doi", study.doi.lower()))
    if study.pmid:
        ids.append(("pmid", study.pmid))
    fingerprint = title_fingerprint(study.title)
    first = study.authors[0].family.casefold() if study.authors else ""
    # Without a year and an author, equal titles are not enough to call two works one.
    if fingerprint and study.year is not None and first:
        ids.append(("title", fingerprint, str(study.year), first))
    return ids


def merge_duplicates(studies: list[Study]) -> tuple[list[Study], list[ImportProblem]]:
    """Return `studies` with duplicates merged into the first occurrence, and the reports.

    The first occurrence keeps its key and values; its empty fields are filled from the
    later copies. Order is kept, so the result is deterministic.
    """
    owner: dict[tuple[str, ...], int] = {}
    kept: list[Study | None] = []
    problems: list[ImportProblem] = []
    for study in studies:
        identity = identities(study)
        target = next((owner[i] for i in identity if i in owner), None)
        if target is None:
            for ident in identity:
                owner[ident] = len(kept)
            kept.append(study)
            continue
        first = kept[target]
        assert first is not None
        kept[target] = _fill(first, study)
        # The copy's own DOI or title now names the kept study too, so a later copy that
        # matches only the copy still merges, whatever the input order.
        for ident in identity:
            owner.setdefault(ident, target)
        problems.append(
            ImportProblem(
                study.source_file,
                study.source_line,
                "duplicate-study",
                f"'{study.key}' is the same study as '{first.key}' "
                f"({first.source_file}:{first.source_line}); merged into '{first.key}'.",
                study.key,
            )
        )
    return [s for s in kept if s is not None], problems


def _fill(first: Study, other: Study) -> Study:
    changes = {}
    for f in dataclasses.fields(Study):
        mine, theirs = getattr(first, f.name), getattr(other, f.name)
        if f.name in ("key", "source_file", "source_line", "flags"):
            continue
        if (mine is None or mine == "" or mine == ()) and theirs not in (None, "", ()):
            changes[f.name] = theirs
    if not changes:
        return first
    return dataclasses.replace(first, **changes)
