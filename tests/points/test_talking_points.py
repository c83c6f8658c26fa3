"""Talking points: results only, fit to the question, honest labels, caveats, abstention,
exact traces, ranking, merging and citations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evidence import Library, NotFoundError, QueryError
from evidence.model import PARAPHRASE, QUOTATION, Finding, Passage, Study, TalkingPoint
from evidence.points.fit import Fit, analyse, fit
from evidence.points.talking_points import Candidate, compose, is_result, merge, rank
from tests.conftest import DATA


def assert_traced(library: Library, points: list[TalkingPoint]) -> None:
    """Every source of every point is its stored passage's exact span, and the point's
    text is that span (with its citation), quoted only when it is the authors' words."""
    for point in points:
        assert point.sources
        for source in point.sources:
            passage = library.passage(source.passage_id)
            assert passage.text[source.start : source.end] == source.passage_text
            assert passage.study_key == source.study_key
            assert source.kind == (PARAPHRASE if passage.kind == "finding" else QUOTATION)
        body = point.passage_text.rstrip(".")
        if point.kind == QUOTATION:
            assert f"\u201c{body}\u201d" in point.text
        else:
            assert body in point.text and "\u201c" not in point.text


def candidate(
    key: str,
    score: float,
    design: str = "",
    text: str = "A finding.",
    population: str = "police",
    fit_score: float = 0.0,
) -> Candidate:
    study = Study(key=key, design=design, population=population)
    passage = Passage(f"{key}#p1", key, "finding", "finding1", text, 0, len(text))
    return Candidate(passage, study, score, None, Fit(True, fit_score))


# ---- what a question asks -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "exposures", "outcomes", "populations", "effect", "level"),
    [
        ("does peer support reduce PTSD symptoms in first responders",
         {"peer support"}, {"PTSD symptoms"}, {"mixed public safety"}, True, False),
        ("prevalence of PTSD in paramedics", set(), {"PTSD symptoms"}, {"paramedics / EMS"},
         False, True),
        ("is critical incident debriefing effective",
         {"critical incident stress debriefing"}, set(), set(), True, False),
        ("leadership training and sick leave", {"leadership training"},
         {"sick leave / absence"}, set(), True, False),
        ("do body-worn cameras reduce police use of force", set(), set(), {"police"}, True, False),
    ],
)  # fmt: skip
def test_a_question_is_read_for_its_terms_and_what_it_asks(
    query: str,
    exposures: set[str],
    outcomes: set[str],
    populations: set[str],
    effect: bool,
    level: bool,
) -> None:
    question = analyse(query)
    assert set(question.exposures) == exposures and set(question.outcomes) == outcomes
    assert set(question.populations) == populations
    assert (question.asks_effect, question.asks_level) == (effect, level)


# ---- does a finding answer it --------------------------------------------------------------


def finding(exposures: tuple[str, ...], outcomes: tuple[str, ...], direction: str) -> Finding:
    return Finding(1, "A result.", "Context.", exposures, outcomes, direction, headline="H")


STUDY = Study("s2020x", design="randomised controlled trial", population="firefighters")


def test_a_narrower_intervention_answers_a_question_about_the_broader_one() -> None:
    question = analyse("does peer support reduce PTSD in firefighters")
    assert fit(question, finding(("TRiM",), ("PTSD symptoms",), "improved"), STUDY).answers


@pytest.mark.parametrize(
    ("found", "why"),
    [
        (finding(("trauma-focused psychotherapy",), ("PTSD symptoms",), "improved"),
         "another intervention"),
        (finding(("peer support",), ("stigma",), "improved"), "another outcome"),
        (finding(("none",), ("PTSD symptoms",), "prevalence or level"), "a prevalence figure"),
        (finding(("peer support",), ("acceptability",), "prevalence or level"), "a process result"),
    ],
)  # fmt: skip
def test_findings_about_something_else_do_not_answer(found: Finding, why: str) -> None:
    question = analyse("does peer support reduce PTSD in firefighters")
    assert not fit(question, found, STUDY).answers, why


def test_a_prevalence_question_wants_a_level_in_its_own_group() -> None:
    question = analyse("prevalence of PTSD in paramedics")
    level = finding(("first responder work",), ("PTSD symptoms",), "prevalence or level")
    paramedics = Study("p2020x", design="meta-analysis", population="paramedics / EMS")
    police = Study("q2020x", design="meta-analysis", population="police")
    assert fit(question, level, paramedics).answers
    assert not fit(question, level, police).answers
    effect = finding(("peer support",), ("PTSD symptoms",), "improved")
    assert not fit(question, effect, paramedics).answers


def test_another_group_answers_with_a_caveat_and_a_weak_design_says_so() -> None:
    question = analyse("does peer support reduce PTSD in firefighters")
    police = Study("q2020x", design="cross-sectional", population="police")
    found = Finding(1, "R.", "C.", ("TRiM",), ("PTSD symptoms",), "improved", note="Curator: x.")
    judged = fit(question, found, police)
    assert judged.answers
    assert judged.caveats == (
        "This study was of police officers, not firefighters.",
        "This cross-sectional survey shows an association, not that one caused the other.",
        "Curator's note: x.",
    )


def test_only_result_sentences_of_an_abstract_can_be_points() -> None:
    assert is_result("PTSD symptoms fell more with peer support (d = 0.45, p < .05).")
    assert is_result("Stigma was associated with lower help-seeking (OR 0.6).")
    assert not is_result("We randomised 120 firefighters to peer support or usual care.")
    assert not is_result("This study aimed to examine peer support in firefighters.")
    assert not is_result("Firefighters face repeated trauma.")


# ---- composing, ranking, merging -----------------------------------------------------------


def test_compose_keeps_our_words_unquoted_and_quotes_the_authors() -> None:
    assert compose("Stigma fell.", "(Alpha, 2020)", PARAPHRASE) == "Stigma fell (Alpha, 2020)."
    assert compose("Stigma fell;", "[1]", PARAPHRASE) == "Stigma fell [1]."
    assert compose("Stigma fell.", "(A, 2020)", QUOTATION) == "\u201cStigma fell\u201d (A, 2020)."


def test_rank_is_fit_then_relevance_band_then_design_then_one_per_study_first() -> None:
    survey = candidate("survey", 0.63, "cross-sectional", fit_score=3)
    review = candidate("review", 0.61, "meta-analysis", fit_score=3)  # same band, stronger
    trial = candidate("trial", 0.75, "randomised controlled trial", fit_score=3)  # higher band
    loose = candidate("loose", 0.90, "meta-analysis", fit_score=1)  # fits less: after all
    second = Candidate(
        Passage("trial#p2", "trial", "finding", "finding2", "B.", 0, 2),
        trial.study,
        0.74,
        None,
        Fit(True, 3),
    )
    ranked = rank([survey, review, trial, second, loose])
    assert [c.passage.id for c in ranked] == [
        "trial#p1",
        "review#p1",
        "survey#p1",
        "loose#p1",
        "trial#p2",
    ]


def test_merge_joins_the_same_claim_but_not_different_numbers_and_one_study_once() -> None:
    same_a = candidate("a", 0.7, text="Peer support helped crews talk.")
    same_b = candidate("b", 0.6, text="Peer support helped crews to talk.")
    numbers_c = candidate("c", 0.5, text="In 313 women, 37.7% had ideation.")
    numbers_d = candidate("d", 0.4, text="In 1,027 firefighters, 46.8% had ideation.")
    again_c = Candidate(
        Passage("c#p2", "c", "finding", "finding2", "Other.", 0, 6), numbers_c.study, 0.3
    )
    vectors = {
        "a#p1": [1, 0, 0],
        "b#p1": [1, 0, 0],
        "c#p1": [0, 1, 0],
        "d#p1": [0, 1, 0],
        "c#p2": [0, 0, 1],
    }
    groups = merge(
        [same_a, same_b, numbers_c, numbers_d, again_c],
        5,
        lambda ids: np.array([vectors[i] for i in ids], dtype=np.float32),
    )
    assert [[c.study.key for c in g] for g in groups] == [["a", "b"], ["c"], ["d"]]


# ---- with the real model -------------------------------------------------------------------


@pytest.mark.model
def test_points_for_a_query_are_results_that_fit_traced_cited_and_labelled(
    tiny_library: Library,
) -> None:
    points = tiny_library.talking_points("does peer support reduce PTSD in firefighters", k=3)
    assert_traced(tiny_library, points)
    assert [p.passage_id for p in points] == ["alpha2020peer#p1"]  # the only fitting finding
    top = points[0]
    assert top.kind == PARAPHRASE and top.label == "The study's finding, in our words"
    assert top.citation == "(Alpha et al., 2020)" and top.style == "apa"
    assert top.text == (
        "In a trial of 120 firefighters, peer support groups lowered PTSD symptom scores more "
        "than usual care after six months (Alpha et al., 2020)."
    )
    assert top.caveat == "" and top.headline == "Peer support groups lowered PTSD symptoms"
    assert top.sources[0].about == "peer support → PTSD symptoms"


@pytest.mark.model
def test_a_finding_about_another_group_carries_its_caveat(tiny_library: Library) -> None:
    points = tiny_library.talking_points("does peer support reduce PTSD in police", k=2)
    assert_traced(tiny_library, points)
    alpha = next(p for p in points if p.sources[0].study_key == "alpha2020peer")
    assert alpha.caveat == "This study was of firefighters, not police officers."


@pytest.mark.model
def test_a_question_the_library_cannot_answer_gets_no_points(tiny_library: Library) -> None:
    assert tiny_library.talking_points("do body-worn cameras reduce police use of force") == []
    assert tiny_library.talking_points("does peer support reduce burnout in nurses") == []
    assert tiny_library.talking_points("quantum chromodynamics lattice gauge") == []


@pytest.mark.model
def test_points_in_a_numeric_style(tiny_library: Library) -> None:
    points = tiny_library.talking_points("does debriefing or peer support prevent PTSD", k=3)
    points = tiny_library.talking_points(
        passage_ids=[p.passage_id for p in points], style="vancouver"
    )
    assert_traced(tiny_library, points)
    assert [p.citation for p in points] == [f"({i})" for i in range(1, len(points) + 1)]


@pytest.mark.model
def test_points_from_chosen_hits_and_from_a_basket(tiny_library: Library) -> None:
    hits = tiny_library.search("stigma and help-seeking", k=2)
    from_hits = tiny_library.talking_points("stigma and help-seeking", hits=hits, k=2)
    assert_traced(tiny_library, from_hits)
    assert {p.sources[0].study_key for p in from_hits} <= {h.study.key for h in hits}
    basket = ["zeta2018debrief#p1", "alpha2020peer#p2", "alpha2020peer#p6", "alpha2020peer#p1"]
    chosen = tiny_library.talking_points(passage_ids=basket)
    assert [p.passage_id for p in chosen] == basket  # all kept, in the order chosen, whole
    assert [p.passage_text for p in chosen] == [tiny_library.passage(i).text for i in basket]
    assert [p.kind for p in chosen] == [PARAPHRASE, PARAPHRASE, QUOTATION, PARAPHRASE]
    assert_traced(tiny_library, chosen)


@pytest.mark.model
def test_points_need_something_to_work_from(tiny_library: Library) -> None:
    with pytest.raises(QueryError, match="give a query"):
        tiny_library.talking_points()
    with pytest.raises(NotFoundError):
        tiny_library.talking_points(passage_ids=["alpha2020peer#p99"])


@pytest.mark.model
def test_points_that_say_the_same_thing_merge_into_one_with_two_citations(
    tmp_path: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    library = Library.build(
        [DATA / "tiny.bib", DATA / "cite-duplicates.bib"],
        index_dir=tmp_path / "index",
        embedder=embedder,
    )
    points = library.talking_points("does peer support help firefighters talk to colleagues", k=3)
    assert_traced(library, points)
    merged = next(p for p in points if p.sources[0].study_key.startswith("dup"))
    assert {s.study_key for s in merged.sources} == {"dupone2020", "duptwo2021"}
    assert merged.caveat.startswith("A qualitative finding: it reports what people said")
    assert merged.citation == "(Ono, 2020; Twomey, 2021)"
    assert sum(1 for p in points for s in p.sources if s.study_key.startswith("dup")) == 2


@pytest.mark.model
def test_the_evidence_profile_counts_by_design_and_direction(tiny_library: Library) -> None:
    profile = tiny_library.evidence("does debriefing prevent PTSD")
    assert profile.answered and profile.studies == 1
    assert [line.text for line in profile.lines] == ["1 narrative review found no difference."]
    assert profile.lines[0].passage_ids == ("zeta2018debrief#p1",)
    assert profile.contrary == "zeta2018debrief#p1" and profile.supporting == ""
    nothing = tiny_library.evidence("do body-worn cameras reduce police use of force")
    assert not nothing.answered and nothing.nearest and nothing.lines == ()


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
