"""BibTeX files → `(list[Study], ImportReport)`, and Studies → BibTeX.

The only module that imports bibtexparser. Parsing keeps raw values (no middleware) and
recovers per block: malformed blocks are repaired where the fix is unambiguous (an empty
field slot, a missing key) and otherwise reported with file and 1-based line; every
well-formed entry is kept. See `entries.py` for macros, crossref and keys, `records.py`
for field normalisation and `dedupe.py` for duplicate studies.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import bibtexparser
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
    String,
)

from ..errors import BibtexImportError
from ..model import ImportProblem, ImportReport, Person, Study
from ..text.decode import DecodedText, clean_text, decode_bytes, read_text
from .dedupe import merge_duplicates
from .entries import (
    RawEntry,
    apply_crossrefs,
    assign_keys,
    is_commented_out,
    resolve_strings,
    resolve_value,
)
from .latex import decode_latex
from .records import to_study

# bibtexparser logs each failed block itself; we report them as ImportProblems instead.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

_NAME_FIELDS = ("author", "editor")


def _count_every_newline() -> None:
    r"""Make bibtexparser's splitter count a newline right after a backslash.

    Its marks are ``(?<!\\)[\{\}\",=\n]``: the lookbehind meant for ``\{`` also hides the
    newline of a line that ends in ``\\`` (a LaTeX line break), so every later block was
    a line early, and an entry after a ``%`` comment line was taken for commented out and
    dropped. A newline mark is only ever counted, so counting all of them changes nothing
    else. (Applied only to the exact pattern of bibtexparser 2.1.0.)
    """
    from bibtexparser import splitter

    buggy = r"(?<!\\)[\{\}\",=\n"
    for name in ("_MARK_PATTERN", "_PAREN_BLOCK_MARK_PATTERN"):
        pattern = getattr(splitter, name, None)
        if isinstance(pattern, re.Pattern) and pattern.pattern.startswith(buggy):
            fixed = "\\n|" + pattern.pattern.replace(buggy, buggy[:-2], 1)
            setattr(splitter, name, re.compile(fixed))


_count_every_newline()


def _parse_string(text: str) -> Any:
    """bibtexparser's splitter with no middleware: values keep their braces and quotes."""
    parse: Any = getattr(bibtexparser, "parse_string")  # noqa: B009 - not in its __all__
    return parse(text, parse_stack=[])


def load_bibtex(
    paths: Path | str | Iterable[Path | str], *, strict: bool = False
) -> tuple[list[Study], ImportReport]:
    """Read BibTeX files and return their studies and a report of every problem found.

    Raises BibtexImportError when no file could be read at all, or, with `strict=True`,
    when any problem was found.
    """
    path_list = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    raw, problems = _read_all(path_list)
    return _finish(raw, problems, tuple(str(p) for p in path_list), strict)


def extend_bibtex(
    existing: Sequence[Study], paths: Sequence[Path]
) -> tuple[list[Study], ImportReport]:
    """Add the studies of `paths` to `existing` (already imported, kept as they are).

    New keys that clash with existing ones are renamed and duplicates of existing studies
    merged into them, as a full re-import would; only the new files are parsed. The report
    covers the new files; its `studies` counts the entries they held (duplicates merged
    into existing studies included). Raises BibtexImportError when none can be read.
    """
    path_list = [Path(p) for p in paths]
    raw, problems = _read_all(path_list)
    problems += apply_crossrefs(raw)
    problems += assign_keys(raw, ((s.key, s.source_file, s.source_line) for s in existing))
    added: list[Study] = []
    for entry in raw:
        study, found = to_study(entry)
        added.append(study)
        problems += found
    studies, merged = merge_duplicates([*existing, *added])
    problems += merged
    files = tuple(str(p) for p in path_list)
    return studies, ImportReport(files=files, studies=len(added), problems=tuple(problems))


def _read_all(path_list: list[Path]) -> tuple[list[RawEntry], list[ImportProblem]]:
    """Parse every readable file; raise BibtexImportError only if none can be read."""
    raw: list[RawEntry] = []
    problems: list[ImportProblem] = []
    failures: list[str] = []
    for path in path_list:
        try:
            decoded = read_text(path)
        except BibtexImportError as exc:
            failures.append(str(exc))
            problems.append(
                ImportProblem(str(path), None, "unreadable", str(exc), severity="error")
            )
            continue
        entries, found = _parse(decoded, str(path))
        raw += entries
        problems += found
    if failures and len(failures) == len(path_list):
        raise BibtexImportError("\n".join(failures))
    return raw, problems


def parse_bibtex(
    data: str | bytes, source: str = "<string>", *, strict: bool = False
) -> tuple[list[Study], ImportReport]:
    """Like `load_bibtex`, for BibTeX held in memory (`source` names it in messages)."""
    decoded = decode_bytes(data, source) if isinstance(data, bytes) else clean_text(data)
    if not decoded.text.strip():
        raise BibtexImportError(f"{source}: the text is empty.")
    entries, problems = _parse(decoded, source)
    return _finish(entries, problems, (source,), strict)


def _finish(
    raw: list[RawEntry], problems: list[ImportProblem], files: tuple[str, ...], strict: bool
) -> tuple[list[Study], ImportReport]:
    problems += apply_crossrefs(raw)
    problems += assign_keys(raw)
    studies: list[Study] = []
    for entry in raw:
        study, found = to_study(entry)
        studies.append(study)
        problems += found
    studies, merged = merge_duplicates(studies)
    problems += merged
    report = ImportReport(files=files, studies=len(studies), problems=tuple(problems))
    if strict and report.problems:
        listing = "\n".join(f"  {p}" for p in report.problems[:20])
        raise BibtexImportError(
            f"strict import found {len(report.problems)} problem(s):\n{listing}\n"
            "Fix them in the .bib file(s), then import again."
        )
    return studies, report


def _parse(decoded: DecodedText, file: str) -> tuple[list[RawEntry], list[ImportProblem]]:
    """Split one file's text into raw entries and problems."""
    problems: list[ImportProblem] = []
    if decoded.guessed:
        problems.append(
            ImportProblem(
                file,
                _first_non_ascii_line(decoded.text),
                "encoding",
                f"file is not UTF-8; read it as {decoded.encoding}. Check accented names, "
                "and save the file as UTF-8 to silence this warning.",
            )
        )
    if decoded.controls:
        problems.append(
            ImportProblem(
                file,
                decoded.control_line,
                "control-characters",
                f"{decoded.controls} control or reserved character(s) such as NUL were "
                "removed; they are not text. If values look damaged, export the file again.",
            )
        )
    text = decoded.text
    library = _parse_string(text)
    lines = text.split("\n")
    strings = resolve_strings([(s.key, s.value) for s in library.strings])
    blocks: list[tuple[Entry, str]] = [(e, "") for e in library.entries]
    for failed in library.failed_blocks:
        recovered = _recover(failed, text, lines, file, problems)
        if recovered is not None:
            blocks.append(recovered)
    if not blocks and "@" not in text:
        raise_not_bibtex = ImportProblem(
            file,
            1,
            "not-bibtex",
            "no BibTeX entries found (no '@' in the file). Is this a BibTeX export?",
            severity="error",
        )
        problems.append(raise_not_bibtex)
    blocks.sort(key=lambda b: b[0].start_line or 0)
    entries = []
    for entry, _ in blocks:
        raw = _raw_entry(entry, strings, lines, file, problems)
        if raw is not None:
            entries.append(raw)
    return entries, problems


def _first_non_ascii_line(text: str) -> int:
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.isascii():
            return number
    return 1


def _recover(
    failed: ParsingFailedBlock,
    text: str,
    lines: list[str],
    file: str,
    problems: list[ImportProblem],
) -> tuple[Entry, str] | None:
    """Return the usable entry inside a failed block (reporting what was wrong), or None."""
    line = (failed.start_line or 0) + 1
    inner = failed.ignore_error_block
    if isinstance(failed, DuplicateFieldKeyBlock) and isinstance(inner, Entry):
        # Reported per field in _raw_entry, which keeps the first non-empty value.
        return inner, "duplicate-field"
    if isinstance(failed, DuplicateBlockKeyBlock):
        if isinstance(inner, Entry):
            return inner, "duplicate-key"  # renamed in assign_keys, which reports it
        if isinstance(inner, String):
            problems.append(
                ImportProblem(
                    file,
                    line,
                    "duplicate-macro",
                    f"@string '{inner.key}' is defined twice; the first is used.",
                )
            )
        return None
    repaired = _repair(text, lines, line)
    if repaired is not None:
        entry, (kind, message) = repaired
        if kind:
            problems.append(ImportProblem(file, line, kind, message, entry.key.strip()))
        return entry, kind
    problems.append(
        ImportProblem(
            file,
            line,
            "malformed",
            f"could not parse this block ({_describe(failed)}); it was skipped. Check its "
            "braces, quotes and commas.",
            severity="error",
        )
    )
    return None


def _describe(failed: ParsingFailedBlock) -> str:
    message = str(failed.error).strip().splitlines()
    return message[-1].strip() if message else type(failed.error).__name__


_ENTRY_HEAD = re.compile(r"@\s*([A-Za-z_][\w-]*)\s*([{(])")


def _repair(text: str, lines: list[str], line: int) -> tuple[Entry, tuple[str, str]] | None:
    """Re-parse a failed block after an unambiguous fix: a missing key or empty field slots."""
    start = sum(len(text_line) + 1 for text_line in lines[: line - 1])
    head = _ENTRY_HEAD.search(text, start)
    if head is None or head.start() > start + len(lines[line - 1]) + 1:
        return None
    end = _block_end(text, head.end() - 1)
    if end is None:
        return None
    body = text[head.end() : end]
    segments = _split_top_level(body)
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
    library = _parse_string("\n" * (line - 1) + rebuilt)
    if len(library.entries) != 1 or library.failed_blocks:
        return None
    if not fixes:
        return library.entries[0], ("", "")
    return library.entries[0], (fixes[0][0], fixes[0][1] + "; imported anyway.")


def _block_end(text: str, open_at: int) -> int | None:
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


def _split_top_level(body: str) -> list[str]:
    parts, depth, in_quote, start = [], 0, False, 0
    for i, ch in enumerate(body):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            in_quote = not in_quote
        elif ch == "," and depth == 0 and not in_quote:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return parts


def _raw_entry(
    entry: Entry,
    strings: dict[str, str],
    lines: list[str],
    file: str,
    problems: list[ImportProblem],
) -> RawEntry | None:
    line = (entry.start_line or 0) + 1
    if is_commented_out(lines, line):
        problems.append(
            ImportProblem(
                file,
                line,
                "commented-out",
                f"entry '{entry.key}' is commented out with '%'; it was not imported.",
                entry.key,
            )
        )
        return None
    fields: dict[str, str] = {}
    field_lines: dict[str, int] = {}
    for fld in entry.fields:
        name = fld.key.strip().lower()
        fline = (fld.start_line or 0) + 1
        if name.startswith("%"):
            continue  # a commented-out field line inside the entry
        undefined: list[str] = []
        value = resolve_value(str(fld.value), strings, undefined)
        for macro in undefined:
            problems.append(
                ImportProblem(
                    file,
                    fline,
                    "undefined-macro",
                    f"entry '{entry.key}': field {name} uses @string '{macro}', which is "
                    "not defined; kept as the text '" + macro + "'. Define it or brace the value.",
                    entry.key,
                )
            )
        if name in fields:
            problems.append(
                ImportProblem(
                    file,
                    fline,
                    "duplicate-field",
                    f"entry '{entry.key}' has field '{name}' twice; the first non-empty "
                    f"value (line {field_lines[name]}) was kept.",
                    entry.key,
                )
            )
            if fields[name].strip():
                continue
        fields[name] = value
        field_lines[name] = fline
    if not fields:
        problems.append(
            ImportProblem(
                file,
                line,
                "empty-entry",
                f"entry '{entry.key}' has no fields; imported with its key only.",
                entry.key,
            )
        )
    raw = RawEntry(entry.key.strip(), entry.entry_type.lower(), fields, field_lines, file, line)
    raw.persons = {name: parse_names(fields[name]) for name in _NAME_FIELDS if name in fields}
    return raw


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
