"""Raw BibTeX entries between parsing and `Study`: macros, `#`, crossref, keys.

bibtexparser's default stack leaves ``#`` concatenation and crossref unresolved and
turns undefined macros into silent literal text (ECOSYSTEM.md, trap 1), so values are
taken raw (with their braces or quotes) and resolved here, reporting what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model import ImportProblem

MONTHS = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May",
    "jun": "June", "jul": "July", "aug": "August", "sep": "September", "oct": "October",
    "nov": "November", "dec": "December",
}  # fmt: skip

# Fields a crossref child never takes from its parent.
_NOT_INHERITED = {"crossref", "ids", "key", "title", "shorttitle", "sortkey", "label"}
_CONTAINER_TYPES = {"book", "mvbook", "collection", "mvcollection", "proceedings", "reference"}


@dataclass(slots=True)
class RawEntry:
    """An entry with resolved (still LaTeX-encoded) values and where each came from."""

    key: str
    entry_type: str
    fields: dict[str, str]
    field_lines: dict[str, int]
    file: str
    line: int  # 1-based
    persons: dict[str, tuple[object, ...]] = field(default_factory=dict)


def resolve_value(raw: str, strings: dict[str, str], undefined: list[str] | None = None) -> str:
    """Return the value of a raw BibTeX field: enclosing removed, macros and ``#`` resolved.

    Undefined macro names are kept as text and appended to `undefined`.
    """
    raw = raw.strip()
    if "#" not in raw:
        return _resolve_part(raw, strings, undefined)
    return "".join(_resolve_part(part, strings, undefined) for part in split_top_level(raw, "#"))


def _resolve_part(part: str, strings: dict[str, str], undefined: list[str] | None) -> str:
    part = part.strip()
    if not part:
        return ""
    if part[0] == "{" and part[-1] == "}" or part[0] == '"' and part[-1] == '"':
        return part[1:-1]
    if part.isdigit():
        return part
    name = part.lower()
    if name in strings:
        return strings[name]
    if name in MONTHS:
        return MONTHS[name]
    if undefined is not None:
        undefined.append(part)
    return part


def split_top_level(text: str, separator: str) -> list[str]:
    """Split `text` at each `separator` outside braces and double quotes (``a # "b" # {c}``
    at ``#``, an entry body at ``,``)."""
    parts: list[str] = []
    depth, in_quote, start = 0, False, 0
    for i, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            in_quote = not in_quote
        elif ch == separator and depth == 0 and not in_quote:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def resolve_strings(raw_strings: list[tuple[str, str]]) -> dict[str, str]:
    """Resolve ``@string`` definitions in order (later ones may use earlier ones)."""
    strings: dict[str, str] = {}
    for name, raw in raw_strings:
        strings[name.lower()] = resolve_value(raw, strings)
    return strings


def is_commented_out(lines: list[str], line: int) -> bool:
    """True when the ``@`` starting the entry on 1-based `line` sits after a ``%``."""
    if not 0 < line <= len(lines):
        return False
    text = lines[line - 1]
    at = text.find("@")
    return "%" in (text[:at] if at >= 0 else text)


def apply_crossrefs(entries: list[RawEntry]) -> list[ImportProblem]:
    """Fill crossref children's missing fields from their parents, wherever in the import."""
    by_key = {e.key.lower(): e for e in entries if e.key}
    problems: list[ImportProblem] = []
    for entry in entries:
        target = entry.fields.get("crossref", "").strip()
        if not target:
            continue
        parent = by_key.get(target.lower())
        if parent is None or parent is entry:
            problems.append(
                ImportProblem(
                    entry.file,
                    entry.field_lines.get("crossref", entry.line),
                    "crossref-missing",
                    f"entry '{entry.key}' has crossref = {{{target}}}, but no entry with that "
                    "key was imported; import the file that holds it, or remove the crossref.",
                    entry.key,
                )
            )
            continue
        _inherit(entry, parent)
    return problems


def _inherit(child: RawEntry, parent: RawEntry) -> None:
    for name, value in parent.fields.items():
        if name not in _NOT_INHERITED and name not in child.fields:
            child.fields[name] = value
            child.field_lines[name] = child.line
    for name, persons in parent.persons.items():
        child.persons.setdefault(name, persons)
    if "booktitle" not in child.fields and parent.entry_type in _CONTAINER_TYPES:
        if "title" in parent.fields:
            child.fields["booktitle"] = parent.fields["title"]


_KEY_WORD = re.compile(r"[A-Za-z]{4,}")


def assign_keys(
    entries: list[RawEntry], taken: Iterable[tuple[str, str, int]] = ()
) -> list[ImportProblem]:
    """Give entries with no key a generated one and rename repeated keys; report both.

    `taken` holds ``(key, file, line)`` of studies already in the library, which keep
    their keys."""
    problems: list[ImportProblem] = []
    seen: dict[str, RawEntry] = {}
    seen_folded: dict[str, RawEntry] = {}
    for key, file, line in taken:
        placeholder = RawEntry(key, "", {}, {}, file, line)
        seen[key] = placeholder
        seen_folded.setdefault(key.casefold(), placeholder)
    for entry in entries:
        if not entry.key.strip():
            entry.key = _unique(_generated_key(entry), seen)
            problems.append(
                ImportProblem(
                    entry.file,
                    entry.line,
                    "missing-key",
                    f"entry has no citation key; imported as '{entry.key}'. Give it a key in "
                    "your reference manager.",
                    entry.key,
                )
            )
        elif entry.key in seen:
            first = seen[entry.key]
            new_key = _unique(entry.key, seen)
            problems.append(
                ImportProblem(
                    entry.file,
                    entry.line,
                    "duplicate-key",
                    f"key '{entry.key}' was already used at {first.file}:{first.line}; this "
                    f"entry was imported as '{new_key}'. Rename one of them.",
                    new_key,
                )
            )
            entry.key = new_key
        elif entry.key.casefold() in seen_folded:
            first = seen_folded[entry.key.casefold()]
            problems.append(
                ImportProblem(
                    entry.file,
                    entry.line,
                    "duplicate-key-case",
                    f"key '{entry.key}' differs only in case from '{first.key}' at "
                    f"{first.file}:{first.line}; BibTeX treats them as the same key. Rename one.",
                    entry.key,
                )
            )
        seen[entry.key] = entry
        seen_folded.setdefault(entry.key.casefold(), entry)
    return problems


def _unique(base: str, seen: dict[str, RawEntry]) -> str:
    if base not in seen:
        return base
    n = 2
    while f"{base}-{n}" in seen:
        n += 1
    return f"{base}-{n}"


def _generated_key(entry: RawEntry) -> str:
    """``family`` + ``year`` + first long title word, like the usual BibTeX scheme."""
    author = entry.fields.get("author", "") or entry.fields.get("editor", "")
    first = author.split(" and ")[0]
    family = first.split(",")[0] if "," in first else (first.split() or [""])[-1]
    family = re.sub(r"[^a-z]", "", family.lower())
    year = re.sub(r"\D", "", entry.fields.get("year", ""))[:4]
    match = _KEY_WORD.search(entry.fields.get("title", ""))
    word = match.group(0).lower() if match else ""
    return (family + year + word) or f"entry-line{entry.line}"
