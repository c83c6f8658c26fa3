"""Model objects → JSON-ready dicts, shared by the CLI and the HTTP API."""

from __future__ import annotations

from typing import Any

from ..index.store import passage_to_dict, study_to_dict
from ..model import Hit, ImportProblem, PassageMatch, Study


def study_to_json(study: Study) -> dict[str, Any]:
    data = study_to_dict(study)
    data["extra"] = dict(study.extra)
    return data


def match_to_json(match: PassageMatch) -> dict[str, Any]:
    return {
        **passage_to_dict(match.passage),
        "score": match.score,
        "highlights": [list(span) for span in match.highlights],
    }


def hit_to_dict(hit: Hit) -> dict[str, Any]:
    return {
        "rank": hit.rank,
        "score": hit.score,
        "ranks": dict(hit.ranks),
        "study": study_to_json(hit.study),
        "passages": [match_to_json(m) for m in hit.passages],
    }


def problem_to_dict(problem: ImportProblem) -> dict[str, Any]:
    """One import problem, as the CLI's --json and the HTTP API report it."""
    return {
        "file": problem.file,
        "line": problem.line,
        "kind": problem.kind,
        "key": problem.key,
        "severity": problem.severity,
        "message": problem.message,
    }
