"""RIS import: the flavours reference managers write (EndNote, Mendeley, Zotero, PubMed by
way of NCBI's exporter), and every problem located by line with what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence import ImportReport, Person, Study, load_references, parse_references
from evidence.ingest.entries import MAX_VALUE_CHARS
from evidence.ingest.ris import ris_person
from tests.conftest import DATA

IMPORTS = DATA / "imports"
CARLETON = ("Carleton", "Afifi", "Turner")


def parse(text: str) -> tuple[dict[str, Study], ImportReport]:
    studies, report = parse_references(text, "t.ris")
    return {s.key: s for s in studies}, report


def kinds(report: ImportReport) -> list[tuple[str, int | None]]:
    """The problems' kinds and lines, but for the missing years of the small records here."""
    return [(p.kind, p.line) for p in report.problems if p.kind != "year-missing"]


def record(*lines: str) -> str:
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        pytest.param(
            "endnote.ris",
            [
                "carleton2018mental",
                "berg2019psychological",
                "worldhealthorganization2022guidelines",
            ],
            id="endnote",  # CRLF, numeric IDs, T1/JF/JO/Y1, N2 abstract, DOI in M3, AN+DB PMID
        ),
        pytest.param("mendeley.ris", ["Carleton2018", "Okafor2020", "CIPSRT2021"], id="mendeley"),
        pytest.param(
            "zotero.ris",
            ["carleton2018mental", "lefevre2021dispatcher", "ostergaard2023shift"],
            id="zotero",  # T2 journal, DA + PY, DP PubMed, J2, Y2, HTML note
        ),
        pytest.param(
            "pubmed.ris", ["carleton2018mental", "stanley2016systematic"], id="pubmed"
        ),  # NCBI's exporter: DB PubMed, T1 with a final ".", AN = PMID, "Stanley IH" names
    ],
)
def test_each_flavour_imports_cleanly(name: str, keys: list[str]) -> None:
    studies, report = load_references(IMPORTS / name, strict=True)
    assert [s.key for s in studies] == keys
    first = studies[0]
    assert first.title == "Mental Disorder Symptoms among Public Safety Personnel in Canada"
    assert tuple(p.family for p in first.authors) == CARLETON
    assert first.entry_type == "article" and first.year == 2018
    assert first.venue.endswith("Canadian Journal of Psychiatry")
    assert (first.volume, first.issue, first.pages) == ("63", "1", "54–64")
    assert first.doi == "10.1177/0706743717723825"
    assert first.pmid == ("" if name == "mendeley.ris" else "28845686")
    assert first.source_line == 1 and report.files == (str(IMPORTS / name),)


def test_endnote_record_parts_are_read_from_where_endnote_puts_them() -> None:
    studies, _ = load_references(IMPORTS / "endnote.ris")
    article, chapter, report = studies
    assert article.abstract.startswith("Background: Canadian public safety personnel")
    assert article.abstract.endswith("44.5% screened positive for one or more mental disorders.")
    assert article.keywords == ("Posttraumatic stress disorder", "public safety personnel")
    assert chapter.entry_type == "chapter" and chapter.venue.startswith("Handbook of Trauma")
    assert chapter.authors == (
        Person(family="Berg", given="Jan", particle="van der"),
        Person(family="Smith", given="John", suffix="Jr."),
    )
    assert [p.sort_name() for p in chapter.editors] == ["Lindqvist, Anna", "de la Cruz, Maria"]
    assert (chapter.pages, chapter.publisher, chapter.year) == (
        "101–120",
        "Example Academic Press",
        2019,
    )
    assert report.authors == (Person(family="World Health Organization", literal=True),)
    assert report.entry_type == "report" and dict(report.extra)["address"] == "Geneva"


def test_types_map_to_ours() -> None:
    types = {
        s.key: s.entry_type
        for name in ("mendeley.ris", "zotero.ris")
        for s in load_references(IMPORTS / name)[0]
    }
    assert types == {
        "Carleton2018": "article",
        "Okafor2020": "thesis",
        "CIPSRT2021": "web page",
        "carleton2018mental": "article",
        "lefevre2021dispatcher": "conference paper",
        "ostergaard2023shift": "other",
    }


def test_pubmed_names_and_titles_read_as_people_write_them() -> None:
    studies, _ = load_references(IMPORTS / "pubmed.ris")
    stanley = studies[1]
    assert [p.sort_name() for p in stanley.authors] == [
        "Stanley, I. H.",
        "Hom, M. A.",
        "Joiner, T. E.",
    ]
    assert not stanley.title.endswith(".")  # PubMed's closing period
    assert stanley.pmid == "26719976" and stanley.year == 2016


def test_authors_keep_their_order_across_au_and_a1() -> None:
    studies, _ = parse(record("TY  - JOUR", "AU  - B, Bea", "A1  - A, Al", "AU  - C, Cy", "ER  - "))
    [study] = studies.values()
    assert [p.family for p in study.authors] == ["B", "A", "C"]


@pytest.mark.parametrize(
    ("name", "person"),
    [
        ("Smith, Jane", Person(family="Smith", given="Jane")),
        ("van der Berg, Jan", Person(family="Berg", given="Jan", particle="van der")),
        ("Amick, Benjamin C., III", Person(family="Amick", given="Benjamin C.", suffix="III")),
        ("Smith JA", Person(family="Smith", given="J. A.")),
        ("World Health Organization", Person(family="World Health Organization", literal=True)),
        ("World Health Organization,", Person(family="World Health Organization", literal=True)),
        ("Plato", Person(family="Plato", literal=True)),
    ],
)
def test_names(name: str, person: Person) -> None:
    assert ris_person(name) == person


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param(("PY  - 2019///",), 2019, id="py-slashes"),
        pytest.param(("Y1  - 2020/05/12/",), 2020, id="y1"),
        pytest.param(("DA  - 2021/01/01", "PY  - 2022"), 2022, id="py-before-da"),
        pytest.param(("DA  - May 2017",), 2017, id="da-words"),
    ],
)
def test_year_from_py_y1_or_da(lines: tuple[str, ...], expected: int) -> None:
    studies, _ = parse(record("TY  - JOUR", "TI  - T", *lines, "ER  - "))
    assert next(iter(studies.values())).year == expected


@pytest.mark.parametrize(
    ("line", "doi", "pmid"),
    [
        ("UR  - https://doi.org/10.1037/ocp0000124", "10.1037/ocp0000124", ""),
        ("M3  - doi: 10.1037/ocp0000124", "10.1037/ocp0000124", ""),
        ("N1  - PMID: 31234567", "", "31234567"),
        ("U1  - 31234567[pmid]", "", "31234567"),
        ("UR  - https://www.ncbi.nlm.nih.gov/pubmed/31234567", "", "31234567"),
        ("AN  - 31234567", "", ""),  # an accession number, but not PubMed's
    ],
)
def test_doi_and_pmid_where_managers_also_write_them(line: str, doi: str, pmid: str) -> None:
    studies, _ = parse(record("TY  - JOUR", "TI  - T", line, "ER  - "))
    study = next(iter(studies.values()))
    assert (study.doi, study.pmid) == (doi, pmid)


def test_lenient_tags_one_space_indent_and_no_space_after_the_dash() -> None:
    studies, report = parse(record("TY - JOUR", "  TI  - Indented", "AU  -Smith, Jo", "ER  -"))
    [study] = studies.values()
    assert study.title == "Indented" and study.authors == (Person("Smith", "Jo"),)
    assert kinds(report) == []


def test_a_record_without_er_ends_at_the_next_and_is_reported() -> None:
    text = record("TY  - JOUR", "TI  - First", "", "TY  - JOUR", "TI  - Second", "ER  - ")
    studies, report = parse(text)
    assert [s.title for s in studies.values()] == ["First", "Second"]
    assert kinds(report) == [("record-unclosed", 1)]
    problem = report.problems[0]
    assert problem.severity == "warning"
    assert "never closed: an 'ER  - ' line is missing before the next record (line 4)" in (
        problem.message
    )
    assert problem.hint.startswith("Add 'ER  - '")


def test_a_file_cut_short_keeps_its_last_record_and_says_so() -> None:
    studies, report = parse(record("TY  - JOUR", "TI  - Cut", "AU  - Smith, J"))
    assert [s.title for s in studies.values()] == ["Cut"]
    assert "missing at the end of the file" in report.problems[0].message


def test_text_outside_records_is_reported_with_its_lines_and_numbered_headers_are_not() -> None:
    text = record("1.", "TY  - JOUR", "TI  - A", "ER  - ", "stray words", "more", "", "TY  - JOUR",
                  "TI  - B", "ER  - ")  # fmt: skip
    studies, report = parse(text)
    assert len(studies) == 2
    assert kinds(report) == [("outside-record", 5)]
    assert report.problems[0].message.startswith("lines 5–6 lie outside any record")


def test_a_misshapen_tag_is_reported_and_read_as_text() -> None:
    studies, report = parse(record("TY  - JOUR", "TI  - Title", "AU- Smith, J", "ER  - "))
    assert kinds(report) == [("misshapen-tag", 3)]
    assert "is not written 'XX  - value'" in report.problems[0].message
    assert next(iter(studies.values())).title == "Title AU- Smith, J"


def test_an_unknown_type_is_imported_as_other_and_reported() -> None:
    studies, report = parse(record("TY  - WHAT", "TI  - T", "ER  - "))
    assert next(iter(studies.values())).entry_type == "other"
    assert kinds(report) == [("ris-type-unknown", 1)]


def test_a_ris_file_without_records_is_an_error_that_says_what_to_export(tmp_path: Path) -> None:
    path = tmp_path / "empty.ris"
    path.write_text("just a note\n")
    studies, report = load_references(path)
    assert studies == []
    [problem] = report.errors
    assert problem.kind == "not-ris" and "no line starts with 'TY  - '" in problem.message


def test_a_value_over_the_limit_is_cut_and_reported() -> None:
    text = record("TY  - JOUR", "TI  - T", "AB  - " + "x" * (MAX_VALUE_CHARS + 10), "ER  - ")
    studies, report = parse(text)
    assert len(next(iter(studies.values())).abstract) == MAX_VALUE_CHARS
    assert kinds(report) == [("value-too-long", 3)]


def test_plain_text_values_are_not_read_as_latex() -> None:
    studies, _ = parse(
        record("TY  - JOUR", "TI  - 50% of {braced} a--b $x$ ~ A_B & C", "KW  - a; b", "ER  - ")
    )
    study = next(iter(studies.values()))
    assert study.title == "50% of {braced} a--b $x$ ~ A_B & C"
    assert study.keywords == ("a", "b")


def test_utf16_and_windows_1252_ris_files_are_decoded(tmp_path: Path) -> None:
    text = record("TY  - JOUR", "AU  - Lefèvre, Élodie", "TI  - Café study", "PY  - 2020", "ER  - ")
    for encoding in ("utf-16", "cp1252"):
        path = tmp_path / f"{encoding}.ris"
        path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
        studies, report = load_references(path)
        assert studies[0].authors[0].family == "Lefèvre" and studies[0].title == "Café study"
        assert [p.kind for p in report.problems] == (["encoding"] if encoding == "cp1252" else [])
