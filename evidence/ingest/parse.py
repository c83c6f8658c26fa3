"""BibTeX files → `(list[Study], ImportReport)`.

The only module that imports bibtexparser's parser (`names.py` uses its name grammar).
Parsing keeps raw values (no middleware) and recovers per block: malformed blocks are
repaired where the fix is unambiguous (an empty field slot, a missing key) and otherwise
reported with file and 1-based line; every well-formed entry is kept. See `entries.py`
for macros, crossref and keys, `records.py` for field normalisation, `recover.py` for
repairs of malformed blocks, `names.py` for names and `dedupe.py` for duplicate studies.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import bibtexparser
from bibtexparser.model import (
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
    String,
)

from ..errors import BibtexImportError
from ..model import ImportProblem, ImportReport, Study
from ..text.decode import DecodedText, clean_text, decode_bytes, read_text
from .dedupe import merge_duplicates
from .entries import (
    Expansion,
    RawEntry,
    apply_crossrefs,
    assign_keys,
    is_commented_out,
    resolve_strings,
    resolve_value,
)
from .names import parse_names
from .records import to_study
from .recover import closed_early, diagnose_block, over_budget, repair_block, split_run_on

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
    raw, problems = read_files(path_list, _parse)
    return finish(raw, problems, tuple(str(p) for p in path_list), strict)


def unreadable(file: str, exc: BibtexImportError) -> ImportProblem:
    """The problem for a file that could not be read at all."""
    return ImportProblem(file, None, "unreadable", str(exc), severity="error")


def read_files(
    path_list: list[Path],
    read: Callable[[DecodedText, str], tuple[list[RawEntry], list[ImportProblem]]],
) -> tuple[list[RawEntry], list[ImportProblem]]:
    """`read` every readable file; raise BibtexImportError only if none can be read."""
    raw: list[RawEntry] = []
    problems: list[ImportProblem] = []
    failures: list[str] = []
    for path in path_list:
        try:
            decoded = read_text(path)
        except BibtexImportError as exc:
            failures.append(str(exc))
            problems.append(unreadable(str(path), exc))
            continue
        entries, found = read(decoded, str(path))
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
    return finish(entries, problems, (source,), strict)


def finish(
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
            "Fix them in the file(s), then import again."
        )
    return studies, report


def _parse(decoded: DecodedText, file: str) -> tuple[list[RawEntry], list[ImportProblem]]:
    """Split one file's text into raw entries and problems."""
    entries, problems = read_bibtex_text(decoded.text, file)
    return entries, decoding_problems(decoded, file) + problems


def decoding_problems(decoded: DecodedText, file: str) -> list[ImportProblem]:
    """What decoding the file's bytes guessed or removed (any format)."""
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
    return problems


def read_bibtex_text(text: str, file: str) -> tuple[list[RawEntry], list[ImportProblem]]:
    """The raw entries of BibTeX `text` (named `file` in problems) and every problem."""
    problems: list[ImportProblem] = []
    library = _parse_string(text)
    lines = text.split("\n")
    budget = Expansion.for_text(text)
    strings = resolve_strings([(s.key, s.value) for s in library.strings], budget)
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
            "no BibTeX entries found (no '@' in the file).",
            severity="error",
            hint="Export your library again as BibTeX (.bib), RIS (.ris) or CSL-JSON (.json).",
        )
        problems.append(raise_not_bibtex)
    blocks.sort(key=lambda b: b[0].start_line or 0)
    entries = []
    for entry, _ in blocks:
        raw = _raw_entry(entry, strings, lines, file, problems, budget)
        if raw is not None:
            entries.append(raw)
    if budget.over:
        problems.append(over_budget(file, library.strings, budget))
    problems += closed_early(library.blocks, file)
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
    repaired = _reparse(repair_block(text, lines, line), line)
    if repaired is not None:
        entry, kind, message, hint = repaired
        if kind:
            problems.append(ImportProblem(file, line, kind, message, entry.key.strip(), hint=hint))
        return entry, kind
    found = diagnose_block(text, lines, line)
    problems.append(
        ImportProblem(file, line, "malformed", found.message, severity="error", hint=found.hint)
    )
    return None


def _reparse(
    repaired: tuple[str, str, str, str] | None, line: int
) -> tuple[Entry, str, str, str] | None:
    """The one entry of a repaired block (parsed at its original line), or None."""
    if repaired is None:
        return None
    block, kind, message, hint = repaired
    library = _parse_string("\n" * (line - 1) + block)
    if len(library.entries) != 1 or library.failed_blocks:
        return None
    return library.entries[0], kind, message, hint


def _raw_entry(
    entry: Entry,
    strings: dict[str, str],
    lines: list[str],
    file: str,
    problems: list[ImportProblem],
    budget: Expansion,
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
    fields, field_lines = _fields(entry, strings, file, problems, budget)
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


def _fields(
    entry: Entry,
    strings: dict[str, str],
    file: str,
    problems: list[ImportProblem],
    budget: Expansion,
) -> tuple[dict[str, str], dict[str, int]]:
    """The entry's fields with macros resolved, and each field's 1-based line. A repeated
    field keeps its first non-empty value; undefined macros and repeats are reported."""
    fields: dict[str, str] = {}
    field_lines: dict[str, int] = {}
    for name, raw, fline in _raw_fields(entry, file, problems):
        if name.startswith("%"):
            continue  # a commented-out field line inside the entry
        undefined: list[str] = []
        value = resolve_value(raw, strings, undefined, budget)
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
    return fields, field_lines


def _raw_fields(
    entry: Entry, file: str, problems: list[ImportProblem]
) -> list[tuple[str, str, int]]:
    """``(name, raw value, 1-based line)`` of each field. A value that ran on into the next
    fields because a comma was missing (bibtexparser reads ``title = {X}\n year = 2020``
    as one title) is cut back into its fields, and the missing comma reported."""
    out: list[tuple[str, str, int]] = []
    for fld in entry.fields:
        name, raw, fline = fld.key.strip().lower(), str(fld.value), (fld.start_line or 0) + 1
        pieces = split_run_on(raw) if "\n" in raw and "=" in raw else [("", raw, 0)]
        out.append((name, pieces[0][1], fline))
        for (_, before, before_at), (later, value, at) in zip(pieces, pieces[1:], strict=False):
            ends = fline + before_at + before.count("\n")
            problems.append(
                ImportProblem(
                    file,
                    ends,
                    "missing-comma",
                    f"entry '{entry.key}': a comma is missing after the field ending on line "
                    f"{ends}, so '{later}' was read as part of it.",
                    entry.key,
                    hint=f"Add ',' at the end of line {ends}; imported as if it were there.",
                )
            )
            out.append((later, value, fline + at))
    return out
