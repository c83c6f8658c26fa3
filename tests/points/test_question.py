"""Reading a question (`points.question`) and the fit rules that depend on how it was read:
leftmost-longest terms, the narrowest intervention, concepts to link, designs asked for by
name, subgroups, any program, settings."""

from __future__ import annotations

import pytest

from evidence.model import Finding, Study
from evidence.points.fit import analyse, fit
from evidence.vocabulary import INTERVENTION_ROOTS


def finding(
    exposures: tuple[str, ...],
    outcomes: tuple[str, ...],
    direction: str,
    result: str = "A result.",
    context: str = "Context.",
) -> Finding:
    return Finding(1, result, context, exposures, outcomes, direction, headline="H")


RCT = Study("r2020x", design="randomised controlled trial", population="firefighters")
SURVEY = Study("s2020x", design="cross-sectional", population="mixed public safety")


@pytest.mark.parametrize(
    ("query", "exposures", "outcomes"),
    [
        # the longest term at each place wins: training for managers, not mental health
        ("does mental health training for managers reduce sick leave",
         {"leadership training"}, {"sick leave / absence"}),
        # "seek treatment" is help-seeking, not therapy
        ("how many police officers seek treatment", set(), {"help-seeking", "service use"}),
        # the narrower of two named interventions: MHFA, not training in general
        ("does Mental Health First Aid training work", {"Mental Health First Aid"}, set()),
        # with an intervention named, other exposures are its setting
        ("early interventions after a critical incident", {"crisis intervention"}, set()),
        # an adjective is not a kind of therapy
        ("effective therapy for PTSD in first responders", {"psychotherapy"}, {"PTSD symptoms"}),
        # a hyphenated term is found whole
        ("self-stigma and police attitudes to seeking help", {"stigma"}, {"help-seeking"}),
    ],
)  # fmt: skip
def test_terms_are_read_as_a_tokenizer_reads(
    query: str, exposures: set[str], outcomes: set[str]
) -> None:
    question = analyse(query)
    assert set(question.exposures) == exposures
    assert set(question.outcomes) == outcomes
    assert question.unknown_subject == ()


def test_the_kind_of_answer_is_read_without_the_vocabulary_words() -> None:
    # "help" in "seeking help" does not make this a question about whether something helps
    assert analyse("self-stigma and police attitudes to seeking help").kind == ""
    assert analyse("does peer support help firefighters with PTSD").kind == "effect"


def test_a_program_of_no_named_kind_is_any_intervention() -> None:
    question = analyse("stress reduction program for 911 dispatchers")
    assert set(question.exposures) == set(INTERVENTION_ROOTS)
    assert question.outcomes == {"stress"} and question.populations == {"dispatchers"}
    mindfulness = finding(("mindfulness",), ("stress",), "improved")
    assert fit(question, mindfulness, RCT).answers
    shifts = finding(("shift work",), ("stress",), "positive association")
    assert not fit(question, shifts, SURVEY).answers


def test_a_qualifier_we_have_no_term_for_is_an_unknown_subject() -> None:
    assert analyse("does compassion training reduce burnout").unknown_subject == ("compassion",)
    assert analyse("integrated approach to workplace mental health").unknown_subject == (
        "integrated",
    )


def test_two_topics_named_together_must_be_linked_by_the_finding() -> None:
    question = analyse("PTSD and alcohol misuse in first responders")
    assert len(question.linked) == 2
    both = finding(("mental disorders",), ("substance use",), "positive association")
    alcohol_only = finding(("none",), ("substance use",), "prevalence or level")
    assert fit(question, both, SURVEY).answers  # "mental disorders" covers PTSD
    assert not fit(question, alcohol_only, SURVEY).answers
    # a label of "other" hides the topic; the result's own words can name it
    named = finding(
        ("other",), ("substance use",), "positive association",
        result="Officers with more PTSD symptoms drank more.",
    )  # fmt: skip
    assert fit(question, named, SURVEY).answers


def test_a_question_about_a_condition_is_not_answered_by_a_programs_effect_on_it() -> None:
    question = analyse("self-stigma and police attitudes to seeking help")
    police = Study("p2019x", design="cross-sectional", population="police")
    program = finding(("TRiM",), ("stigma", "help-seeking"), "improved")
    link = finding(("stigma",), ("help-seeking",), "negative association")
    assert not fit(question, program, police).answers
    assert fit(question, link, police).answers


def test_a_design_asked_for_by_name_is_required() -> None:
    question = analyse("randomised trial of group debriefing with firefighters")
    assert question.designs == {"randomised controlled trial"}
    debriefing = finding(("critical incident stress debriefing",), ("PTSD symptoms",), "mixed")
    review = Study("v2002x", design="meta-analysis", population="other")
    assert fit(question, debriefing, RCT).answers
    assert not fit(question, debriefing, review).answers
    reviews = analyse("systematic reviews of peer support")
    assert {"systematic review"} <= reviews.designs


def test_a_subgroup_must_be_in_the_result_not_the_sample() -> None:
    question = analyse("what share of 911 dispatchers are women")
    assert question.subgroup == "women" and question.specific
    sample = finding(
        ("none",), ("PTSD symptoms",), "prevalence or level",
        result="Most dispatchers screened positive.", context="500 dispatchers (40% women).",
    )  # fmt: skip
    dispatchers = Study("d2020x", design="cross-sectional", population="dispatchers")
    assert not fit(question, sample, dispatchers).answers


def test_a_prevalence_does_not_answer_whether_something_harms() -> None:
    question = analyse("do shift work and long shifts harm first responders' health")
    level = finding(("shift work",), ("sleep",), "prevalence or level")
    link = finding(("shift work",), ("sleep",), "positive association")
    assert not fit(question, level, SURVEY).answers
    assert fit(question, link, SURVEY).answers


def test_a_setting_is_met_by_a_study_set_in_it() -> None:
    question = analyse("supporting health care workers during COVID-19")
    assert question.kind == "advice"
    advice = finding(("leadership",), ("organisational climate",), "recommendation")
    in_pandemic = Study(
        "l2020x", title="Psychological support for health care workers during COVID-19",
        design="guideline", population="health care workers",
    )  # fmt: skip
    elsewhere = Study(
        "l2019x", title="Supporting nurses", design="guideline", population="health care workers"
    )
    assert fit(question, advice, in_pandemic).answers
    assert not fit(question, advice, elsewhere).answers


def test_a_condition_asked_about_is_met_by_the_same_condition_measured_as_an_outcome() -> None:
    question = analyse("how common are sleep disorders in police officers")
    assert question.exposures == {"sleep problems"} and question.kind == "level"
    police = Study("r2011x", design="cohort", population="police")
    assert fit(question, finding(("none",), ("sleep",), "prevalence or level"), police).answers
