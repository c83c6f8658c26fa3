"""Malformed BibTeX: the unambiguous repairs (a missing key or comma, empty field slots),
and for the rest what is wrong in the user's words (an entry never closed, a field with
no '=', an entry closed early, macros too large).

Works on text and on bibtexparser's blocks as data (never importing it); `parse.py`
re-parses what is returned here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..model import ImportProblem
from .entries import Expansion, split_top_level

_ENTRY_HEAD = re.compile(r"@\s*([A-Za-z_][\w-]*)\s*([{(])")


def repair_block(text: str, lines: list[str], line: int) -> tuple[str, str, str, str] | None:
    """The block starting on 1-based `line` rebuilt after an unambiguous fix (a missing key,
    a comma missing after the key, empty field slots), as ``(block text, problem kind,
    message, hint)``; kind is "" when only the key was missing (assign_keys reports that).
    None when no such fix applies."""
    start = sum(len(text_line) + 1 for text_line in lines[: line - 1])
    head = _ENTRY_HEAD.search(text, start)
    if head is None or head.start() > start + len(lines[line - 1]) + 1:
        return None
    end = block_end(text, head.end() - 1)
    if end is None:
        return None
    segments = split_top_level(text[head.end() : end], ",")
    fixes: list[tuple[str, str, str]] = []
    key_then_field = _KEY_THEN_FIELD.match(segments[0])
    if key_then_field:  # "@article{smith2020\n title = ...": the comma after the key
        key = key_then_field.group(1)
        segments[0:1] = [key, segments[0][len(key) :]]
        found = _missing_comma_after_key(key.strip(), line + key.count("\n"))
        fixes.append(("missing-comma", found.message, "Add ',' after the key; imported anyway."))
    missing_key = not key_then_field and "=" in segments[0]  # the first segment is a field
    if missing_key:
        segments.insert(0, " ")  # assign_keys generates a key and reports it
    kept = [segments[0]] + [s for s in segments[1:] if s.strip()]
    if len(kept) < len(segments):
        fixes.append(("empty-field", "entry has an empty field slot (', ,'); it was ignored",
                      "Remove the extra comma; imported anyway."))  # fmt: skip
    if not fixes and not missing_key:
        return None
    rebuilt = f"@{head.group(1)}{{{','.join(kept)}}}"
    if not fixes:
        return rebuilt, "", "", ""
    kind, message, hint = fixes[0]
    return rebuilt, kind, message, hint


def block_end(text: str, open_at: int) -> int | None:
    """Index of the delimiter closing the block opened at `open_at`, or None."""
    closing = "}" if text[open_at] == "{" else ")"
    depth = 0
    i = open_at
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{" or (ch == "(" and closing == ")" and depth == 0):
            depth += 1
        elif ch == "}" or (ch == ")" and closing == ")" and depth == 1):
            depth -= 1
            if depth == 0:
                return i
        elif ch == "@" and depth == 1 and text[i - 1] == "\n":
            return None  # the next entry starts before this one closed
        i += 1
    return None


# ---- saying what is wrong with a block that cannot be read -------------------------------

_FIELD_START = re.compile(r"\n[ \t]*([A-Za-z][\w:.+-]*)[ \t]*=")
_KEY_THEN_FIELD = re.compile(r"^(\s*[^\s=,{}()\"#%]+)(\s+[A-Za-z][\w:.+-]*\s*=)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """Why a block could not be read, in the user's words, and what to do."""

    message: str
    hint: str
    line: int  # 1-based: where the block starts


def diagnose_block(text: str, lines: list[str], line: int) -> Diagnosis:
    """What is wrong with the block starting on 1-based `line` that could not be parsed:
    an entry never closed (and which value lacks its '}' or '"'), a field without '=', or
    a comma missing. Never names a parser's exception."""
    start = sum(len(text_line) + 1 for text_line in lines[: line - 1])
    head = _ENTRY_HEAD.search(text, start)
    if head is None or head.start() > start + len(lines[line - 1]) + 1:
        return Diagnosis(
            f"the block that starts on line {line} is not an entry: '@' must be followed "
            "by its type and '{', as in '@article{key,'.",
            "Fix that line, or remove the stray '@'; the block was skipped.",
            line,
        )
    scan = _scan(text, head.end() - 1, line)
    if scan.unclosed is not None:
        return _never_closed(scan, line)
    return _unreadable_fields(text[head.end() : scan.end], line)


@dataclass(slots=True)
class _Scan:
    end: int  # where the scan stopped (the closing delimiter, the next entry, or the end)
    stop_line: int  # 1-based line of `end`
    at_next: bool  # stopped where the next entry starts (not at the end of the text)
    unclosed: list[tuple[str, int]] | None  # open delimiters (kind, line) when never closed
    swallowed: tuple[str, int, str, int] | None = None  # a value with a field start inside:
    # (its delimiter, the line it opens on, the field's name, the field's line)


def _scan(text: str, open_at: int, line: int) -> _Scan:
    """Follow braces and quotes from the block's opening delimiter to its close, or to the
    next line starting with '@' / the end of the text (never closed)."""
    stack: list[tuple[str, int]] = [(text[open_at], line)]
    i, current = open_at + 1, line
    swallowed = None
    while i < len(text):
        ch = text[i]
        if ch == "\n":
            current += 1
            if text[i + 1 : i + 2] == "@":
                return _Scan(i, current, True, stack, swallowed)
            if len(stack) == 2 and swallowed is None and (field := _FIELD_START.match(text, i)):
                swallowed = (stack[1][0], stack[1][1], field.group(1), current)
        elif ch == "\\":
            i += 2
            continue
        elif ch == '"' and len(stack) == 1:
            stack.append(('"', current))
        elif ch == '"' and stack[-1][0] == '"':
            stack.pop()
        elif ch == "{" or (ch == "(" and len(stack) == 1 and stack[0][0] == "("):
            stack.append(("{", current))
        elif ch == "}" or (ch == ")" and len(stack) == 1 and stack[0][0] == "("):
            if stack[-1][0] != '"':
                stack.pop()
                if not stack:
                    return _Scan(i, current, False, None)
        i += 1
    return _Scan(len(text), current, False, stack, swallowed)


def _never_closed(scan: _Scan, line: int) -> Diagnosis:
    assert scan.unclosed is not None
    where = f"before line {scan.stop_line}" if scan.at_next else "at the end of the file"
    opened = scan.swallowed or (
        (scan.unclosed[1][0], scan.unclosed[1][1], "", 0) if len(scan.unclosed) > 1 else None
    )
    if opened is None:
        return Diagnosis(
            f"the entry that starts on line {line} is never closed: a '}}' is missing {where}.",
            "Add '}' after its last field, then import again; the entry was skipped.",
            line,
        )
    kind, value_line, field, field_line = opened
    mark = "'\"'" if kind == '"' else "'}'"
    inside = f" (the field '{field}' on line {field_line} is inside it)" if field else ""
    return Diagnosis(
        f"the entry that starts on line {line} is never closed: the value that opens on line "
        f"{value_line} has no closing {mark}{inside}.",
        f"Add the {mark} that ends that value, then import again; the entry was skipped.",
        line,
    )


def _unreadable_fields(body: str, line: int) -> Diagnosis:
    """A closed block that still failed: the first field with no '=', or a comma missing."""
    segments = split_top_level(body, ",")
    offset = line
    for number, segment in enumerate(segments):
        seg_line = offset + segment[: len(segment) - len(segment.lstrip())].count("\n")
        offset += segment.count("\n")
        if number == 0:
            found = _KEY_THEN_FIELD.match(segment)
            if found:
                return _missing_comma_after_key(found.group(1).strip(), seg_line)
            continue
        if segment.strip() and "=" not in segment:
            name = segment.split()[0]
            return Diagnosis(
                f"the field '{name}' on line {seg_line} has no '=' (entry on line {line}).",
                f"Write it as '{name} = {{...}}', then import again; the entry was skipped.",
                line,
            )
    return Diagnosis(
        f"the entry that starts on line {line} could not be read: a field's value is not "
        "in braces or quotes, or a comma or '=' is out of place.",
        "Check the braces, quotes and commas of its fields, then import again; the entry "
        "was skipped.",
        line,
    )


def _missing_comma_after_key(key: str, line: int) -> Diagnosis:
    return Diagnosis(
        f"a comma is missing after the key '{key}' on line {line}.",
        f"Add ',' after '{key}'.",
        line,
    )


def split_run_on(raw: str) -> list[tuple[str, str, int]]:
    """A field value that swallowed the fields after it because a comma was missing
    (``{X}\\n  year = {2020}``), cut into ``(name, raw value, lines from the value's
    start)``; the first item is the value itself (name ""). One item when nothing ran on."""
    cuts: list[tuple[str, int, int]] = []  # name, where its value starts, where it ends
    depth, in_quote = 0, False
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            in_quote = not in_quote
        elif ch == "\n" and depth == 0 and not in_quote:
            found = _FIELD_START.match(raw, i)
            if found:
                cuts.append((found.group(1).lower(), i, found.end()))
    if not cuts:
        return [("", raw, 0)]
    pieces = [("", raw[: cuts[0][1]].rstrip(), 0)]
    for n, (name, at, value_start) in enumerate(cuts):
        end = cuts[n + 1][1] if n + 1 < len(cuts) else len(raw)
        pieces.append((name, raw[value_start:end].strip(), raw.count("\n", 0, at + 1)))
    return pieces


# ---- what parsing left unsaid ------------------------------------------------------------


def over_budget(file: str, strings: list[Any], budget: Expansion) -> ImportProblem:
    """One problem for every macro use refused for its size, at the first macro refused."""
    first = budget.over[0].lower()
    line = next(((s.start_line or 0) + 1 for s in strings if s.key.lower() == first), None)
    names = ", ".join(dict.fromkeys(budget.over[:5]))
    return ImportProblem(
        file,
        line,
        "macro-too-large",
        f"@string macros expand to too much text ({len(budget.over)} use(s) of {names} "
        "refused; a macro may not grow past 200,000 characters, nor a file's macros past "
        "8 times the file's size); they were kept as their names. Define each macro as "
        "plain text instead of repeating other macros.",
        severity="error",
    )


_STRAY_FIELD = re.compile(r"^[\s,]*[A-Za-z][\w:.+-]*\s*=\s*[{\"\w]")


def closed_early(blocks: list[Any], file: str) -> list[ImportProblem]:
    """Fields left outside any entry right after one: an extra '}' closed it early."""
    found: list[ImportProblem] = []
    for before, block in zip(blocks, blocks[1:], strict=False):
        if not (type(before).__name__ == "Entry" and type(block).__name__ == "ImplicitComment"):
            continue
        stray = _STRAY_FIELD.match(block.comment)
        if stray is None:
            continue
        brace = (block.start_line or 0) + 1
        first = brace + block.comment[: stray.end()].count("\n")
        found.append(
            ImportProblem(
                file,
                first,
                "closed-early",
                f"entry '{before.key}' (line {(before.start_line or 0) + 1}) is closed early "
                f"by an extra '}}' on line {brace}; the fields from line {first} on were "
                "not imported.",
                before.key,
                severity="error",
                hint="Remove the extra '}' so the entry ends after its last field.",
            )
        )
    return found
