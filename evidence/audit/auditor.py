"""Citation audit of a draft: its citations against its reference list and the library.

`audit_draft` runs the checks in order: the reference list against the library
(`reference_checks`), each in-text citation against the reference list
(`citation_checks`), then the fit of cited studies and uncited claims (`claims`). The
findings and the report, and their vocabulary, are in `audit_report`. Nothing here edits
the draft or inserts a citation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..errors import DraftError
from ..model import Study
from ..text.deadline import check_time
from .citation_checks import check_citation
from .claims import Suggest, check_claims, check_fit, draft_topic, supported_text
from .prose import Sentence, body_sentences
from .reading import parse_draft
from .reference_checks import TITLE_MATCH, LibraryIndex, Notices, check_reference, check_status
from .report import (
    KINDS,
    SEVERITY_ORDER,
    AuditFinding,
    AuditReport,
    AuditState,
    CitationCheck,
    ReferenceCheck,
    Suggestion,
    in_text,
    render,
)
from .support import check_support

__all__ = [
    "KINDS",
    "SEVERITY_ORDER",
    "TITLE_MATCH",
    "AuditReport",
    "CitationCheck",
    "AuditFinding",
    "ReferenceCheck",
    "Suggest",
    "Suggestion",
    "audit_draft",
    "Sentence",
    "body_sentences",
    "draft_topic",
    "in_text",
    "render",
]


# Bounds on one audit (a draft beyond them gets a DraftError saying so).
MAX_DRAFT_CHARS = 2_000_000
MAX_CITATIONS = 50_000


def audit_draft(text: str, studies: Sequence[Study], suggest: Suggest | None = None,
                source: str = "", notices: Notices | None = None) -> AuditReport:  # fmt: skip
    """Return the audit of `text` against its own reference list and `studies`.

    `suggest` maps claim sentences to the library findings that answer them (see
    `claims.Suggest`); without it, uncited claims are reported with no suggestions. A cited
    study whose status is a retraction, correction or expression of concern is reported,
    and so is a sentence that says what its library study does not (`support`); `notices`
    (a retraction list's ``status_of(doi, pmid)``) also checks references the library does
    not hold.
    Never raises on odd text; raises DraftError for a draft beyond MAX_DRAFT_CHARS or
    MAX_CITATIONS, and TimeLimitError when a time limit (`text.deadline.time_limit`) runs
    out.
    """
    if len(text) > MAX_DRAFT_CHARS:
        raise DraftError(
            f"the draft is {len(text):,} characters; the audit reads at most "
            f"{MAX_DRAFT_CHARS:,} (about 400 pages). Split it and audit each part."
        )
    draft = parse_draft(text)
    if len(draft.citations) > MAX_CITATIONS:
        raise DraftError(
            f"the draft has {len(draft.citations):,} citations; the audit checks at most "
            f"{MAX_CITATIONS:,}. Split it and audit each part."
        )
    state = AuditState(draft, newlines=[m.start() for m in re.finditer("\n", text)])
    lookup = LibraryIndex(studies)
    for reference in draft.references:
        check_reference(state, lookup, reference)
        check_status(state, reference, notices)
    checks = []
    for citation in draft.citations:
        check_time()
        checks.append(check_citation(state, lookup, citation))
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
                state.ref_study[reference.index].key if reference.index in state.ref_study else "",
            )
    sentences = body_sentences(draft, draft.view_body_end)
    topic = draft_topic(draft.view.text[: draft.view_body_end])
    check_fit(state, checks, sentences, topic)
    check_support(state, checks, supported_text(state, sentences))
    check_claims(state, sentences, suggest)
    findings = sorted(state.findings, key=lambda f: (f.start, SEVERITY_ORDER[f.severity], f.kind))
    references = tuple(
        ReferenceCheck(r, state.ref_study[r.index].key if r.index in state.ref_study else "",
                       state.found_by.get(r.index, ""), r.index in state.cited)
        for r in draft.references
    )  # fmt: skip
    return AuditReport(text, tuple(findings), tuple(checks), references, topic, source)
