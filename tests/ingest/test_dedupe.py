"""Duplicate studies: which copies merge, what the merged study holds, what is reported."""

from __future__ import annotations

import dataclasses

import pytest

from evidence.ingest.dedupe import merge_duplicates
from evidence.ingest.parse import parse_bibtex
from evidence.model import Person, Study
from evidence.text.identifiers import title_fingerprint

SMITH = (Person("Smith", "Jane"),)
JONES = (Person("Jones", "Al"),)


def study(key: str, line: int, **fields: object) -> Study:
    values: dict[str, object] = {"title": "", "authors": SMITH, "year": 2020}
    values.update(fields)
    return Study(key, source_file="refs.bib", source_line=line, **values)  # type: ignore[arg-type]


def test_title_fingerprint_ignores_case_punctuation_and_spacing() -> None:
    assert title_fingerprint("Burnout in  Police: A Review.") == "burnoutinpoliceareview"
    assert title_fingerprint("BURNOUT IN POLICE — a review") == title_fingerprint(
        "Burnout in police: a review"
    )
    assert title_fingerprint("Straße") == title_fingerprint("STRASSE")


def test_the_same_doi_in_another_case_merges() -> None:
    first = study("a", 1, title="Burnout in police", doi="10.1000/ABC.12")
    second = study("b", 7, title="A different title", year=2021, doi="10.1000/abc.12")
    kept, problems = merge_duplicates([first, second])
    assert [s.key for s in kept] == ["a"]
    assert len(problems) == 1


def test_the_same_title_year_and_first_author_merge() -> None:
    first = study("a", 1, title="Burnout in Police Officers: A Review")
    second = study("b", 9, title="burnout in police officers - a review.")
    kept, problems = merge_duplicates([first, second])
    assert [s.key for s in kept] == ["a"]
    assert [p.key for p in problems] == ["b"]


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"year": 2021}, id="other-year"),
        pytest.param({"year": None}, id="no-year"),
        pytest.param({"authors": JONES}, id="other-first-author"),
        pytest.param({"authors": ()}, id="no-author"),
        pytest.param({"title": "Burnout in firefighters"}, id="other-title"),
    ],
)
def test_copies_differing_in_title_year_or_first_author_do_not_merge(
    changes: dict[str, object],
) -> None:
    first = study("a", 1, title="Burnout in police", doi="10.1000/abc")
    second = study("b", 5, **{"title": "Burnout in police", **changes})
    kept, problems = merge_duplicates([first, second])
    assert [s.key for s in kept] == ["a", "b"]
    assert problems == []


def test_equal_titles_without_year_and_author_are_not_merged() -> None:
    first = study("a", 1, title="Editorial", year=None, authors=())
    second = study("b", 2, title="Editorial", year=None, authors=())
    assert [s.key for s in merge_duplicates([first, second])[0]] == ["a", "b"]


def test_a_malformed_doi_is_not_used_to_merge() -> None:
    first = study("a", 1, title="One", doi="10.1000", flags=("doi-malformed",))
    second = study("b", 2, title="Two", doi="10.1000", flags=("doi-malformed",))
    assert [s.key for s in merge_duplicates([first, second])[0]] == ["a", "b"]


def test_the_first_copy_is_kept_and_its_empty_fields_filled_from_later_ones() -> None:
    first = study("a", 1, title="Burnout in police", venue="J Police Stud", flags=("x",))
    second = study(
        "b",
        8,
        title="BURNOUT IN POLICE",
        venue="Police Quarterly",
        doi="10.1000/abc",
        abstract="We surveyed 400 officers.",
        keywords=("burnout",),
        flags=("year-missing",),
    )
    third = study("c", 20, title="Burnout in police.", pages="1--10", abstract="Other.")
    kept, problems = merge_duplicates([first, second, third])
    assert len(kept) == 1
    merged = kept[0]
    # The first copy's own values win; only its empty fields are filled, in file order.
    assert (merged.key, merged.title, merged.venue) == ("a", "Burnout in police", "J Police Stud")
    assert (merged.source_file, merged.source_line, merged.flags) == ("refs.bib", 1, ("x",))
    assert merged.doi == "10.1000/abc"
    assert merged.abstract == "We surveyed 400 officers."
    assert merged.keywords == ("burnout",)
    assert merged.pages == "1--10"
    assert [p.key for p in problems] == ["b", "c"]


def test_merging_is_deterministic_and_keeps_the_order_of_first_occurrences() -> None:
    studies = [
        study("x", 1, title="Sleep in nurses"),
        study("a", 3, title="Burnout in police", doi="10.1000/abc"),
        study("y", 5, title="Sleep in nurses.", abstract="Filled."),
        study("b", 7, title="Police burnout revisited", doi="10.1000/ABC"),
        study("z", 9, title="Exercise and mood"),
    ]
    kept, problems = merge_duplicates(studies)
    assert [s.key for s in kept] == ["x", "a", "z"]
    assert kept[0].abstract == "Filled."
    assert merge_duplicates(list(studies)) == (kept, problems)
    # The input is not modified (Study is frozen; the list is not reused).
    assert [s.key for s in studies] == ["x", "a", "y", "b", "z"]
    assert studies[0].abstract == ""


def test_each_merge_is_reported_at_the_later_copy() -> None:
    studies = [
        study("a", 1, title="Burnout in police"),
        study("b", 12, title="Burnout in police"),
        study("c", 30, title="Burnout in police"),
    ]
    kept, problems = merge_duplicates(studies)
    assert len(kept) == 1
    assert [(p.file, p.line, p.kind, p.key) for p in problems] == [
        ("refs.bib", 12, "duplicate-study", "b"),
        ("refs.bib", 30, "duplicate-study", "c"),
    ]
    assert all(p.severity == "warning" for p in problems)
    assert "'b' is the same study as 'a' (refs.bib:1); merged into 'a'" in problems[0].message


def test_a_study_without_duplicates_is_returned_unchanged() -> None:
    only = study("a", 1, title="Burnout in police", doi="10.1000/abc")
    kept, problems = merge_duplicates([only])
    assert kept == [only] and kept[0] is only
    assert problems == []
    assert merge_duplicates([]) == ([], [])


BIB = """\
@article{smith2020,
  author = {Smith, Jane and Jones, Al},
  title = {Burnout in Police Officers},
  journal = {Journal of Police Studies},
  year = {2020},
  doi = {10.1000/JPS.2020.1},
}

@article{smith2020dup,
  author = {Smith, J.},
  title = {Burnout in police officers},
  year = {2020},
  doi = {https://doi.org/10.1000/jps.2020.1},
  abstract = {We surveyed 400 officers.},
}

@article{smith2021,
  author = {Smith, Jane},
  title = {Burnout in Police Officers},
  journal = {Journal of Police Studies},
  year = {2021},
}
"""


def test_an_imported_bib_merges_its_duplicates_and_reports_them() -> None:
    studies, report = parse_bibtex(BIB, "refs.bib")
    assert [s.key for s in studies] == ["smith2020", "smith2021"]
    assert report.studies == 2
    merged = studies[0]
    assert merged.venue == "Journal of Police Studies"
    assert merged.abstract == "We surveyed 400 officers."
    assert [a.family for a in merged.authors] == ["Smith", "Jones"]
    duplicates = [p for p in report.problems if p.kind == "duplicate-study"]
    assert [(p.file, p.line, p.key) for p in duplicates] == [("refs.bib", 9, "smith2020dup")]


def test_study_fields_are_all_considered_when_filling() -> None:
    # Every field except the identity/location ones can be filled from a later copy.
    empty = Study("a", title="T", authors=SMITH, year=2020, source_file="f", source_line=1)
    full = dataclasses.replace(
        empty,
        key="b",
        entry_type="other",
        title_sentence="T",
        editors=JONES,
        online_year=2019,
        venue="V",
        publisher="P",
        volume="1",
        issue="2",
        pages="3",
        doi="10.1/x",
        pmid="9",
        url="http://x",
        abstract="A",
        keywords=("k",),
        design="cohort",
        population="police",
        findings=("F",),
        sources=("S",),
        bibtex_type="article",
        extra=(("note", "n"),),
        source_line=2,
    )
    (merged,), _ = merge_duplicates([empty, full])
    skipped = {"key", "source_file", "source_line", "flags"}
    for field in dataclasses.fields(Study):
        if field.name not in skipped:
            assert getattr(merged, field.name) == getattr(full, field.name), field.name
    assert (merged.key, merged.source_line) == ("a", 1)


def test_a_doi_learnt_through_a_title_merge_still_catches_later_copies() -> None:
    # a and b are one study by title; b brings the DOI, which c (another title) shares.
    a = study("a", 1, title="Burnout in police")
    b = study("b", 5, title="Burnout in police.", doi="10.1000/ABC")
    c = study("c", 9, title="Burnout among police officers", doi="10.1000/abc")
    kept, problems = merge_duplicates([a, b, c])
    assert [s.key for s in kept] == ["a"]
    assert kept[0].doi == "10.1000/ABC"
    assert [p.key for p in problems] == ["b", "c"]
    assert len(merge_duplicates([b, a, c])[0]) == 1  # the input order does not decide it
