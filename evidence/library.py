"""`Library`: the one entry point. Wires the parts together; holds no algorithms.

lib = Library.open_or_build()            # bundled corpus, index/ built on first use
hits = lib.search("peer support reduces PTSD in first responders", k=5)
lib.add_bibtex("my-zotero-export.bib")   # incremental: only new passages are embedded

Each method hands its work to one package: the index folder's lifecycle to `index`,
searching to `search`, talking points and proposals to `points`, citations to `cite`,
files to `export`, draft checks to `audit`.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .audit import AuditReport, audit_draft, load_draft
from .audit.report import Suggestion, suggestion
from .cite import Citer, in_text, known_studies
from .config import Settings
from .errors import EvidenceError, NotFoundError, RetractionListError
from .export import export
from .index import Embedder, IndexData, IndexFolder, Progress
from .index.build import document_text
from .index.live import ImportFile
from .ingest.retractions import SEVERITY, RetractionList, RetractionReport, read_csv
from .model import (
    Hit,
    ImportProblem,
    ImportReport,
    Passage,
    Proposal,
    Reference,
    Study,
    TalkingPoint,
)
from .points import EvidenceProfile, build_proposal, draft_points, evidence_profile
from .points.profile import evidence_profiles
from .search import Filters, Results, Searcher


class Library:
    """A searchable library of studies backed by an index folder."""

    def __init__(self, data: IndexData, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.embedder = embedder
        self.index_dir = settings.index_dir
        self._folder = IndexFolder(settings, embedder)
        self._retractions = _stored_retractions(self._folder)
        data = _noted(data, self._retractions)
        self._searcher = Searcher(data, embedder, settings)
        self._by_key = {s.key: s for s in data.studies}
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
        folder = IndexFolder(settings, embedder)
        folder.recover()  # what a killed import left: finished or discarded, never rebuilt
        data = folder.read_live()
        return cls(data, folder.built_settings(data.manifest), embedder)

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
        settings = _with_sources(Settings.resolve(settings, index_dir=index_dir), sources)
        embedder = embedder or Embedder.from_settings(settings)
        folder = IndexFolder(settings, embedder)
        folder.recover()
        data, report = folder.rebuild(progress)
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
        settings = _with_sources(Settings.resolve(settings, index_dir=index_dir), sources)
        embedder = embedder or Embedder.from_settings(settings)
        IndexFolder(settings, embedder).recover()
        manifest = IndexFolder(settings, embedder).manifest()
        if manifest is None:
            return cls.build(settings=settings, progress=progress, embedder=embedder)
        if sources is None:
            settings = IndexFolder(settings, embedder).built_settings(manifest)
        if IndexFolder(settings, embedder).is_stale(manifest):
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

    def indexed_texts(self) -> list[str]:
        """Every text the index embedded: each passage, then each study's document text."""
        return [p.text for p in self.passages] + [document_text(s) for s in self.studies]

    def study(self, key: str) -> Study:
        """The study with citation key `key`. Raises NotFoundError."""
        try:
            return self._by_key[key]
        except KeyError:
            raise NotFoundError(
                f"no study with key '{key}' in the library; check the key, or search for it."
            ) from None

    def passages_of(self, key: str) -> list[Passage]:
        """The passages of study `key`, in order (an unknown key has none)."""
        return self._searcher.passages_of(key)

    def passage(self, passage_id: str) -> Passage:
        """The passage with id ``key#pN``. Raises NotFoundError."""
        return self._searcher.passage(passage_id)

    def passage_vectors(self, passage_ids: Sequence[str]) -> np.ndarray:
        """The stored vectors of `passage_ids`, ``(n, d)`` float32 normalised, in order.

        Raises NotFoundError for an unknown passage id."""
        return self._searcher.passage_vectors(passage_ids)

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
        every finding with its offsets in the text; an uncited empirical claim comes with up
        to 3 library findings that answer it (`evidence`), or the note that the library has
        none. Raises DraftError when a file cannot be read.
        """
        text, source = load_draft(draft, name)
        notices = self._retractions.status_of if self._retractions else None
        return audit_draft(text, self.studies, self._answers, source, notices)

    def _answers(self, claims: Sequence[str]) -> list[list[Suggestion]]:
        """For each claim, up to 3 findings that answer it (`evidence`), the best first."""
        found = []
        for profile in evidence_profiles(self._searcher, claims):
            pairs = zip(profile.answers[:3], profile.scores[:3], strict=True)
            found.append([suggestion(self.study(k), self.passage(p), s) for (k, p), s in pairs])
        return found

    # ---- corrections and retractions ---------------------------------------------------

    @property
    def retractions(self) -> RetractionList | None:
        """The retraction list loaded into this library's folder, if any."""
        return self._retractions

    def load_retractions(self, path: Path | str) -> RetractionReport:
        """Read the Retraction Watch CSV at `path` (downloaded by the user; never fetched
        here), store it with its date in the index folder, and mark the library's studies
        it names (by DOI or PMID): searches, points and audits show their status from then
        on. Raises RetractionListError when the file is not that CSV."""
        retractions = read_csv(path)
        with self._write_lock:
            self._folder.write_retractions(retractions)
            self._retractions = retractions
            self._swap(self._searcher.data)
        report = self.retraction_report()
        assert report is not None  # just loaded
        return report

    def retraction_report(self) -> RetractionReport | None:
        """The loaded list (how old it is) and the studies it marks; None without a list."""
        found = self._retractions
        if found is None:
            return None
        matches = tuple(
            (s.key, status)
            for s in self.studies
            if (status := found.status_of(s.doi, s.pmid)) is not None
        )
        papers = len(found.by_doi) + len(found.by_pmid)
        return RetractionReport(
            found.source, found.rows, papers, found.newest, found.age_days(), matches
        )

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
        return draft_points(
            self._searcher, self.citer, query, k, style, hits, passage_ids, Filters.parse(filters)
        )

    def evidence(
        self, query: str, filters: Mapping[str, Any] | Filters | None = None
    ) -> EvidenceProfile:
        """The evidence on a claim: how many studies bear on it, by design and by what they
        found, with the strongest finding for and against it (passage ids); when none
        answers, the nearest studies. Raises QueryError for an empty query."""
        return evidence_profile(self._searcher, query, Filters.parse(filters))

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
        studies = known_studies(self._by_key, keys)
        if not studies:
            raise NotFoundError(
                f"none of {', '.join(keys) or 'no keys'} is in the library; check the keys."
            )
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
        (see FORMATS); also written to `path` when given. With `citekeys`, Markdown carries
        pandoc citekeys and a CSL-JSON file is written beside `path`.

        Raises ExportError (unknown format, nothing to export, unwritable path).
        """
        return export(
            items, format, self._by_key, self.citer, path, style, title, citekeys=citekeys
        )

    def proposal(self, template: str | Path, style: str = "apa") -> Proposal:
        """A proposal draft from a template (a bundled name, see `list_templates()`, or a
        .toml path): talking points per section and one reference list.

        Raises TemplateError (an ExportError) for a missing or invalid template."""
        return build_proposal(self._searcher, self.citer, template, style)

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
        return self._add(path_list, progress)

    def add_data(self, data: bytes, name: str, progress: Progress | None = None) -> ImportReport:
        """`add_bibtex` for a file's bytes (an upload): problems name it `name`, a plain file
        name (any folder part is dropped). Raises BibtexImportError as `add_bibtex` does."""
        return self._add([(Path(name).name or "upload.bib", data)], progress)

    def _add(self, files: Sequence[ImportFile], progress: Progress | None) -> ImportReport:
        with self._write_lock:
            before = set(self._by_key)
            data, report = self._folder.add(files, self._searcher.data, progress)
        self._swap(data)
        report = report.with_problems(
            _status_warnings([s for s in self.studies if s.key not in before])
        )
        self.last_report = report
        return report

    def reload(self) -> bool:
        """Switch to a newer generation written by another process; True if it changed.

        Raises IndexFormatError when the newer generation cannot be read."""
        if self._folder.generation() == self._searcher.data.path.name:
            return False
        self._swap(self._folder.read_live())
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
        data = _noted(data, self._retractions)
        searcher = Searcher(data, self.embedder, self.settings)
        self._by_key = {s.key: s for s in data.studies}
        self._searcher = searcher  # one assignment: readers see the old or the new, never a mix


def _stored_retractions(folder: IndexFolder) -> RetractionList | None:
    """The folder's retraction list; one that cannot be read is logged and left out (the
    library still opens; `evidence retractions load` replaces it)."""
    try:
        return folder.read_retractions()
    except RetractionListError as exc:
        logging.getLogger(__name__).warning("%s", exc)
        return None


def _noted(data: IndexData, retractions: RetractionList | None) -> IndexData:
    """`data` with each study's status from the retraction list where the list gives a
    graver one than its curated status (a list loaded later may know of a new notice)."""
    if retractions is None:
        return data
    changed = False
    studies = []
    for study in data.studies:
        status = retractions.status_of(study.doi, study.pmid)
        if status is not None and SEVERITY[status.state] > SEVERITY.get(study.status.state, 0):
            study = dataclasses.replace(study, status=status)
            changed = True
        studies.append(study)
    return dataclasses.replace(data, studies=studies) if changed else data


def _status_warnings(studies: Sequence[Study]) -> list[ImportProblem]:
    """An import problem for each imported study known to be retracted or corrected."""
    return [
        ImportProblem(
            s.source.removeprefix("imported: "),
            s.source_line or None,
            s.status.state.replace(" ", "-"),
            f"{s.key} was {s.status.state}"
            + (f" ({s.status.date})" if s.status.date else "")
            + (f"; notice {s.status.notice}" if s.status.notice else "")
            + ". Check it before citing it.",
            s.key,
        )
        for s in studies
        if s.status.warning
    ]


def _with_sources(settings: Settings, sources: Sequence[Path | str] | None) -> Settings:
    if sources is None:
        return settings
    return Settings.resolve(settings, corpus=tuple(Path(s) for s in sources))
