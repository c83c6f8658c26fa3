"""Numbered in-text citations: brackets, parentheses, superscripts that lost their
formatting, footnote markers; and what only looks like them."""

from __future__ import annotations

import pytest

from evidence.audit.markers import expand, find_markers
from evidence.audit.reading import parse_draft

Found = list[tuple[str, int]]


def numbers(text: str, entries: int = 10, numbered: bool = True) -> tuple[str, Found]:
    style, cites = find_markers(text, len(text), entries, numbered, 0)
    return style, [(c.text, c.number or 0) for c in cites]


@pytest.mark.parametrize(
    ("text", "style", "expected"),
    [
        pytest.param("as shown [1]. Others [1, 3] and [2–4].", "bracket",
                     [("[1]", 1), ("[1, 3]", 1), ("[1, 3]", 3), ("[2–4]", 2), ("[2–4]", 3),
                      ("[2–4]", 4)], id="brackets"),
        pytest.param("a last resort (1). Both (1,2); and (3-5), and these (6,7) show",
                     "paren", [("(1)", 1), ("(1,2)", 1), ("(1,2)", 2), ("(3-5)", 3),
                               ("(3-5)", 4), ("(3-5)", 5), ("(6,7)", 6), ("(6,7)", 7)],
                     id="parentheses"),
        pytest.param("common mental disorders.1 Employers (SMD 0.16).3 More\nworkplace.3-6 "
                     "and responders,9,10 but help-seeking3,4 in", "superscript",
                     [("1", 1), ("3", 3), ("3-6", 3), ("3-6", 4), ("3-6", 5), ("3-6", 6),
                      ("9,10", 9), ("9,10", 10), ("3,4", 3), ("3,4", 4)], id="superscripts"),
        pytest.param("a call[^1] and another.[^7] Again [^1].", "footnote",
                     [("[^1]", 1), ("[^7]", 7), ("[^1]", 1)], id="footnotes"),
    ],
)  # fmt: skip
def test_numbered_forms(text: str, style: str, expected: Found) -> None:
    assert numbers(text) == (style, expected)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("This project will (1) estimate incidence; (2) compare groups; and (3) "
                     "test whether stress predicts symptoms.", id="numbered-aims"),
        pytest.param("Public safety personnel (PSP) and (CISM) programs (a) (b).", id="acronyms"),
        pytest.param("[Pause for questions] [Figure 1 about here: model]", id="stage-directions"),
        pytest.param("DSM-5 and COVID-19, SMD 0.16, R2MR, 49 employees, Table 1.", id="numbers"),
        pytest.param("In (1,234) cases [See 2]", id="thousands"),
        pytest.param("see [1](https://example.org) and\n[2] Smith J. An entry.", id="links"),
    ],
)  # fmt: skip
def test_not_numbered_citations(text: str) -> None:
    assert numbers(text)[1] == []


def test_superscripts_need_a_numbered_list_and_author_year_drafts_keep_their_style() -> None:
    assert numbers("mental disorders.1 Employers", numbered=False) == ("", [])
    assert numbers("in order.1 Then.2 And an mp4 player.", numbered=False) == ("", [])
    style, cites = find_markers("cited (1). Also (Smith, 2020).", 30, 3, False, 1)
    assert (style, cites) == ("", [])


def test_superscripts_first_cited_in_order_need_no_numbered_list() -> None:
    text = "Sleep is poor.1 Naps did not help.2 Burnout rose3, and PTSD too.4,5 Again.1"
    assert numbers(text, entries=5, numbered=False) == (
        "superscript",
        [("1", 1), ("2", 2), ("3", 3), ("4,5", 4), ("4,5", 5), ("1", 1)],
    )
    assert numbers(text.replace(".2 ", ".9 "), entries=9, numbered=False) == ("", [])
    # With an unnumbered list, a number past its end is not a marker ("4,5" of 4 entries).
    assert numbers(text, entries=4, numbered=False) == (
        "superscript",
        [("1", 1), ("2", 2), ("3", 3), ("1", 1)],
    )
    style, cites = find_markers("cited (1). Also (Smith, 2020).", 30, 3, False, 1)
    assert (style, cites) == ("", [])


def test_expand_ranges_and_groups() -> None:
    assert expand("1, 3") == [1, 3] and expand("2–4") == [2, 3, 4] and expand("6-8") == [6, 7, 8]
    assert expand("4-2") == [4, 2] and expand("0") == [] and len(expand("1-400")) == 2


def test_numbered_citations_match_entries_by_their_number() -> None:
    text = (
        "Rates are high [1]. Burnout doubles sick days [3], and turnover [4].\n\n"
        "References\n\n1. Berger W, Coutinho ESF. Rescuers at risk. Soc Psychiatry Psychiatr "
        "Epidemiol. 2012;47(6):1001-11.\n3. Crowe RP, Bower JK. Association of burnout. Prehosp "
        "Emerg Care. 2018;22(2):229-36.\n"
    )
    draft = parse_draft(text)
    assert draft.numbered == "bracket"
    assert [r.number for r in draft.references] == [1, 3]
    assert [(c.text, c.number) for c in draft.citations] == [("[1]", 1), ("[3]", 3), ("[4]", 4)]
