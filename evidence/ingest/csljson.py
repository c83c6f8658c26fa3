"""CSL-JSON files (Zotero, Better BibTeX, pandoc, Mendeley) → `RawEntry`s, with every
problem located by line.

The file is a JSON list of items. Each item is decoded on its own (`raw_decode`), so one
broken item is reported with its line and the likely cause ("a comma is missing") and
the items after it are still read. Values of an unexpected type (a number for a title, a
list for a DOI) are taken where the meaning is clear and otherwise reported and skipped.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..model import ImportProblem, Person
from .csl_values import item_type, json_problem, name_of, year_of
from .entries import RawEntry
from .plain import PlainRecord, doi_in, give_keys, pmid_in, to_latex

_DECODER = json.JSONDecoder()
_ITEM_START = re.compile(r"\n([ \t]*)\{")
_NOCASE = re.compile(r'<span\s+class="nocase">(.*?)</span>', re.DOTALL)
_MARKUP = re.compile(r"</?(?:i|b|sup|sub|sc)>|<span(?:\s[^<>]*)?>|</span>")
_NOT_A_KEY = re.compile(r"://|/|^\d+$")  # a Zotero URI or item path, a number: no citekey

# CSL variable → BibTeX field, for plain values (the first given wins).
_VALUES = (
    ("container-title", "journal"), ("container-title-short", "journal"),
    ("journalAbbreviation", "journal"), ("publisher", "publisher"),
    ("publisher-place", "address"), ("volume", "volume"), ("issue", "number"),
    ("number", "number"), ("page", "pages"), ("page-first", "pages"), ("DOI", "doi"),
    ("PMID", "pmid"), ("PMCID", "pmcid"), ("URL", "url"), ("abstract", "abstract"),
    ("ISSN", "issn"), ("ISBN", "isbn"), ("language", "language"), ("edition", "edition"),
    ("title-short", "shorttitle"),
)  # fmt: skip


def read_csl_json(text: str, file: str) -> tuple[list[RawEntry], list[ImportProblem]]:
    """The entries of CSL-JSON `text` (named `file` in problems) and every problem found."""
    lines = Lines(text)
    items, problems = _items(text, file, lines)
    records = [_record(item, start, end, lines, file) for item, start, end in items]
    give_keys(records)
    for record in records:
        problems += record.problems
    return [record.to_raw() for record in records], problems


class Lines:
    """1-based line numbers of positions in `text`, counted on from the last one asked
    (items are read in order, so the file is counted through once, not once per item)."""

    def __init__(self, text: str) -> None:
        self.text, self._pos, self._line = text, 0, 1

    def at(self, pos: int) -> int:
        if pos < self._pos:
            return self.text.count("\n", 0, pos) + 1
        self._line += self.text.count("\n", self._pos, pos)
        self._pos = pos
        return self._line


_Item = tuple[dict[str, Any], int, int]  # an item, where it starts and ends in the text


def _items(text: str, file: str, lines: Lines) -> tuple[list[_Item], list[ImportProblem]]:
    """The items of the file with where each starts and ends, and what was wrong."""
    start = len(text) - len(text.lstrip())
    if text[start : start + 1] == "{":
        decoded, problems = _decode_one(text, start, file, lines)
        found, end = decoded if decoded else (None, start)
        if isinstance(found, dict) and isinstance(found.get("items"), list):
            found = found["items"]  # {"items": [...]}, as citeproc-js test files hold them
        items = found if isinstance(found, list) else [found] if found is not None else []
        kept = [(i, start, end) for i in items if _is_item(i, file, lines.at(start), problems)]
        return kept, problems
    if text[start : start + 1] != "[":
        return [], [_not_csl(file, lines.at(start))]
    return _array(text, start + 1, file, lines)


def _array(text: str, pos: int, file: str, lines: Lines) -> tuple[list[_Item], list[ImportProblem]]:
    """Decode the list's items one by one from `pos` (just after '['), resuming after a
    broken item at the next line that starts an item at the same indentation."""
    items: list[_Item] = []
    problems: list[ImportProblem] = []
    while True:
        pos = _skip_space(text, pos)
        if pos >= len(text):
            problems.append(
                ImportProblem(
                    file,
                    lines.at(len(text)),
                    "list-unclosed",
                    "the list of items is never closed: a ']' is missing at the end of the file.",
                    hint="Check that the file was not cut short; the items read were kept.",
                )
            )
            return items, problems
        if text[pos] == "]":
            return items, problems
        found, trouble = _decode_one(text, pos, file, lines)
        if trouble:
            problems += trouble
            resume = _next_item(text, pos)
            if resume is None:
                return items, problems
            pos = resume
            continue
        item, end = found
        if _is_item(item, file, lines.at(pos), problems):
            items.append((item, pos, end))
        pos = _skip_space(text, end)
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos < len(text) and text[pos] not in "]":
            ended = lines.at(end)
            problems.append(
                ImportProblem(
                    file,
                    ended,
                    "missing-comma",
                    f"a comma is missing after the item that ends on line {ended}.",
                    hint="Add ',' between the two items; read as if it were there.",
                )
            )


def _decode_one(text: str, pos: int, file: str, lines: Lines) -> tuple[Any, list[ImportProblem]]:
    """``((value, end), [])`` for the JSON value at `pos`, or ``(None, [problem])``."""
    try:
        return _DECODER.raw_decode(text, pos), []
    except json.JSONDecodeError as exc:
        line = lines.at(pos)
        message, hint = json_problem(exc.msg, text, exc.pos, line, pos)
        return None, [
            ImportProblem(
                file,
                line,
                "malformed",
                f"the item that starts on line {line} could not be read: {message}",
                severity="error",
                hint=hint + " The item was skipped.",
            )
        ]
    except (ValueError, RecursionError) as exc:  # a number too long, nesting too deep
        line = lines.at(pos)
        why = "it is nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        return None, [
            ImportProblem(
                file,
                line,
                "malformed",
                f"the item that starts on line {line} could not be read: {why}.",
                severity="error",
                hint="Export the file again; the item was skipped.",
            )
        ]


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\n\r":
        pos += 1
    return pos


def _next_item(text: str, pos: int) -> int | None:
    """Where the next item starts after a broken one at `pos`: a line opening '{' with the
    broken item's indentation (or any, when it shared its line)."""
    indent = text[text.rfind("\n", 0, pos) + 1 : pos]
    own_line = not indent.strip(" \t")
    for found in _ITEM_START.finditer(text, pos + 1):
        if found.group(1) == indent or not own_line:
            return found.end() - 1
    return None


def _is_item(value: Any, file: str, line: int, problems: list[ImportProblem]) -> bool:
    if isinstance(value, dict):
        return True
    problems.append(
        ImportProblem(
            file,
            line,
            "not-an-item",
            f"the value on line {line} is not an item ('{{...}}'); skipped.",
            hint="Each element of the list must be an object with the item's fields.",
        )
    )
    return False


def _not_csl(file: str, line: int) -> ImportProblem:
    return ImportProblem(
        file,
        line,
        "not-csl-json",
        "this is not CSL-JSON: the file must be a JSON list of items, starting with '['.",
        severity="error",
        hint="Export the library again as CSL JSON (Zotero: File > Export Library).",
    )


def _record(item: dict[str, Any], start: int, end: int, lines: Lines, file: str) -> PlainRecord:
    """One CSL item (at `start`:`end` of the text) as a PlainRecord under BibTeX names."""
    out = PlainRecord(file, lines.at(start))
    where = _Where(lines.text, start, end, out.line)

    def value(name: str) -> str:
        return _string(item.get(name), name, out, where)

    out.entry_type = item_type(value("type"))
    key = value("citation-key") or value("id")
    out.key = "" if _NOT_A_KEY.search(key) else key
    title = value("title")
    out.set("title", title_latex(title), where.of("title"), latex=True)
    out.authors = _names(item.get("author"), "author", out, where)
    out.editors = _names(item.get("editor"), "editor", out, where)
    for name in ("issued", "available-date"):
        year, raw = year_of(item.get(name))
        out.set("year" if name == "issued" else "onlinedate", year or raw, where.of(name))
    for variable, field in _VALUES:
        out.set(field, value(variable), where.of(variable))
    out.set("keywords", value("keyword"), where.of("keyword"))  # "a, b" or "a; b"
    note = value("note")  # Zotero writes "PMID: …", "DOI: …" and the citekey here
    out.set("pmid", pmid_in(note), where.of("note"))
    out.set("doi", doi_in(note) if "10." in note else "", where.of("note"))
    return out


def title_latex(title: str) -> str:
    """A CSL title as a BibTeX value: its nocase spans braced (protected from sentence
    case, as braces are in BibTeX), other rich-text markup (<i>, <b>, <sup>, <sub>, small
    caps) removed."""
    parts = _NOCASE.split(title)
    return "".join(
        ("{%s}" if n % 2 else "%s") % to_latex(_MARKUP.sub("", part))
        for n, part in enumerate(parts)
    )


class _Where:
    """The line of a variable inside an item (found by its quoted name), for problems."""

    def __init__(self, text: str, start: int, end: int, line: int) -> None:
        self.text, self.start, self.end, self.line = text, start, end, line

    def of(self, name: str) -> int:
        at = self.text.find(f'"{name}"', self.start, self.end)
        return self.line if at < 0 else self.line + self.text.count("\n", self.start, at)


def _string(value: Any, name: str, out: PlainRecord, where: _Where) -> str:
    """A variable's text: strings as they are, numbers as digits, the first string of a
    list (an ISSN list); anything else is reported and skipped."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        pass
    elif isinstance(value, int):
        return str(value)
    elif isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return str(value[0])
    line = where.of(name)
    out.problems.append(
        ImportProblem(
            out.file,
            line,
            "value-type",
            f"the {name} of the item on line {out.line} is a {type(value).__name__}, not text; "
            "it was left out.",
            hint=f"Write {name} as text in quotes.",
        )
    )
    return ""


def _names(value: Any, role: str, out: PlainRecord, where: _Where) -> list[Person]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    people = [name_of(item) for item in items]
    if any(p is None for p in people):
        out.problems.append(
            ImportProblem(
                out.file,
                where.of(role),
                "name-unreadable",
                f"a name in the {role} list of the item on line {out.line} has no family, given "
                "or literal part; it was left out.",
                hint='Write each name as {"family": "…", "given": "…"} or {"literal": "…"}.',
            )
        )
    return [p for p in people if p is not None]
