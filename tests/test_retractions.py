"""A retraction list loaded into a library: studies, search results, points, imports and
drafts are checked against it by DOI and PMID, offline; it survives reopening."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence import Library, RetractionListError
from evidence.cli import main
from tests.ingest.test_retractions import HEADER, row

pytestmark = pytest.mark.model

LIST = "\n".join(
    [
        HEADER,
        # alpha2020peer (by DOI), epsilon2021sleep (by PMID), a work not in the library
        row(1, "3/8/2021 0:00", "10.9/notice.1", "10.1234/test.0001", "0", "Retraction"),
        row(2, "2/2/2020 0:00", "10.9/notice.2", "unavailable", "12345678", "Correction"),
        row(3, "4/4/2022 0:00", "10.9/notice.3", "10.7777/gone.1", "0", "Retraction"),
    ]
)
DRAFT = """Peer support lowered PTSD symptoms (Alpha et al., 2020). Another study agreed
(Gone, 2019).

References

Alpha, A., Beta, B., & Gamma, G. (2020). Peer support and PTSD symptoms in Canadian
firefighters. Journal of Test Research, 12(3), 45-67. https://doi.org/10.1234/test.0001

Gone, G. (2019). A retracted study. Journal of Nothing, 1, 1-2. https://doi.org/10.7777/gone.1
"""


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    path = tmp_path / "retraction_watch.csv"
    path.write_text(LIST, encoding="utf-8")
    return path


def test_a_loaded_list_marks_studies_everywhere_and_survives_reopening(
    fresh_library: Library, csv_file: Path
) -> None:
    report = fresh_library.load_retractions(csv_file)
    assert report.rows == 3 and report.newest == "2022-04-04"
    assert dict((k, s.state) for k, s in report.matches) == {
        "alpha2020peer": "retracted",
        "epsilon2021sleep": "corrected",
    }
    assert "2 library studies marked" in report.summary()
    alpha = fresh_library.study("alpha2020peer")
    assert alpha.status.state == "retracted" and alpha.status.notice == "10.9/notice.1"
    hit = fresh_library.search("peer support PTSD firefighters", k=1)[0]
    assert hit.study.status.state == "retracted"
    points = fresh_library.talking_points("does peer support reduce PTSD in firefighters")
    assert points and "This study was retracted (2021-03-08)" in points[0].caveat
    # the list lives in the index folder: a reopened library still knows it
    reopened = Library.open(fresh_library.index_dir, embedder=fresh_library.embedder)
    assert reopened.study("alpha2020peer").status.state == "retracted"
    assert reopened.retractions is not None and reopened.retractions.source == csv_file.name


def test_an_audit_warns_of_cited_retracted_works_in_and_out_of_the_library(
    fresh_library: Library, csv_file: Path
) -> None:
    assert "cites-retracted" not in {f.kind for f in fresh_library.audit(DRAFT).findings}
    fresh_library.load_retractions(csv_file)
    found = [f for f in fresh_library.audit(DRAFT).findings if f.kind == "cites-retracted"]
    assert len(found) == 2 and all(f.severity == "error" for f in found)
    assert "the library records that it was retracted (2021-03-08)" in found[0].message
    assert "your retraction list records that it was retracted (2022-04-04)" in found[1].message


def test_an_import_of_a_retracted_work_is_reported(
    fresh_library: Library, csv_file: Path, tmp_path: Path
) -> None:
    fresh_library.load_retractions(csv_file)
    bib = tmp_path / "mine.bib"
    bib.write_text(
        "@article{gone2019, author = {Gone, Gil}, title = {A retracted study}, "
        "journal = {Journal of Nothing}, year = {2019}, doi = {10.7777/GONE.1}}\n",
        encoding="utf-8",
    )
    report = fresh_library.add_bibtex(bib)
    [problem] = [p for p in report.problems if p.key == "gone2019"]
    assert problem.kind == "retracted" and problem.file == "mine.bib" and problem.line == 1
    assert "gone2019 was retracted (2022-04-04); notice 10.9/notice.3" in problem.message


def test_cli_loads_and_shows_the_list(fresh_library: Library, csv_file: Path) -> None:
    index = str(fresh_library.index_dir)
    result = CliRunner().invoke(main, ["retractions", "show", "--index", index])
    assert result.exit_code == 1 and "evidence retractions load FILE" in result.output
    result = CliRunner().invoke(main, ["retractions", "load", str(csv_file), "--index", index])
    assert result.exit_code == 0, result.output
    assert (
        "3 notices about" in result.output
        and "alpha2020peer: retracted 2021-03-08" in result.output
    )
    assert "days old: download a fresh copy" in result.output  # 2022 is long ago
    result = CliRunner().invoke(main, ["retractions", "show", "--index", index, "--json"])
    shown = json.loads(result.output)
    assert {m["key"] for m in shown["matches"]} == {"alpha2020peer", "epsilon2021sleep"}
    bad = csv_file.with_name("other.csv")
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["retractions", "load", str(bad), "--index", index])
    assert result.exit_code == 1 and "is not the Retraction Watch CSV" in result.output
    assert "Traceback" not in result.output


def test_a_damaged_stored_list_does_not_stop_the_library_opening(
    fresh_library: Library, csv_file: Path
) -> None:
    fresh_library.load_retractions(csv_file)
    (fresh_library.index_dir / "retractions.json").write_text("{not json", encoding="utf-8")
    reopened = Library.open(fresh_library.index_dir, embedder=fresh_library.embedder)
    assert reopened.retractions is None
    assert reopened.study("alpha2020peer").status.state != "retracted"
    with pytest.raises(RetractionListError, match="Load the CSV again"):
        reopened._folder.read_retractions()
