"""Citation audit, part three: the draft's claims against what supports them.

A cited study may not fit the claim citing it (its population, its design), and an
empirical claim may cite nothing at all; for those, library passages are suggested.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence

from ..model import Hit
from ..text.deadline import check_time
from .report import AuditState, CitationCheck, Suggestion, in_text

# Populations (model.POPULATIONS) whose results may not carry over to first responders;
# "other" is too vague to warn about.
_OFF_TOPIC = {"students", "general workforce", "health care workers", "military"}
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
# Claim sentences -> the library's hits for each (``Library.batch_search``).
Suggest = Callable[[Sequence[str]], Sequence[Sequence[Hit]]]


_BLOCK = re.compile(r"[^\n]+(?:\n(?![ \t]*\n|[ \t]*#|[ \t]*[-*+•][ \t])[^\n]+)*")
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
_CONTINUES = re.compile(
    r"(?:They|These|This|Their|It|Its|The (?:authors?|study|same|review|"
    r"trial|survey)|In (?:that|this|the same) (?:study|review|trial))\b"
)
_CLAUSE = re.compile(r",\s+(?:and|but|while|whereas|although|though)\s+|;\s+(?=[a-z])")
_LOOSE_CITE = re.compile(r"\([^()]{0,200}\b(?:1[89]|20)\d\d[a-z]?\b[^()]{0,40}\)|\[\d{1,3}\]")


def sentence_spans(text: str, end: int) -> list[tuple[int, int]]:
    """The (start, end) of each sentence of ``text[:end]``, skipping Markdown headings."""
    from ..text.sentences import split_sentences

    spans: list[tuple[int, int]] = []
    for block in _BLOCK.finditer(text, 0, end):
        if block.group(0).lstrip().startswith("#"):
            continue
        flat = block.group(0).replace("\n", " ")  # hard-wrapped lines are not sentence ends
        spans += [(block.start() + a, block.start() + b) for a, b in split_sentences(flat)]
    return spans


def draft_topic(body: str) -> tuple[str, ...]:
    """``("first responders",)`` when the draft is about them (a small keyword lexicon), else ()."""
    return ("first responders",) if len(_FR_WORDS.findall(body)) >= 3 else ()


def _sentence_of(spans: list[tuple[int, int]], offset: int) -> tuple[int, int]:
    starts = [s for s, _ in spans]
    i = bisect.bisect_right(starts, offset) - 1
    return spans[i] if i >= 0 and spans[i][0] <= offset < spans[i][1] else (offset, offset)


def _clause_of(text: str, sentence: tuple[int, int], offset: int) -> str:
    """The clause of the sentence holding `offset`: a citation supports its own clause."""
    start, end = sentence
    if not start <= offset < end:
        return text[max(0, offset - 200) : offset + 50]
    body, at = text[start:end], offset - start
    cut_start, cut_end = 0, len(body)
    for match in _CLAUSE.finditer(body):
        if match.end() <= at:
            cut_start = match.end()
        elif match.start() >= at:
            cut_end = match.start()
            break
    return body[cut_start:cut_end]


def check_fit(state: AuditState, checks: list[CitationCheck], spans: list[tuple[int, int]],
               topic: tuple[str, ...]) -> None:  # fmt: skip
    """Warn when a cited study's population or design does not fit the claim citing it."""
    text = state.draft.text
    for check in checks:
        study = state.ref_study.get(check.reference or 0)
        if study is None or check.status != "ok":
            continue
        cite = check.citation
        sentence = _clause_of(text, _sentence_of(spans, cite.start), cite.start)
        about_fr = any(not _NEGATED.search(sentence, max(0, m.start() - 24), m.start())
                       for m in _FR_WORDS.finditer(sentence))  # fmt: skip
        students = bool(topic) and study.population == "students"
        if study.population in _OFF_TOPIC and (about_fr or students):
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
        if study.design == "debate / commentary" and _EFFICACY.search(sentence):
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


def check_claims(state: AuditState, spans: list[tuple[int, int]], suggest: Suggest | None) -> None:
    """Report empirical claims with no citation, with the best library passages for each."""
    text = state.draft.text
    cited = [c.start for c in state.draft.citations]
    claims, previous_cited = [], False
    for start, end in spans:
        check_time()
        sentence = text[start:end]
        has_cite = bisect.bisect_left(cited, start) < bisect.bisect_left(cited, end) or bool(
            _LOOSE_CITE.search(sentence)
        )
        continues = previous_cited and _CONTINUES.match(sentence)
        previous_cited = has_cite or bool(continues)
        if has_cite or continues or not _CLAIM.search(sentence) or _PLAN.search(sentence):
            continue
        if len(sentence.split()) >= 6 and not sentence.rstrip().endswith("?"):
            claims.append((start, end))
    hits: Sequence[Sequence[Hit]] = []
    if suggest is not None and claims:
        check_time()
        hits = suggest([text[a:b] for a, b in claims[:MAX_SUGGESTED_CLAIMS]])
    listed = {study.key: index for index, study in state.ref_study.items()}
    for n, (start, end) in enumerate(claims):
        found = tuple(_suggestion(h) for h in (hits[n] if n < len(hits) else [])[:3])
        ideas = "; ".join(f"{s.citation} (score {s.score:.2f}"
                          + (f", already reference {listed[s.study_key]})" if s.study_key in listed
                             else ")") for s in found)  # fmt: skip
        state.add("uncited-claim", start, end,
                  "This sentence makes an empirical claim but cites no source.",
                  f"Cite a source for it; the library suggests: {ideas}." if found else
                  "Cite a source for it (no library study matched), or soften the claim.",
                  found[0].study_key if found else "", found)  # fmt: skip


def _suggestion(hit: Hit) -> Suggestion:
    passage = hit.passage
    return Suggestion(
        hit.study.key,
        in_text(hit.study),
        passage.id if passage else "",
        passage.text if passage else "",
        round(float(hit.score), 3),
    )
