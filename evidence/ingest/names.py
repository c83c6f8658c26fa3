"""BibTeX name lists → `Person`s: particles ("van der"), suffixes ("Jr."), corporate names.

bibtexparser's name grammar (its `names` middleware functions, imported here only) decides
the hard cases; plain names take a fast path with the same results.
"""

from __future__ import annotations

from functools import lru_cache

from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)

from ..model import Person
from .latex import decode_latex


def parse_names(value: str) -> tuple[Person, ...]:
    """Split a BibTeX name list into Persons: particles, suffixes, corporate names kept whole."""
    decoded = decode_latex(value, keep_braces=True)
    if " and " not in decoded and " AND " not in decoded and "{" not in decoded:
        names = [decoded]  # one plain name: no need for the splitter
    else:
        names = split_multiple_persons_names(decoded)
    return tuple(_person(name.strip()) for name in names if name.strip())


_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v"}


@lru_cache(maxsize=65536)
def _person(name: str) -> Person:
    """One name. The common plain forms ("Family, Given", "Given Family") skip the full
    BibTeX name grammar, which took half of an import's time; the results are the same."""
    simple = _simple_person(name)
    if simple is not None:
        return simple
    if name.startswith("{") and name.endswith("}") and _balanced_outer(name):
        return Person(family=_unbrace(name), literal=True)
    try:
        parts = parse_single_name_into_parts(name, strict=False)
    except Exception:  # an unparseable name is kept whole rather than lost
        return Person(family=_unbrace(name), literal=True)
    return Person(
        family=_unbrace(" ".join(parts.last)),
        given=_unbrace(" ".join(parts.first)),
        particle=_unbrace(" ".join(parts.von)),
        suffix=_unbrace(" ".join(parts.jr)),
    )


def _simple_person(name: str) -> Person | None:
    """Person for a name with no braces, particles or suffixes, else None."""
    if "{" in name or "\\" in name or name.count(",") > 1:
        return None
    family, comma, given = name.partition(",")
    words = family.split() if comma else name.split()
    if not words or any(not w[0].isupper() for w in words + given.split()):
        return None  # lowercase words are particles ("van der"): the grammar decides
    if words[-1].lower() in _SUFFIXES:
        return None
    if comma:
        return Person(family=" ".join(words), given=" ".join(given.split()))
    return Person(family=words[-1], given=" ".join(words[:-1]))


def _balanced_outer(name: str) -> bool:
    depth = 0
    for i, ch in enumerate(name):
        depth += (ch == "{") - (ch == "}")
        if depth == 0 and i < len(name) - 1:
            return False
    return True


def _unbrace(text: str) -> str:
    return " ".join(text.replace("{", "").replace("}", "").split())
