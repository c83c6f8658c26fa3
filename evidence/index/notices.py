"""Corrections and retractions on the studies of an index: a retraction list applied.

In: `IndexData` and the folder's `RetractionList` (see `ingest.retractions`). Out: the data
with each study's status from the list where the list knows a graver one; import problems
for imported studies known to be retracted or corrected.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

from ..errors import RetractionListError
from ..ingest.retractions import SEVERITY, RetractionList, RetractionReport
from ..model import ImportProblem, Study
from .live import IndexFolder
from .store import IndexData


def stored_retractions(folder: IndexFolder) -> RetractionList | None:
    """The folder's retraction list; one that cannot be read is logged and left out (the
    library still opens; `evidence retractions load` replaces it)."""
    try:
        return folder.read_retractions()
    except RetractionListError as exc:
        logging.getLogger(__name__).warning("%s", exc)
        return None


def noted(data: IndexData, retractions: RetractionList | None) -> IndexData:
    """`data` with each study's status from the retraction list where the list gives a
    graver one than its curated status (a list loaded later may know of a new notice)."""
    if retractions is None:
        return data
    changed = False
    studies = []
    for study in data.studies:
        status = retractions.status_of(study.doi, study.pmid)
        if status is not None and SEVERITY[status.state] > SEVERITY.get(study.status.state, 0):
            study = dataclasses.replace(study, status=status)
            changed = True
        studies.append(study)
    return dataclasses.replace(data, studies=studies) if changed else data


def status_warnings(studies: Sequence[Study]) -> list[ImportProblem]:
    """An import problem for each imported study known to be retracted or corrected."""
    return [
        ImportProblem(
            s.source.removeprefix("imported: "),
            s.source_line or None,
            s.status.state.replace(" ", "-"),
            f"{s.key} was {s.status.state}"
            + (f" ({s.status.date})" if s.status.date else "")
            + (f"; notice {s.status.notice}" if s.status.notice else "")
            + ". Check it before citing it.",
            s.key,
        )
        for s in studies
        if s.status.warning
    ]


def retraction_report(found: RetractionList, studies: Sequence[Study]) -> RetractionReport:
    """The list `found` (how old it is) and which of `studies` it marks."""
    matches = tuple(
        (s.key, status) for s in studies if (status := found.status_of(s.doi, s.pmid)) is not None
    )
    papers = len(found.by_doi) + len(found.by_pmid)
    return RetractionReport(
        found.source, found.rows, papers, found.newest, found.age_days(), matches
    )
