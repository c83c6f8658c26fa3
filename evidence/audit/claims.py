"""Citation audit, part three: the draft's claims against what supports them.

A cited study may not fit the claim citing it: its population or design (here), or what
it found (`support.py`). An empirical claim in the body's prose (`prose.py`) may cite
nothing at all: then the library's findings that answer the claim are suggested, and when
none answers, the report says that the library has no study for it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence

from ..text.deadline import check_time
from .draft import Citation
from .prose import Sentence
from .report import AuditState, CitationCheck, Suggestion, in_text
from .support import figures_agree

# Populations (model.POPULATIONS) whose results may not carry over to first responders;
# "other" is too vague to warn about. With each, the words that name it in a draft: a
# claim that says whom the evidence comes from needs no warning.
_OFF_TOPIC = {
    "students": r"students?|undergraduates?|college|universit(?:y|ies)",
    "general workforce": r"employees?|employers?|workplaces?|workforces?|managers?|"
    r"(?:office|general|other) workers|organi[sz]ations?",
    "health care workers": r"hospitals?|clinicians?|nurses?|physicians?|doctors?|"
    r"health ?care (?:workers?|staff)",
    "military": r"military|soldiers?|recruits?|veterans?|service members?|armed forces|"
    r"platoons?",
}
_FR_WORDS = re.compile(
    r"\b(?:first[- ]responders?|fire ?fighters?|fire (?:service|department)s?|police|officers?|"
    r"law enforcement|paramedics?|EMS|emergency medical|ambulance|dispatch(?:ers?)?|"
    r"telecommunicators?|public safety|PSP|correctional|rescue workers?|emergency services)\b",
    re.IGNORECASE,
)
# "outside public safety", "unlike police": a mention that is not a claim about them.
_NEGATED = re.compile(r"\b(?:outside|beyond|unlike|other than|not|non|than)\W+(?:the\W+)?$",
                      re.IGNORECASE)  # fmt: skip
_EFFICACY = re.compile(
    r"\b(?:works?|effective(?:ness)?|efficacy|reduc\w*|improv\w*|prevent\w*|lower\w*|increas\w*|"
    r"decreas\w*|benefit\w*|evidence|shown|demonstrat\w*|proven|outcomes?)\b",
    re.IGNORECASE,
)
# Claim sentences -> for each, the library findings that answer it, best first (empty when
# none does): ``Library.audit`` builds them from ``Library.evidence``.
Suggest = Callable[[Sequence[str]], Sequence[Sequence[Suggestion]]]

_CLAIM = re.compile(
    r"\b(?:reduc(?:e|es|ed|ing|tion|tions)|increas(?:e|es|ed|ing)|decreas(?:e|es|ed|ing)|"
    r"improv(?:e|es|ed|ement|ements)|associated with|associations? (?:with|between)|"
    r"linked (?:to|with)|predict(?:s|ed|ors?)|prevent(?:s|ed)|more likely|less likely|"
    r"(?:research|studies|evidence|data|trials?|surveys?|reviews?) (?:shows?|suggests?|"
    r"indicates?|has shown|have shown|found|finds|demonstrates?)|prevalence|rates? of|"
    r"twice as|one in (?:two|three|four|five|ten)|(?:nearly|almost|about|over|more than|roughly) "
    r"(?:half|a third|a quarter|two-thirds)|(?:higher|greater|elevated|increased|lower) "
    r"(?:risks?|rates?|levels?))\b|\d(?:\.\d+)?\s?(?:%|percent\b)",
    re.IGNORECASE,
)
# Plans and the writer's own data ("we", "our department") are not claims that need a source.
_PLAN = re.compile(r"\b(?:will|we|our|us|this (?:proposal|program|project)|aims? to|goals?|"
                   r"objectives?|request|funding)\b", re.IGNORECASE)  # fmt: skip
# A sentence that goes on about the study just cited.
_CONTINUES = re.compile(
    r"(?:They|These|This|Those|Their|It|Its|The (?:authors?|study|studies|same|review|reviews|"
    r"trial|trials|survey|surveys|sample|samples|participants|findings|results|data|analysis|"
    r"researchers|team)|In (?:that|this|the same|the later|the earlier) (?:study|review|trial|"
    r"survey|analysis|work))\b"
)
_CLAUSE = re.compile(r",\s+(?:and|but|while|whereas|although|though)\s+|;\s+(?=[a-z])")
_LOOSE_CITE = re.compile(r"\([^()]{0,200}\b(?:1[89]|20)\d\d[a-z]?\b[^()]{0,40}\)|\[\d{1,3}\]")
_BEFORE_MARKER = ".,;:)]([ \t\n"


def draft_topic(body: str) -> tuple[str, ...]:
    """``("first responders",)`` when the draft is about them (a small keyword lexicon), else ()."""
    return ("first responders",) if len(_FR_WORDS.findall(body)) >= 3 else ()


def anchor(text: str, cite: Citation) -> int:
    """Where the words a citation supports end: its own start, or for a number set after
    the punctuation ("disorders.1", "use [2].") the last character before it."""
    if cite.number is None:
        return cite.start
    at = cite.start
    while at > 0 and text[at - 1] in _BEFORE_MARKER and cite.start - at < 4:
        at -= 1
    return max(at - 1, 0)


def sentence_of(
    sentences: Sequence[Sentence], offset: int, starts: Sequence[int] | None = None
) -> Sentence | None:
    """The sentence holding draft offset `offset`, if any (`starts`: their starts, given
    when looking up many)."""
    starts = [s.start for s in sentences] if starts is None else starts
    i = bisect.bisect_right(starts, offset) - 1
    return sentences[i] if i >= 0 and sentences[i].start <= offset < sentences[i].end else None


def citing_clause(sentence: Sentence, offset: int) -> str:
    """The clause of `sentence` that holds draft offset `offset`: a citation supports its
    own clause ("A rose (X, 2020), but B fell (Y, 2021)")."""
    body, at = sentence.text, min(max(offset - sentence.start, 0), len(sentence.text))
    cut_start, cut_end = 0, len(body)
    for match in _CLAUSE.finditer(body):
        if match.end() <= at:
            cut_start = match.end()
        elif match.start() >= at:
            cut_end = match.start()
            break
    return body[cut_start:cut_end]


def supported_text(
    state: AuditState, sentences: Sequence[Sentence]
) -> Callable[[CitationCheck], str]:
    """The words each citation supports. A narrative citation ("Joyce et al. (2016)
    found ...") supports its sentence; any other, the words before it back to the previous
    citation in the sentence: in "A rose (X, 2020), but B fell (Y, 2021), which suggests
    C", X supports "A rose" and Y "but B fell", and neither the writer's "which suggests C"."""
    text, view = state.draft.text, state.draft.view
    starts = [s.start for s in sentences]
    places: dict[int, list[int]] = {}
    for cite in state.draft.citations:
        sentence = sentence_of(sentences, anchor(text, cite), starts)
        if sentence is not None:
            places.setdefault(sentence.start, []).append(anchor(text, cite))

    def supported(check: CitationCheck) -> str:
        at = anchor(text, check.citation)
        sentence = sentence_of(sentences, at, starts)
        if sentence is None:
            return ""
        if check.citation.narrative:
            return sentence.text
        group, previous = at, sentence.start
        for other in sorted(places.get(sentence.start, []), reverse=True):
            if other >= at:
                continue
            if group - other > PLACE_GAP:  # another place: "(A, 2019; B, 2020)" is one
                previous = other
                break
            group = other
        begin = view.locate(previous) - sentence.view_start
        return sentence.text[max(begin, 0) : view.locate(group) - sentence.view_start]

    return supported


PLACE_GAP = 60


def check_fit(state: AuditState, checks: list[CitationCheck], sentences: list[Sentence],
              topic: tuple[str, ...]) -> None:  # fmt: skip
    """Warn when a cited study's population or design does not fit the claim citing it."""
    text = state.draft.text
    starts = [s.start for s in sentences]
    for check in checks:
        study = state.ref_study.get(check.reference or 0)
        if study is None or check.status != "ok":
            continue
        cite = check.citation
        at = anchor(text, cite)
        sentence = sentence_of(sentences, at, starts)
        clause = citing_clause(sentence, at) if sentence else text[max(0, at - 200) : at + 50]
        about_fr = any(not _NEGATED.search(clause, max(0, m.start() - 24), m.start())
                       for m in _FR_WORDS.finditer(clause))  # fmt: skip
        students = bool(topic) and study.population == "students"
        named = _OFF_TOPIC.get(study.population, "")
        said = bool(named) and re.search(rf"\b(?:{named})\b", clause, re.IGNORECASE)
        if named and (about_fr or students) and not said:
            state.add(
                "fit-population",
                cite.start,
                cite.end,
                f"{in_text(study)} studied {study.population}, but the draft uses it for a "
                "claim about first responders.",
                "Cite a study of first responders, or "
                f"say that the evidence comes from {study.population}.",
                study.key,
            )
        if study.design == "debate / commentary" and _EFFICACY.search(clause):
            state.add(
                "fit-design",
                cite.start,
                cite.end,
                f"{in_text(study)} is a debate / commentary article, cited here as "
                "evidence that something works.",
                "Cite a trial or review that tested "
                "it, or present this source as an argument, not a finding.",
                study.key,
            )


# Uncited claims that get library suggestions (each costs a search); later ones are
# reported without suggestions.
MAX_SUGGESTED_CLAIMS = 50


def uncited_claims(state: AuditState, sentences: list[Sentence]) -> list[Sentence]:
    """The sentences of body prose that make an empirical claim and cite nothing, and do
    not go on about a study the sentence before cited."""
    text = state.draft.text
    anchors = sorted(anchor(text, c) for c in state.draft.citations)
    leads = {c.start for c in state.draft.citations if c.narrative}
    claims: list[Sentence] = []
    previous: Sentence | None = None
    previous_cited = previous_leads = False
    for sentence in sentences:
        check_time()
        has_cite = bisect.bisect_left(anchors, sentence.start) < bisect.bisect_left(
            anchors, sentence.end
        ) or bool(_LOOSE_CITE.search(sentence.text))
        same = previous is not None and previous.paragraph == sentence.paragraph
        continues = (
            same and previous_cited and (previous_leads or bool(_CONTINUES.match(sentence.text)))
        )
        if not (has_cite or continues) and _is_claim(sentence.text):
            claims.append(sentence)
        previous, previous_cited = sentence, has_cite or continues
        # "Milligan-Saville et al. (2017) randomized ...": what follows reports that study.
        previous_leads = has_cite and any(sentence.start + d in leads for d in range(3))
    return claims


def _is_claim(sentence: str) -> bool:
    if not _CLAIM.search(sentence) or _PLAN.search(sentence):
        return False
    return len(sentence.split()) >= 6 and not sentence.rstrip().endswith("?")


def check_claims(state: AuditState, sentences: list[Sentence], suggest: Suggest | None) -> None:
    """Report empirical claims with no citation, with the library findings that answer
    each and give its figures (or that the library has none)."""
    claims = uncited_claims(state, sentences)
    found: Sequence[Sequence[Suggestion]] = []
    if suggest is not None and claims:
        check_time()
        found = suggest([c.text for c in claims[:MAX_SUGGESTED_CLAIMS]])
    listed = {study.key: index for index, study in state.ref_study.items()}
    for n, claim in enumerate(claims):
        answers = found[n] if n < len(found) else ()
        ideas = tuple(s for s in answers if figures_agree(claim.text, s.passage))[:3]
        state.add("uncited-claim", claim.start, claim.end,
                  "This sentence makes an empirical claim but cites no source.",
                  _fix(ideas, listed, searched=n < len(found)),
                  ideas[0].study_key if ideas else "", ideas)  # fmt: skip


def _fix(ideas: Sequence[Suggestion], listed: dict[str, int], searched: bool) -> str:
    if not ideas:
        if searched:
            return "Cite a source for it, or soften the claim: the library has no study for this."
        return "Cite a source for it, or soften the claim."
    named = "; ".join(
        f"{s.citation} (score {s.score:.2f}"
        + (f", already reference {listed[s.study_key]})" if s.study_key in listed else ")")
        for s in ideas
    )
    return f"Cite a source for it; the library has findings that answer it: {named}."
