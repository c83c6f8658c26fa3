"""CSL-JSON values in our terms: item types, names, dates, and JSON syntax errors said
the way a person fixes them."""

from __future__ import annotations

import re
from typing import Any

from ..model import Person

# CSL types → BibTeX types (records.py maps those to ours); anything else is "misc".
_TYPES = {
    **dict.fromkeys(
        ("article-journal", "article", "article-magazine", "article-newspaper", "review",
         "review-book", "periodical"), "article"),
    **dict.fromkeys(("book", "classic", "collection"), "book"),
    **dict.fromkeys(("chapter", "entry", "entry-dictionary", "entry-encyclopedia"), "incollection"),
    "report": "techreport",
    "thesis": "phdthesis",
    "paper-conference": "inproceedings",
    **dict.fromkeys(("webpage", "post", "post-weblog"), "online"),
}  # fmt: skip
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")

# json's messages → what is wrong, in words that say where to look.
_JSON_WORDS = {
    "Expecting ',' delimiter": (
        "a comma is missing {where}",
        "Add ',' between the two values (or close the text or bracket before them).",
    ),
    "Expecting ':' delimiter": (
        "a ':' is missing after the name before line {line}, column {col}",
        'Write each field as "name": value.',
    ),
    "Expecting property name enclosed in double quotes": (
        "a name is not in double quotes, or a comma is left before '}}' at line {line}, "
        "column {col}",
        "Put every name in double quotes and remove a comma before a closing '}'.",
    ),
    "Expecting value": (
        "a value is missing at line {line}, column {col} (a comma before ']' or '}}', or "
        "text not in quotes)",
        "Put text in double quotes and remove a comma before a closing bracket.",
    ),
    "Unterminated string starting at": (
        "the text that starts at line {line}, column {col} is never closed: a '\"' is missing",
        "Add the closing '\"'.",
    ),
    "Invalid control character at": (
        "a line break or tab inside quotes at line {line}, column {col}",
        "Write a line break as \\n and a tab as \\t.",
    ),
    "Invalid \\escape": (
        "a backslash that starts no escape at line {line}, column {col}",
        "Write a backslash as \\\\.",
    ),
}


def item_type(csl_type: str) -> str:
    """The BibTeX type of a CSL item type ("misc" for one we do not distinguish)."""
    return _TYPES.get(csl_type.strip().lower(), "misc")


def year_of(value: Any) -> tuple[str, str]:
    """``(year, as written)`` of a CSL date: ``{"date-parts": [[2020, 5]]}``, ``{"raw":
    "2020-05"}``, ``{"literal": "Spring 2020"}``, or a bare string or number. The year is
    "" when none is found (then the text is returned, to be reported)."""
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            value = parts[0][0]
        else:
            value = value.get("raw") or value.get("literal") or value.get("year") or ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return "", ""
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    found = _YEAR.search(text)
    return (found.group(1), text) if found else ("", text.strip())


def name_of(value: Any) -> Person | None:
    """A CSL name: family/given with their particles and suffix, or a literal (an
    organisation); a plain string is taken as a literal. None when it has no name."""
    if isinstance(value, str):
        return Person(family=value.strip(), literal=True) if value.strip() else None
    if not isinstance(value, dict):
        return None

    def part(name: str) -> str:
        found = value.get(name)
        return " ".join(str(found).split()) if isinstance(found, (str, int)) else ""

    if part("literal"):
        return Person(family=part("literal"), literal=True)
    family, given = part("family"), part("given")
    if not family and not given:
        return None
    if not family:  # a single name ("Plato") given as "given"
        return Person(family=given, literal=True)
    particle = " ".join(p for p in (part("dropping-particle"), part("non-dropping-particle")) if p)
    return Person(family=family, given=given, particle=particle, suffix=part("suffix"))


def json_problem(
    message: str, text: str, pos: int, item_line: int, item_start: int
) -> tuple[str, str]:
    """What json's error `message` at `pos` in `text` means: ``(what, what to do)``. The
    item it is in starts at `item_start`, on `item_line` (lines are counted from there)."""
    line = item_line + text.count("\n", item_start, pos)
    column = pos - text.rfind("\n", 0, pos)
    before = len(text[item_start:pos].rstrip()) + item_start  # where the last value ended
    where = f"before line {line}, column {column}"
    if before > item_start and text.count("\n", before, pos):
        where = f"at the end of line {line - text.count(chr(10), before, pos)}"
    for start, (what, hint) in _JSON_WORDS.items():
        if message.startswith(start):
            return what.format(line=line, col=column, where=where) + ".", hint
    return (
        f"the JSON is not valid at line {line}, column {column}.",
        "Check the brackets, quotes and commas there.",
    )
