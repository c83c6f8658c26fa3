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
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import BibtexImportError, IndexFormatError, IndexNotFoundError, RetractionListError
from ..ingest.load import load_references
from ..ingest.merge import Merge
from ..ingest.retractions import RetractionList, from_json
from ..model import ImportReport, Study
from ..text.files import write_atomic
from .build import build_data, index_identity
from .embed import Embedder
from .imports import (
    ImportFile,
    commit,
    final_path,
    import_report,
    import_suffixes,
    merge_imports,
    read_imports,
    stage,
    unstage,
)
from .locking import index_lock
from .progress import Progress
from .store import (
    IMPORTS,
    QUARANTINE,
    STAGING,
    IndexData,
    current_generation,
    file_sha256,
    read_index,
    read_manifest,
    write_index,
)

log = logging.getLogger(__name__)
# A retraction list the user loaded: kept beside the generations, so rebuilds keep it.
RETRACTIONS = "retractions.json"
FOLDER_SUFFIXES = (".bib", ".ris")  # what a corpus folder is searched for (not .json: any
# JSON file of a folder would be taken for CSL-JSON)

__all__ = ["ImportFile", "IndexFolder", "bib_files"]


def bib_files(sources: Iterable[Path | str]) -> list[Path]:
    """The reference files named by `sources` (files, or folders searched for *.bib and
    *.ris), sorted."""
    files: list[Path] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix in FOLDER_SUFFIXES)
        else:
            files.append(path)
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
        was written, or the same model now runs in another precision (fp32 → int8 after an
        upgrade). Another model is not stale but refused when reading."""
        identity = index_identity(self.embedder)
        built = manifest.get("model", {})
        precision = (
            built.get("name") == self.embedder.model_name
            and built.get("precision", "fp32") != self.embedder.precision
        )
        return (
            precision
            or manifest.get("corpus_sha256") != self.sources_hash()
            or any(manifest.get(part) != identity[part] for part in ("chunking", "lexical"))
        )

    def sources(self) -> list[Path]:
        """The corpus's files, then the imported copies, in import order."""
        return bib_files(self.settings.corpus) + self.imported()

    def imported(self) -> list[Path]:
        """The imported copies kept in imports/, in import order."""
        imports = self.path / IMPORTS
        if not imports.is_dir():
            return []
        suffixes = import_suffixes()
        return sorted(p for p in imports.iterdir() if p.suffix in suffixes and p.is_file())

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

    def start(
        self, mode: str, progress: Progress | None = None, keep_built: bool = True
    ) -> tuple[IndexData, ImportReport | None]:
        """Finish or discard what a killed import left, then "open" the live generation,
        "build" a new one, or "update" (build only when there is none or the sources
        changed). Opening takes the built index's settings (model, chunking); so does
        "update" with `keep_built`. Returns the data and, after a build, its report.

        Raises IndexNotFoundError, IndexFormatError or BibtexImportError."""
        manifest = self.manifest()
        if manifest is not None and mode != "build" and keep_built:
            self.settings = self.built_settings(manifest)
        self.recover()
        if mode == "update":
            manifest = self.manifest()
            mode = "build" if manifest is None or self.is_stale(manifest) else "open"
        if mode == "build":
            return self.rebuild(progress)
        manifest = self.manifest()
        if manifest is not None:
            self.settings = self.built_settings(manifest)
        return self.read_live(), None

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
        """The corpus's studies, then each imported file merged in as when it was imported
        (so an update stays an update). An imported file that breaks this is moved to
        ``imports/quarantine/`` (and logged) rather than stop the library from starting."""
        studies, report = load_references(bib_files(self.settings.corpus))
        merge = Merge.into(studies)
        for path in self.imported():
            try:
                found, read = load_references([path])
            except Exception as exc:
                self._quarantine(path, exc)
                continue
            merge.add(found)
            report = report.merged(read)
        return merge.studies, report.with_problems(merge.problems)

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
        self,
        files: Sequence[ImportFile],
        live: IndexData,
        progress: Progress | None = None,
        check: bool = False,
    ) -> tuple[IndexData, ImportReport]:
        """Merge the studies of `files` (paths, or ``(name, bytes)`` of an upload) into `live`
        and publish the result; the files that changed something are kept in imports/.
        Problems name each file as given. With `check`, or when nothing would change, `live`
        is returned as it is and nothing is written.

        Raises BibtexImportError (nothing changed) when nothing can be imported."""
        with index_lock(self.path):
            if self.generation() != live.path.name:  # another process wrote meanwhile
                live = read_index(self.path, self.embedder.model_name, verify=False)
            read, problems = read_imports(files)
            merge, changed = merge_imports(live.studies, read)
            report = import_report(read, merge, problems, check)
            if not report.studies:
                listing = "\n".join(f"  {p}" for p in report.problems[:10])
                raise BibtexImportError(f"no study could be imported; nothing changed.\n{listing}")
            if check or not report.changed:
                return live, report
            kept = [r for r, c in zip(read, changed, strict=True) if c]
            copies = stage(self.path, kept)
            try:
                stored = iter(final_path(c) for c in copies)
                paths = [next(stored) if c else None for c in changed]
                merge, _ = merge_imports(live.studies, read, paths)
                data = self._publish(merge.studies, live, progress, staged=copies)
                commit(copies)
            except BaseException:
                unstage(copies)
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
        final = {final_path(copy): copy for copy in staged}
        sources = self.sources() + list(final)
        manifest = {
            "corpus_sha256": file_sha256([p for p in sources if p.is_file() or p in final], final),
            "corpus": [str(Path(p).resolve()) for p in self.settings.corpus],
            "sources": [str(p.resolve()) for p in sources],
        }
        data = build_data(studies, self.embedder, manifest, previous, progress)
        data.path = write_index(self.path, data)
        return data
