"""Does a finding answer the question? The question's terms, and a finding's fit to them.

A question is read for the interventions or exposures, outcomes and responder groups it
names (through `vocabulary.ALIASES`), and for what it asks: whether something works (an
effect) or how common something is (a level). A curated finding says the same things about
itself, so the two can be compared term by term: a finding answers when it is about the
question's intervention (or a narrower one: TRiM answers "peer support") and its outcome,
and states the kind of result asked for. Everything else — another intervention, another
outcome, a prevalence figure for a question about what works — does not answer, however
similar its words. A finding of another responder group still answers, with a caveat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..model import Finding, Study
from ..vocabulary import (
    ALIASES,
    EFFECT_DIRECTIONS,
    OUTCOME_ALIASES,
    POPULATION_ALIASES,
    RESPONDER_GROUPS,
    intervention,
    with_parents,
)

_EFFECT = re.compile(
    r"\b(do(es)?|did|can|could|will|would|is|are)\b.{0,80}\b(work|help|reduce|lower|cut|"
    r"prevent|improve|increase|decrease|effective|benefit|change|protect|affect)\w*|"
    r"\b(effect|effects|effective\w*|efficacy|impact|outcomes?|benefits?|evidence for|"
    r"reduces?|reduced|lowers?|improves?|prevents?|works?|helps?)\b",
    re.IGNORECASE,
)
_ADVICE = re.compile(
    r"\b(how (to|should|do we|can we)|guidelines?|guidance|recommend\w*|best practice|set up|"
    r"design|implement\w*|should (we|a|an|the)|what (should|makes)|standards?|include)\b",
    re.IGNORECASE,
)
_LEVEL = re.compile(
    r"\b(how (many|much|common|often|prevalent)|prevalence|rates?|percent\w*|proportion|"
    r"share|incidence|how likely|number of|levels?|burden|statistics)\b",
    re.IGNORECASE,
)
# Outcomes about how a program was received, not what it did.
PROCESS = {"acceptability", "service use"}
# Directions that state how common or how high something is, or how groups differ.
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
_PUBLIC_SAFETY = set(RESPONDER_GROUPS) | {"mixed public safety"}
_POPULATION_WORDS = {
    "police": "police officers", "firefighters": "firefighters",
    "paramedics / EMS": "paramedics and EMS staff", "dispatchers": "dispatchers",
    "corrections": "corrections staff", "mixed public safety": "public safety personnel",
    "military": "military personnel", "health care workers": "health care workers",
    "general workforce": "employees outside public safety", "students": "students",
    "other": "people outside public safety",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Question:
    """What a question asks about, in vocabulary terms."""

    text: str
    exposures: frozenset[str] = frozenset()
    outcomes: frozenset[str] = frozenset()
    populations: frozenset[str] = frozenset()
    asks_effect: bool = False
    asks_level: bool = False

    @property
    def specific(self) -> bool:
        """True when it names an intervention, exposure or outcome we know."""
        return bool(self.exposures or self.outcomes)

    @property
    def about_intervention(self) -> bool:
        return any(intervention(e) for e in self.exposures)


@dataclass(frozen=True, slots=True)
class Fit:
    """How a finding fits a question: whether it answers, how well, and what to say."""

    answers: bool
    score: float = 0.0  # higher fits better: matched terms, then the kind of result
    caveats: tuple[str, ...] = field(default=())
    reason: str = ""  # why it does not answer (for "nearest studies" and debugging)


def analyse(text: str) -> Question:
    """The vocabulary terms a question names, and whether it asks for an effect or a level."""
    lowered = " " + " ".join(text.lower().split()) + " "
    exposures, lowered = _take(lowered, _patterns("exposure"))
    outcomes, lowered = _take(lowered, _patterns("outcome"))
    populations, _ = _take(lowered, _patterns("population"))
    asks_level = bool(_LEVEL.search(text))
    asks_effect = bool(_EFFECT.search(text)) and not (asks_level and not exposures)
    return Question(
        text,
        frozenset(exposures),
        frozenset(outcomes),
        frozenset(populations),
        asks_effect or bool(exposures and not asks_level),
        asks_level,
    )


@lru_cache(maxsize=3)
def _patterns(kind: str) -> tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]:
    """(regex, terms) per alias, longest alias first so "leadership training" wins over
    "training"."""
    table: dict[str, tuple[str, ...]]
    if kind == "exposure":
        table = ALIASES
    elif kind == "outcome":
        table = OUTCOME_ALIASES
    else:
        table = {k: (v,) for k, v in POPULATION_ALIASES.items()}
    out = []
    for alias in sorted(table, key=len, reverse=True):
        words = re.escape(alias.rstrip("*")).replace(r"\ ", r"\s+")
        tail = r"[\w-]*" if alias.endswith("*") else ""
        out.append((re.compile(rf"(?<![\w-]){words}{tail}(?![\w-])"), table[alias]))
    return tuple(out)


def _take(
    text: str, patterns: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]
) -> tuple[set[str], str]:
    """The terms of every alias found in `text`, and `text` with those words blanked out
    (so a shorter alias inside a longer one is not counted again)."""
    found: set[str] = set()
    for pattern, terms in patterns:
        if pattern.search(text):
            found.update(terms)
            text = pattern.sub(lambda m: " " * len(m.group()), text)
    return found, text


def fit(question: Question, finding: Finding, study: Study) -> Fit:
    """How `finding` (of `study`) fits `question`. Needs a structured finding; an
    unstructured one is judged by similarity alone (see `talking_points`)."""
    exposure = _exposure_fit(question, finding)
    if exposure < 0:
        return Fit(False, reason=f"about {_about(finding)}, not {_names(question.exposures)}")
    if question.outcomes and not question.outcomes & set(finding.outcomes):
        return Fit(False, reason=f"about {', '.join(finding.outcomes)}")
    if question.asks_effect and not question.outcomes and set(finding.outcomes) <= PROCESS:
        return Fit(False, reason="about how a program was received, not its effect")
    kind = _kind_fit(question, finding)
    if kind < 0:
        return Fit(False, reason=f"a {finding.direction} finding")
    if question.asks_level and not _same_group(question, finding, study):
        return Fit(False, reason="how common it is in another group")
    outcome = 1.0 if question.outcomes else 0.0
    score = 2.0 * exposure + outcome + kind + _population_fit(question, finding, study)
    return Fit(True, score, caveats_for(question, finding, study))


def _exposure_fit(question: Question, finding: Finding) -> float:
    """1: about the question's intervention or exposure (or a narrower one: TRiM for "peer
    support"); 0.5: about it as an outcome ("stigma" for a question about stigma and
    help-seeking), or about a broader intervention (peer support for "TRiM"); 0: the
    question names none; -1: about something else."""
    if not question.exposures:
        return 0.0
    named = [e for e in finding.exposures if e not in ("none", "other")]
    mine = {term for e in named for term in with_parents(e)}
    if question.exposures & mine:
        return 1.0
    if question.exposures & set(finding.outcomes):
        return 0.5
    theirs = {term for q in question.exposures if intervention(q) for term in with_parents(q)}
    if set(named) & theirs:
        return 0.5
    return -1.0


def _kind_fit(question: Question, finding: Finding) -> float:
    """Whether the finding states the kind of result the question asks for: a level for
    "how common", an effect for "does X work" (views allowed, with a caveat), advice for
    "how should we"; -1 when it does not."""
    direction = finding.direction
    if direction == "recommendation":
        return 1.0 if _ADVICE.search(question.text) else -1.0
    if question.asks_level and not question.about_intervention:
        return 1.0 if direction in LEVEL_DIRECTIONS else -1.0
    if question.about_intervention:
        if direction in EFFECT_ANSWERS:
            return 1.0
        if direction == "qualitative theme":
            return 0.5 if _ADVICE.search(question.text) else 0.0
        return -1.0
    return 1.0 if direction in EFFECT_ANSWERS else 0.5


def _same_group(question: Question, finding: Finding, study: Study) -> bool:
    """For "how common": the question's group, or a public-safety sample that may hold it
    (a level in police says nothing of its level in paramedics)."""
    asked = question.populations - {"mixed public safety"}
    group = finding.population or study.population
    if not asked:
        return True
    return (
        group in asked
        or bool(set(study.includes) & asked)
        or (group == "mixed public safety" and not study.includes)
    )


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
        _population_caveat(question, finding, study),
        _design_caveat(question, finding, study),
        finding.note.replace("Curator:", "Curator's note:", 1) if finding.note else "",
    ]
    return tuple(n for n in notes if n)


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


_DESIGN_WORDS = {
    "cross-sectional": "cross-sectional survey", "case-control": "case-control study",
    "cohort": "cohort study", "meta-analysis": "meta-analysis",
    "systematic review": "review", "mixed methods": "mixed-methods study",
    "economic evaluation": "economic evaluation",
}  # fmt: skip


def _about(finding: Finding) -> str:
    named = [e for e in finding.exposures if e not in ("none", "other")]
    return ", ".join(named) or ", ".join(finding.outcomes) or "another topic"


def _names(terms: frozenset[str]) -> str:
    return ", ".join(sorted(terms))


def describe(finding: Finding) -> str:
    """What a finding is about, for a reader: "TRiM → PTSD symptoms"."""
    return f"{_about(finding)} → {', '.join(finding.outcomes)}" if finding.outcomes else ""
