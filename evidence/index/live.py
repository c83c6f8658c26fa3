"""An index folder over time: its live generation, the imports kept in it, and rebuilds.

`IndexFolder` is what `Library` opens, builds, extends and follows: it reads the live
generation (retrying once when a writer switches it mid-read), decides when a rebuild is
due (the sources or the index identity changed), rebuilds from every source, and adds
imported files, holding the folder's lock while it writes. Imported files are copied into
``imports/`` so that later rebuilds include them.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import BibtexImportError, IndexFormatError, IndexNotFoundError, RetractionListError
from ..ingest.parse import extend_bibtex, load_bibtex
from ..ingest.retractions import RetractionList, from_json
from ..model import ImportProblem, ImportReport, Study
from ..text.files import write_atomic
from .build import build_data, index_identity
from .embed import Embedder
from .locking import index_lock
from .progress import Progress
from .store import (
    IMPORTS,
    QUARANTINE,
    STAGING,
    IndexData,
    cannot_write,
    current_generation,
    file_sha256,
    read_index,
    read_manifest,
    write_index,
)

log = logging.getLogger(__name__)
# A retraction list the user loaded: kept beside the generations, so rebuilds keep it.
RETRACTIONS = "retractions.json"
MAX_NAME_CHARS = 100  # of an import's name in imports/ (file systems allow 255 bytes)

# A file to import: a path, or the name and bytes of an upload.
ImportFile = Path | tuple[str, bytes]


def bib_files(sources: Iterable[Path | str]) -> list[Path]:
    """The .bib files named by `sources` (files, or folders searched for *.bib), sorted."""
    files: list[Path] = []
    for source in sources:
        path = Path(source)
        files += sorted(path.glob("*.bib")) if path.is_dir() else [path]
    return files


class IndexFolder:
    """One index folder (``settings.index_dir``) read and written with one embedder."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.path = settings.index_dir

    # ---- reading -----------------------------------------------------------------------

    def generation(self) -> str | None:
        """The name of the live generation, or None when there is none."""
        return current_generation(self.path)

    def manifest(self) -> dict[str, Any] | None:
        """The live generation's manifest, or None when the folder has no index."""
        try:
            return read_manifest(self.path)[1]
        except IndexNotFoundError:
            return None

    def read_live(self) -> IndexData:
        """The live generation, checked; retried once when a writer switched generations
        mid-read (the old one may have been cleaned up under us).

        Raises IndexNotFoundError or IndexFormatError (with what to run)."""
        for attempt in (1, 2):
            name = self.generation()
            try:
                return read_index(
                    self.path, self.embedder.model_name, precision=self.embedder.precision
                )
            except IndexFormatError:
                if attempt == 2 or self.generation() == name:
                    raise
        raise AssertionError("unreachable")

    def read_retractions(self) -> RetractionList | None:
        """The loaded retraction list, or None when none was loaded. Raises
        RetractionListError when it cannot be read (saying to load it again)."""
        path = self.path / RETRACTIONS
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise RetractionListError(
                f"cannot read the stored retraction list ({exc}). Load the CSV again: "
                "evidence retractions load FILE"
            ) from exc
        return from_json(data)

    def write_retractions(self, retractions: RetractionList) -> None:
        """Store `retractions` (atomically: a reader sees the old list or the new)."""
        self.path.mkdir(parents=True, exist_ok=True)
        data = json.dumps(retractions.to_json(), ensure_ascii=False).encode("utf-8")
        write_atomic(self.path / RETRACTIONS, data, fsync=True)

    def built_settings(self, manifest: Mapping[str, Any]) -> Settings:
        """The settings, with the corpus the index in `manifest` was built from unless one was
        chosen. (Without this, opening an index of another corpus and importing one file
        would rebuild it from the bundled corpus.)"""
        recorded = manifest.get("corpus")
        if not recorded or self.settings.corpus != Settings().corpus:
            return self.settings
        return dataclasses.replace(self.settings, corpus=tuple(Path(p) for p in recorded))

    def is_stale(self, manifest: Mapping[str, Any]) -> bool:
        """True when the sources or the settings that shape an index changed since `manifest`
        was written (the model is checked when reading: another model is refused)."""
        identity = index_identity(self.embedder)
        return manifest.get("corpus_sha256") != self.sources_hash() or any(
            manifest.get(part) != identity[part] for part in ("chunking", "lexical")
        )

    def sources(self) -> list[Path]:
        """The corpus's .bib files, then the imported copies, in import order."""
        imports = self.path / IMPORTS
        extra = sorted(imports.glob("*.bib")) if imports.is_dir() else []
        return bib_files(self.settings.corpus) + extra

    def sources_hash(self) -> str:
        return file_sha256([p for p in self.sources() if p.is_file()])

    def recover(self) -> list[str]:
        """Finish or discard what a killed import left, and say what was done.

        An import's files wait in ``imports/.staging/`` until its generation is live. A
        file whose generation became live is moved into place (the import was complete);
        any other is deleted: its studies never reached the library, and a start must not
        add them, nor rebuild for them."""
        staging = self.path / IMPORTS / STAGING
        if not staging.is_dir():
            return []
        done: list[str] = []
        with index_lock(self.path):
            manifest = self.manifest() or {}
            live_sources = set(manifest.get("sources", ()))
            for staged in sorted(staging.iterdir()):
                final = staging.parent / staged.name
                if str(final.resolve()) in live_sources:
                    os.replace(staged, final)
                    done.append(f"completed the import of {staged.name} (its index was live)")
                else:
                    staged.unlink(missing_ok=True)
                    done.append(f"discarded an unfinished import of {staged.name}")
        for message in done:
            log.warning("%s: %s", self.path, message)
        return done

    # ---- writing -----------------------------------------------------------------------

    def rebuild(self, progress: Progress | None = None) -> tuple[IndexData, ImportReport]:
        """Import every source and publish a new generation. Vectors of unchanged passages
        come from the live generation when it is readable."""
        with index_lock(self.path):
            studies, report = self._load_sources()
            try:
                previous = read_index(self.path, self.embedder.model_name, verify=False)
            except Exception:  # no usable previous index: everything gets embedded
                previous = None
            return self._publish(studies, previous, progress), report

    def _load_sources(self) -> tuple[list[Study], ImportReport]:
        """Every source's studies. An imported file that breaks the import is moved to
        ``imports/quarantine/`` (and logged) rather than stop the library from starting."""
        try:
            return load_bibtex(self.sources())
        except Exception:
            for path in self.sources()[len(bib_files(self.settings.corpus)) :]:
                try:
                    load_bibtex([path])
                except Exception as exc:
                    self._quarantine(path, exc)
            return load_bibtex(self.sources())

    def _quarantine(self, path: Path, exc: Exception) -> None:
        folder = self.path / IMPORTS / QUARANTINE
        folder.mkdir(parents=True, exist_ok=True)
        os.replace(path, folder / path.name)
        log.warning(
            "%s could not be read again (%s); moved to %s. Fix it and import it again.",
            path.name,
            str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
            folder,
        )

    def add(
        self, files: Sequence[ImportFile], live: IndexData, progress: Progress | None = None
    ) -> tuple[IndexData, ImportReport]:
        """Add the studies of `files` (paths, or ``(name, bytes)`` of an upload) to `live` and
        publish the result; the files are kept in imports/. Problems name each file as given.
        Raises BibtexImportError (nothing changed) when nothing can be imported."""
        with index_lock(self.path):
            if self.generation() != live.path.name:  # another process wrote meanwhile
                live = read_index(self.path, self.embedder.model_name, verify=False)
            copies, names = _stage_imports(self.path, files)
            try:
                studies, report = _extended(live.studies, copies, names)
                report = _renamed(report, copies, names)
                if not report.studies:
                    listing = "\n".join(f"  {p}" for p in report.problems[:10])
                    raise BibtexImportError(
                        f"no study could be imported; nothing changed.\n{listing}"
                    )
                data = self._publish(studies, live, progress, staged=copies)
                _commit(copies)
            except BaseException:
                _unstage(copies)
                raise
        return data, report

    def _publish(
        self,
        studies: list[Study],
        previous: IndexData | None,
        progress: Progress | None,
        staged: Sequence[Path] = (),
    ) -> IndexData:
        """Build the index of `studies` (reusing `previous`) and make it the live generation;
        `staged` imports are recorded under the names they will have once committed."""
        final = {_final(copy): copy for copy in staged}
        sources = self.sources() + list(final)
        manifest = {
            "corpus_sha256": file_sha256([p for p in sources if p.is_file() or p in final], final),
            "corpus": [str(Path(p).resolve()) for p in self.settings.corpus],
            "sources": [str(p.resolve()) for p in sources],
        }
        data = build_data(studies, self.embedder, manifest, previous, progress)
        data.path = write_index(self.path, data)
        return data


def _extended(
    studies: list[Study], copies: list[Path], names: list[str]
) -> tuple[list[Study], ImportReport]:
    """`extend_bibtex` of the staged copies; an error names the files as the user did."""
    try:
        return extend_bibtex(studies, copies)
    except BibtexImportError as exc:
        message = str(exc)
        for copy, name in zip(copies, names, strict=True):
            message = message.replace(str(copy), name)
        raise BibtexImportError(message) from None


def _renamed(report: ImportReport, copies: list[Path], names: list[str]) -> ImportReport:
    """`report` with the copies in imports/ named as the user named the files (in problems
    and in messages that quote the path)."""
    shown = dict(zip((str(c) for c in copies), names, strict=True))

    def rename(problem: ImportProblem) -> ImportProblem:
        message = problem.message
        for copy, name in shown.items():
            message = message.replace(copy, name)
        return dataclasses.replace(
            problem, file=shown.get(problem.file, problem.file), message=message
        )

    return ImportReport(tuple(names), report.studies, tuple(rename(p) for p in report.problems))


def _stage_imports(index_dir: Path, files: Sequence[ImportFile]) -> tuple[list[Path], list[str]]:
    """Copy imported files into ``imports/.staging/``, each under the name it will have in
    imports/ (sorting after every earlier import); return the copies and the names to show
    for them. A path that is not a file is skipped (the import reports it). Call with the
    index lock held.

    Raises IndexFormatError when the folder cannot be written; no copy is left then.
    """
    imports = index_dir / IMPORTS
    staging = imports / STAGING
    stamp = time.strftime("%Y%m%dT%H%M%S")
    copies: list[Path] = []
    names: list[str] = []
    try:
        staging.mkdir(parents=True, exist_ok=True)
        for item in files:
            if isinstance(item, tuple):
                name, data = item
                copies.append(staging / _next_copy(imports, stamp, name, copies).name)
                copies[-1].write_bytes(data)
            elif item.is_file():
                name = str(item)
                copies.append(staging / _next_copy(imports, stamp, item.name, copies).name)
                shutil.copyfile(item, copies[-1])
            else:
                continue
            names.append(name)
    except OSError as exc:
        _unstage(copies)
        try:
            staging.rmdir()
        except OSError:
            pass
        raise cannot_write(index_dir, str(exc.strerror or exc)) from None
    return copies, names


def _final(staged: Path) -> Path:
    """Where a staged import goes once its generation is live: imports/NAME."""
    return staged.parent.parent / staged.name


def _unstage(staged: Sequence[Path]) -> None:
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


def _commit(staged: Sequence[Path]) -> None:
    """Move staged imports into imports/ (their generation is live)."""
    for copy in staged:
        os.replace(copy, _final(copy))
    _remove_if_empty(staged)
    if staged:
        fd = os.open(_final(staged[0]).parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _next_copy(imports: Path, stamp: str, name: str, pending: Sequence[Path] = ()) -> Path:
    """``imports/STAMP-NNN-name.bib`` with NNN above every copy made in the same second
    (those in imports/ and the `pending` ones of this import).

    (Names once held only the second and the file's position in the call, so two imports
    of one file name within a second overwrote the first.)"""
    taken = [c.name for c in imports.glob(f"{stamp}-*")] + [c.name for c in pending]
    numbers = [
        int(match.group(1)) for name in taken if (match := re.match(rf"{stamp}-(\d+)-", name))
    ]
    return imports / f"{stamp}-{max(numbers, default=-1) + 1:03d}-{_safe_name(name)}"


def _safe_name(name: str) -> str:
    """A file name with no path parts or odd characters (for copies in imports/)."""
    stem = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in Path(name).name
    )
    stem = stem.lstrip(".")[:MAX_NAME_CHARS] or "import"
    return stem if stem.endswith(".bib") else stem + ".bib"
