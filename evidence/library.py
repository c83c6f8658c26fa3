"""`Library`: the one entry point. Wires the parts together; holds no algorithms.

lib = Library.open_or_build()            # bundled corpus, index/ built on first use
hits = lib.search("peer support reduces PTSD in first responders", k=5)
lib.add_file("my-zotero-export.ris")    # BibTeX, RIS or CSL-JSON; only new passages embedded

Each method hands its work to one package: the index folder's lifecycle to `index`,
searching to `search`, talking points and proposals to `points`, citations to `cite`,
files to `export`, draft checks to `audit`.
"""

from __future__ import annotations

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
from .errors import EvidenceError, NotFoundError
from .export import export
from .ids import is_passage_id
from .index import Embedder, IndexData, Progress
from .index.build import document_text
from .index.live import ImportFile
from .index.notices import noted, retraction_report, status_warnings, stored_retractions
from .ingest.retractions import RetractionList, RetractionReport, read_csv
from .model import (
    Hit,
    ImportReport,
    Passage,
    Proposal,
    Reference,
    Study,
    TalkingPoint,
)
from .points import EvidenceProfile, build_proposal, draft_points, evidence_profile
from .points.profile import evidence_profiles
from .points.proposal import Choices
from .projects import Projects
from .search import Filters, Results, Searcher
from .storage import Storage, open_storage


class Library:
    """A searchable library of studies backed by an index folder."""

    def __init__(
        self, data: IndexData, settings: Settings, embedder: Embedder, folder: Storage | None = None
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.index_dir = settings.index_dir
        self._folder = folder or open_storage(settings, embedder)  # or a cache of PostgreSQL's
        self._projects: Projects | None = None
        self._projects_lock = threading.Lock()
        self._retractions = stored_retractions(self._folder)
        data = noted(data, self._retractions)
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
        return cls._start(Settings.resolve(settings, index_dir=index_dir), embedder, "open")

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
        settings = Settings.resolve(settings, index_dir=index_dir, corpus=_paths(sources))
        return cls._start(settings, embedder, "build", progress)

    @classmethod
    def open_or_build(
        cls,
        sources: Sequence[Path | str] | None = None,
        index_dir: Path | str | None = None,
        settings: Settings | Mapping[str, Any] | None = None,
        progress: Progress | None = None,
        embedder: Embedder | None = None,
    ) -> Library:
        """Open the index, building it when missing and updating it when the corpus changed
        (reusing every stored vector: only what changed is redone)."""
        settings = Settings.resolve(settings, index_dir=index_dir, corpus=_paths(sources))
        return cls._start(settings, embedder, "update", progress, keep_built=sources is None)

    @classmethod
    def _start(
        cls,
        settings: Settings,
        embedder: Embedder | None,
        mode: str,
        progress: Progress | None = None,
        keep_built: bool = True,
    ) -> Library:
        embedder = embedder or Embedder.from_settings(settings)
        folder = open_storage(settings, embedder)
        data, report = folder.start(mode, progress, keep_built)
        library = cls(data, folder.settings, embedder, folder)
        library.last_report = report or library.last_report
        return library

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

        `draft`: the text (a str, never a file name), the `Path` of a .txt/.md/.docx file, or
        its bytes (`name` labels them). Every finding has its offsets in the text; an uncited
        claim comes with up to 3 library findings that answer it (`evidence`), or the note
        that there are none. Raises DraftError when a file cannot be read."""
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
        return retraction_report(self._retractions, self.studies) if self._retractions else None

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
        author: str | None = None,
        organisation: str = "",
    ) -> bytes:
        """`items` (talking points and/or study keys, or a Proposal) as a `format` file
        (see FORMATS); also written to `path` when given. With `citekeys`, Markdown carries
        pandoc citekeys and a CSL-JSON file is written beside `path`. `author` (default:
        the `author` setting) and `organisation` go on the title page and into the
        document properties.

        Raises ExportError (unknown format, nothing to export, unwritable path).
        """
        return export(
            items, format, self._by_key, self.citer, path, style, title, citekeys=citekeys,
            author=self.settings.author if author is None else author, organisation=organisation,
        )  # fmt: skip

    def proposal(
        self,
        template: str | Path,
        style: str = "apa",
        *,
        population: str = "",
        sections: Sequence[int] | None = None,
        questions: Sequence[str] = (),
        title: str = "",
        organisation: str = "",
    ) -> Proposal:
        """A proposal draft from a template (a bundled name, see `list_templates()`, or a
        .toml path): per section an evidence summary, talking points and an evidence table
        (or a plain note that the library has nothing for it), and one reference list.

        `population` ("fire", "police", "ems", "dispatch", "corrections", "all") asks every
        question of that group; `sections` keeps and orders the template's sections (0-based);
        `questions` adds a section of your own. Raises TemplateError (an ExportError) for a
        missing or invalid template, population or section."""
        chosen = None if sections is None else tuple(sections)
        choices = Choices(population, chosen, tuple(questions), title, organisation)
        return build_proposal(self._searcher, self.citer, template, style, choices)

    # ---- changing --------------------------------------------------------------------

    def add_file(
        self,
        paths: Path | str | Sequence[Path | str],
        progress: Progress | None = None,
        *,
        check: bool = False,
    ) -> ImportReport:
        """Import BibTeX, RIS or CSL-JSON files; return the keys new, updated and already there.

        Studies are matched with the library's by DOI, PMID, then title, year and first
        author (same values: nothing changes; same key, other values: updated). Files that
        changed something are kept in imports/; only new passages are embedded, and the new
        index is swapped in atomically. With `check`, nothing is changed. Raises
        BibtexImportError (library unchanged) when nothing can be read, or a file is missing.
        """
        path_list = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
        return self._add(path_list, progress, check)

    def add_bibtex(
        self, paths: Path | str | Sequence[Path | str], progress: Progress | None = None
    ) -> ImportReport:
        """`add_file` under its first name (it reads every format, not only BibTeX)."""
        return self.add_file(paths, progress)

    def add_data(
        self, data: bytes, name: str, progress: Progress | None = None, *, check: bool = False
    ) -> ImportReport:
        """`add_file` for a file's bytes (an upload): problems name it `name`, a plain file
        name (any folder part is dropped). Raises BibtexImportError as `add_file` does."""
        return self._add([(Path(name).name or "upload", data)], progress, check)

    def _add(
        self, files: Sequence[ImportFile], progress: Progress | None, check: bool = False
    ) -> ImportReport:
        with self._write_lock:
            data, report = self._folder.add(files, self._searcher.data, progress, check)
        if data is not self._searcher.data:
            self._swap(data)
            fresh = set(report.new) | set(report.updated)
            report = report.with_problems(
                status_warnings([s for s in self.studies if s.key in fresh])
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

    # ---- projects and sharing ---------------------------------------------------------

    @property
    def projects(self) -> Projects:
        """The library's projects (SQLite beside the index, or the shared PostgreSQL)."""
        with self._projects_lock:
            if self._projects is None:
                self._projects = Projects(self._folder.projects_database(), self._check_item)
        return self._projects

    def _check_item(self, item: str) -> None:
        self.passage(item) if is_passage_id(item) else self.study(item)

    @property
    def shared(self) -> bool:
        return self._folder.shared  # the library lives in PostgreSQL (EVIDENCE_DATABASE_URL)

    def follow(self) -> None:
        """Apply imports committed through other servers within seconds (a thread)."""
        self._folder.follow(self._catch_up)

    def _catch_up(self) -> None:
        with self._write_lock:
            data = self._folder.catch_up(self._searcher.data)
            if data is not self._searcher.data:
                self._swap(data)

    def close(self) -> None:
        self._folder.close()  # stops following, closes database connections

    def _swap(self, data: IndexData) -> None:
        data = noted(data, self._retractions)
        searcher = Searcher(data, self.embedder, self.settings)
        self._by_key = {s.key: s for s in data.studies}
        self._searcher = searcher  # one assignment: readers see the old or the new, never a mix


def _paths(sources: Sequence[Path | str] | None) -> tuple[Path, ...] | None:
    return None if sources is None else tuple(Path(s) for s in sources)
