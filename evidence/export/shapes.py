"""Every JSON shape the CLI (`--json`) and the HTTP API (`/api/...`) emit, in one place.

Each function turns one model object into a JSON-ready dict; callers wrap them in their
envelope. Field names are the model's, so a shape changes only when the model does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from functools import singledispatch
from typing import Any

from ..index.store import passage_to_dict, study_to_dict
from ..model import (
    Hit,
    ImportProblem,
    ImportReport,
    Passage,
    PassageMatch,
    Proposal,
    Reference,
    Study,
    TalkingPoint,
)
from ..points import EvidenceProfile
from ..search import Results


def study_json(study: Study) -> dict[str, Any]:
    """A study with every field (extra BibTeX fields as an object). Where it came from is
    its `source` label and line, never a folder of the machine that serves it."""
    data = study_to_dict(study)
    data["extra"] = dict(study.extra)
    data.pop("source_file", None)
    data["source"] = study.source
    return data


def study_summary_json(study: Study) -> dict[str, Any]:
    """A study in a list: key, title and year."""
    return {"key": study.key, "title": study.title, "year": study.year}


def passage_json(passage: Passage) -> dict[str, Any]:
    """A passage: id, kind, field, text and its offsets into that field, and whose words
    they are (`label`; `quoted` is true only for the authors' own words)."""
    return {**passage_to_dict(passage), "label": passage.label, "quoted": passage.quoted}


def match_json(match: PassageMatch) -> dict[str, Any]:
    """A passage that matched a query, with its similarity and the matched words' offsets."""
    return {
        **passage_json(match.passage),
        "score": match.score,
        "highlights": [list(span) for span in match.highlights],
    }


def hit_json(hit: Hit) -> dict[str, Any]:
    """One search result: rank, score, rank in each retriever, the study, best passages."""
    return {
        "rank": hit.rank,
        "score": hit.score,
        "ranks": dict(hit.ranks),
        "study": study_json(hit.study),
        "passages": [match_json(m) for m in hit.passages],
    }


def results_json(results: Results, k: int | None = None) -> dict[str, Any]:
    """A page of search results; with the page size `k`, also where the next page starts."""
    data: dict[str, Any] = {
        "query": results.query,
        "total": results.total,
        "offset": results.offset,
    }
    if k is not None:
        end = results.offset + len(results)
        data.update(k=k, next_offset=end if end < results.total else None)
    data.update(notes=list(results.notes), hits=[hit_json(h) for h in results])
    return data


def point_json(point: TalkingPoint) -> dict[str, Any]:
    """A talking point: its text, whose words they are (`kind`, `label`), its caveat, and
    its first source's passage id and stored text at the top."""
    data: dict[str, Any] = dataclasses.asdict(point)
    data.update(
        label=point.label,
        passage_text=point.passage_text,
        passage_id=point.passage_id,
        study_keys=list(point.study_keys),
    )
    return data


def reference_json(reference: Reference) -> dict[str, Any]:
    """A formatted reference: its study key, plain text and Markdown."""
    return {"key": reference.key, "text": reference.text, "markdown": reference.markdown}


def references_json(references: Mapping[str, Reference] | Iterable[Reference]) -> list[Any]:
    """References as a list (from a list, or from a mapping of key to reference)."""
    values = references.values() if isinstance(references, Mapping) else references
    return [reference_json(r) for r in values]


def related_json(study: Study, score: float) -> dict[str, Any]:
    """A related study and its similarity."""
    return {**study_summary_json(study), "score": score}


def proposal_json(proposal: Proposal) -> dict[str, Any]:
    """A proposal draft: title, sections of talking points, references."""
    return dataclasses.asdict(proposal)


def profile_json(profile: EvidenceProfile) -> dict[str, Any]:
    """The evidence on a claim: counts by design and direction, each line with the
    passages it counts; the strongest finding for and against it."""
    data = dataclasses.asdict(profile)
    data["answered"] = profile.answered
    return data


def problem_json(problem: ImportProblem) -> dict[str, Any]:
    """One import problem, located by file and 1-based line: what is wrong (`message`)
    and what to do (`hint`, "" when there is nothing to do)."""
    return {
        "file": problem.file,
        "line": problem.line,
        "kind": problem.kind,
        "key": problem.key,
        "severity": problem.severity,
        "message": problem.message,
        "hint": problem.hint,
    }


def import_json(
    report: ImportReport, added: Iterable[Study] | None = None, passages: int | None = None
) -> dict[str, Any]:
    """What an import did: its summary in words, files, studies read, the keys new,
    updated and already in the library, the studies added (when known), problems."""
    data: dict[str, Any] = {
        "summary": report.summary(),
        "checked": report.checked,
        "files": list(report.files),
        "studies": report.studies,
        "new": list(report.new),
        "updated": list(report.updated),
        "unchanged": list(report.unchanged),
    }
    if passages is not None:
        data["passages"] = passages
    if added is not None:
        data["imported"] = [study_summary_json(s) for s in added]
    data["problems"] = [problem_json(p) for p in report.problems]
    return data


@singledispatch
def to_json(value: object, **options: Any) -> Any:
    """The JSON shape of a model object (Study, Passage, PassageMatch, Hit, Results,
    TalkingPoint, Reference, Proposal, ImportProblem, ImportReport), for `json.dumps`.

    Options: ``summary`` for a Study (key, title, year only), ``k`` for Results (adds
    paging), ``added`` and ``passages`` for ImportReport.
    Raises TypeError for anything else."""
    raise TypeError(f"no JSON shape for {type(value).__name__}")


to_json.register(
    Study, lambda value, summary=False, **_: (study_summary_json if summary else study_json)(value)
)
to_json.register(Passage, lambda value, **_: passage_json(value))
to_json.register(PassageMatch, lambda value, **_: match_json(value))
to_json.register(Hit, lambda value, **_: hit_json(value))
to_json.register(Results, lambda value, k=None, **_: results_json(value, k))
to_json.register(TalkingPoint, lambda value, **_: point_json(value))
to_json.register(Reference, lambda value, **_: reference_json(value))
to_json.register(Proposal, lambda value, **_: proposal_json(value))
to_json.register(EvidenceProfile, lambda value, **_: profile_json(value))
to_json.register(ImportProblem, lambda value, **_: problem_json(value))
to_json.register(
    ImportReport,
    lambda value, added=None, passages=None, **_: import_json(value, added, passages),
)
