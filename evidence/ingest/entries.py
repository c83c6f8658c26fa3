"""Raw BibTeX entries between parsing and `Study`: macros, `#`, crossref, keys.

bibtexparser's default stack leaves ``#`` concatenation and crossref unresolved and
turns undefined macros into silent literal text (ECOSYSTEM.md, trap 1), so values are
taken raw (with their braces or quotes) and resolved here, reporting what is wrong.
"""

from __future__ import annotations

import re
import unicodedata
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


# Limits on what `@string` macros may expand to, so that a small file cannot make us build
# gigabytes ("billion laughs": each macro the previous one twice). No real value is near
# them: a 100 KB abstract is an outlier; a file's macros are journal names used many times.
MAX_VALUE_CHARS = 200_000
EXPANSION_PER_INPUT_CHAR = 8
MIN_EXPANSION_BUDGET = 1_000_000


@dataclass(slots=True)
class Expansion:
    """How much text the macros of one file may still produce; what went over."""

    remaining: int
    over: list[str] = field(default_factory=list)  # macros refused for the budget

    @classmethod
    def for_text(cls, text: str) -> Expansion:
        return cls(max(MIN_EXPANSION_BUDGET, EXPANSION_PER_INPUT_CHAR * len(text)))


def resolve_value(
    raw: str,
    strings: dict[str, str],
    undefined: list[str] | None = None,
    budget: Expansion | None = None,
) -> str:
    """Return the value of a raw BibTeX field: enclosing removed, macros and ``#`` resolved.

    Undefined macro names are kept as text and appended to `undefined`. A macro whose text
    would take the value past MAX_VALUE_CHARS, or the file past its `budget`, is kept as
    its name and recorded in ``budget.over``.
    """
    raw = raw.strip()
    parts = split_top_level(raw, "#") if "#" in raw else [raw]
    out: list[str] = []
    size = 0
    for part in parts:
        piece = _resolve_part(part, strings, undefined, budget, MAX_VALUE_CHARS - size)
        size += len(piece)
        out.append(piece)
    return "".join(out)


def _resolve_part(
    part: str,
    strings: dict[str, str],
    undefined: list[str] | None,
    budget: Expansion | None,
    room: int,
) -> str:
    part = part.strip()
    if not part:
        return ""
    if part[0] == "{" and part[-1] == "}" or part[0] == '"' and part[-1] == '"':
        return part[1:-1]
    if part.isdigit():
        return part
    name = part.lower()
    if name in strings:
        value = strings[name]
        if budget is None:
            return value
        if len(value) > min(room, budget.remaining):
            budget.over.append(part)
            return part
        budget.remaining -= len(value)
        return value
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


def resolve_strings(raw_strings: list[tuple[str, str]], budget: Expansion) -> dict[str, str]:
    """Resolve ``@string`` definitions in order (later ones may use earlier ones), within
    the file's expansion `budget`."""
    strings: dict[str, str] = {}
    for name, raw in raw_strings:
        strings[name.lower()] = resolve_value(raw, strings, budget=budget)
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
    """Give entries with no key a generated one, make keys safe to link to and cite, and
    rename repeated keys; report each change. Keys that only look like another key
    (Cyrillic or full-width letters, zero-width characters) are reported too.

    `taken` holds ``(key, file, line)`` of studies already in the library, which keep
    their keys."""
    problems: list[ImportProblem] = []
    seen: dict[str, RawEntry] = {}
    looks: dict[str, RawEntry] = {}
    for key, file, line in taken:
        placeholder = RawEntry(key, "", {}, {}, file, line)
        seen[key] = placeholder
        looks.setdefault(key_skeleton(key), placeholder)
    for entry in entries:
        original = entry.key.strip()
        if not original:
            entry.key = _unique(_generated_key(entry), seen)
            problems.append(_problem(entry, "missing-key",
                f"entry has no citation key; imported as '{entry.key}'. Give it a key in your "
                "reference manager."))  # fmt: skip
        else:
            problems += _checked_key(entry, original, seen, looks)
        seen[entry.key] = entry
        looks.setdefault(key_skeleton(entry.key), entry)
    return problems


def _checked_key(
    entry: RawEntry, original: str, seen: dict[str, RawEntry], looks: dict[str, RawEntry]
) -> list[ImportProblem]:
    """Make `entry`'s key safe and unique; return what was reported about it."""
    found: list[ImportProblem] = []
    shown = ascii(original)[1:-1]  # invisible and right-to-left characters made visible
    twin = looks.get(key_skeleton(original))
    if twin is not None and twin.key.casefold() != original.casefold():
        found.append(_problem(entry, "key-lookalike",
            f"key '{shown}' looks the same as '{twin.key}' at {twin.file}:{twin.line} but is "
            "written with other characters; rename one."))  # fmt: skip
    entry.key = safe_key(original) or _generated_key(entry)
    if entry.key != original:
        found.append(_problem(entry, "key-renamed",
            f"key '{shown}' has characters that break links and citations (only letters, "
            f"digits and _ - : . + ' are kept); imported as '{entry.key}'."))  # fmt: skip
    if entry.key in seen:
        first = seen[entry.key]
        new_key = _unique(entry.key, seen)
        found.append(_problem(entry, "duplicate-key",
            f"key '{entry.key}' was already used at {first.file}:{first.line}; this entry "
            f"was imported as '{new_key}'. Rename one of them.", new_key))  # fmt: skip
        entry.key = new_key
        return found
    same = looks.get(key_skeleton(entry.key))
    if same is not None and same.key.casefold() == entry.key.casefold():
        found.append(_problem(entry, "duplicate-key-case",
            f"key '{entry.key}' differs only in case from '{same.key}' at "
            f"{same.file}:{same.line}; BibTeX treats them as one key. Rename one."))  # fmt: skip
    return found


def _problem(entry: RawEntry, kind: str, message: str, key: str = "") -> ImportProblem:
    return ImportProblem(entry.file, entry.line, kind, message, key or entry.key)


# Letters of other scripts that look like Latin ones (the common part of Unicode's
# confusables table), so that "сarleton2020" with a Cyrillic "с" is seen as "carleton2020".
_CONFUSABLES = str.maketrans(
    "аеорсухіјѕԁԛԝАВЕКМНОРСТХІЈЅΑΒΕΖΗΙΚΜΝΟΡΤΥΧοαν",
    "aeopcyxijsdqwABEKMHOPCTXIJSABEZHIKMNOPTYXoav",
)


_KEY_PUNCTUATION = "_-:.+'"


def key_skeleton(key: str) -> str:
    """What a key looks like: width and compatibility forms folded (NFKC), invisible
    characters dropped, look-alike letters of other scripts mapped, case folded."""
    folded = unicodedata.normalize("NFKC", key)
    visible = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return visible.translate(_CONFUSABLES).casefold()


def safe_key(key: str) -> str:
    """`key` in characters that links, URLs and citation processors all take: letters and
    digits (any script), and _ - : . + ' ; anything else (spaces, #, ?, /, %, invisible
    characters, "..") becomes "_"."""
    folded = unicodedata.normalize("NFKC", key)
    visible = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    kept = "".join(ch if ch.isalnum() or ch in _KEY_PUNCTUATION else "_" for ch in visible)
    safe = re.sub(r"_{2,}", "_", kept.replace("..", "_"))
    return safe.strip("_.")


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
    year = entry.fields.get("year", "")
    return generated_key(family, year, entry.fields.get("title", "")) or f"entry-line{entry.line}"


_FOLDED = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "ł": "l",
     "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "ð": "d"}
)  # fmt: skip


def ascii_letters(text: str) -> str:
    """`text` with accents dropped and letters such as "ø" spelled in ASCII ("Lefèvre" →
    "Lefevre", "Østergaard" → "Ostergaard"); other characters kept."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLDED))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def generated_key(family: str, year: str, title: str) -> str:
    """``smith2020peer``: the family name's ASCII letters, the year's digits and the first
    word of four letters or more of the title, lowercased ("" when all three are empty)."""
    family = re.sub(r"[^a-z]", "", ascii_letters(family).lower())
    match = _KEY_WORD.search(title)
    word = match.group(0).lower() if match else ""
    return family + re.sub(r"\D", "", year)[:4] + word
