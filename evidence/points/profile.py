"""The evidence on a claim, at a glance: how many studies bear on it, by design and by
what they found, with the strongest finding for it and the strongest against it.

Deterministic: built from the curated fields of the findings that answer the question
(`talking_points.answering`), never written by a language model. Every line names the
passages it counts, so each sentence traces to its findings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Study
from ..search import Filters
from .fit import analyse
from .source import EvidenceSource
from .talking_points import Candidate, answering, rank

# Studies searched for findings that answer a claim (the profile counts within these).
PROFILE_DEPTH = 60

# What a finding's direction says, as a verb phrase for "N studies ___".
FOUND = {
    "improved": "found a benefit",
    "no difference": "found no difference",
    "worse": "found a worse outcome",
    "mixed": "found mixed results",
    "positive association": "found a positive association",
    "negative association": "found a negative association",
    "higher than comparison": "found higher levels than a comparison group",
    "lower than comparison": "found lower levels than a comparison group",
    "prevalence or level": "reported how common or how high it is",
    "qualitative theme": "reported what participants said",
    "recommendation": "made recommendations",
    "cost": "reported costs or savings",
}
# A finding for the claim reports an effect or a difference; one against it, none or harm.
FOR = ("improved", "positive association", "negative association", "higher than comparison",
       "lower than comparison")  # fmt: skip
AGAINST = ("no difference", "worse")
DESIGN_NAMES = {
    "meta-analysis": ("meta-analysis", "meta-analyses"),
    "systematic review": ("systematic review", "systematic reviews"),
    "randomised controlled trial": ("randomised trial", "randomised trials"),
    "non-randomised trial": ("non-randomised trial", "non-randomised trials"),
    "cohort": ("cohort study", "cohort studies"),
    "case-control": ("case-control study", "case-control studies"),
    "cross-sectional": ("cross-sectional survey", "cross-sectional surveys"),
    "qualitative": ("qualitative study", "qualitative studies"),
    "mixed methods": ("mixed-methods study", "mixed-methods studies"),
    "program evaluation": ("program evaluation", "program evaluations"),
    "narrative review": ("narrative review", "narrative reviews"),
    "debate / commentary": ("commentary", "commentaries"),
    "guideline": ("guideline", "guidelines"),
    "economic evaluation": ("economic evaluation", "economic evaluations"),
    "trial protocol": ("trial protocol", "trial protocols"),
    "": ("study of unstated design", "studies of unstated design"),
}


@dataclass(frozen=True, slots=True)
class ProfileLine:
    """One sentence of a profile and the passages it counts."""

    text: str
    passage_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EvidenceProfile:
    """The evidence on one claim. `studies` counts the studies with a finding that answers
    it; `lines` say what they found by design; `supporting` and `contrary` are the
    strongest finding for and against (passage ids); `nearest` are studies that came
    closest without answering (for "the library has no study that answers this");
    `answers` gives each answering study's best finding."""

    query: str
    studies: int
    lines: tuple[ProfileLine, ...] = ()
    summary: str = ""
    supporting: str = ""
    contrary: str = ""
    nearest: tuple[str, ...] = ()
    answers: tuple[tuple[str, str], ...] = ()  # (study key, its best answering passage id)
    scores: tuple[float, ...] = ()  # each answer's similarity to the claim (cosine)

    @property
    def answered(self) -> bool:
        return self.studies > 0

    def answer_of(self, key: str) -> str:
        """The passage id of study `key`'s finding that answers the claim, or ``""``."""
        return next((pid for k, pid in self.answers if k == key), "")


def evidence_profile(
    source: EvidenceSource, query: str, filters: Filters | None = None
) -> EvidenceProfile:
    """The profile of `query` over the PROFILE_DEPTH studies a search finds for it."""
    return evidence_profiles(source, [query], filters)[0]


def evidence_profiles(
    source: EvidenceSource, queries: Sequence[str], filters: Filters | None = None
) -> list[EvidenceProfile]:
    """`evidence_profile` of each query, searched in one batch (the audit's claims)."""
    found = []
    for query, hits in zip(queries, source.batch_search(queries, k=PROFILE_DEPTH,
                                                        filters=filters), strict=True):  # fmt: skip
        answers = answering(source, hits, analyse(query), source.encode_query(query))
        found.append(profile(query, answers, [h.study for h in hits]))
    return found


def profile(
    query: str, found: Sequence[Candidate], nearest: Sequence[Study] = ()
) -> EvidenceProfile:
    """The profile of the answering candidates `found` (one finding per study counts: its
    best); `nearest` are the closest studies, listed when none answers."""
    best = _best_per_study(found)
    if not best:
        return EvidenceProfile(query, 0, nearest=tuple(s.key for s in nearest[:5]))
    lines = tuple(_line(design, group) for design, group in _by_design(best))
    summary = _summary(len(best), lines)
    return EvidenceProfile(
        query,
        len(best),
        lines,
        summary,
        _strongest(best, FOR),
        _strongest(best, AGAINST),
        answers=tuple((c.study.key, c.passage.id) for c in best),
        scores=tuple(round(c.score, 3) for c in best),
    )


def section_summary(found: Sequence[Candidate]) -> str:
    """What the answering findings are, in a sentence or two for a proposal section: "9
    studies in the library bear on this, including 2 meta-analyses, 1 randomised trial and
    4 cross-sectional surveys. The 2 meta-analyses found a benefit." (the strongest designs
    first; the second sentence only when the strongest design's studies agree)."""
    best = _best_per_study(found)
    if not best:
        return ""
    groups = _by_design(best)
    names = [_count(design, len(group)) for design, group in groups[:3]]
    count = len(best)
    text = f"{count} {'study' if count == 1 else 'studies'} in the library "
    text += f"{'bears' if count == 1 else 'bear'} on this"
    if len(groups) > 1 or count > 1:
        text += ", including " + _series(names)
    text += "."
    design, group = groups[0]
    directions = {_direction(c) for c in group}
    if len(directions) == 1 and (found_ := FOUND.get(directions.pop())):
        one = DESIGN_NAMES.get(design, (design, ""))[0]
        subject = f"The {one}" if len(group) == 1 else f"The {_count(design, len(group))}"
        text += f" {subject} {found_}." if len(groups) > 1 or count > 1 else ""
    return text


def _count(design: str, n: int) -> str:
    one, many = DESIGN_NAMES.get(design, (design, design + "s"))
    return f"{n} {one if n == 1 else many}"


def _series(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _best_per_study(found: Sequence[Candidate]) -> list[Candidate]:
    seen: set[str] = set()
    best = []
    for candidate in rank(found):
        if candidate.study.key not in seen:
            seen.add(candidate.study.key)
            best.append(candidate)
    return best


def _by_design(best: Sequence[Candidate]) -> list[tuple[str, list[Candidate]]]:
    groups: dict[str, list[Candidate]] = {}
    for candidate in sorted(best, key=lambda c: c.tier):
        groups.setdefault(candidate.study.design, []).append(candidate)
    return list(groups.items())


def _line(design: str, group: Sequence[Candidate]) -> ProfileLine:
    """ "2 meta-analyses: 1 found a benefit, 1 found no difference"."""
    one, many = DESIGN_NAMES.get(design, (design, design + "s"))
    counts = Counter(_direction(c) for c in group)
    parts = [f"{n} {FOUND.get(d, 'reported a result')}" for d, n in counts.most_common()]
    name = one if len(group) == 1 else many
    if len(counts) == 1:
        text = f"{len(group)} {name} {parts[0].split(' ', 1)[1]}"
    else:
        text = f"{len(group)} {name}: " + ", ".join(parts)
    return ProfileLine(text + ".", tuple(c.passage.id for c in group))


def _direction(candidate: Candidate) -> str:
    return candidate.finding.direction if candidate.finding is not None else ""


def _summary(count: int, lines: Sequence[ProfileLine]) -> str:
    studies = "study bears" if count == 1 else "studies bear"
    return f"{count} {studies} on this claim. " + " ".join(line.text for line in lines)


def _strongest(best: Sequence[Candidate], directions: tuple[str, ...]) -> str:
    """The passage id of the strongest-design finding with one of `directions` (its fit,
    then its similarity, break ties)."""
    chosen = [c for c in best if _direction(c) in directions]
    if not chosen:
        return ""
    top = min(chosen, key=lambda c: (c.tier, -c.fit_score, -c.score))
    return top.passage.id
