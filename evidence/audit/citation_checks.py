"""Citation audit, part two: each in-text citation against the draft's reference list.

A citation matches the entry with its first author and year (then year letter, then
co-authors); otherwise the audit says which entry it most likely means and why not.
"""

from __future__ import annotations

from collections.abc import Sequence

from .draft import Citation, DraftReference, name_key
from .reference_checks import LibraryIndex
from .report import AuditState, CitationCheck, in_text


def check_citation(state: AuditState, lookup: LibraryIndex, cite: Citation) -> CitationCheck:
    """Match `cite` to one reference, or report why it cannot be matched."""
    if not state.draft.references:
        return CitationCheck(cite, None, "no-reference-list")
    if cite.number is not None:
        return _numbered(state, cite)
    candidates, typo = _by_author(state.draft.references, cite)
    if not candidates:
        return _not_listed(state, lookup, cite)
    same = _same_year(cite, candidates)
    if len(same) == 1:
        return _matched(state, cite, same[0], typo)
    if len(same) > 1:
        state.cited.update(r.index for r in same)
        listed = "; ".join(f"reference {r.index} ({r.label()})" for r in same)
        state.add("citation-ambiguous", cite.start, cite.end,
                  f"'{cite.text}' fits more than one entry: {listed}.",
                  f"Add year letters ({cite.year_text[:4]}a, {cite.year_text[:4]}b) in the list "
                  "and the text, or name a second author.")  # fmt: skip
        return CitationCheck(cite, None, "citation-ambiguous")
    if typo:  # a near name with another year is too weak to call it the same work
        return _not_listed(state, lookup, cite)
    return _wrong_year(state, cite, candidates)


def _numbered(state: AuditState, cite: Citation) -> CitationCheck:
    """Match a numbered citation to the entry with its number (or at its place)."""
    number = cite.number or 0
    ref = state.numbered().get(number)
    if ref is not None:
        state.cited.add(ref.index)
        return CitationCheck(cite, ref.index, "ok")
    count = len(state.draft.references)
    where = "has no note" if state.draft.numbered == "footnote" else "has no entry"
    state.add("citation-not-in-references", cite.start, cite.end,
              f"'{cite.text}' cites {number}, but the reference list {where} {number} "
              f"({count} entr{'y' if count == 1 else 'ies'}).",
              f"Add entry {number} to the reference list, or correct the number.")  # fmt: skip
    return CitationCheck(cite, None, "citation-not-in-references")


def _by_author(refs: Sequence[DraftReference], cite: Citation) -> tuple[list[DraftReference], str]:
    """The entries whose first author is the cited one, and the listed spelling if it took
    a one-typo match to find them (else "")."""
    key = name_key(cite.authors[0])
    candidates = [r for r in refs if r.authors and name_key(r.authors[0]) == key]
    if not candidates:  # a corporate author with "and" in its name reads as two names
        last = name_key(cite.authors[-1])
        candidates = [
            r
            for r in refs
            if len(r.authors) == 1
            and " " in r.authors[0]
            and name_key(r.authors[0]) == last
            and cite.authors[0] in r.authors[0]
        ]
    if candidates:
        return candidates, ""
    near = [r for r in refs if r.authors and _near(key, name_key(r.authors[0]))]
    return near, near[0].authors[0] if near else ""


def _coauthor_typo(cite: Citation, ref: DraftReference) -> tuple[str, str]:
    """(the name as cited, as listed) of a co-author the citation misspells, else ("", "")."""
    for cited, listed in zip(cite.authors[1:], ref.authors[1:], strict=False):
        a, b = name_key(cited), name_key(listed)
        if a != b and _near(a, b):
            return cited, listed
    return "", ""


def _wrong_year(
    state: AuditState, cite: Citation, candidates: list[DraftReference]
) -> CitationCheck:
    """Report a listed author cited with a year no entry of theirs has."""
    likely = _likely(state, cite, candidates)
    state.cited.add(likely.index)
    if cite.malformed:
        state.add("citation-year-malformed", cite.start, cite.end,
                  f"'{cite.text}' has the year '{cite.year_text}', which is not a year; it most "
                  f"likely means reference {likely.index} ({likely.label()}).",
                  f"Write ({likely.label()}).", _key(state, likely))  # fmt: skip
        return CitationCheck(cite, likely.index, "citation-year-malformed")
    if likely.year is None and likely.year_text not in ("", "n.d.", "in press"):
        # The entry's own year is malformed: its reference-year-malformed finding says so.
        return CitationCheck(cite, likely.index, "reference-year-malformed")
    note = _online_note(state, cite, likely)
    state.add(
        "citation-year-mismatch",
        cite.start,
        cite.end,
        f"'{cite.text}': the reference list has no {cite.authors[0]} entry from "
        f"{cite.year_text}; it most likely means reference {likely.index} "
        f"({likely.label()}).{note}",
        f"Make the years agree: ({likely.label()}), or correct the reference list.",
        _key(state, likely),
    )
    return CitationCheck(cite, likely.index, "citation-year-mismatch")


def _key(state: AuditState, ref: DraftReference) -> str:
    """The library key of the study `ref` was found as, or ""."""
    study = state.ref_study.get(ref.index)
    return study.key if study else ""


def _near(a: str, b: str) -> bool:
    """True when two name keys differ by one typo (two for long names)."""
    if a == b or min(len(a), len(b)) < 4:
        return False
    return _edit_distance(a, b, 2) <= (2 if min(len(a), len(b)) >= 8 else 1)


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours counts 1), capped at limit+1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]


def _same_year(cite: Citation, refs: list[DraftReference]) -> list[DraftReference]:
    """The entries with the cited year; by letter, then by co-authors, when several fit."""
    if cite.malformed:
        return []
    same = [r for r in refs if r.year_text[:4].casefold() == cite.year_text[:4].casefold()]
    exact = [r for r in same if r.suffix == cite.suffix]
    if len(exact) >= 1 and (cite.suffix or len(exact) == 1):
        same = exact
    if len(same) > 1:
        same = _by_coauthors(cite, same) or same
    return same


def _by_coauthors(cite: Citation, refs: list[DraftReference]) -> list[DraftReference]:
    if len(cite.authors) >= 2:
        second = name_key(cite.authors[1])
        return [r for r in refs if len(r.authors) > 1 and name_key(r.authors[1]) == second]
    if cite.et_al:
        return [r for r in refs if len(r.authors) > 2]
    return [r for r in refs if len(r.authors) == 1]


def _likely(state: AuditState, cite: Citation, refs: list[DraftReference]) -> DraftReference:
    """The entry a citation with a wrong year most likely means: one the library knows was
    online in the cited year, else co-authors and the nearest year."""
    pool = _by_coauthors(cite, refs) or refs
    online = [r for r in pool if cite.year and _online_year(state, r) == cite.year]
    if len(online) == 1:
        return online[0]
    year = cite.year or 0
    return min(pool, key=lambda r: (abs((r.year or 0) - year) if year else 0, r.index))


def _online_year(state: AuditState, ref: DraftReference) -> int | None:
    study = state.ref_study.get(ref.index)
    return study.online_year if study else None


def _matched(state: AuditState, cite: Citation, ref: DraftReference, typo: str) -> CitationCheck:
    state.cited.add(ref.index)
    cited, listed = (cite.authors[0], typo) if typo else _coauthor_typo(cite, ref)
    if listed:
        state.add("citation-author-typo", cite.start, cite.end,
                  f"'{cite.text}' spells the name '{cited}'; reference {ref.index} "
                  f"has '{listed}'.", f"Write ({ref.label()}).", _key(state, ref))  # fmt: skip
        return CitationCheck(cite, ref.index, "citation-author-typo")
    if cite.suffix != ref.suffix:
        state.add("citation-year-suffix", cite.start, cite.end,
                  f"'{cite.text}' writes {cite.year_text}; reference {ref.index} has "
                  f"{ref.year_text}.", f"Write ({ref.label()}).", _key(state, ref))  # fmt: skip
        return CitationCheck(cite, ref.index, "citation-year-suffix")
    return CitationCheck(cite, ref.index, "ok")


def _online_note(state: AuditState, cite: Citation, ref: DraftReference) -> str:
    study = state.ref_study.get(ref.index)
    if study is None or cite.year is None:
        return ""
    if study.online_year == cite.year:
        return (f" The library records that this work appeared online in {cite.year} and in "
                f"an issue in {study.year}, which explains the difference.")  # fmt: skip
    return ""


def _not_listed(state: AuditState, lookup: LibraryIndex, cite: Citation) -> CitationCheck:
    hint = ""
    known = [s for s in lookup.by_author.get(name_key(cite.authors[0]), []) if s.year == cite.year]
    if len(known) == 1:
        hint = f" The library has {in_text(known[0])}: '{known[0].title}'."
    state.add("citation-not-in-references", cite.start, cite.end,
              f"'{cite.text}': no entry in the reference list has the author "
              f"{cite.authors[0]}.{hint}", "Add the work to the reference list, or correct "
              "the name.", known[0].key if len(known) == 1 else "")  # fmt: skip
    return CitationCheck(cite, None, "citation-not-in-references")
