"""Only the body's prose is checked for uncited claims."""

from __future__ import annotations

from evidence.audit.auditor import audit_draft
from evidence.audit.prose import body_sentences
from evidence.audit.reading import parse_draft

CLAIM = "Rates of PTSD are higher among dispatchers than among other workers in the region."


def sentences(text: str) -> list[str]:
    draft = parse_draft(text)
    return [s.text for s in body_sentences(draft, draft.view_body_end)]


def test_what_is_not_prose_is_not_read_for_claims() -> None:
    text = "\n\n".join([
        "Jordan Ellis\nPSYC 3350: Occupational Health\nSubmitted 14 November",  # title block
        "# Rates of PTSD are higher in dispatchers",  # a heading
        "One in ten, give or take",  # a heading without a mark
        "*Rates of PTSD are higher among dispatchers than among most other workers.*",
        "**To:** Clinical Director\n**Re:** Rates of PTSD are higher in dispatch",
        "By Dana Whitfield",
        "Keywords: prevalence; rates of PTSD; dispatchers",
        "Figure 1: Rates of PTSD are higher among dispatchers than other workers.",
        "[Figure 2 about here: rates of PTSD by occupation over ten years]",
        "\u201cRates of PTSD are higher here than anywhere,\u201d she says about her centre.",
        CLAIM,
        "About the author",
        "Dana spent 19 years in dispatch, where rates of PTSD are higher than elsewhere.",
        "Further reading",
        "Rates of PTSD are higher among dispatchers: a guide for managers and peers.",
    ])  # fmt: skip
    assert sentences(text) == [CLAIM]
    report = audit_draft(text, [])
    assert [(f.kind, text[f.start : f.end]) for f in report.findings] == [("uncited-claim", CLAIM)]


def test_a_bio_closing_the_body_is_not_read_for_claims() -> None:
    bio = "Jo Smith is a paramedic who has seen rates of burnout rise in her service."
    assert sentences(CLAIM + "\n\n" + bio) == [CLAIM]


def test_hard_wrapped_hyphenated_prose_reads_as_whole_sentences() -> None:
    text = "Rates of PTSD are higher among dis-\npatchers than among other\nworkers in the region."
    assert sentences(text) == [CLAIM]
    (finding,) = audit_draft(text, []).findings
    assert (finding.start, finding.end) == (0, len(text))  # draft offsets, not the view's
