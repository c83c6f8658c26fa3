"""Imported studies into a library: new ones added, changed ones updated, the rest left as
they are, so that importing a file twice changes nothing the second time.

An imported study is the library's study with the same DOI, else the same PMID, else the
same title, year and first author (`dedupe.identities`), else the one with its key
unless the two are plainly different works (other DOI or PMID, or another title by
another first author): then the import gets a new key (``key-2``), reported once.

A study with the same key takes the import's non-empty values that differ (an update);
a title that differs only in capitals or punctuation is not a change (exports
sentence-case or upper-case titles). A study matched under another key only has its
empty fields filled.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model import ImportProblem, Status, Study
from ..text.identifiers import title_fingerprint
from .dedupe import identities

# Study fields an import never compares: who it is, where it came from, and what is
# derived from other fields (title_sentence from title, bibtex_type with entry_type).
_SKIPPED = {"key", "source_file", "source_line", "flags", "title_sentence", "bibtex_type"}
# Which field each flag is about, so that an update of the field replaces the flag.
_FLAG_FIELDS = {
    "year-missing": "year",
    "year-invalid": "year",
    "doi-malformed": "doi",
    "authors-incomplete": "authors",
}


@dataclass(slots=True)
class Merge:
    """The library's studies as an import changes them, and what changed."""

    studies: list[Study]
    new: list[str] = field(default_factory=list)
    updated: dict[str, None] = field(default_factory=dict)  # ordered sets of keys
    unchanged: dict[str, None] = field(default_factory=dict)
    problems: list[ImportProblem] = field(default_factory=list)
    _owner: dict[tuple[str, ...], int] = field(default_factory=dict)
    _by_key: dict[str, int] = field(default_factory=dict)

    @classmethod
    def into(cls, library: Sequence[Study]) -> Merge:
        merge = cls(list(library))
        for position, study in enumerate(merge.studies):
            merge._index(study, position)
        return merge

    def _index(self, study: Study, position: int) -> None:
        self._by_key.setdefault(study.key, position)
        for ident in identities(study):
            self._owner.setdefault(ident, position)

    def add(self, incoming: Sequence[Study]) -> None:
        """Merge the studies of one imported file (their keys unique among themselves)."""
        for study in incoming:
            position = next((self._owner[i] for i in identities(study) if i in self._owner), None)
            if position is None and study.key in self._by_key:
                same = self.studies[self._by_key[study.key]]
                if different_works(same, study):
                    study = self._renamed(study, same)
                else:
                    position = self._by_key[study.key]
            if position is None:
                self.studies.append(study)
                self._index(study, len(self.studies) - 1)
                self.new.append(study.key)
                continue
            self._apply(position, study)

    def _apply(self, position: int, study: Study) -> None:
        current = self.studies[position]
        changed = updated(current, study, fill_only=current.key != study.key)
        if current.key != study.key and not _renamed_from(current.key, study.key):
            self.problems.append(_already(study, current, changed is not None))
        if changed is None:
            if current.key not in self.updated:
                self.unchanged[current.key] = None
            return
        self.studies[position] = changed
        self.unchanged.pop(current.key, None)
        self.updated[current.key] = None
        for ident in identities(changed):
            self._owner.setdefault(ident, position)

    def _renamed(self, study: Study, other: Study) -> Study:
        base, n = study.key, 2
        while f"{base}-{n}" in self._by_key:
            n += 1
        new_key = f"{base}-{n}"
        title = other.title if len(other.title) <= 60 else other.title[:57] + "..."
        self.problems.append(
            ImportProblem(
                study.source_file,
                study.source_line or None,
                "key-taken",
                f"key '{base}' is already used in the library by another study ('{title}', "
                f"{other.source or 'the library'}); this entry was imported as '{new_key}'.",
                new_key,
                hint="Give it another key in your reference manager if you cite it by key.",
            )
        )
        return dataclasses.replace(study, key=new_key)


def different_works(first: Study, second: Study) -> bool:
    """True when two studies with one key are plainly not one work: their DOIs or PMIDs
    differ, or both their titles and their first authors do."""
    if first.doi and second.doi and first.doi.lower() != second.doi.lower():
        return True
    if first.pmid and second.pmid and first.pmid != second.pmid:
        return True
    titles = title_fingerprint(first.title), title_fingerprint(second.title)
    authors = (_first_author(first), _first_author(second))
    return all(titles) and titles[0] != titles[1] and all(authors) and authors[0] != authors[1]


def updated(current: Study, incoming: Study, fill_only: bool = False) -> Study | None:
    """`current` with `incoming`'s non-empty values that differ (only its empty fields
    with `fill_only`), or None when nothing would change."""
    changes: dict[str, object] = {}
    for f in dataclasses.fields(Study):
        new, old = getattr(incoming, f.name), getattr(current, f.name)
        if f.name in _SKIPPED or new in (None, "", (), Status()) or new == old:
            continue
        if fill_only and old not in (None, "", (), Status()):
            continue
        if f.name == "entry_type" and new == "other":
            continue
        if f.name == "title" and title_fingerprint(new) == title_fingerprint(old):
            continue
        if f.name == "extra":
            new = tuple({**dict(old), **dict(new)}.items())
            if new == old:
                continue
        changes[f.name] = new
    if not changes:
        return None
    if "title" in changes:
        changes["title_sentence"] = incoming.title_sentence
    if "entry_type" in changes:
        changes["bibtex_type"] = incoming.bibtex_type
    kept = [flag for flag in current.flags if _FLAG_FIELDS.get(flag) not in changes]
    changes["flags"] = tuple(kept + [f for f in incoming.flags if _FLAG_FIELDS.get(f) in changes])
    if not fill_only:  # the updated study now comes from the imported file
        changes.update(source_file=incoming.source_file, source_line=incoming.source_line)
    return dataclasses.replace(current, **changes)  # type: ignore[arg-type]


def _renamed_from(key: str, original: str) -> bool:
    """True when `key` is what an earlier import renamed `original` to (``key-2``): that
    was reported then, and is not news again."""
    return bool(re.fullmatch(re.escape(original) + r"-\d+", key))


def _first_author(study: Study) -> str:
    return study.authors[0].family.casefold() if study.authors else ""


def _already(study: Study, current: Study, filled: bool) -> ImportProblem:
    what = "its empty fields were filled from this entry" if filled else "nothing was changed"
    return ImportProblem(
        study.source_file,
        study.source_line or None,
        "already-in-library",
        f"'{study.key}' is already in the library as '{current.key}'; {what}.",
        current.key,
        severity="info",
    )
