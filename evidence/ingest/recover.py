"""Malformed BibTeX blocks: the unambiguous repairs (a missing key, empty field slots).

Works on text only; `parse.py` re-parses what is returned here.
"""

from __future__ import annotations

import re

from .entries import split_top_level

_ENTRY_HEAD = re.compile(r"@\s*([A-Za-z_][\w-]*)\s*([{(])")


def repair_block(text: str, lines: list[str], line: int) -> tuple[str, str, str] | None:
    """The block starting on 1-based `line` rebuilt after an unambiguous fix (a missing key,
    empty field slots), as ``(block text, problem kind, message)``; kind is "" when only
    the key was missing (assign_keys reports that). None when no such fix applies."""
    start = sum(len(text_line) + 1 for text_line in lines[: line - 1])
    head = _ENTRY_HEAD.search(text, start)
    if head is None or head.start() > start + len(lines[line - 1]) + 1:
        return None
    end = block_end(text, head.end() - 1)
    if end is None:
        return None
    body = text[head.end() : end]
    segments = split_top_level(body, ",")
    first = segments[0].strip() if segments else ""
    fixes: list[tuple[str, str]] = []
    missing_key = "=" in first  # the first segment is already a field
    if missing_key:
        segments.insert(0, " ")  # assign_keys generates a key and reports it
    kept = [segments[0]] + [s for s in segments[1:] if s.strip()]
    if len(kept) < len(segments):
        fixes.append(("empty-field", "entry has an empty field slot (', ,'); it was ignored"))
    if not fixes and not missing_key:
        return None
    rebuilt = f"@{head.group(1)}{{{','.join(kept)}}}"
    if not fixes:
        return rebuilt, "", ""
    return rebuilt, fixes[0][0], fixes[0][1] + "; imported anyway."


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
