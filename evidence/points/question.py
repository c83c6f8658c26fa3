"""A question, read: what it is about and what kind of answer it wants.

In: the text of a question or claim. Out: a `Question` in vocabulary terms — the
intervention or exposure it asks about (its subject: "peer support" in "does peer support
reduce PTSD"), the outcomes and the responder groups it names (through
`vocabulary.ALIASES`, read leftmost-longest as a tokenizer would), and what it asks:
whether something works (an effect), what goes with or causes something (a cause), how
common something is (a level), or how to do something (advice). Also: concepts a finding
must link ("PTSD and alcohol misuse"), a subgroup ("women firefighters"), designs asked for
by name ("randomised trials of ..."), and a subject the vocabulary lacks ("caffeine").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..vocabulary import (
    ALIASES,
    INTERVENTION_ROOTS,
    OUTCOME_ALIASES,
    POPULATION_ALIASES,
    intervention,
    with_parents,
)

_VERBS = (
    r"reduce|lower|cut|prevent|improve|increase|decrease|help|work|benefit|change|protect|"
    r"affect|harm|raise|predict|cause|stop|keep|worsen|ease|relieve|shorten|boost|"
    r"(?:is |are )?(?:linked|related|associated|tied)"
)
# "does X reduce Y", "is X linked to Y": X is what the question is about. "X reduces Y",
# "stigma stops firefighters seeking help": a claim, with the same subject.
_AUX = re.compile(r"^\s*(?:does|do|did|can|could|will|would|is|are|has|have)\s+", re.I)
_ASKED_VERB = re.compile(rf"\s(?:{_VERBS})(?:s|es|ed|ing)?\b", re.IGNORECASE)
_CLAIMED_VERB = re.compile(rf"\s(?:{_VERBS})(?:s|es|ed)\b", re.IGNORECASE)
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
    r"roll(ing)? out)\b|^\s*(supporting|helping|protecting|caring for)\b",
    re.IGNORECASE,
)
# Designs a question may ask for by name.
_DESIGNS_ASKED = (
    (re.compile(r"\b(randomi[sz]ed|controlled) (controlled )?trials?\b|\brcts?\b", re.I),
     "randomised controlled trial"),
    (re.compile(r"\bmeta-?analys[ie]s\b", re.I), "meta-analysis"),
    (re.compile(r"\b(systematic )?reviews?\b|\bmeta-?analys[ie]s\b", re.I), "systematic review"),
    (re.compile(r"\bqualitative\b|\binterviews?\b|\bfocus groups?\b", re.I), "qualitative"),
    (re.compile(r"\b(cohort|longitudinal|prospective)\b", re.I), "cohort"),
)  # fmt: skip
# A program of no named kind: any intervention answers.
_ANY_PROGRAM = re.compile(r"\b(programs?|programmes?|interventions?|initiatives?)\b", re.I)
_COMPARISON = re.compile(r"\b(vs\.?|versus|compared|comparison|differ\w*|than)\b", re.IGNORECASE)
_SUBGROUP = re.compile(r"\b(women|woman|female)\b", re.IGNORECASE)
_WH = frozenset("what which who whom whose why how where when".split())
# A generic word for a kind of program, and the word qualifying it.
_GENERIC = re.compile(
    r"\b([a-z][a-z-]{3,})\s+(training|therapy|therapies|programs?|interventions?|courses?|"
    r"approach(?:es)?|strateg(?:y|ies)|models?)\b"
)
# Qualifiers that do not name a kind of program ("health training", "support program",
# "effective therapy").
_KNOWN_QUALIFIERS = frozenset(
    "health mental support staff workplace employee employees officer officers police "
    "prevention wellness peer group online brief early effective successful good best "
    "better proven evidence-based new specific formal structured available existing "
    "current different useful helpful common".split()
)
_STOPWORDS = frozenset(
    "a an the of in on for to and or with by at from their its his her our your my "
    "programs program training intervention interventions do does is are".split()
)
# Directions that state how common or how high something is, or how groups differ.


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
    # "PTSD and alcohol misuse": concepts a finding must link, two of them at least
    linked: tuple[frozenset[str], ...] = ()
    designs: frozenset[str] = frozenset()  # "randomised trials of ...": only these designs

    @property
    def specific(self) -> bool:
        """True when we can judge findings by their terms."""
        return bool(self.exposures or self.outcomes or self.unknown_subject or self.subgroup)

    @property
    def about_intervention(self) -> bool:
        return any(intervention(e) for e in self.exposures)

    @property
    def asks_effect(self) -> bool:
        return self.kind == "effect"

    @property
    def asks_level(self) -> bool:
        return self.kind == "level"


def analyse(text: str) -> Question:
    """The vocabulary terms a question names, its subject, and the kind of answer it wants."""
    whole = " ".join(text.split())
    parsed = _parse(whole)
    subject, rest = parsed or (whole, "")
    populations = _populations(whole)
    designs = frozenset(d for pattern, d in _DESIGNS_ASKED for _ in pattern.finditer(whole))
    unnamed = _unnamed_kind(subject)
    if unnamed:  # "compassion training": a kind of training we have no term for
        outcomes, _ = _take(f" {rest.lower() or whole.lower()} ", _patterns("outcome"))
        return Question(whole, frozenset(), frozenset(outcomes), populations, "effect", unnamed,
                        designs=designs)  # fmt: skip
    in_subject, left = _take_both(f" {subject.lower()} ")
    in_rest, _ = _scan(
        left + f" {rest.lower()} ", [(p, t, "outcome") for p, t in _patterns("outcome")]
    )
    named = in_subject + in_rest
    exposures, outcomes = _terms(in_subject, "exposure"), _terms(named, "outcome")
    if parsed and not exposures and not _terms(in_subject, "outcome"):
        unknown = _content_words(subject) - _population_words(subject)
        if unknown:  # "does caffeine improve ...": a subject we have no term for
            return Question(whole, frozenset(), frozenset(outcomes), populations, "effect",
                            tuple(sorted(unknown)), designs=designs)  # fmt: skip
    exposures, subgroup = _subgroup(whole, exposures)
    if not exposures and _ANY_PROGRAM.search(subject):  # "a stress reduction program"
        exposures = set(INTERVENTION_ROOTS)
    exposures = _narrowest(_leadership(exposures))
    if any(intervention(e) for e in exposures):  # "peer support after critical incidents"
        exposures = {e for e in exposures if intervention(e)}
    kind = _kind(_blank(whole), exposures, parsed is not None)
    groups = tuple(frozenset(t) for table, t in named if table == "outcome")
    linked = groups if not exposures and kind in ("", "cause") else ()
    return Question(
        whole,
        frozenset(exposures),
        frozenset(outcomes),
        populations,
        kind,
        subgroup=subgroup,
        linked=linked if len(set(linked)) >= 2 else (),
        designs=designs,
    )


def _parse(text: str) -> tuple[str, str] | None:
    """(subject, the rest) of "does X reduce Y" or "X reduces Y"; None for another form. The
    verb is the first one not inside a term ("shift work" is a subject, not "shift")."""
    aux = _AUX.match(text)
    start = aux.end() if aux else 0
    verbs = _ASKED_VERB if aux else _CLAIMED_VERB
    for match in verbs.finditer(text, start):
        if match.start() <= start or _named_around(text.lower(), match.start() + 1, match.end()):
            continue
        subject = text[start : match.start()].strip()
        if not subject or subject.lower().split()[0] in _WH:
            return None  # "what causes stress ...": a question word, not a subject
        return subject, text[match.end() :]
    return None


def _blank(text: str) -> str:
    """`text` without its vocabulary words, for reading what kind of answer it wants ("help"
    in "seeking help" is not asking whether something helps)."""
    return _take_both(f" {text.lower()} ")[1]


def _narrowest(exposures: set[str]) -> set[str]:
    """Drop a term when a narrower one is also named: "Mental Health First Aid training" is
    about MHFA, not training in general."""
    return {e for e in exposures if not any(e in with_parents(o)[1:] for o in exposures)}


def _unnamed_kind(subject: str) -> tuple[str, ...]:
    """The qualifier of a generic word we only know in general ("compassion" in
    "compassion training"), or () when the vocabulary names the kind itself."""
    lowered = subject.lower()
    for match in _GENERIC.finditer(lowered):
        qualifier = match.group(1)
        if qualifier in _STOPWORDS or qualifier in _KNOWN_QUALIFIERS:
            continue
        if _named_around(lowered, match.start(1), match.end(1)):
            continue  # "stress reduction program": the qualifier is part of a known name
        named, _ = _take(f" {match.group(0)} ", _patterns("exposure"))
        generic, _ = _take(f" {match.group(2)} ", _patterns("exposure"))
        if named <= generic and not _take(f" {qualifier} ", _patterns("outcome"))[0]:
            return (qualifier,)
    return ()


def _named_around(text: str, start: int, end: int) -> bool:
    """True when an alias longer than the word at text[start:end] covers it."""
    padded = f" {text} "
    for pattern, _ in _patterns("exposure") + _patterns("outcome"):
        for match in pattern.finditer(padded):
            lo, hi = match.start() - 1, match.end() - 1
            if lo <= start and end <= hi and hi - lo > end - start:
                return True
    return False


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
        words = re.escape(alias).replace(r"\ ", r"\s+").replace(r"\*", r"[\w'-]*")
        out.append((re.compile(rf"(?<![\w-]){words}(?![\w-])"), table[alias]))
    return tuple(out)


Tables = list[tuple[re.Pattern[str], tuple[str, ...], str]]


def _take(
    text: str, patterns: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...]
) -> tuple[set[str], str]:
    """The terms of every alias found in `text`, and `text` with those words blanked out
    (see `_scan`)."""
    named, left = _scan(text, [(p, t, "") for p, t in patterns])
    return {term for _, terms in named for term in terms}, left


def _scan(text: str, tables: Tables) -> tuple[list[tuple[str, tuple[str, ...]]], str]:
    """Leftmost-longest matching, as a tokenizer reads: at each place the longest alias of
    any table wins ("mental health training for managers" is training and managers, not
    mental health), the first table on a tie. Returns (table, terms) for each alias found,
    in order, and `text` with the matched words blanked out."""
    matches = [
        (m.start(), -(m.end() - m.start()), order, m.end(), terms, table)
        for order, (pattern, terms, table) in enumerate(tables)
        for m in pattern.finditer(text)
    ]
    named = []
    chars = list(text)
    reached = 0
    for start, _, _, end, terms, table in sorted(matches, key=lambda m: m[:3]):
        if start >= reached:
            named.append((table, terms))
            chars[start:end] = " " * (end - start)
            reached = end
    return named, "".join(chars)


def _take_both(text: str) -> tuple[list[tuple[str, tuple[str, ...]]], str]:
    """Exposures and outcomes named in `text` (see `_scan`: "seek treatment" is
    help-seeking, not therapy), and what is left."""
    tables = [(p, t, "exposure") for p, t in _patterns("exposure")]
    tables += [(p, t, "outcome") for p, t in _patterns("outcome")]
    return _scan(text, tables)


def _terms(named: list[tuple[str, tuple[str, ...]]], table: str) -> set[str]:
    return {term for kind, terms in named if kind == table for term in terms}


def named_in(text: str) -> set[str]:
    """Every exposure and outcome term `text` names (for a finding's own words)."""
    named, _ = _take_both(f" {text.lower()} ")
    return {term for _, terms in named for term in terms}


def exposures_in(text: str) -> set[str]:
    """The exposure terms `text` names."""
    return _take(f" {text.lower()} ", _patterns("exposure"))[0]


def content_words(text: str) -> set[str]:
    """The words of `text` that carry meaning (for a subject the vocabulary lacks)."""
    return _content_words(text)
