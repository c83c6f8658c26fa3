"""`Library`: the one entry point. Wires the parts together; holds no algorithms.

lib = Library.open_or_build()            # bundled corpus, index/ built on first use
hits = lib.search("peer support reduces PTSD in first responders", k=5)
lib.add_bibtex("my-zotero-export.bib")   # incremental: only new passages are embedded
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .audit.auditor import AuditReport
from .cite.citer import STYLES, Citer, known_studies  # noqa: F401  (STYLES: for the web UI)
from .config import Settings
from .errors import (
    BibtexImportError,
    EvidenceError,
    IndexFormatError,
    IndexNotFoundError,
    NotFoundError,
)
from .export.files import EXPORT_FORMATS  # noqa: F401  (for the web UI)
from .index.build import Progress, build_data, lexical_settings
from .index.embed import Embedder
from .index.locking import index_lock
from .index.store import (
    IMPORTS,
    IndexData,
    cannot_write,
    current_generation,
    file_sha256,
    read_index,
    read_manifest,
    write_index,
)
from .ingest.parse import extend_bibtex, load_bibtex
from .model import Hit, ImportReport, Passage, Proposal, Reference, Study, TalkingPoint
from .search.searcher import Filters, Results, Searcher


def bib_files(sources: Iterable[Path | str]) -> list[Path]:
    """The .bib files named by `sources` (files, or folders searched for *.bib), sorted."""
    files: list[Path] = []
    for source in sources:
        path = Path(source)
        files += sorted(path.glob("*.bib")) if path.is_dir() else [path]
    return files


class Library:
    """A searchable library of studies backed by an index folder."""

    def __init__(self, data: IndexData, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.index_dir = settings.index_dir
        self._searcher = Searcher(data, embedder, settings)
        self._by_key = {s.key: s for s in data.studies}
        self._generation = data.path.name
        self._write_lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._checked = time.monotonic()
        self.last_report = ImportReport()
        self.citer = Citer()  # formats citations; caches each document it formatted

    # ---- opening and building ------------------------------------------------------

    @classmethod
    def open(
        cls,
        index_dir: Path | str | None = None,
        settings: Settings | Mapping[str, Any] | None = None,
        embedder: Embedder | None = None,
    ) -> Library:
        """Open a built index. Raises IndexNotFoundError or IndexFormatError (with what to run)."""
        settings = Settings.resolve(settings, index_dir=index_dir)
        embedder = embedder or Embedder.from_settings(settings)
        data = _read_live(settings.index_dir, embedder)
        return cls(data, _built_corpus(settings, data.manifest), embedder)

    @classmethod
    def build(
        cls,
        sources: Sequence[Path | str] | None = None,
        index_dir: Path | str | None = None,
        settings: Settings | Mapping[str, Any] | None = None,
        progress: Progress | None = None,
        embedder: Embedder | None = None,
    ) -> Library:
        """Build (or rebuild) the index of `sources` (default: the bundled corpus) and open it.

        Vectors of unchanged passages are reused from the previous index. Raises
        BibtexImportError when no source can be read.
        """
        settings = Settings.resolve(settings, index_dir=index_dir)
        if sources is not None:
            settings = Settings.resolve(settings, corpus=tuple(Path(s) for s in sources))
        embedder = embedder or Embedder.from_settings(settings)
        with index_lock(settings.index_dir):
            data, report = _rebuild(settings, embedder, progress)
        library = cls(data, settings, embedder)
        library.last_report = report
        return library

    @classmethod
    def open_or_build(
        cls,
        sources: Sequence[Path | str] | None = None,
        index_dir: Path | str | None = None,
        settings: Settings | Mapping[str, Any] | None = None,
        progress: Progress | None = None,
        embedder: Embedder | None = None,
    ) -> Library:
        """Open the index, building it when missing and updating it when the corpus changed."""
        settings = Settings.resolve(settings, index_dir=index_dir)
        if sources is not None:
            settings = Settings.resolve(settings, corpus=tuple(Path(s) for s in sources))
        embedder = embedder or Embedder.from_settings(settings)
        try:
            _, manifest = read_manifest(settings.index_dir)
        except IndexNotFoundError:
            return cls.build(settings=settings, progress=progress, embedder=embedder)
        if sources is None:
            settings = _built_corpus(settings, manifest)
        if (
            manifest.get("corpus_sha256") != _corpus_hash(settings)
            or manifest.get("lexical") != lexical_settings()
        ):
            # Rebuilding reuses every stored vector; only what changed is redone.
            return cls.build(settings=settings, progress=progress, embedder=embedder)
        return cls.open(settings=settings, embedder=embedder)

    # ---- reading ---------------------------------------------------------------------

    @property
    def studies(self) -> list[Study]:
        return self._searcher.data.studies

    @property
    def passages(self) -> list[Passage]:
        return self._searcher.data.passages

    @property
    def manifest(self) -> dict[str, Any]:
        return self._searcher.data.manifest

    def study(self, key: str) -> Study:
        """The study with citation key `key`. Raises NotFoundError."""
        try:
            return self._by_key[key]
        except KeyError:
            raise NotFoundError(f"no study with key '{key}' in {self.index_dir}.") from None

    def passages_of(self, key: str) -> list[Passage]:
        """The passages of study `key`, in order (an unknown key has none)."""
        rows = self._searcher.passage_rows(key)
        return self.passages[rows.start : rows.stop]

    def passage(self, passage_id: str) -> Passage:
        """The passage with id ``key#pN``. Raises NotFoundError."""
        key, _, _ = passage_id.partition("#")
        for passage in self.passages_of(key):
            if passage.id == passage_id:
                return passage
        raise NotFoundError(f"no passage '{passage_id}' in {self.index_dir}.")

    def search(
        self,
        query: str,
        k: int = 10,
        offset: int = 0,
        filters: Filters | Mapping[str, Any] | None = None,
    ) -> Results:
        """The `k` best studies for `query` from `offset`, each with its best passages.

        Raises QueryError for an empty query or invalid filters.
        """
        return self.batch_search([query], k, offset, filters)[0]

    def batch_search(
        self,
        queries: Sequence[str],
        k: int = 10,
        offset: int = 0,
        filters: Filters | Mapping[str, Any] | None = None,
    ) -> list[Results]:
        """`search` for several queries, encoded in one batch."""
        return self._searcher.batch_search(queries, k, offset, Filters.parse(filters))

    def related(self, key: str, k: int = 5) -> list[tuple[Study, float]]:
        """The `k` studies nearest to `key` by meaning. Raises NotFoundError."""
        self.study(key)
        return self._searcher.related(key, k)

    def audit(self, draft: str | Path | bytes, name: str = "") -> AuditReport:
        """Audit a draft's citations against its reference list and this library.

        `draft` is the draft's text (a str, never read as a file name), the `Path` of a
        .txt/.md/.docx file, or such a file's bytes (`name` labels them in messages). Returns
        every finding with its offsets in the text; uncited empirical claims come with the 3
        best library passages. Raises DraftError when a file cannot be read.
        """
        from .audit.auditor import audit_draft
        from .audit.reading import load_draft

        text, source = load_draft(draft, name)
        return audit_draft(
            text, self.studies, lambda claims: self.batch_search(claims, k=3), source
        )

    def passage_vectors(self, passage_ids: Sequence[str]) -> np.ndarray:
        """The stored vectors of `passage_ids`, ``(n, d)`` float32 normalised, in order.

        Raises NotFoundError for an unknown passage id."""
        rows = []
        for passage_id in passage_ids:
            key, _, number = passage_id.partition("#p")
            own = self._searcher.passage_rows(key)
            index = own.start + int(number) if number.isdigit() and len(own) else -1
            if not 0 <= index < len(self.passages) or self.passages[index].id != passage_id:
                self.passage(passage_id)  # raises NotFoundError when unknown
                index = next(i for i in own if self.passages[i].id == passage_id)
            rows.append(self._searcher.data.vectors.reconstruct_range(index, index + 1))
        return np.concatenate(rows) if rows else np.zeros((0, self.embedder.dimension), np.float32)

    # ---- citing ----------------------------------------------------------------------

    def talking_points(
        self,
        query: str | None = None,
        k: int = 5,
        style: str = "apa",
        *,
        hits: Sequence[Hit] | None = None,
        passage_ids: Sequence[str] | None = None,
        filters: Mapping[str, Any] | Filters | None = None,
    ) -> list[TalkingPoint]:
        """Up to `k` cited talking points for `query`, from chosen `hits`, or one per chosen
        passage (the basket: all kept, whole). Each quotes its passage exactly.

        Raises QueryError, NotFoundError (unknown passage id) or CitationError.
        """
        from .points.talking_points import draft

        return draft(self, query, k, style, hits, passage_ids, filters)

    def references(self, keys: Sequence[str], style: str = "apa") -> list[Reference]:
        """The reference list of `keys` in `style`, in the style's order. Unknown keys are
        dropped (and logged). Raises CitationError for an unknown style."""
        studies = known_studies(self._by_key, keys)
        return list(self.citer.format(studies, [], style).references) if studies else []

    def cite(self, keys: Sequence[str], style: str = "apa", narrative: bool = False) -> str:
        """The in-text citation of `keys` as one group, formatted as one document: "(Alpha
        et al., 2020; Zeta, 2018)" or, narrative, "Alpha et al. (2020) and Zeta (2018)".

        Unknown keys are dropped (and logged). Raises NotFoundError when no key is known,
        CitationError for an unknown style."""
        from .cite.citer import in_text

        studies = known_studies(self._by_key, keys)
        if not studies:
            raise NotFoundError(f"none of {', '.join(keys) or 'no keys'} is in {self.index_dir}.")
        return in_text(self.citer, studies, style, narrative)

    def export(
        self,
        items: Sequence[TalkingPoint | str] | Proposal,
        format: str,
        path: Path | None = None,
        style: str = "apa",
        title: str | None = None,
        *,
        citekeys: bool = False,
    ) -> bytes:
        """`items` (talking points and/or study keys, or a Proposal) as a `format` file
        (see EXPORT_FORMATS); also written to `path` when given. With `citekeys`, Markdown
        carries pandoc citekeys and a CSL-JSON file is written beside `path`.

        Raises ExportError (unknown format, nothing to export, unwritable path).
        """
        from .export.files import export

        return export(self, items, format, path, style, title, citekeys=citekeys)

    def proposal(self, template: str | Path, style: str = "apa") -> Proposal:
        """A proposal draft from a template (a bundled name, see `list_templates()`, or a
        .toml path): talking points per section and one reference list.

        Raises TemplateError (an ExportError) for a missing or invalid template."""
        from .points.proposal import build_proposal

        return build_proposal(self, template, style)

    # ---- changing --------------------------------------------------------------------

    def add_bibtex(
        self, paths: Path | str | Sequence[Path | str], progress: Progress | None = None
    ) -> ImportReport:
        """Import BibTeX file(s) into the library and return what was imported.

        The files are copied into the index folder's imports/, then the index is rebuilt
        incrementally (only new passages are embedded) and swapped in atomically: searches
        keep answering from the old index meanwhile. Raises BibtexImportError when nothing
        in the files can be read (the library is then unchanged).
        """
        path_list = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
        with self._write_lock, index_lock(self.index_dir):
            live = self._searcher.data
            if current_generation(self.index_dir) != self._generation:  # another process wrote
                live = read_index(self.index_dir, self.embedder.model_name, verify=False)
            copies = _copy_imports(self.index_dir, path_list)
            try:
                studies, report = extend_bibtex(live.studies, copies)
                if not report.studies:
                    listing = "\n".join(f"  {p}" for p in report.problems[:10])
                    raise BibtexImportError(
                        f"no study could be imported; nothing changed.\n{listing}"
                    )
                data = _write_generation(self.settings, self.embedder, studies, live, progress)
            except BaseException:
                for copy in copies:
                    copy.unlink(missing_ok=True)
                raise
        self._swap(data)
        self.last_report = _renamed(report, copies, path_list)
        return self.last_report

    def reload(self) -> bool:
        """Switch to a newer generation written by another process; True if it changed.

        Raises IndexFormatError when the newer generation cannot be read."""
        if current_generation(self.index_dir) == self._generation:
            return False
        self._swap(_read_live(self.index_dir, self.embedder))
        return True

    def refresh(self, interval: float = 1.0) -> bool:
        """`reload` at most every `interval` seconds, for a server sharing its index with
        `evidence import` or `evidence index` run elsewhere. Never raises: a generation that
        cannot be read leaves the current one serving. True if it switched."""
        now = time.monotonic()
        if now - self._checked < interval or not self._refresh_lock.acquire(blocking=False):
            return False
        try:
            self._checked = now
            return self.reload()
        except EvidenceError:
            return False
        finally:
            self._refresh_lock.release()

    def _swap(self, data: IndexData) -> None:
        searcher = Searcher(data, self.embedder, self.settings)
        self._by_key = {s.key: s for s in data.studies}
        self._searcher = searcher  # one assignment: readers see the old or the new, never a mix
        self._generation = data.path.name


def _read_live(index_dir: Path, embedder: Embedder) -> IndexData:
    """The live generation; retried once when a writer switched generations mid-read (the
    old one may have been cleaned up under us)."""
    for attempt in (1, 2):
        name = current_generation(index_dir)
        try:
            return read_index(index_dir, embedder.model_name, precision=embedder.precision)
        except IndexFormatError:
            if attempt == 2 or current_generation(index_dir) == name:
                raise
    raise AssertionError("unreachable")


def _built_corpus(settings: Settings, manifest: Mapping[str, Any]) -> Settings:
    """Settings whose corpus is what the index was built from, unless one was chosen.

    Without this, opening an index of another corpus and importing one file would rebuild
    it from the bundled corpus."""
    recorded = manifest.get("corpus")
    if not recorded or settings.corpus != Settings().corpus:
        return settings
    return dataclasses.replace(settings, corpus=tuple(Path(p) for p in recorded))


def _sources(settings: Settings) -> list[Path]:
    imports = settings.index_dir / IMPORTS
    extra = sorted(imports.glob("*.bib")) if imports.is_dir() else []
    return bib_files(settings.corpus) + extra


def _corpus_hash(settings: Settings) -> str:
    return file_sha256([p for p in _sources(settings) if p.is_file()])


def _rebuild(
    settings: Settings, embedder: Embedder, progress: Progress | None
) -> tuple[IndexData, ImportReport]:
    """Import every source and write a new generation (call with the index lock held).

    The live generation, if readable, supplies cached passages and vectors."""
    studies, report = load_bibtex(_sources(settings))
    try:
        previous = read_index(settings.index_dir, embedder.model_name, verify=False)
    except Exception:  # no usable previous index: everything gets embedded
        previous = None
    return _write_generation(settings, embedder, studies, previous, progress), report


def _write_generation(
    settings: Settings,
    embedder: Embedder,
    studies: list[Study],
    previous: IndexData | None,
    progress: Progress | None,
) -> IndexData:
    """Build the index of `studies` (reusing `previous`) and publish it as a new generation."""
    sources = _sources(settings)
    manifest = {
        "corpus_sha256": file_sha256([p for p in sources if p.is_file()]),
        "corpus": [str(Path(p).resolve()) for p in settings.corpus],
        "sources": [str(p.resolve()) for p in sources],
        "settings": settings.identity(),
    }
    data = build_data(studies, embedder, manifest, previous, progress)
    data.path = write_index(settings.index_dir, data)
    return data


def _renamed(report: ImportReport, copies: list[Path], originals: list[Path]) -> ImportReport:
    """`report` with the copies in imports/ named as the user named the files."""
    readable = [p for p in originals if p.is_file()]
    names = {str(c): str(o) for c, o in zip(copies, readable, strict=True)}
    problems = tuple(
        dataclasses.replace(p, file=names.get(p.file, p.file)) for p in report.problems
    )
    return ImportReport(tuple(str(o) for o in originals), report.studies, problems)


def _copy_imports(index_dir: Path, paths: list[Path]) -> list[Path]:
    """Copy imported files into ``index_dir/imports`` (kept so rebuilds include them), each
    under a new name that sorts after every earlier import. Call with the index lock held.

    Raises IndexFormatError when the folder cannot be written; no copy is left then.
    """
    imports = index_dir / IMPORTS
    stamp = time.strftime("%Y%m%dT%H%M%S")
    copies: list[Path] = []
    try:
        imports.mkdir(parents=True, exist_ok=True)
        for path in paths:
            if path.is_file():
                copies.append(_next_copy(imports, stamp, path.name))
                shutil.copyfile(path, copies[-1])
    except OSError as exc:
        for copy in copies:
            copy.unlink(missing_ok=True)
        raise cannot_write(index_dir, str(exc.strerror or exc)) from None
    return copies


def _next_copy(imports: Path, stamp: str, name: str) -> Path:
    """``imports/STAMP-NNN-name.bib`` with NNN above every copy made in the same second.

    (Names once held only the second and the file's position in the call, so two imports
    of one file name within a second overwrote the first.)"""
    numbers = [
        int(match.group(1))
        for copy in imports.glob(f"{stamp}-*")
        if (match := re.match(rf"{stamp}-(\d+)-", copy.name))
    ]
    return imports / f"{stamp}-{max(numbers, default=-1) + 1:03d}-{_safe_name(name)}"


def _safe_name(name: str) -> str:
    """A file name with no path parts or odd characters (for copies in imports/)."""
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in Path(name).name)
    stem = stem.lstrip(".") or "import"
    return stem if stem.endswith(".bib") else stem + ".bib"
