"""Does the cited study say it? The sentence citing a library study against the study's
curated findings (`model.Finding`: result, exposures, outcomes, direction).

Three checks, each a warning that quotes the study's own finding:

- **fit-number**: a percentage in the sentence that the study does not report ("46%" where
  it reports 33.1%), allowing for rounding and, after "about" or "nearly", a little more;
- **fit-effect**: the sentence claims an effect the study's findings on that outcome did not
  find (they found no difference), the opposite one, or no effect where they found one;
- **fit-topic**: the sentence is about an intervention or an outcome the study does not
  study at all (its findings, title, summary and abstract name no such thing).

The population is checked in `claims.check_fit`. Silence is the rule when the library lacks
the detail: a study without curated findings, a sentence whose direction or topic cannot be
read, a sentence citing works the library does not hold. Numbers need only be reported by
one of the works cited together.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ..model import Finding, Study
from ..points.fit import analyse
from ..points.question import exposures_in, named_in
from ..text.deadline import check_time
from ..vocabulary import AS_OUTCOME, DISORDERS, intervention, with_parents
from .report import AuditState, CitationCheck, in_text

_PERCENT = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,2})?)\s?(?:%|percent\b|per cent\b)", re.I)
_HEDGE = re.compile(
    r"\b(?:about|around|approximately|roughly|nearly|almost|near|close to|over|more than|"
    r"less than|under|some|up to|at least|just)\s*$|~\s*$",
    re.IGNORECASE,
)
_NO_EFFECT = re.compile(
    r"\b(?:did not|didn't|does not|do not|failed to|no longer)\b(?! only)|\bno (?:significant |"
    r"meaningful |clear |measurable )?(?:effect|difference|change|benefit|improvement|"
    r"reduction|impact)|\blittle or no\b|\bunchanged\b|\bnot (?:significantly )?(?:reduce|"
    r"improve|change|lower|prevent|help|affect)\w*",
    re.IGNORECASE,
)
_IMPROVE = re.compile(r"\b(?:improv\w*|benefit\w*|effective|helped|protect\w*|prevent\w*|"
                      r"works)\b", re.IGNORECASE)  # fmt: skip
_WORSE = re.compile(r"\b(?:worse\w*|harm\w*|damag\w*)\b", re.IGNORECASE)
_DOWN = re.compile(r"\b(?:reduc\w*|lower\w*|decreas\w*|fewer|less|drop\w*|fell|fall\w*|"
                   r"declin\w*|cut)\b", re.IGNORECASE)  # fmt: skip
_UP = re.compile(r"\b(?:increas\w*|rais\w*|rise|rises|rising|rose|higher|boost\w*|grew)\b", re.I)
# Outcomes that are better lower: a fall in them is a benefit.
_BAD = {"PTSD symptoms", "depression", "anxiety", "mental disorders", "psychological distress",
        "suicidality", "substance use", "burnout", "stress", "moral injury", "stigma",
        "sick leave / absence"}  # fmt: skip
_GOOD_WORDS = re.compile(r"well-?being|quality of life|resilien\w*|knowledge|help-?seeking",
                         re.IGNORECASE)  # fmt: skip
_EFFECTS = {"improved", "no difference", "worse"}
_SAID = {"improved": "a benefit", "worse": "harm", "no difference": "no effect"}
_FOUND = {"improved": "a benefit", "worse": "a worse outcome", "no difference": "no difference"}
# Sentences checked against their studies (each reading costs a few ms): a book-length
# draft gets its first ones checked, not a wait of minutes.
MAX_CHECKED = 2000
# How far "about 10%" may be from the study's figure: points, or a share of it.
HEDGED_POINTS, HEDGED_SHARE = 1.0, 0.1

Cited = list[tuple[CitationCheck, Study | None]]


@dataclass(frozen=True, slots=True)
class Claim:
    """What a sentence is about, in vocabulary terms: the interventions it names and its
    outcomes (a condition named as a subject, "reduce stigma", counts as an outcome)."""

    interventions: frozenset[str]
    outcomes: frozenset[str]


def _read(text: str) -> Claim:
    named = exposures_in(text)
    outcomes = set(analyse(text).outcomes) | {AS_OUTCOME[e] for e in named if e in AS_OUTCOME}
    return Claim(frozenset(e for e in named if intervention(e)), frozenset(outcomes))


def check_support(state: AuditState, checks: Sequence[CitationCheck],
                  supported: Callable[[CitationCheck], str]) -> None:  # fmt: skip
    """Warn where a sentence says what the library studies it cites do not (see the module).

    `supported(check)` is the text a citation supports (`claims.supported_text`); the
    citations supporting the same text are judged together."""
    groups: dict[str, Cited] = {}
    warned = {(f.start, f.end) for f in state.findings if f.kind.startswith("fit-")}
    for check in checks:
        if (check.citation.start, check.citation.end) in warned:
            continue  # one warning on a citation's fit is enough (its population, its design)
        study = state.ref_study.get(check.reference) if check.reference else None
        groups.setdefault(supported(check), []).append((check, study))
    for text, cited in list(groups.items())[:MAX_CHECKED]:
        check_time()
        studies = [s for _, s in cited if s is not None]
        if not text or len(studies) < len(cited) or not all(_curated(s) for s in studies):
            continue  # a work the library lacks, or knows little of, is cited here too
        question = _read(text)
        _numbers(state, text, question, cited)
        if _topic(state, text, question, cited):
            continue
        for check, study in cited:
            if check.status == "ok" and study is not None:
                _effect(state, text, question, check, study)


def _curated(study: Study) -> list[Finding]:
    return [f for f in study.findings if f.structured]


def _numbers(state: AuditState, text: str, question: Claim, cited: Cited) -> None:
    """fit-number: each percentage must be one that a study cited here reports, when the
    library has the study's findings on what the sentence is about (else: not checked)."""
    outcomes = question.outcomes
    relevant = [(c, s, f) for c, s in cited if s is not None for f in _curated(s)
                if _on(f, outcomes, frozenset()) and _PERCENT.search(_finding_text(f))]  # fmt: skip
    if not relevant:
        return
    reported = [p for s in {s.key: s for _, s, _ in relevant}.values()
                for p in _percentages(_study_text(s))]  # fmt: skip
    for match in _PERCENT.finditer(text):
        hedged = bool(_HEDGE.search(text, 0, match.start()))
        if any(_same(match.group(1), r, hedged) for r in reported):
            continue
        check, study, finding = relevant[0]
        state.add("fit-number", check.citation.start, check.citation.end,
                  f"'{match.group(0)}' is not a figure {in_text(study)} reports. Its finding: "
                  f'"{finding.result}"', "Give the study's own figure, or cite the source of "
                  "this one.", study.key)  # fmt: skip
        return


def _same(written: str, reported: float, hedged: bool) -> bool:
    """True when the figure `written` ("27", "14.2") can be the study's `reported` one:
    the same when rounded as written, or close after a hedge ("about 10%")."""
    value = float(written)
    if hedged:
        return abs(value - reported) <= max(HEDGED_POINTS, HEDGED_SHARE * reported)
    decimals = len(written.partition(".")[2])
    return abs(value - reported) <= 0.5 / 10.0**decimals + 1e-9


def figures_agree(claim: str, reported: str) -> bool:
    """True when every percentage in `claim` is one that `reported` gives (a claim with no
    percentage agrees with anything): what a suggested finding must do for a claim."""
    figures = _percentages(reported)
    return all(
        any(_same(m.group(1), r, bool(_HEDGE.search(claim, 0, m.start()))) for r in figures)
        for m in _PERCENT.finditer(claim)
    )


def _percentages(text: str) -> list[float]:
    return [float(m.group(1)) for m in _PERCENT.finditer(text)]


def _study_text(study: Study) -> str:
    """Everything the library knows the study reports, for its numbers and its topics."""
    parts = [study.title, study.summary, study.sample, study.abstract]
    parts += [_finding_text(f) for f in study.findings]
    return " ".join(p for p in parts if p)


def _finding_text(finding: Finding) -> str:
    return " ".join((finding.result, finding.context, finding.confirm))


def _topic(state: AuditState, text: str, question: Claim, cited: Cited) -> bool:
    """fit-topic: an intervention, else an outcome, that the sentence names and no study it
    cites studies (in their findings, titles, summaries, abstracts). True when reported."""
    studied: set[str] = set().union(*(_studied(s) for _, s in cited if s is not None))
    claimed = question.interventions
    if claimed and not any(_related(c, s) for c in claimed for s in studied):
        about = ", ".join(sorted(claimed))
    else:
        outcomes = set(question.outcomes)
        if not outcomes or outcomes & studied:
            return False
        about = ", ".join(sorted(outcomes))
    for check, study in cited:
        if check.status == "ok" and study is not None:
            finding = _closest(study, question)
            state.add("fit-topic", check.citation.start, check.citation.end,
                      f"The sentence is about {about}; {in_text(study)} does not study it. "
                      f'Its finding: "{finding.result}"', "Cite a study of what the sentence "
                      "is about, or say what this study found.", study.key)  # fmt: skip
    return True


@lru_cache(maxsize=4096)
def _studied(study: Study) -> frozenset[str]:
    """The exposures and outcomes a study is about: its findings' terms (and broader ones)
    and every term its texts name. Cached: reading a study's texts costs ~10 ms."""
    terms = set(named_in(_study_text(study)))
    for finding in study.findings:
        terms.update(t for e in finding.exposures for t in with_parents(e))
        terms.update(finding.outcomes)
        if "mental disorders" in finding.outcomes:
            terms.update(DISORDERS)
    return frozenset(terms)


# Interventions that are a form of an exposure the vocabulary keeps apart: "peer support
# networks" are social support from colleagues.
_KIN = {"peer support": "social support", "leadership training": "leadership"}


def _related(claimed: str, studied: str) -> bool:
    chain = with_parents(claimed)
    return claimed in with_parents(studied) or studied in chain or _KIN.get(chain[-1]) == studied


def _effect(
    state: AuditState, text: str, question: Claim, check: CitationCheck, study: Study
) -> None:
    """fit-effect: the effect the sentence claims, against all of the study's findings on
    that outcome (and intervention): warned when none found it."""
    claimed = _claimed_effect(text, question.outcomes)
    matching = [f for f in _curated(study) if _on(f, question.outcomes, question.interventions)]
    if not claimed or not matching or any(f.direction not in _EFFECTS for f in matching):
        return
    if claimed in {f.direction for f in matching}:
        return
    finding = matching[0]
    state.add("fit-effect", check.citation.start, check.citation.end,
              f"The sentence claims {_SAID[claimed]}, but {in_text(study)} found "
              f'{_FOUND[finding.direction]}: "{finding.result}"',
              "Say what the study found, or cite a study that found this.", study.key)  # fmt: skip


def _on(finding: Finding, outcomes: frozenset[str], exposures: frozenset[str]) -> bool:
    """True when `finding` is on one of `outcomes` (and one of `exposures`, if any)."""
    own = set(finding.outcomes)
    if "mental disorders" in own:
        own.update(DISORDERS)
    if not outcomes & own:
        return False
    named = {t for e in finding.exposures for t in with_parents(e)}
    return not exposures or bool(named & exposures)


def _claimed_effect(text: str, outcomes: frozenset[str]) -> str:
    """ "improved", "worse" or "no difference" when the sentence claims just one, else "".

    A fall or a rise says which only for outcomes that are plainly better lower (symptoms,
    stigma, sick leave): "fewer barriers to help-seeking" is not less help-seeking. A word
    of change after a negation ("did not improve") claims no effect, not a change."""
    claims = set()
    negated = [m.span() for m in _NO_EFFECT.finditer(text)]
    if negated:
        claims.add("no difference")
    symptoms = bool(outcomes) and outcomes - {"wellbeing"} <= _BAD and not _GOOD_WORDS.search(text)

    def said(pattern: re.Pattern[str]) -> bool:
        return any(not any(a <= m.start() <= b + 12 for a, b in negated)
                   for m in pattern.finditer(text))  # fmt: skip

    if said(_IMPROVE) or symptoms and said(_DOWN):
        claims.add("improved")
    if said(_WORSE) or symptoms and said(_UP):
        claims.add("worse")
    return claims.pop() if len(claims) == 1 else ""


def _closest(study: Study, question: Claim) -> Finding:
    """The study's finding nearest the sentence: the one sharing most of its outcomes."""
    outcomes = question.outcomes
    return min(study.findings, key=lambda f: (-len(outcomes & set(f.outcomes)), f.number))
