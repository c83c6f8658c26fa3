"""Does a finding answer the question? A curated finding's fit to a read `Question`.

A curated finding says in vocabulary terms what it is about, so it is compared with the
question (`question.py`) term by term:

- the finding must be about the question's intervention or exposure, or a narrower one
  (TRiM answers "peer support"; a finding that lists several kinds of training beside
  "mental health training" is about training in general, not about each kind);
- about one of its outcomes, when it names any, and link two concepts when asked to;
- and state the kind of result asked for (a level for "how common", an effect for "does it
  work", an association or a theme for "what causes", advice for "how to").
- A question about a condition in a group ("PTSD in dispatchers") wants that group; a
  question about an intervention accepts another group, with a caveat.

A subject the vocabulary does not know ("caffeine", "body-worn cameras") fits only a
finding that names it. Everything else — however similar its words — does not answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Finding, Study
from ..vocabulary import (
    AS_OUTCOME,
    DISORDERS,
    EFFECT_DIRECTIONS,
    RESPONDER_GROUPS,
    SETTINGS,
    intervention,
    with_parents,
)
from .question import Question, analyse, content_words, exposures_in, named_in

__all__ = ["Fit", "Question", "analyse", "caveats_for", "describe", "fit", "status_note"]

_SUBGROUP = re.compile(r"\b(women|woman|female)\b", re.IGNORECASE)

LEVEL_DIRECTIONS = ("prevalence or level", "higher than comparison", "lower than comparison")
# What can answer "does X work": an effect, an association or a difference between groups.
EFFECT_ANSWERS = (
    EFFECT_DIRECTIONS
    + ("positive association", "negative association")
    + (
        "higher than comparison",
        "lower than comparison",
        "cost",
    )
)
CAUSE_ANSWERS = (
    "positive association",
    "negative association",
    "higher than comparison",
    "lower than comparison",
    "mixed",
    "qualitative theme",
)
# Outcomes about how a program was received, not what it did.
PROCESS = {"acceptability", "service use"}
_PUBLIC_SAFETY = set(RESPONDER_GROUPS) | {"mixed public safety"}
_POPULATION_WORDS = {
    "police": "police officers", "firefighters": "firefighters",
    "paramedics / EMS": "paramedics and EMS staff", "dispatchers": "dispatchers",
    "corrections": "corrections staff", "mixed public safety": "public safety personnel",
    "military": "military personnel", "health care workers": "health care workers",
    "general workforce": "employees outside public safety", "students": "students",
    "other": "other groups",
}  # fmt: skip
_DESIGN_WORDS = {
    "cross-sectional": "cross-sectional survey", "case-control": "case-control study",
    "cohort": "cohort study", "meta-analysis": "meta-analysis",
    "systematic review": "review", "mixed methods": "mixed-methods study",
    "economic evaluation": "economic evaluation",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Fit:
    """How a finding fits a question: whether it answers, how well, and what to say."""

    answers: bool
    score: float = 0.0  # higher fits better: matched terms, then the kind of result
    caveats: tuple[str, ...] = field(default=())
    reason: str = ""  # why it does not answer (for "nearest studies" and debugging)


def fit(question: Question, finding: Finding, study: Study) -> Fit:
    """How `finding` (of `study`) fits `question` (a structured finding)."""
    if question.unknown_subject:
        return _named_fit(question, finding, study)
    exposure = _exposure_fit(question, finding, study)
    if exposure < 0:
        return Fit(False, reason=f"about {_about(finding)}, not {_names(question.exposures)}")
    if question.outcomes and not question.outcomes & set(finding.outcomes):
        return Fit(False, reason=f"about {', '.join(finding.outcomes)}")
    if question.asks_effect and not question.outcomes and set(finding.outcomes) <= PROCESS:
        return Fit(False, reason="about how a program was received, not its effect")
    if question.linked and not _links(question.linked, finding):
        return Fit(False, reason="does not link the question's two topics")
    if _program_for_condition(question, finding):
        return Fit(False, reason="about a program's effect, not the question's topic")
    if question.designs and study.design not in _allowed_designs(question.designs):
        return Fit(False, reason=f"a {study.design or 'study of unstated design'}")
    kind = _kind_fit(question, finding)
    if kind < 0:
        return Fit(False, reason=f"a {finding.direction} finding")
    if not _group_fits(question, finding, study):
        return Fit(False, reason="about another group")
    if question.subgroup and not _mentions_subgroup(finding):
        return Fit(False, reason=f"not about {question.subgroup}")
    outcome = 1.0 if question.outcomes else 0.0
    score = 2.0 * exposure + outcome + kind + _population_fit(question, finding, study)
    return Fit(True, score, caveats_for(question, finding, study))


def _links(groups: tuple[frozenset[str], ...], finding: Finding) -> bool:
    """True when the finding meets two of the question's concepts, with different terms
    ("PTSD and alcohol misuse": PTSD symptoms and substance use), by its labels or in its
    result's words (a label of "other" hides what the result names)."""
    mine = {AS_OUTCOME.get(e, e) for e in finding.exposures} | set(finding.outcomes)
    mine |= {AS_OUTCOME.get(t, t) for t in named_in(finding.result)}
    if "mental disorders" in mine:
        mine |= set(DISORDERS)
    met = [g & mine for g in groups if g & mine]
    return len(met) >= 2 and len(set().union(*met)) >= 2


def _program_for_condition(question: Question, finding: Finding) -> bool:
    """A question about a condition or exposure (stigma and help-seeking) is not answered by
    what a program did to it (TRiM lowered stigma)."""
    if question.about_intervention or not (question.exposures or question.linked):
        return False
    topics = _topics(finding)
    return bool(topics) and all(intervention(e) for e in topics)


def _allowed_designs(asked: frozenset[str]) -> set[str]:
    allowed = set(asked)
    if "systematic review" in allowed:
        allowed.add("meta-analysis")
    return allowed


def _named_fit(question: Question, finding: Finding, study: Study) -> Fit:
    """A subject the vocabulary lacks: the finding must name it in its own words."""
    words = content_words(f"{finding.result} {finding.context}")
    if not set(question.unknown_subject) <= words:
        return Fit(False, reason="does not name what the question asks about")
    if question.outcomes and not question.outcomes & set(finding.outcomes):
        return Fit(False, reason=f"about {', '.join(finding.outcomes)}")
    return Fit(True, 1.0, caveats_for(question, finding, study))


def _exposure_fit(question: Question, finding: Finding, study: Study) -> float:
    """1: about the question's intervention or exposure (or a narrower one: TRiM for "peer
    support"); 0.5: about it as an outcome ("stigma" for a question on stigma and
    help-seeking; sleep for "sleep disorders"); 0: the question names none; -1: about
    something else. A setting (the pandemic) is met by a study set in it."""
    asked = question.exposures
    if asked & SETTINGS and _set_in(study, asked & SETTINGS):
        asked = asked - SETTINGS
    if not asked:
        return 0.0 if not question.exposures else 1.0
    mine = {term for e in _topics(finding) for term in with_parents(e)}
    if asked & mine:
        return 1.0
    as_outcomes = {AS_OUTCOME.get(e, e) for e in asked}
    if as_outcomes & set(finding.outcomes):
        return 0.5
    return -1.0


def _set_in(study: Study, settings: frozenset[str]) -> bool:
    """True when the study's title names one of `settings` (COVID-19 for the pandemic)."""
    return bool(exposures_in(study.title) & settings)


def _topics(finding: Finding) -> list[str]:
    """What a finding is about. Narrower terms listed beside their broader one are
    examples ("any training: R2MR, MHFA, ..."), so the finding is about the broader one."""
    named = [e for e in finding.exposures if e not in ("none", "other")]
    roots = set(named)
    return [e for e in named if not (set(with_parents(e)[1:]) & roots)]


def _kind_fit(question: Question, finding: Finding) -> float:
    """Whether the finding states the kind of result asked for; -1 when it does not."""
    direction = finding.direction
    if question.kind == "advice":
        if direction == "recommendation":
            return 1.0
        return 0.5 if direction == "qualitative theme" else -1.0
    if direction == "recommendation":
        return -1.0
    if question.kind == "level":
        return 1.0 if direction in LEVEL_DIRECTIONS else -1.0
    if question.kind == "cause":
        if any(intervention(e) for e in _topics(finding)):
            return -1.0  # a program's effect is not a cause of the condition
        return 1.0 if direction in CAUSE_ANSWERS else -1.0
    if question.about_intervention:
        if direction in EFFECT_ANSWERS:
            return 1.0
        return 0.0 if direction == "qualitative theme" else -1.0  # views, with a caveat
    if question.kind == "effect":  # "does shift work harm health": not how common it is
        return 1.0 if direction in EFFECT_ANSWERS + CAUSE_ANSWERS else -1.0
    return 1.0 if direction in EFFECT_ANSWERS else 0.5


def _group_fits(question: Question, finding: Finding, study: Study) -> bool:
    """A question about an intervention accepts other groups (with a caveat); one about a
    condition in a group ("PTSD in dispatchers") wants that group. A mixed sample that
    includes it answers "how common", not "what goes with it"."""
    asked = question.populations - {"mixed public safety"}
    if not asked or question.about_intervention:
        return True
    group = finding.population or study.population
    if group in asked:
        return True
    if question.kind == "level" and group == "mixed public safety":
        return not study.includes or bool(set(study.includes) & asked)
    return False


def _mentions_subgroup(finding: Finding) -> bool:
    """The result (not the sample described in its context) is about the subgroup."""
    return bool(_SUBGROUP.search(finding.result))


def _population_fit(question: Question, finding: Finding, study: Study) -> float:
    group = finding.population or study.population
    if not question.populations:
        return 0.0
    if group in question.populations or set(study.includes) & question.populations:
        return 0.5
    if "mixed public safety" in question.populations and group in _PUBLIC_SAFETY:
        return 0.5
    return 0.0


def caveats_for(question: Question, finding: Finding, study: Study) -> tuple[str, ...]:
    """What a reader must know alongside the finding, as full sentences: another group than
    the question's, a design that cannot show what is asked, the curator's warning."""
    notes = [
        status_note(study),
        _population_caveat(question, finding, study),
        _design_caveat(question, finding, study),
        finding.note.replace("Curator:", "Curator's note:", 1) if finding.note else "",
    ]
    return tuple(n for n in notes if n)


def status_note(study: Study) -> str:
    """A plain warning when the study was retracted, corrected or has an expression of
    concern (from its curated status or a loaded retraction list)."""
    status = study.status
    if not status.warning:
        return ""
    date = f" ({status.date})" if status.date else ""
    if status.state == "retracted":
        return f"This study was retracted{date}: do not rely on it."
    if status.state == "corrected":
        return f"This study was corrected{date}: check that this result still stands."
    return f"This study has an expression of concern{date}: treat its results with caution."


def _population_caveat(question: Question, finding: Finding, study: Study) -> str:
    """A plain note when the finding is about another group than the question's."""
    group = finding.population or study.population
    asked = question.populations - {"mixed public safety"}
    if not asked:  # no group named, or "first responders": outside public safety needs a note
        if group and group not in _PUBLIC_SAFETY:
            return f"This study was of {_words(group)}, not first responders."
        return ""
    if group in asked or set(study.includes) & asked:
        return ""
    wanted = " or ".join(_words(g) for g in sorted(asked))
    if group == "mixed public safety":
        return f"This study was of {_words(group)} in general, not {wanted} alone."
    return f"This study was of {_words(group)}, not {wanted}."


def _words(group: str) -> str:
    return _POPULATION_WORDS.get(group, group or "an unstated group")


def _design_caveat(question: Question, finding: Finding, study: Study) -> str:
    """A design that cannot show what the question asks (an effect)."""
    if question.asks_effect and finding.direction == "qualitative theme":
        return "A qualitative finding: it reports what people said, not a measured effect."
    if not (question.asks_effect and finding.direction in EFFECT_ANSWERS):
        return ""
    design = study.design
    if design in ("cross-sectional", "case-control", "cohort") or (
        finding.direction in ("positive association", "negative association")
        and design not in ("randomised controlled trial", "non-randomised trial")
    ):
        kind = _DESIGN_WORDS.get(design, "study")
        return f"This {kind} shows an association, not that one caused the other."
    if design == "program evaluation":
        return (
            "A program evaluation without a comparison group: it cannot show the program "
            "caused the change."
        )
    if design in ("qualitative", "narrative review", "debate / commentary", "guideline"):
        return f"A {design}: it reports views or advice, not a measured effect."
    return ""


def _about(finding: Finding) -> str:
    named = [e for e in finding.exposures if e not in ("none", "other")]
    return ", ".join(named) or ", ".join(finding.outcomes) or "another topic"


def _names(terms: frozenset[str]) -> str:
    return ", ".join(sorted(terms))


def describe(finding: Finding) -> str:
    """What a finding is about, for a reader: "TRiM → PTSD symptoms"."""
    return f"{_about(finding)} → {', '.join(finding.outcomes)}" if finding.outcomes else ""
