"""Presentation helpers for templates: marked text, author lines, example queries.

Nothing here formats a citation (that is the CSL processor's job in `evidence`): these only
arrange data the library already returned, for display.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from evidence import Person, ProposalSection, Study

MAX_AUTHORS_SHOWN = 6


def segments(text: str, spans: Iterable[Sequence[int]]) -> list[tuple[str, bool]]:
    """Split `text` into ``(piece, marked)`` pairs at the given ``(start, end)`` spans.

    Overlapping or out-of-range spans are clipped, so a bad span never loses text. The
    template escapes each piece and wraps marked ones in ``<mark>``.
    """
    out: list[tuple[str, bool]] = []
    last = 0
    for start, end in sorted((int(s[0]), int(s[1])) for s in spans):
        start, end = max(start, last), min(end, len(text))
        if end <= start:
            continue
        if start > last:
            out.append((text[last:start], False))
        out.append((text[start:end], True))
        last = end
    if last < len(text):
        out.append((text[last:], False))
    return out


def author_line(people: Sequence[Person], limit: int = MAX_AUTHORS_SHOWN) -> str:
    """Return "Anna Alpha, Bruno Beta and 3 more" style text for a card (not a citation)."""
    names = [p.full_name() for p in people]
    if not names:
        return ""
    if len(names) > limit:
        return f"{', '.join(names[:limit])} and {len(names) - limit} more"
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def example_queries(studies: Iterable[Study], count: int = 5) -> list[str]:
    """The corpus's most common keywords (ties by first appearance): queries that find something."""
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for study in studies:
        for keyword in study.keywords:
            folded = keyword.strip().casefold()
            if 2 < len(folded) <= 40:
                counts[folded] += 1
                spelling.setdefault(folded, keyword.strip())
    return [spelling[k] for k, _ in counts.most_common(count)]


def source_parts(source: str) -> tuple[str, str]:
    """A curated source as (address, note): "https://x (mirror)" → ("https://x", "mirror").
    The address is "" unless it is an http(s) URL, so it is never linked otherwise."""
    text = source.strip()
    note = ""
    if text.endswith(")") and " (" in text:
        text, note = text[:-1].rsplit(" (", 1)
    address = text if text.lower().startswith(("http://", "https://")) else ""
    return address, note if address else source


def citation_of(section: ProposalSection, key: str) -> str:
    """How the section's points cite study `key` (its short in-text citation)."""
    for point in section.points:
        for source in point.sources:
            if source.study_key == key and source.citation:
                return source.citation
    return key
