"""Imported studies into a library: already there adds nothing, the same key with changed
values updates, another work's key is renamed once, and a second import changes nothing."""

from __future__ import annotations

import dataclasses

import pytest

from evidence import Person, Study
from evidence.ingest.merge import Merge, different_works, updated

SMITH = (Person("Smith", "Jane"),)


def study(key: str, **fields: object) -> Study:
    defaults: dict[str, object] = {"title": "Peer support", "year": 2020, "authors": SMITH}
    return Study(key=key, **{**defaults, **fields}, source_file="lib.bib", source_line=1)  # type: ignore[arg-type]


def incoming(key: str, **fields: object) -> Study:
    return dataclasses.replace(study(key, **fields), source_file="new.ris", source_line=9)


def merged(library: list[Study], *files: list[Study]) -> Merge:
    merge = Merge.into(library)
    for found in files:
        merge.add(found)
    return merge


def test_a_study_already_there_adds_nothing() -> None:
    library = [study("a", doi="10.1/a")]
    merge = merged(library, [incoming("a", doi="10.1/a")])
    assert (merge.new, list(merge.updated), list(merge.unchanged)) == ([], [], ["a"])
    assert merge.studies == library and merge.problems == []


@pytest.mark.parametrize(
    ("library_fields", "import_fields"),
    [
        pytest.param({"doi": "10.1/a"}, {"doi": "10.1/A", "title": "Other"}, id="doi"),
        pytest.param({"pmid": "123"}, {"pmid": "123", "title": "Other"}, id="pmid"),
        pytest.param({}, {"title": "PEER SUPPORT."}, id="title-year-author"),
    ],
)
def test_the_same_work_under_another_key_is_recognised(
    library_fields: dict[str, object], import_fields: dict[str, object]
) -> None:
    merge = merged([study("a", **library_fields)], [incoming("b", **import_fields)])
    assert merge.new == [] and [s.key for s in merge.studies] == ["a"]
    assert [(p.kind, p.severity) for p in merge.problems] == [("already-in-library", "info")]
    assert "'b' is already in the library as 'a'" in merge.problems[0].message


def test_the_same_key_with_changed_values_updates_the_study() -> None:
    library = [study("a", doi="10.1/a", volume="1", design="cohort")]
    merge = merged(library, [incoming("a", doi="10.1/a", volume="2", abstract="New.")])
    [result] = merge.studies
    assert list(merge.updated) == ["a"] and not merge.unchanged
    assert (result.volume, result.abstract, result.design) == ("2", "New.", "cohort")
    assert (result.source_file, result.source_line) == ("new.ris", 9)  # where it now comes from
    again = merged(merge.studies, [incoming("a", doi="10.1/a", volume="2", abstract="New.")])
    assert list(again.unchanged) == ["a"] and again.studies == merge.studies


def test_a_title_that_differs_only_in_capitals_is_not_an_update() -> None:
    library = [study("a", title="Peer Support for PTSD", title_sentence="Peer support for PTSD")]
    merge = merged(library, [incoming("a", title="Peer support for ptsd.")])
    assert list(merge.unchanged) == ["a"] and merge.studies == library


def test_another_work_under_a_known_key_is_renamed_and_reported_once() -> None:
    library = [study("a", doi="10.1/a")]
    other = incoming("a", doi="10.9/z", title="Sleep", authors=(Person("Jones"),))
    merge = merged(library, [other])
    assert merge.new == ["a-2"] and [s.key for s in merge.studies] == ["a", "a-2"]
    [problem] = merge.problems
    assert (problem.kind, problem.key, problem.file, problem.line) == (
        "key-taken",
        "a-2",
        "new.ris",
        9,
    )
    assert (
        "already used in the library by another study ('Peer support', lib.bib)" in problem.message
    )
    again = merged(merge.studies, [other])  # the second time it is the study now under a-2
    assert list(again.unchanged) == ["a-2"] and again.problems == []  # reported once only


def test_a_match_under_another_key_only_fills_empty_fields() -> None:
    library = [study("a", doi="10.1/a", volume="1")]
    merge = merged(library, [incoming("b", doi="10.1/a", volume="2", pages="3–4")])
    [result] = merge.studies
    assert (result.key, result.volume, result.pages, result.source_file) == (
        "a",
        "1",
        "3–4",
        "lib.bib",
    )
    assert list(merge.updated) == ["a"] and "empty fields were filled" in merge.problems[0].message


def test_an_update_replaces_the_flags_of_the_fields_it_changes() -> None:
    library = [study("a", year=None, flags=("year-missing", "doi-malformed"), doi="10.1")]
    [result] = merged(library, [incoming("a", year=2021, doi="10.1")]).studies
    assert result.year == 2021 and result.flags == ("doi-malformed",)


def test_empty_values_and_other_never_erase_what_the_library_knows() -> None:
    library = [study("a", entry_type="article", abstract="Kept.", keywords=("x",))]
    assert updated(library[0], incoming("a", entry_type="other")) is None


@pytest.mark.parametrize(
    ("second", "different"),
    [
        ({"doi": "10.2/b"}, True),
        ({"pmid": "999"}, True),
        ({"title": "Sleep", "authors": (Person("Jones"),)}, True),
        ({"title": "Peer support (corrected)"}, False),  # a title fixed, same author
        ({"authors": (Person("Jones"),)}, False),  # an author fixed, same title
    ],
)
def test_when_two_studies_with_one_key_are_different_works(
    second: dict[str, object], different: bool
) -> None:
    first = study("a", doi="10.1/a", pmid="123")
    assert different_works(first, dataclasses.replace(first, **second)) is different  # type: ignore[arg-type]


def test_a_file_merged_twice_changes_nothing_the_second_time() -> None:
    library = [study("a", doi="10.1/a")]
    found = [incoming("a", doi="10.1/a", volume="3"), incoming("n", title="New", doi="10.1/n")]
    once = merged(library, found)
    twice = merged(once.studies, found)
    assert (once.new, list(once.updated)) == (["n"], ["a"])
    assert (twice.new, list(twice.updated), list(twice.unchanged)) == ([], [], ["a", "n"])
    assert twice.studies == once.studies
