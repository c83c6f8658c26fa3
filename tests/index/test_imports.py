"""Imported files: read once from memory, merged into the library, kept under a name that
sorts in import order and says their format, and replayed the same way by rebuilds."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence import BibtexImportError, Embedder, Settings, load_references
from evidence.index import IndexFolder
from evidence.index.imports import import_report, merge_imports, read_imports, safe_name
from evidence.index.store import IMPORTS
from tests.conftest import DATA

IMPORTS_DATA = DATA / "imports"


@pytest.mark.parametrize(
    ("name", "suffix", "kept"),
    [
        ("My Export.txt", ".ris", "My_Export.ris"),
        ("refs.bib", ".bib", "refs.bib"),
        ("zotero.json", ".json", "zotero.json"),
        ("../../etc/passwd", ".bib", "passwd.bib"),
        ("archive.tar", ".ris", "archive.tar.ris"),
        (".hidden.bib", ".bib", "hidden.bib"),
    ],
)
def test_kept_copies_have_safe_names_with_their_format(name: str, suffix: str, kept: str) -> None:
    assert safe_name(name, suffix) == kept


def test_a_missing_file_says_so_with_its_path(tmp_path: Path) -> None:
    missing = tmp_path / "my-zotero-export.bib"
    with pytest.raises(BibtexImportError, match=rf"{missing}: no such file\. Check the path"):
        read_imports([missing])


def test_a_missing_file_beside_a_readable_one_is_an_error_problem(tmp_path: Path) -> None:
    read, problems = read_imports([tmp_path / "gone.ris", IMPORTS_DATA / "zotero.ris"])
    assert [r.fmt for r in read] == ["ris"]
    [problem] = problems
    assert (problem.kind, problem.severity) == ("unreadable", "error")
    assert "gone.ris: no such file" in problem.message


def test_an_import_reports_new_updated_and_already_there() -> None:
    library, _ = load_references(DATA / "tiny.bib")
    read, problems = read_imports([DATA / "tiny.bib", IMPORTS_DATA / "pandoc.json"])
    merge, changed = merge_imports(library, read)
    report = import_report(read, merge, problems, checked=False)
    assert changed == [False, True]  # only the second file would be kept
    assert report.unchanged == (
        "alpha2020peer",
        "delta2019stigma",
        "epsilon2021sleep",
        "zeta2018debrief",
    )
    assert report.new == ("stanley2016systematic", "okafor2020peer") and report.updated == ()
    assert report.summary() == (
        "Imported 2 studies from 2 files: 4 already in the library, 2 new, 0 updated."
    )


def test_a_kept_file_gives_its_studies_its_path_as_their_source(tmp_path: Path) -> None:
    read, _ = read_imports([("upload.json", (IMPORTS_DATA / "pandoc.json").read_bytes())])
    kept = tmp_path / IMPORTS / "20260101T000000-000-upload.json"
    merge, _ = merge_imports([], read, [kept])
    assert {s.source_file for s in merge.studies} == {str(kept)}
    assert {s.source for s in merge.studies} == {"imported: upload.json"}


def test_a_rebuild_replays_imports_in_order_so_updates_stay_updates(tmp_path: Path) -> None:
    """The second import changes the first one's volume; a rebuild must end the same."""
    index_dir = tmp_path / "index"
    imports = index_dir / IMPORTS
    imports.mkdir(parents=True)
    first = "@article{upd2020, title = {Updated study}, year = 2020, volume = {1}}\n"
    (imports / "20260101T000000-000-first.bib").write_text(first)
    (imports / "20260101T000001-000-second.ris").write_text(
        "TY  - JOUR\nID  - upd2020\nTI  - Updated study\nPY  - 2020\nVL  - 2\nER  - \n"
    )
    settings = Settings.resolve(index_dir=index_dir, corpus=(DATA / "tiny.bib",))
    folder = IndexFolder(settings, Embedder())  # reading sources never loads the model
    assert [p.name for p in folder.sources()][-2:] == [
        "20260101T000000-000-first.bib",
        "20260101T000001-000-second.ris",
    ]
    studies, report = folder._load_sources()
    updated = [s for s in studies if s.key == "upd2020"]
    assert [s.volume for s in updated] == ["2"] and len(studies) == 5
    assert not [p for p in report.problems if "duplicate" in p.kind]
