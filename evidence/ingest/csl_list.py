"""The list of items of a CSL-JSON file, read around any damage, with every problem
located by line.

Each item is decoded on its own (`raw_decode`), so one broken item is reported with its
line and the likely cause ("a comma is missing") and the items after it are still read:
reading resumes at the next line opening an item at the items' indentation. A list with
no '[' (or a '{' for it), text before or after it, lists joined end to end and a list
closed early by a broken item are read too, and said. A name, a date or an empty '{}'
met where an item should start (the inside of a broken item) is skipped, not imported.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from ..model import ImportProblem
from .csl_values import json_problem

_DECODER = json.JSONDecoder()
_NEWLINE = re.compile("\n")


class Lines:
    """1-based line numbers of positions in `text`. The newlines are found once, then
    each position is a binary search: items are read in order but their records after,
    from the start again, and counting from the start each time was quadratic."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._newlines = [found.start() for found in _NEWLINE.finditer(text)]

    def at(self, pos: int) -> int:
        return bisect_left(self._newlines, pos) + 1


Item = tuple[dict[str, Any], int, int]  # an item, where it starts and ends in the text


def read_items(text: str, file: str, lines: Lines) -> tuple[list[Item], list[ImportProblem]]:
    """The items of the file with where each starts and ends, and what was wrong."""
    start = len(text) - len(text.lstrip())
    first = text[start : start + 1]
    second = _skip_space(text, start + 1)
    if first == "{" == text[second : second + 1]:
        # '{{' is no JSON (a name must come first): a list whose '[' became '{'
        items, problems = _array(text, second, file, lines, closed=False)
        return items, [_unopened(file, lines.at(start), instead="{"), *problems]
    if first == "{":
        return _object(text, start, file, lines)
    if first != "[":
        return _before_list(text, start, file, lines)
    return _array(text, start + 1, file, lines)


def _object(
    text: str, start: int, file: str, lines: Lines
) -> tuple[list[Item], list[ImportProblem]]:
    """A file opening with '{': one item, ``{"items": [...]}`` (as citeproc-js test files
    hold them), or items with no list around them."""
    decoded, _ = _decode_one(text, start, file, lines)
    found, end = decoded if decoded else (None, start)
    if isinstance(found, dict) and isinstance(found.get("items"), list):
        wrong: list[ImportProblem] = []
        return [(i, start, end) for i in found["items"] if _is_item(i, file, 1, wrong)], wrong
    items, problems = _array(text, start, file, lines, closed=False)
    if len(items) > 1 or problems:  # not one item alone: a list whose '[' was lost
        problems.insert(0, _unopened(file, lines.at(start)))
    return items, problems


def _before_list(
    text: str, start: int, file: str, lines: Lines
) -> tuple[list[Item], list[ImportProblem]]:
    """A file opening with neither '[' nor '{': the items from the first '{', if any."""
    opening = _ITEM_LINE.search(text, start)  # a '{' in the text before is no item's
    brace = opening.end() - 1 if opening else text.find("{", start)
    if brace < 0:
        return [], [_not_csl(file, lines.at(start))]
    items, problems = _array(text, brace, file, lines, closed=False)
    skipped = ImportProblem(
        file,
        lines.at(start),
        "text-before-list",
        f"the file does not start with the list's '[': the text before line "
        f"{lines.at(brace)} was ignored, and the items after it were read.",
        hint="Export the library again as CSL JSON, or fix the start of the file.",
    )
    return items, [skipped, *problems]


def _after(
    text: str, pos: int, file: str, lines: Lines, indent: str | None
) -> tuple[list[Item], list[ImportProblem]]:
    """What follows a list's ']': nothing; another list (files joined end to end), read
    too; more items at the items' `indent` (the ']' closed a list inside a broken item),
    read on; or other text, reported and skipped to the next list, if any."""
    rest = _skip_space(text, pos)
    if rest >= len(text):
        return [], []
    line = lines.at(rest)
    if text[rest] == "[":
        items, problems = _array(text, rest + 1, file, lines)
        return items, [_joined(file, line), *problems]
    resume = _next_item(text, pos - 1, indent) if indent is not None else None
    if resume is not None and resume[0] == "item":
        ended = ImportProblem(
            file,
            line,
            "list-closed-early",
            f"the list of items seems to close before line {line}, but items follow; they "
            "were read too.",
            hint="Check the brackets of the item before it.",
        )
        items, problems = _array(text, resume[1], file, lines, closed=False, indent=indent)
        return items, [ended, *problems]
    ignored = ImportProblem(
        file,
        line,
        "text-after-list",
        f"text after the end of the list of items (line {line}) was ignored.",
        hint="Remove it, or put it inside the list as an item.",
    )
    after = _LIST_START.search(text, pos)
    if after is None:
        return [], [ignored]
    items, problems = _array(text, after.end(), file, lines)
    return items, [ignored, _joined(file, lines.at(after.end() - 1)), *problems]


def _joined(file: str, line: int) -> ImportProblem:
    return ImportProblem(
        file,
        line,
        "list-joined",
        f"another list of items starts on line {line}, after the first one closed; its "
        "items were read too.",
        hint="Join the lists into one if that was not meant.",
    )


def _unopened(file: str, line: int, instead: str = "") -> ImportProblem:
    opens = f"opens with '{instead}' instead of '['" if instead else "has no opening '['"
    return ImportProblem(
        file,
        line,
        "list-unopened",
        f"the list of items {opens} (line {line}); its items were read anyway.",
        hint=f"Replace that '{instead}' with '['."
        if instead
        else "Add '[' before the first item and ']' after the last.",
    )


def _array(
    text: str,
    pos: int,
    file: str,
    lines: Lines,
    closed: bool = True,
    indent: str | None = None,
) -> tuple[list[Item], list[ImportProblem]]:
    """Decode the list's items one by one from `pos` (just after '['), resuming after a
    broken item at the next line that starts an item at the same indentation. (`closed`:
    a ']' is expected at the end; `indent`: the items' indentation, when a damaged list is
    read on.)"""
    items: list[Item] = []
    problems: list[ImportProblem] = []
    # The items' indentation: the least of the items read that name a work, as a broken
    # item can make the names or dates inside it (or an empty '{}') read as items.
    outer = indent
    while True:
        pos = _skip_space(text, pos)
        if pos >= len(text):
            unclosed = [_unclosed(file, lines.at(len(text)))] if closed else []
            return items, problems + unclosed
        if text[pos] == "]":
            damaged = bool(problems) or indent is not None or _deeper(text, pos, outer)
            more, found_after = _after(text, pos + 1, file, lines, outer if damaged else None)
            return items + more, problems + found_after
        found, trouble = _decode_one(text, pos, file, lines)
        trouble = trouble or _no_item(found[0], file, lines.at(pos))
        if trouble:
            problems += trouble
            resume = _next_item(text, pos, outer, _part_indent(text, pos, found))
            if resume is None:
                return items, problems
            pos = resume[1]
            continue
        item, end = found
        items.append((item, pos, end))
        if _WORK_KEYS.intersection(item):
            outer = _least(outer, _item_indent(text, pos, end))
        pos = _skip_space(text, end)
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos < len(text) and text[pos] not in "]":
            problems.append(_missing_comma(file, lines.at(end)))


def _no_item(value: Any, file: str, line: int) -> list[ImportProblem]:
    """The problem when a value read where an item starts is not one, else none."""
    if not isinstance(value, dict):  # an item that lost its '{'?
        return [_not_an_item(file, line)]
    if set(value) <= _PARTS:  # a name or date of a broken item
        return [_part_of_an_item(file, line)]
    return []


def _part_indent(text: str, pos: int, found: Any) -> str | None:
    """The indentation of a name or a date read at `pos` where an item should start (the
    deeper of its '{' and '}' lines', as damage may have moved one): inside a broken item,
    so the items sit less deep. None for anything else (an empty '{}' says nothing)."""
    if not found or not isinstance(found[0], dict) or not found[0]:
        return None
    known = [i for i in (_indent(text, pos), _indent(text, found[1] - 1)) if i is not None]
    return max(known, key=_width) if known else None


def _missing_comma(file: str, line: int) -> ImportProblem:
    return ImportProblem(
        file,
        line,
        "missing-comma",
        f"a comma is missing after the item that ends on line {line}.",
        hint="Add ',' between the two items; read as if it were there.",
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


def _indent(text: str, pos: int) -> str | None:
    """The whitespace before `pos` on its line, or None when other text precedes it."""
    before = text[text.rfind("\n", 0, pos) + 1 : pos]
    return before if not before.strip(" \t") else None


def _unclosed(file: str, line: int) -> ImportProblem:
    return ImportProblem(
        file,
        line,
        "list-unclosed",
        "the list of items is never closed: a ']' is missing at the end of the file.",
        hint="Check that the file was not cut short; the items read were kept.",
    )


def _item_indent(text: str, start: int, end: int) -> str | None:
    """The indentation of the item from `start` to `end`: its '{' line's when its '}'
    line agrees (or the '}' ends a line of text: a one-line item); None when they differ,
    as in an item pieced together from damaged ones."""
    opening, closing = _indent(text, start), _indent(text, end - 1)
    return opening if closing is None or closing == opening else None


def _least(known: str | None, found: str | None) -> str | None:
    """The lesser of two indentations (None: not known)."""
    if found is None or (known is not None and _width(known) <= _width(found)):
        return known
    return found


def _width(indent: str) -> int:
    return len(indent.expandtabs(4))


def _deeper(text: str, pos: int, indent: str | None) -> bool:
    """Whether the ']' at `pos` starts its line deeper than the items' `indent`: then it
    closed a list inside an item (one whose '{' or '}' was lost), not the list of items."""
    own = _indent(text, pos)
    return own is not None and indent is not None and _width(own) > _width(indent)


# The keys of a name or a date: an object holding only these (or nothing) is no item.
_PARTS = frozenset(("family", "given", "literal", "suffix", "dropping-particle",
                    "non-dropping-particle", "parse-names", "comma-suffix", "static-ordering",
                    "date-parts", "raw", "season", "circa"))  # fmt: skip
_WORK_KEYS = frozenset(("id", "citation-key", "type", "title"))
_ITEM_LINE = re.compile(r"\n[ \t]*\{")
_LINE_START = re.compile(r"\n([ \t]*)([{\]])")
# A line opening a list: '[' after spaces or a few stray characters (no field's name).
_LIST_START = re.compile(r'\n(?:[ \t]*|[^\n"\[\]{}:]{1,3})\[')


def _next_item(
    text: str, pos: int, indent: str | None, below: str | None = None
) -> tuple[str, int] | None:
    """Where reading goes on after a broken item at `pos`: ``("item", at)`` for the next
    line opening '{' with the items' `indent` (known from an item read before, else the
    broken one's own), or ``("end", at)`` for the list's closing ']' when no item comes
    first (a ']' no deeper than the items: inside them lists close deeper). When only a
    guess is left (`_Guess`; less indented than `below`, the indentation of a name read
    where an item should be), before the ']' that closes the list if one does. None when
    nothing follows."""
    trusted = indent is not None
    limit = _width(below) if below is not None and not trusted else None
    indent = indent if trusted or limit is not None else _indent(text, pos)
    width = _width(indent) if indent is not None else -1
    guess = _Guess()
    for found in _LINE_START.finditer(text, pos + 1):
        here, mark = _width(found.group(1)), found.group(2)
        if mark == "]" and here <= width:
            if trusted:
                return "end", found.end() - 1
            if guess.best() is not None:  # a list closes: the guess is among the lines before
                break
            width = -1  # the broken item's indentation was not the items': guess
        elif mark == "{" and here == width and found.group(1) == indent:
            return "item", found.end() - 1
        elif mark == "{" and (limit is None or here < limit):
            guess.add(here, found.end() - 1, _after_an_end(text, found))
    at = None if trusted else guess.best()
    return ("item", at) if at is not None else None


@dataclass(slots=True)
class _Guess:
    """Where the next item starts when the items' indentation is not known: the first
    '{' line at the indentation of the least indented ones right after an item's end or
    a list's start (as items are; names and dates inside items sit deeper), else at the
    least indentation of all."""

    first: dict[int, int] = field(default_factory=dict)  # indentation → first '{' line
    after_end: int | None = None  # the least indentation right after an end

    def add(self, here: int, at: int, after_end: bool) -> None:
        self.first.setdefault(here, at)
        if after_end and (self.after_end is None or here < self.after_end):
            self.after_end = here

    def best(self) -> int | None:
        if self.after_end is not None:
            return self.first[self.after_end]
        return self.first[min(self.first)] if self.first else None


def _after_an_end(text: str, found: re.Match[str]) -> bool:
    """Whether the line before the '{' line `found` is where an item can end or a list
    start: a '}' or '},' alone at the same indentation, or a line ending in '[' (or in
    '{', which no value follows: the '[' damaged) that is not a field's (`"author": [`)."""
    start = text.rfind("\n", 0, found.start()) + 1
    before = text[start : found.start()].rstrip()
    opens = before.endswith(("[", "{")) and ":" not in before  # not a field's list
    return opens or before in (found.group(1) + "}", found.group(1) + "},")


def _is_item(value: Any, file: str, line: int, problems: list[ImportProblem]) -> bool:
    if isinstance(value, dict):
        return True
    problems.append(_not_an_item(file, line))
    return False


def _part_of_an_item(file: str, line: int) -> ImportProblem:
    return ImportProblem(
        file,
        line,
        "not-an-item",
        f"the value on line {line} is a name or a date, or empty, not an item: the item "
        "around it is broken; skipped.",
        severity="error",
        hint="Check the brackets of the item before it.",
    )


def _not_an_item(file: str, line: int) -> ImportProblem:
    return ImportProblem(
        file,
        line,
        "not-an-item",
        f"the value on line {line} is not an item ('{{...}}'): its '{{' may be missing; skipped.",
        severity="error",
        hint="Each element of the list must be an object with the item's fields.",
    )


def _not_csl(file: str, line: int) -> ImportProblem:
    return ImportProblem(
        file,
        line,
        "not-csl-json",
        "this is not CSL-JSON: the file must be a JSON list of items, starting with '['.",
        severity="error",
        hint="Export the library again as CSL JSON (Zotero: File > Export Library).",
    )
