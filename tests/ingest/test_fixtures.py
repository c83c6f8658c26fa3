"""Every real-world file in ../shared/fixtures/bib imports: studies kept, problems located.

Expected counts were checked against each file's MANIFEST notes: a count below
bibtexparser's own is explained by a reported duplicate study or commented-out entry.
Problem lines are 1-based; a list is the exact lines, an int the number reported.
"""

from __future__ import annotations

import collections
import csv

import pytest

from evidence import load_bibtex
from evidence.model import ImportReport
from tests.conftest import shared_path

FIXTURES = [
    pytest.param(
        "jabref-macroman-declared-utf8.bib",
        18,
        {"duplicate-study": [264]},
        id="jabref-macroman-declared-utf8",
    ),
    pytest.param(
        "jabref-utf16le-bom-string.bib",
        1,
        {},
        id="jabref-utf16le-bom-string",
    ),
    pytest.param(
        "jabref-windows-1252-degree-sign.bib",
        1,
        {"encoding": [4], "missing-key": [3], "missing-title": [3], "year-missing": [3]},
        id="jabref-windows-1252-degree-sign",
    ),
    pytest.param(
        "zbb-backslash-brace-escapes-bbt-014.bib",
        1,
        {"year-missing": [1]},
        id="zbb-backslash-brace-escapes-bbt-014",
    ),
    pytest.param(
        "zbb-bibdesk-duplicate-file-field-2300.bib",
        7,
        {"duplicate-field": [25, 29, 38, 56]},
        id="zbb-bibdesk-duplicate-file-field-2300",
    ),
    pytest.param(
        "zbb-bibdesk-string-macros-664.bib",
        1,
        {},
        id="zbb-bibdesk-string-macros-664",
    ),
    pytest.param(
        "zbb-biblatex-apa-plus-field-names-2660.bib",
        280,
        {
            "commented-out": [809],
            "missing-title": 74,
            "year-invalid": 7,
            "year-missing": 57,
            "doi-malformed": [586, 1243],
            "duplicate-study": [402, 1288, 1859],
        },
        id="zbb-biblatex-apa-plus-field-names-2660",
    ),
    pytest.param(
        "zbb-biblatex-types-prose-549.bib",
        9,
        {"crossref-missing": [21], "year-missing": [1, 2, 3, 4]},
        id="zbb-biblatex-types-prose-549",
    ),
    pytest.param(
        "zbb-calibre-preamble-tags-2743.bib",
        1,
        {},
        id="zbb-calibre-preamble-tags-2743",
    ),
    pytest.param(
        "zbb-crlf-parbreak-abstract-2789.bib",
        1,
        {},
        id="zbb-crlf-parbreak-abstract-2789",
    ),
    pytest.param(
        "zbb-crossref-child-parent-2373.bib",
        2,
        {"duplicate-study": [17]},
        id="zbb-crossref-child-parent-2373",
    ),
    pytest.param(
        "zbb-crossref-proceedings-bbt-003.bib",
        2,
        {},
        id="zbb-crossref-proceedings-bbt-003",
    ),
    pytest.param(
        "zbb-empty-entry-bbt-009.bib",
        2,
        {"empty-entry": [10], "missing-title": [10], "year-missing": [10], "duplicate-study": [13]},
        id="zbb-empty-entry-bbt-009",
    ),
    pytest.param(
        "zbb-endnote-missing-citekey.bib",
        1,
        {"missing-key": [2]},
        id="zbb-endnote-missing-citekey",
    ),
    pytest.param(
        "zbb-hebrew-entrysubtype.bib",
        1,
        {},
        id="zbb-hebrew-entrysubtype",
    ),
    pytest.param(
        "zbb-href-spaces-accents-2504.bib",
        4,
        {"year-missing": [14]},
        id="zbb-href-spaces-accents-2504",
    ),
    pytest.param(
        "zbb-jabref-crlf-groups-1730-3.bib",
        4,
        {},
        id="zbb-jabref-crlf-groups-1730-3",
    ),
    pytest.param(
        "zbb-jabref-large-library-groups-97.bib",
        910,
        {
            "missing-title": 10,
            "doi-malformed": [4080],
            "year-invalid": [4545, 5274, 10453],
            "duplicate-study": [6966],
            "control-characters": [4798],  # "300\x01C": a degree sign lost in the export
        },
        id="zbb-jabref-large-library-groups-97",
    ),
    pytest.param(
        "zbb-jabref51-groups-crossref-1641.bib",
        20,
        {},
        id="zbb-jabref51-groups-crossref-1641",
    ),
    pytest.param(
        "zbb-lone-cr-in-title-bbt-001.bib",
        2,
        {},
        id="zbb-lone-cr-in-title-bbt-001",
    ),
    pytest.param(
        "zbb-math-markup-undefined-macro-472.bib",
        1,
        {"undefined-macro": [4, 17], "duplicate-study": [14]},
        id="zbb-math-markup-undefined-macro-472",
    ),
    pytest.param(
        "zbb-mendeley-empty-keys-duplicates.bib",
        507,
        {
            "missing-key": 37,
            "duplicate-key": 25,
            "year-invalid": [460],
            "year-missing": [1023, 3876, 5205, 5302, 5460],
            "duplicate-study": [500, 575, 1829, 2522, 4980],
        },
        id="zbb-mendeley-empty-keys-duplicates",
    ),
    pytest.param(
        "zbb-name-von-junior-bbt-004.bib",
        1,
        {},
        id="zbb-name-von-junior-bbt-004",
    ),
    pytest.param(
        "zbb-preamble-def-accent-732.bib",
        1,
        {"year-missing": [8]},
        id="zbb-preamble-def-accent-732",
    ),
    pytest.param(
        "zbb-preamble-percent-sign-95-96.bib",
        1,
        {},
        id="zbb-preamble-percent-sign-95-96",
    ),
    pytest.param(
        "zbb-prose-between-entries-duplicate-key-1350.bib",
        3,
        {"duplicate-key": [36], "duplicate-study": [36]},
        id="zbb-prose-between-entries-duplicate-key-1350",
    ),
    pytest.param(
        "zbb-qiqqa-leading-commas.bib",
        2,
        {},
        id="zbb-qiqqa-leading-commas",
    ),
    pytest.param(
        "zbb-ring-above-caron-accents-1115.bib",
        1,
        {},
        id="zbb-ring-above-caron-accents-1115",
    ),
    pytest.param(
        "zbb-softwareversion-type-1544.bib",
        1,
        {},
        id="zbb-softwareversion-type-1544",
    ),
    pytest.param(
        "zbb-space-after-citekey-716.bib",
        2,
        {"year-missing": [1, 6]},
        id="zbb-space-after-citekey-716",
    ),
    pytest.param(
        "zbb-string-concatenation-spaces-1081.bib",
        1,
        {},
        id="zbb-string-concatenation-spaces-1081",
    ),
    pytest.param(
        "zbb-string-substitution-154.bib",
        1,
        {"year-missing": [4]},
        id="zbb-string-substitution-154",
    ),
    pytest.param(
        "zbb-tilde-accents-bbt-006.bib",
        1,
        {"year-missing": [1]},
        id="zbb-tilde-accents-bbt-006",
    ),
    pytest.param(
        "zbb-title-case-math-quoted-1246.bib",
        2,
        {},
        id="zbb-title-case-math-quoted-1246",
    ),
    pytest.param(
        "zbb-video-entrysubtype-2494.bib",
        4,
        {},
        id="zbb-video-entrysubtype-2494",
    ),
]


def _problems(report: ImportReport) -> dict[str, list[int | None]]:
    found: dict[str, list[int | None]] = collections.defaultdict(list)
    for problem in report.problems:
        found[problem.kind].append(problem.line)
    return found


@pytest.mark.parametrize(("name", "studies", "expected"), FIXTURES)
def test_fixture_imports_with_located_problems(
    name: str, studies: int, expected: dict[str, list[int | None] | int]
) -> None:
    path = shared_path("fixtures", "bib", name)
    kept, report = load_bibtex(path)
    assert len(kept) == studies
    found = _problems(report)
    assert set(found) == set(expected)
    for kind, lines in expected.items():
        if isinstance(lines, int):
            assert len(found[kind]) == lines, kind
        else:
            assert found[kind] == lines, kind
    assert all(p.file == str(path) for p in report.problems)
    assert all(p.line is None or p.line >= 1 for p in report.problems)


def test_no_entry_vanishes_without_a_report() -> None:
    """Every entry bibtexparser saw is kept, or reported as merged or commented out."""
    manifest = shared_path("fixtures", "bib", "MANIFEST.tsv")
    with manifest.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    for row in rows:
        kept, report = load_bibtex(manifest.parent / row["file"])
        accounted = len(kept) + sum(
            1 for p in report.problems if p.kind in ("duplicate-study", "commented-out")
        )
        assert accounted >= int(row["btp2_entries"]), row["file"]
        if int(row["btp2_failed_blocks"]):
            assert report.problems, row["file"]


def _one(name: str, key: str | None = None):  # type: ignore[no-untyped-def]
    kept, _ = load_bibtex(shared_path("fixtures", "bib", name))
    return kept[0] if key is None else next(s for s in kept if s.key == key)


def test_utf16_file_is_read_not_silently_empty() -> None:
    study = _one("jabref-utf16le-bom-string.bib")
    assert study.title and study.key


def test_windows_1252_degree_sign_decoded() -> None:
    kept, report = load_bibtex(
        shared_path("fixtures", "bib", "jabref-windows-1252-degree-sign.bib")
    )
    assert kept[0].abstract == "25° C"
    assert "cp1252" in report.problems[0].message or "windows-1252" in report.problems[0].message


def test_string_concatenation_keeps_the_space() -> None:
    study = _one("zbb-string-concatenation-spaces-1081.bib")
    assert study.venue == "a space between this and this"


def test_crossref_child_before_parent_inherits_year_and_publisher() -> None:
    study = _one("zbb-crossref-child-parent-2373.bib", "inbook")
    assert (study.year, study.publisher) == (2004, "Kumarian Press")
    assert study.venue == "Global Civil Society: Dimensions of the Nonprofit Sector"


def test_von_and_junior_name_parts() -> None:
    author = _one("zbb-name-von-junior-bbt-004.bib").authors[0]
    assert (author.particle, author.family, author.suffix, author.given) == (
        "von",
        "Hicks",
        "III",
        "Michael",
    )


def test_czech_accents_decode() -> None:
    study = _one("zbb-ring-above-caron-accents-1115.bib")
    assert any("Ř" in a.family or "ů" in a.family for a in study.authors)


def test_lone_carriage_return_in_title_is_whitespace() -> None:
    kept, _ = load_bibtex(shared_path("fixtures", "bib", "zbb-lone-cr-in-title-bbt-001.bib"))
    assert all("\r" not in s.title and "\n" not in s.title for s in kept)


def test_hebrew_text_survives() -> None:
    study = _one("zbb-hebrew-entrysubtype.bib")
    assert any("\u0590" <= ch <= "\u05ff" for ch in study.title)


def test_tilde_roles() -> None:
    study = _one("zbb-tilde-accents-bbt-006.bib")
    text = " ".join([study.title, study.url, *(v for _, v in study.extra)])
    assert "ñ" in text and "~user" in text
