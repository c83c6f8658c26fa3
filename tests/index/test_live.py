"""The index folder's lifecycle: an import's files are kept only once its index is live;
what a killed import leaves is finished or discarded at the next start, never rebuilt;
an imported file that can no longer be read is put aside, not fatal."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from evidence import BibtexImportError, Embedder, IndexFormatError, Library
from evidence.index import IndexFolder
from evidence.index.store import IMPORTS, QUARANTINE, STAGING
from tests.conftest import DATA

ONE = "@article{stagedone, author = {Doe, Jane}, title = {A staged study of sleep}, year = 2024}\n"


def test_an_import_leaves_nothing_in_staging_and_its_file_in_imports(
    fresh_library: Library, tmp_path: Path
) -> None:
    source = tmp_path / "one.bib"
    source.write_text(ONE)
    fresh_library.add_bibtex(source)
    imports = fresh_library.index_dir / IMPORTS
    assert not (imports / STAGING).exists()
    [kept] = list(imports.glob("*.bib"))
    assert kept.name.endswith("-one.bib") and kept.read_text() == ONE
    sources = fresh_library.manifest["sources"]
    assert str(kept.resolve()) in sources


def test_a_failed_import_leaves_no_file_behind(fresh_library: Library, tmp_path: Path) -> None:
    source = tmp_path / "empty.bib"
    source.write_text("@comment{nothing here}\n")
    with pytest.raises(Exception, match="no study could be imported"):
        fresh_library.add_bibtex(source)
    imports = fresh_library.index_dir / IMPORTS
    assert list(imports.glob("*.bib")) == []
    assert not (imports / STAGING).exists() or list((imports / STAGING).iterdir()) == []


def test_a_staged_file_of_an_unfinished_import_is_discarded_at_the_next_open(
    fresh_library: Library, caplog: pytest.LogCaptureFixture
) -> None:
    staging = fresh_library.index_dir / IMPORTS / STAGING
    staging.mkdir(parents=True)
    (staging / "20260101T000000-000-killed.bib").write_text(ONE)
    before = fresh_library.manifest["corpus_sha256"]
    with caplog.at_level(logging.WARNING):
        reopened = Library.open_or_build(
            index_dir=fresh_library.index_dir, embedder=fresh_library.embedder
        )
    assert "discarded an unfinished import of 20260101T000000-000-killed.bib" in caplog.text
    assert list(staging.iterdir()) == []
    assert "stagedone" not in {s.key for s in reopened.studies}
    assert reopened.manifest["corpus_sha256"] == before  # opened, not rebuilt


def test_a_staged_file_whose_index_went_live_is_moved_into_place(
    fresh_library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after the new generation went live but before its file was moved: the
    import was complete, so its file is kept (the live index already holds its studies)."""
    source = tmp_path / "one.bib"
    source.write_text(ONE)
    monkeypatch.setattr("evidence.index.live.commit", lambda staged: None)
    fresh_library.add_bibtex(source)  # published, but "killed" before the commit
    imports = fresh_library.index_dir / IMPORTS
    assert len(list((imports / STAGING).iterdir())) == 1
    monkeypatch.undo()
    folder = IndexFolder(fresh_library.settings, fresh_library.embedder)
    [message] = folder.recover()
    assert message.startswith("completed the import of")
    assert [p.name.endswith("-one.bib") for p in imports.glob("*.bib")] == [True]
    assert not folder.is_stale(folder.manifest() or {})


def test_an_imported_file_that_breaks_a_rebuild_is_quarantined(
    fresh_library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "one.bib"
    source.write_text(ONE)
    fresh_library.add_bibtex(source)
    [kept] = list((fresh_library.index_dir / IMPORTS).glob("*.bib"))
    real = __import__("evidence.index.live", fromlist=["load_references"]).load_references

    def breaks_on_the_import(paths: list[Path]) -> object:
        if any(Path(p).name == kept.name for p in paths):
            raise MemoryError("simulated")
        return real(paths)

    monkeypatch.setattr("evidence.index.live.load_references", breaks_on_the_import)
    rebuilt = Library.build(
        [DATA / "tiny.bib"], index_dir=fresh_library.index_dir, embedder=fresh_library.embedder
    )
    assert "stagedone" not in {s.key for s in rebuilt.studies}
    assert (fresh_library.index_dir / IMPORTS / QUARANTINE / kept.name).exists()


def test_two_files_of_one_import_keep_their_order(fresh_library: Library, tmp_path: Path) -> None:
    first, second = tmp_path / "a.bib", tmp_path / "b.bib"
    first.write_text(ONE)
    second.write_text(ONE.replace("stagedone", "stagedtwo").replace("sleep", "shifts"))
    fresh_library.add_bibtex([first, second])
    names = sorted(p.name for p in (fresh_library.index_dir / IMPORTS).glob("*.bib"))
    assert [n[-5:] for n in names] == ["a.bib", "b.bib"] and names[0] < names[1]
    assert time.strftime("%Y") in names[0]


# ---- importing again ---------------------------------------------------------------------------


def imported_copies(library: Library) -> list[Path]:
    imports = library.index_dir / IMPORTS
    return sorted(p for p in imports.iterdir() if p.is_file()) if imports.is_dir() else []


def test_importing_a_file_again_adds_nothing_and_keeps_no_second_copy(
    fresh_library: Library, tmp_path: Path
) -> None:
    source = tmp_path / "one.bib"
    source.write_text(ONE)
    first = fresh_library.add_file(source)
    generation = fresh_library._folder.generation()
    second = fresh_library.add_file(source)
    assert first.summary() == (
        f"Imported 1 study from {source}: 0 already in the library, 1 new, 0 updated."
    )
    assert second.summary() == (
        f"Nothing new in {source}: 1 already in the library, 0 new, 0 updated."
    )
    assert second.problems == () and second.unchanged == ("stagedone",)
    assert len(imported_copies(fresh_library)) == 1
    assert fresh_library._folder.generation() == generation  # nothing was written
    assert len(fresh_library.studies) == 5


def test_the_library_s_own_files_and_exports_import_as_already_there(
    fresh_library: Library,
) -> None:
    keys = [s.key for s in fresh_library.studies]
    reports = [fresh_library.add_file(DATA / "tiny.bib")] + [
        fresh_library.add_data(fresh_library.export(keys, fmt), f"mine.{ext}")
        for fmt, ext in (("ris", "ris"), ("csljson", "json"), ("bib", "bib"))
    ]
    for report in reports:
        assert (report.new, report.updated) == ((), ()), report.summary()
        assert report.unchanged == tuple(keys)
        assert not [p for p in report.problems if p.severity != "warning"]
    assert reports[1].summary() == (
        "Nothing new in mine.ris: 4 already in the library, 0 new, 0 updated."
    )
    assert imported_copies(fresh_library) == []


def test_the_same_key_with_changed_fields_updates_the_study_and_a_rebuild_keeps_it(
    fresh_library: Library, tmp_path: Path
) -> None:
    source = tmp_path / "alpha.ris"
    source.write_text(
        "TY  - JOUR\nID  - alpha2020peer\nTI  - Peer support and PTSD symptoms in Canadian "
        "firefighters\nPY  - 2020\nVL  - 13\nDO  - 10.1234/test.0001\nER  - \n"
    )
    report = fresh_library.add_file(source)
    assert (report.new, report.updated) == ((), ("alpha2020peer",))
    alpha = fresh_library.study("alpha2020peer")
    assert alpha.volume == "13" and alpha.findings  # the curated findings are kept
    assert alpha.source == "imported: alpha.ris"
    [kept] = imported_copies(fresh_library)
    assert kept.suffix == ".ris"
    rebuilt = Library.build(
        [DATA / "tiny.bib"], index_dir=fresh_library.index_dir, embedder=fresh_library.embedder
    )
    assert rebuilt.study("alpha2020peer").volume == "13"
    assert fresh_library.add_file(source).changed is False


def test_another_work_under_a_taken_key_is_renamed_and_reported_once(
    fresh_library: Library, tmp_path: Path
) -> None:
    source = tmp_path / "clash.bib"
    source.write_text(
        "@article{alpha2020peer, author = {Other, Olga}, title = {Sleep of dispatchers}, "
        "year = 2022}\n"
    )
    first = fresh_library.add_file(source)
    assert first.new == ("alpha2020peer-2",)
    assert [p.kind for p in first.problems] == ["key-taken"]
    second = fresh_library.add_file(source)
    assert (second.changed, second.unchanged, second.problems) == (
        False,
        ("alpha2020peer-2",),
        (),
    )


def test_check_only_says_what_would_change(fresh_library: Library, tmp_path: Path) -> None:
    source = tmp_path / "one.bib"
    source.write_text(ONE)
    generation = fresh_library._folder.generation()
    report = fresh_library.add_file(source, check=True)
    assert report.summary() == (
        f"Would import 1 study from {source}: 0 already in the library, 1 new, 0 updated."
    )
    assert fresh_library._folder.generation() == generation and imported_copies(fresh_library) == []
    assert "stagedone" not in {s.key for s in fresh_library.studies}


def test_a_missing_file_says_no_such_file_not_no_study(
    fresh_library: Library, tmp_path: Path
) -> None:
    missing = tmp_path / "my-zotero-export.bib"
    with pytest.raises(BibtexImportError, match=rf"{missing}: no such file\. Check the path"):
        fresh_library.add_bibtex(missing)


@pytest.mark.model
def test_an_index_of_another_precision_is_rebuilt_by_open_or_build_and_refused_by_open(
    tmp_path: Path, embedder: Embedder
) -> None:
    """A switch from fp32 to int8 (or back): `make run` rebuilds, a plain open says what
    to run."""
    index_dir = tmp_path / "index"
    Library.build([DATA / "tiny.bib"], index_dir=index_dir, embedder=embedder)
    int8 = Embedder(backend="openvino-int8")
    with pytest.raises(IndexFormatError, match="Rebuild with `evidence index`"):
        Library.open(index_dir=index_dir, embedder=int8)
    rebuilt = Library.open_or_build([DATA / "tiny.bib"], index_dir=index_dir, embedder=int8)
    assert rebuilt.manifest["model"]["precision"] == int8.precision != embedder.precision
    assert rebuilt.search("sleep", k=1)  # its vectors answer queries of this precision
    # The same model in the same precision is not rebuilt again.
    live = (index_dir / "CURRENT").read_text()
    Library.open_or_build([DATA / "tiny.bib"], index_dir=index_dir, embedder=int8)
    assert (index_dir / "CURRENT").read_text() == live
