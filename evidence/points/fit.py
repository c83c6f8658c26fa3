"""Does a finding answer the question? The question's terms, and a finding's fit to them.

A question is read for what it is about — the intervention or exposure it asks about (its
subject: "peer support" in "does peer support reduce PTSD"), the outcomes and the responder
groups it names (through `vocabulary.ALIASES`) — and for what it asks: whether something
works (an effect), what goes with or causes something (a cause), how common something is
(a level), or how to do something (advice). A curated finding says the same things about
itself, so the two are compared term by term:

- the finding must be about the question's intervention or exposure, or a narrower one
  (TRiM answers "peer support"; a finding that lists several kinds of training beside
  "mental health training" is about training in general, not about each kind);
- about one of its outcomes, when it names any;
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

_VERBS = (
    r"reduce|lower|cut|prevent|improve|increase|decrease|help|work|benefit|change|protect|"
    r"affect|harm|raise|predict|cause|stop|keep|worsen|ease|relieve|shorten|boost|"
    r"(?:is |are )?(?:linked|related|associated|tied)"
)
# "does X reduce Y", "is X linked to Y": X is what the question is about.
_ASKED = re.compile(
    rf"^\s*(?:does|do|did|can|could|will|would|is|are|has|have)\s+(?P<subject>.+?)\s+"
    rf"(?P<verb>{_VERBS})(?:s|es|ed|ing)?\b(?P<object>.*)$",
    re.IGNORECASE,
)
# "X reduces Y", "stigma stops firefighters seeking help": a claim.
_CLAIMED = re.compile(
    rf"^\s*(?P<subject>.+?)\s+(?P<verb>{_VERBS})(?:s|es|ed)\b(?P<object>.*)$", re.IGNORECASE
)
_EFFECT = re.compile(
    r"\b(effects?|effective\w*|efficacy|impact|outcomes?|benefits?|evidence for|works?|"
    r"help(s|ed)?|reduc\w+|lower\w*|improv\w+|prevent\w*|trials?|evaluat\w+|results)\b",
    re.IGNORECASE,
)
_LEVEL = re.compile(
    r"\b(how (many|much|common|often|prevalent)|prevalence|rates?|percent\w*|proportion|"
    r"share|incidence|how likely|number of|burden|statistics|more than (the )?general|"
    r"than the general|compared (with|to) (the )?general|higher than|lower than|"
    r"more (often|likely) than)\b",
    re.IGNORECASE,
)
_CAUSE = re.compile(
    r"\b(causes?|caused|risk factors?|predict\w*|linked|related|associated|lead(s)? to|"
    r"contribut\w*|why|factors?|affects?|drivers?|sources? of)\b",
    re.IGNORECASE,
)
_ADVICE = re.compile(
    r"\b(how (to|should|do we|can we)|guidelines?|guidance|recommend\w*|best practice|set up|"
    r"design|implement\w*|should (we|a|an|the)|what (should|makes|to do)|standards?|include|"
    r"roll(ing)? out)\b",
    re.IGNORECASE,
)
_COMPARISON = re.compile(r"\b(vs\.?|versus|compared|comparison|differ\w*|than)\b", re.IGNORECASE)
_SUBGROUP = re.compile(r"\b(women|woman|female)\b", re.IGNORECASE)
_WH = frozenset("what which who whom whose why how where when".split())
# A generic word for a kind of program, and the word qualifying it.
_GENERIC = re.compile(
    r"\b([a-z][a-z-]{3,})\s+(training|therapy|therapies|programs?|interventions?|courses?)\b"
)
# Qualifiers that do not name a kind of program ("health training", "support program").
_KNOWN_QUALIFIERS = frozenset(
    "health mental support staff workplace employee employees officer officers police "
    "prevention wellness peer group online brief early".split()
)
_STOPWORDS = frozenset(
    "a an the of in on for to and or with by at from their its his her our your my "
    "programs program training intervention interventions do does is are".split()
)
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
    "other": "people outside public safety",
}  # fmt: skip
_DESIGN_WORDS = {
    "cross-sectional": "cross-sectional survey", "case-control": "case-control study",
    "cohort": "cohort study", "meta-analysis": "meta-analysis",
    "systematic review": "review", "mixed methods": "mixed-methods study",
    "economic evaluation": "economic evaluation",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Question:
    """What a question asks about, in vocabulary terms, and what kind of answer it wants
    ("effect", "cause", "level", "advice" or "" for a plain topic)."""

    text: str
    exposures: frozenset[str] = frozenset()
    outcomes: frozenset[str] = frozenset()
    populations: frozenset[str] = frozenset()
    kind: str = ""
    unknown_subject: tuple[str, ...] = ()  # the words of a subject the vocabulary lacks
    subgroup: str = ""  # "women": a finding must be about them

    @property
    def specific(self) -> bool:
        """True when we can judge findings by their terms."""
        return bool(self.exposures or self.outcomes or self.unknown_subject)

    @property
    def about_intervention(self) -> bool:
        return any(intervention(e) for e in self.exposures)

    @property
    def asks_effect(self) -> bool:
        return self.kind == "effect"

    @property
    def asks_level(self) -> bool:
        return self.kind == "level"


@dataclass(frozen=True, slots=True)
class Fit:
    """How a finding fits a question: whether it answers, how well, and what to say."""

    answers: bool
    score: float = 0.0  # higher fits better: matched terms, then the kind of result
    caveats: tuple[str, ...] = field(default=())
    reason: str = ""  # why it does not answer (for "nearest studies" and debugging)


def analyse(text: str) -> Question:
    """The vocabulary terms a question names, its subject, and the kind of answer it wants."""
    whole = " ".join(text.split())
    parsed = _ASKED.match(whole) or _CLAIMED.match(whole)
    if parsed and parsed["subject"].lower().split()[0] in _WH:
        parsed = None  # "what causes stress ...": a question word, not a subject
    subject, rest = (parsed["subject"], parsed["object"]) if parsed else (whole, "")
    unnamed = _unnamed_kind(subject)
    if unnamed:  # "compassion training": a kind of training we have no term for
        populations = _populations(whole)
        outcomes, _ = _take(f" {rest.lower() or whole.lower()} ", _patterns("outcome"))
        return Question(whole, frozenset(), frozenset(outcomes), populations, "effect", unnamed)
    exposures, left = _take(f" {subject.lower()} ", _patterns("exposure"))
    outcomes, _ = _take(left + f" {rest.lower()} ", _patterns("outcome"))
    if parsed and not exposures and not _take(f" {subject.lower()} ", _patterns("outcome"))[0]:
        unknown = _content_words(subject) - _population_words(subject)
        if unknown:  # "does caffeine improve ...": a subject we have no term for
            populations = _populations(whole)
            return Question(whole, frozenset(), frozenset(outcomes), populations, "effect",
                            tuple(sorted(unknown)))  # fmt: skip
    exposures, subgroup = _subgroup(whole, exposures)
    return Question(
        whole,
        frozenset(_leadership(exposures)),
        frozenset(outcomes),
        _populations(whole),
        _kind(whole, exposures, parsed is not None),
        subgroup=subgroup,
    )


def _unnamed_kind(subject: str) -> tuple[str, ...]:
    """The qualifier of a generic word we only know in general ("compassion" in
    "compassion training"), or () when the vocabulary names the kind itself."""
    for match in _GENERIC.finditer(subject.lower()):
        qualifier = match.group(1)
        if qualifier in _STOPWORDS or qualifier in _KNOWN_QUALIFIERS:
            continue
        named, _ = _take(f" {match.group(0)} ", _patterns("exposure"))
        generic, _ = _take(f" {match.group(2)} ", _patterns("exposure"))
        if named <= generic and not _take(f" {qualifier} ", _patterns("outcome"))[0]:
            return (qualifier,)
    return ()


def _kind(text: str, exposures: set[str], parsed: bool) -> str:
    if _ADVICE.search(text):
        return "advice"
    if _LEVEL.search(text) and not any(intervention(e) for e in exposures):
        return "level"
    if _CAUSE.search(text) and not any(intervention(e) for e in exposures):
        return "cause"
    if any(intervention(e) for e in exposures) or _EFFECT.search(text) or parsed:
        return "effect"
    return ""


def _leadership(exposures: set[str]) -> set[str]:
    """Training aimed at managers or supervisors is leadership training."""
    if "leadership" in exposures and "mental health training" in exposures:
        return (exposures - {"leadership", "mental health training"}) | {"leadership training"}
    return exposures


def _subgroup(text: str, exposures: set[str]) -> tuple[set[str], str]:
    """ "Women firefighters": a subgroup to find, not gender as a cause — unless compared."""
    if _SUBGROUP.search(text) and not _COMPARISON.search(text):
        return exposures - {"gender"}, "women"
    return exposures, ""


def _populations(text: str) -> frozenset[str]:
    return frozenset(_take(f" {text.lower()} ", _patterns("population"))[0])


def _population_words(text: str) -> set[str]:
    _, left = _take(f" {text.lower()} ", _patterns("population"))
    return _content_words(text) - _content_words(left)


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z-]{2,}", text.lower()) if w not in _STOPWORDS}


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
        tail = r"[\w'-]*" if alias.endswith("*") else ""
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
    """How `finding` (of `study`) fits `question` (a structured finding)."""
    if question.unknown_subject:
        return _named_fit(question, finding, study)
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
    if not _group_fits(question, finding, study):
        return Fit(False, reason="about another group")
    if question.subgroup and not _mentions_subgroup(finding):
        return Fit(False, reason=f"not about {question.subgroup}")
    outcome = 1.0 if question.outcomes else 0.0
    score = 2.0 * exposure + outcome + kind + _population_fit(question, finding, study)
    return Fit(True, score, caveats_for(question, finding, study))


def _named_fit(question: Question, finding: Finding, study: Study) -> Fit:
    """A subject the vocabulary lacks: the finding must name it in its own words."""
    words = _content_words(f"{finding.result} {finding.context}")
    if not set(question.unknown_subject) <= words:
        return Fit(False, reason="does not name what the question asks about")
    if question.outcomes and not question.outcomes & set(finding.outcomes):
        return Fit(False, reason=f"about {', '.join(finding.outcomes)}")
    return Fit(True, 1.0, caveats_for(question, finding, study))


def _exposure_fit(question: Question, finding: Finding) -> float:
    """1: about the question's intervention or exposure (or a narrower one: TRiM for "peer
    support"); 0.5: about it as an outcome ("stigma" for a question on stigma and
    help-seeking); 0: the question names none; -1: about something else."""
    if not question.exposures:
        return 0.0
    mine = {term for e in _topics(finding) for term in with_parents(e)}
    if question.exposures & mine:
        return 1.0
    if question.exposures & set(finding.outcomes):
        return 0.5
    return -1.0


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
    return bool(_SUBGROUP.search(f"{finding.result} {finding.context}"))


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


def _about(finding: Finding) -> str:
    named = [e for e in finding.exposures if e not in ("none", "other")]
    return ", ".join(named) or ", ".join(finding.outcomes) or "another topic"


def _names(terms: frozenset[str]) -> str:
    return ", ".join(sorted(terms))


def describe(finding: Finding) -> str:
    """What a finding is about, for a reader: "TRiM → PTSD symptoms"."""
    return f"{_about(finding)} → {', '.join(finding.outcomes)}" if finding.outcomes else ""
