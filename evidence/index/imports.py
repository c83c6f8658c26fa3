"""Imported files: read, merged into the library, and kept in the folder's ``imports/``.

A file is read from memory (an upload's bytes, or a path's bytes read once) and named in
problems as the user named it. Only a file that adds or updates a study is kept: it is
written to ``imports/.staging/`` under the name it will have in ``imports/`` (a stamp
that sorts after every earlier import, and the extension of its format), and moved into
place once its generation is live. Rebuilds replay the kept files in that order.
"""

from __future__ import annotations

import dataclasses
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import BibtexImportError
from ..ingest.load import FORMATS, read_references
from ..ingest.merge import Merge
from ..ingest.parse import unreadable
from ..model import ImportProblem, ImportReport, Study
from .store import IMPORTS, STAGING, cannot_write

MAX_NAME_CHARS = 100  # of an import's name in imports/ (file systems allow 255 bytes)
# Extensions a stored copy replaces rather than keeps ("export.txt" → "export.ris").
_REPLACED_SUFFIXES = {".bib", ".bibtex", ".ris", ".json", ".txt"}

# A file to import: a path, or the name and bytes of an upload.
ImportFile = Path | tuple[str, bytes]


@dataclass(frozen=True, slots=True)
class ReadFile:
    """One file of an import, read: its name as the user gave it, its bytes and studies."""

    name: str
    data: bytes
    fmt: str
    studies: tuple[Study, ...]
    report: ImportReport


def read_imports(files: Sequence[ImportFile]) -> tuple[list[ReadFile], list[ImportProblem]]:
    """Read and parse every file; a file that cannot be read at all (missing, empty,
    binary) is a problem. Raises BibtexImportError, saying why for each, when none can."""
    read: list[ReadFile] = []
    problems: list[ImportProblem] = []
    failures: list[str] = []
    for item in files:
        name = item[0] if isinstance(item, tuple) else str(item)
        try:
            data = item[1] if isinstance(item, tuple) else _read_bytes(item)
            studies, report, fmt = read_references(data, name)
        except BibtexImportError as exc:
            failures.append(str(exc))
            problems.append(unreadable(name, exc))
            continue
        read.append(ReadFile(name, data, fmt, tuple(studies), report))
    if not read:
        raise BibtexImportError("\n".join(failures) or "no file was given; nothing changed.")
    return read, problems


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise BibtexImportError(f"{path}: no such file. Check the path and try again.") from None
    except IsADirectoryError:
        raise BibtexImportError(f"{path}: is a folder; give the file inside it.") from None
    except OSError as exc:
        raise BibtexImportError(f"{path}: cannot be read ({exc.strerror}).") from None


def merge_imports(
    existing: Sequence[Study], files: Sequence[ReadFile], stored: Sequence[Path | None] = ()
) -> tuple[Merge, list[bool]]:
    """Merge each file's studies into `existing`, in order; say which files changed the
    library. A file with a `stored` path gives its studies that path as their source."""
    merge = Merge.into(existing)
    changed: list[bool] = []
    for number, read in enumerate(files):
        path = stored[number] if number < len(stored) else None
        studies = read.studies
        if path is not None:
            studies = tuple(dataclasses.replace(s, source_file=str(path)) for s in studies)
        before = len(merge.new), len(merge.updated)
        merge.add(studies)
        changed.append((len(merge.new), len(merge.updated)) != before)
    return merge, changed


def import_report(
    files: Sequence[ReadFile], merge: Merge, problems: Sequence[ImportProblem], checked: bool
) -> ImportReport:
    """One report for an import: every file's problems, then the merge's, and the keys
    new, updated and already in the library."""
    found = [p for read in files for p in read.report.problems] + list(merge.problems)
    return ImportReport(
        files=tuple(read.name for read in files),
        studies=sum(len(read.studies) for read in files),
        problems=tuple(problems) + tuple(found),
        new=tuple(merge.new),
        updated=tuple(merge.updated),
        unchanged=tuple(merge.unchanged),
        checked=checked,
    )


# ---- keeping the files -----------------------------------------------------------------------


def stage(index_dir: Path, files: Sequence[ReadFile]) -> list[Path]:
    """Write `files` into ``imports/.staging/``, each under the name it will have in
    imports/ (sorting after every earlier import); return the staged paths. Call with the
    index lock held.

    Raises IndexFormatError when the folder cannot be written; no copy is left then.
    """
    imports = index_dir / IMPORTS
    staging = imports / STAGING
    stamp = time.strftime("%Y%m%dT%H%M%S")
    copies: list[Path] = []
    try:
        staging.mkdir(parents=True, exist_ok=True)
        for read in files:
            copies.append(staging / _next_copy(imports, stamp, read, copies).name)
            _write_copy(copies[-1], read.data)
    except OSError as exc:
        unstage(copies)
        try:
            staging.rmdir()
        except OSError:
            pass
        raise cannot_write(index_dir, str(exc.strerror or exc)) from None
    return copies


def _write_copy(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def final_path(staged: Path) -> Path:
    """Where a staged import goes once its generation is live: imports/NAME."""
    return staged.parent.parent / staged.name


def unstage(staged: Sequence[Path]) -> None:
    """Remove the staged files of an import that failed (and the staging folder if empty)."""
    for copy in staged:
        copy.unlink(missing_ok=True)
    _remove_if_empty(staged)


def _remove_if_empty(staged: Sequence[Path]) -> None:
    if staged:
        try:
            staged[0].parent.rmdir()  # only when empty: another import may be staging
        except OSError:
            pass


def commit(staged: Sequence[Path]) -> None:
    """Move staged imports into imports/ (their generation is live)."""
    for copy in staged:
        os.replace(copy, final_path(copy))
    _remove_if_empty(staged)
    if staged:
        fd = os.open(final_path(staged[0]).parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _next_copy(imports: Path, stamp: str, read: ReadFile, pending: Sequence[Path] = ()) -> Path:
    """``imports/STAMP-NNN-name.ext`` with NNN above every copy made in the same second
    (those in imports/ and the `pending` ones of this import).

    (Names once held only the second and the file's position in the call, so two imports
    of one file name within a second overwrote the first.)"""
    taken = [c.name for c in imports.glob(f"{stamp}-*")] + [c.name for c in pending]
    numbers = [
        int(match.group(1)) for name in taken if (match := re.match(rf"{stamp}-(\d+)-", name))
    ]
    name = safe_name(read.name, FORMATS.get(read.fmt, ".bib"))
    return imports / f"{stamp}-{max(numbers, default=-1) + 1:03d}-{name}"


def safe_name(name: str, suffix: str) -> str:
    """A file name with no path parts or odd characters, ending in `suffix` (for copies in
    imports/): "My Export.txt" holding RIS is kept as "My_Export.ris"."""
    path = Path(name)
    stem = (
        path.name[: -len(path.suffix)] if path.suffix.lower() in _REPLACED_SUFFIXES else path.name
    )
    stem = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in stem)
    return (stem.lstrip(".")[:MAX_NAME_CHARS] or "import") + suffix


def import_suffixes() -> tuple[str, ...]:
    """The extensions of the copies kept in imports/."""
    return tuple(dict.fromkeys(FORMATS.values()))
