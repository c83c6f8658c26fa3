"""One path for every format: told apart by content, then extension; the same decoding,
checks, keys and duplicate merging for BibTeX, RIS and CSL-JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence import BibtexImportError, detect_format, load_references, parse_references
from tests.conftest import DATA

IMPORTS = DATA / "imports"


@pytest.mark.parametrize(
    ("name", "text", "fmt"),
    [
        pytest.param("refs.txt", '[{"id": "a"}]', "csljson", id="json-list"),
        pytest.param("refs.bib", '\ufeff  {"items": []}', "csljson", id="json-object-any-name"),
        pytest.param("refs.txt", "TY  - JOUR\nTI  - T\nER  - \n", "ris", id="ris-content"),
        pytest.param("refs.bib", "\nTY - JOUR\nER  -\n", "ris", id="ris-in-a-bib"),
        pytest.param("refs.txt", "@article{a, title={T}}", "bibtex", id="bibtex-content"),
        pytest.param(
            "refs.ris",
            "% TY  - JOUR in a comment\n@article{a, title = {T}}",
            "bibtex",
            id="at-first",
        ),
        pytest.param(
            "refs.bib",
            "TY  - a line of an abstract\n@article{a, title = {T}}",
            "bibtex",
            id="bib-content-fits-its-name",
        ),
        pytest.param(
            "refs.ris", "@ in a note\nTY  - JOUR\nER  - \n", "ris", id="ris-content-fits-its-name"
        ),
        pytest.param("refs.json", "[\n@article{a,\n", "csljson", id="json-content-fits-its-name"),
        pytest.param(
            "refs.json",
            '\u00fc\n  {"id": "a"},\n\t@article{b,\n',
            "csljson",
            id="json-with-a-damaged-start",  # found by fuzzing: was read as BibTeX
        ),
        pytest.param("refs.txt", '\u00fc\n  {"id": "a"},\n\t@article{b,\n', "bibtex", id="txt"),
        pytest.param("refs.ris", "nothing here", "ris", id="ris-by-extension"),
        pytest.param("refs.json", "nothing here", "csljson", id="json-by-extension"),
        pytest.param("refs.txt", "nothing here", "bibtex", id="bibtex-by-default"),
    ],
)
def test_format_is_told_by_content_then_extension(name: str, text: str, fmt: str) -> None:
    assert detect_format(name, text) == fmt


def test_files_of_every_format_load_together_and_duplicates_merge_across_them() -> None:
    files = [DATA / "tiny.bib", IMPORTS / "zotero.ris", IMPORTS / "betterbibtex.json"]
    studies, report = load_references(files)
    keys = [s.key for s in studies]
    assert keys[:4] == ["alpha2020peer", "delta2019stigma", "epsilon2021sleep", "zeta2018debrief"]
    assert keys.count("carleton2018mental") == 1  # in both, by DOI: merged, not renamed
    merged = [p for p in report.problems if p.kind in ("duplicate-study", "duplicate-key")]
    assert [p.kind for p in merged] == ["duplicate-key", "duplicate-study"]
    assert report.files == tuple(str(f) for f in files)


def test_a_missing_file_says_no_such_file_with_its_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.ris"
    with pytest.raises(BibtexImportError, match=f"{missing}: no such file"):
        load_references(missing)


def test_ris_sent_as_text_is_read_as_ris() -> None:
    studies, _ = parse_references((IMPORTS / "mendeley.ris").read_bytes(), "upload.txt")
    assert [s.key for s in studies] == ["Carleton2018", "Okafor2020", "CIPSRT2021"]


def test_bom_and_crlf_csl_json_is_read() -> None:
    data = (IMPORTS / "pandoc.json").read_text(encoding="utf-8").replace("\n", "\r\n")
    studies, report = parse_references("\ufeff".encode() + data.encode("utf-8"), "p.json")
    assert [s.key for s in studies] == ["stanley2016systematic", "okafor2020peer"]
    assert report.problems == ()


def test_strict_fails_on_any_problem_of_any_format() -> None:
    with pytest.raises(BibtexImportError, match="strict import found 1 problem"):
        parse_references("TY  - JOUR\nTI  - No year\nER  - \n", "t.ris", strict=True)
