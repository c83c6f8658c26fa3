"""Talking points: exact spans, clause-boundary cuts, ranking, merging, caveats, citations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evidence import Library, NotFoundError, QueryError
from evidence.model import Passage, Study, TalkingPoint
from evidence.points.talking_points import (
    MAX_QUOTE_CHARS,
    Candidate,
    caveat,
    compose,
    merge,
    quote_span,
    rank,
)
from tests.conftest import DATA


def assert_traced(library: Library, points: list[TalkingPoint]) -> None:
    """Every source of every point quotes its stored passage exactly."""
    for point in points:
        assert point.sources
        for source in point.sources:
            passage = library.passage(source.passage_id)
            assert passage.text[source.start : source.end] == source.quote
            assert passage.study_key == source.study_key
        assert point.quote.rstrip(".") in point.text


def candidate(
    key: str, score: float, design: str = "", text: str = "A finding.", population: str = "police"
) -> Candidate:
    study = Study(key=key, design=design, population=population)
    passage = Passage(f"{key}#p1", key, "finding", "finding1", text, 0, len(text))
    return Candidate(passage, study, score, 0, len(text))


# ---- quoting -----------------------------------------------------------------------------


def test_a_short_passage_is_quoted_whole() -> None:
    text = "  Peer support lowered stigma.  "
    start, end = quote_span(text)
    assert text[start:end] == "Peer support lowered stigma."


def test_a_long_passage_is_cut_after_a_clause_when_the_rest_has_no_hedge() -> None:
    first = "Peer support teams met monthly with every crew in the region during the study " * 3
    text = f"{first.strip()}; the teams also kept records of every meeting and its topics " * 2
    start, end = quote_span(text)
    assert end - start <= MAX_QUOTE_CHARS
    assert text[start:end] == first.strip()
    assert text[end] == ";"


def test_a_long_passage_is_kept_whole_when_the_cut_part_qualifies_it() -> None:
    first = "Peer support teams met monthly with every crew in the region during the study " * 3
    text = f"{first.strip()}; however, the effect on symptoms was not significant at follow-up " * 2
    assert quote_span(text) == (0, len(text.rstrip()))


def test_the_kept_part_must_still_match_the_query() -> None:
    first = "Teams met monthly with every crew in the region during the whole study period " * 3
    text = f"{first.strip()}; stigma about asking for help fell by a third in the teams " * 2
    assert quote_span(text, {"stigma"}) == (0, len(text.rstrip()))


# ---- composing, caveats, ranking, merging --------------------------------------------------


def test_compose_puts_the_citation_before_the_full_stop() -> None:
    assert compose("Stigma fell.", "(Alpha, 2020)", "") == "Stigma fell (Alpha, 2020)."
    assert compose("Stigma fell;", "[1]", "") == "Stigma fell [1]."
    note = "In a cross-sectional study of police officers"
    assert compose("Stigma fell.", "(A, 2020)", note) == f"{note}: Stigma fell (A, 2020)."
    framed = "In a survey of 800 police officers, 45% feared being seen as weak."
    assert compose(framed, "(A, 2020)", note) == framed[:-1] + " (A, 2020)."


@pytest.mark.parametrize(
    ("design", "population", "expected"),
    [
        ("randomised controlled trial", "firefighters", ""),
        ("meta-analysis", "mixed public safety", ""),
        ("cross-sectional", "police", "In a cross-sectional study of police officers"),
        ("meta-analysis", "students", "In a meta-analysis of students"),
        ("", "", "In a study of unstated design of an unstated population"),
    ],
)
def test_caveat_flags_weak_designs_and_other_populations(
    design: str, population: str, expected: str
) -> None:
    assert caveat(Study(key="k", design=design, population=population)) == expected


def test_rank_is_relevance_band_then_design_then_one_per_study_first() -> None:
    survey = candidate("survey", 0.63, "cross-sectional")
    review = candidate("review", 0.61, "meta-analysis")  # same band: the stronger design first
    trial = candidate("trial", 0.75, "randomised controlled trial")  # a higher band wins
    second = Candidate(
        Passage("trial#p2", "trial", "finding", "finding2", "B.", 0, 2), trial.study, 0.74, 0, 2
    )
    ranked = rank([survey, review, trial, second])
    assert [c.passage.id for c in ranked] == ["trial#p1", "review#p1", "survey#p1", "trial#p2"]


def test_merge_joins_the_same_claim_but_not_different_numbers() -> None:
    same_a = candidate("a", 0.7, text="Peer support helped crews talk.")
    same_b = candidate("b", 0.6, text="Peer support helped crews to talk.")
    numbers_c = candidate("c", 0.5, text="In 313 women, 37.7% had ideation.")
    numbers_d = candidate("d", 0.4, text="In 1,027 firefighters, 46.8% had ideation.")
    vectors = {"a#p1": [1, 0, 0], "b#p1": [1, 0, 0], "c#p1": [0, 1, 0], "d#p1": [0, 1, 0]}
    groups = merge(
        [same_a, same_b, numbers_c, numbers_d],
        5,
        lambda ids: np.array([vectors[i] for i in ids], dtype=np.float32),
    )
    assert [[c.study.key for c in g] for g in groups] == [["a", "b"], ["c"], ["d"]]


# ---- with the real model -------------------------------------------------------------------


@pytest.mark.model
def test_points_for_a_query_are_traced_cited_and_labelled(tiny_library: Library) -> None:
    points = tiny_library.talking_points("does peer support reduce PTSD in firefighters", k=3)
    assert 1 <= len(points) <= 3
    assert_traced(tiny_library, points)
    top = points[0]
    assert top.sources[0].study_key == "alpha2020peer"
    assert top.citation == "(Alpha et al., 2020)" and top.style == "apa"
    assert top.text.endswith("(Alpha et al., 2020).")
    assert top.sources[0].design == "randomised controlled trial"
    assert top.caveat == ""
    for point in points:
        assert all(s.citation.startswith("(") for s in point.sources)


@pytest.mark.model
def test_weak_evidence_carries_its_caveat(tiny_library: Library) -> None:
    points = tiny_library.talking_points("police officers fear being seen as weak", k=2)
    assert_traced(tiny_library, points)
    delta = next(p for p in points if p.sources[0].study_key == "delta2019stigma")
    assert delta.caveat == "In a cross-sectional study of police officers"


@pytest.mark.model
def test_points_in_a_numeric_style(tiny_library: Library) -> None:
    points = tiny_library.talking_points("PTSD and debriefing", k=3, style="vancouver")
    assert_traced(tiny_library, points)
    assert [p.citation for p in points] == [f"({i})" for i in range(1, len(points) + 1)]


@pytest.mark.model
def test_points_from_chosen_hits_and_from_a_basket(tiny_library: Library) -> None:
    hits = tiny_library.search("stigma and help-seeking", k=2)
    from_hits = tiny_library.talking_points(hits=hits, k=2)
    assert_traced(tiny_library, from_hits)
    assert {p.sources[0].study_key for p in from_hits} <= {h.study.key for h in hits}
    basket = ["zeta2018debrief#p1", "alpha2020peer#p2", "alpha2020peer#p1"]
    chosen = tiny_library.talking_points(passage_ids=basket)
    assert [p.passage_id for p in chosen] == basket  # all kept, in the order chosen, whole
    assert [p.quote for p in chosen] == [tiny_library.passage(i).text for i in basket]
    assert_traced(tiny_library, chosen)


@pytest.mark.model
def test_points_need_something_to_work_from(tiny_library: Library) -> None:
    with pytest.raises(QueryError, match="give a query"):
        tiny_library.talking_points()
    with pytest.raises(NotFoundError):
        tiny_library.talking_points(passage_ids=["alpha2020peer#p99"])
    assert tiny_library.talking_points("quantum chromodynamics lattice gauge") == []


@pytest.mark.model
def test_points_that_say_the_same_thing_merge_into_one_with_two_citations(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    library = Library.build(
        [DATA / "tiny.bib", DATA / "cite-duplicates.bib"],
        index_dir=tmp_path / "index",
        embedder=embedder,
    )
    points = library.talking_points(
        "peer support teams help firefighters talk about difficult calls", k=3
    )
    assert_traced(library, points)
    merged = points[0]
    assert {s.study_key for s in merged.sources} == {"dupone2020", "duptwo2021"}
    assert merged.citation == "(Ono, 2020; Twomey, 2021)"
    assert sum(1 for p in points for s in p.sources if s.study_key.startswith("dup")) == 2


@pytest.mark.model
def test_library_cite_and_references(tiny_library: Library) -> None:
    assert (
        tiny_library.cite(["zeta2018debrief", "alpha2020peer"])
        == "(Alpha et al., 2020; Zeta, 2018)"
    )
    assert tiny_library.cite(["delta2019stigma"], narrative=True) == "Delta et al. (2019)"
    assert tiny_library.cite(["alpha2020peer", "nokey"], style="ieee") == "[1]"
    with pytest.raises(NotFoundError):
        tiny_library.cite(["nokey"])
    refs = tiny_library.references(["zeta2018debrief", "nokey", "alpha2020peer"], style="apa")
    assert [r.key for r in refs] == ["alpha2020peer", "zeta2018debrief"]
    assert refs[0].html.count('href="https://doi.org/10.1234/test.0001"') == 1
    assert refs[1].text.startswith(
        "Zeta, Z. (2018). Critical incident stress debriefing: A review. "
        "In E. Editor & O. Other (Eds.)"
    )
