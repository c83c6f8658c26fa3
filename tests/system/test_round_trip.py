"""The bundled corpus exported as RIS and CSL-JSON and imported into an empty library keeps
every field each format carries; imported into the corpus's own library, every export
(and the corpus's BibTeX itself) adds nothing and says so."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

from evidence import Library, Study, load_references, parse_references
from evidence.export.references import to_bibtex, to_csl_json, to_ris
from evidence.ingest.merge import Merge
from evidence.model import ImportReport
from tests.conftest import ROOT

CORPUS = sorted((ROOT / "corpus").glob("*.bib"))
# What each format carries of a study. (CSL-JSON's title is the sentence-case title; RIS
# has no sentence case. Neither carries the curated findings, summary or status.)
BOTH = ("key", "entry_type", "authors", "editors", "year", "venue", "publisher", "volume",
        "issue", "pages", "doi", "pmid", "url", "abstract", "keywords")  # fmt: skip
RIS_ONLY = ("title", "design", "population")
EXPORTS = {"ris": to_ris, "csljson": to_csl_json, "bib": to_bibtex}


@cache
def corpus() -> tuple[Study, ...]:
    studies, report = load_references(CORPUS, strict=True)
    return tuple(studies)


def imported(fmt: str, library: tuple[Study, ...] = ()) -> tuple[Merge, ImportReport]:
    """The corpus exported as `fmt`, imported into `library` as `Library.add_file` does."""
    studies, report = parse_references(EXPORTS[fmt](corpus()), f"corpus.{fmt}")
    merge = Merge.into(library)
    merge.add(studies)
    return merge, report


def fields(study: Study, names: tuple[str, ...]) -> dict[str, object]:
    return {name: getattr(study, name) for name in names}


@pytest.mark.parametrize("fmt", ["ris", "csljson"])
def test_an_export_imported_into_an_empty_library_keeps_every_field_it_carries(fmt: str) -> None:
    merge, report = imported(fmt)
    assert report.problems == ()
    assert merge.new == [s.key for s in corpus()]
    carried = BOTH + (RIS_ONLY if fmt == "ris" else ())
    for original, again in zip(corpus(), merge.studies, strict=True):
        assert fields(again, carried) == fields(original, carried), original.key
        if fmt == "csljson":
            assert again.title == original.title_sentence


def test_the_fields_both_formats_carry_come_back_the_same_from_each() -> None:
    from_ris, from_csl = imported("ris")[0].studies, imported("csljson")[0].studies
    assert [fields(s, BOTH) for s in from_ris] == [fields(s, BOTH) for s in from_csl]
    assert len(corpus()) >= 160 and sum(bool(s.pmid) for s in from_ris) >= 90


@pytest.mark.parametrize("fmt", ["bib", "ris", "csljson"])
def test_reimporting_the_corpus_in_any_format_adds_nothing_and_says_so(fmt: str) -> None:
    merge, report = imported(fmt, corpus())
    assert (merge.new, list(merge.updated), merge.problems) == ([], [], [])
    assert list(merge.unchanged) == [s.key for s in corpus()]
    assert merge.studies == list(corpus())
    summary = ImportReport(("corpus." + fmt,), report.studies, (), (), (), tuple(merge.unchanged))
    assert summary.summary() == (
        f"Nothing new in corpus.{fmt}: {len(corpus())} already in the library, 0 new, 0 updated."
    )


def test_the_corpus_files_themselves_reimport_as_already_there() -> None:
    studies, _ = load_references(CORPUS)
    merge = Merge.into(corpus())
    merge.add(studies)
    assert (merge.new, list(merge.updated), len(merge.unchanged)) == ([], [], len(corpus()))


@pytest.mark.model
@pytest.mark.slow
def test_the_bundled_library_takes_its_corpus_and_its_exports_as_nothing_new(
    tmp_path: Path, embedder: Any
) -> None:
    library = Library.build(index_dir=tmp_path / "index", embedder=embedder)
    generation = library._folder.generation()
    keys = [s.key for s in library.studies]
    reports = [library.add_file(CORPUS)] + [
        library.add_data(library.export(keys, fmt), f"library.{ext}")
        for fmt, ext in (("ris", "ris"), ("csljson", "json"))
    ]
    shown = [f"{len(CORPUS)} files", "library.ris", "library.json"]
    assert [r.summary() for r in reports] == [
        f"Nothing new in {name}: {len(keys)} already in the library, 0 new, 0 updated."
        for name in shown
    ]
    assert all(r.problems == () for r in reports)
    assert library._folder.generation() == generation
    assert not (tmp_path / "index" / "imports").exists()
