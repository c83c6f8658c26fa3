"""`Filters.parse`: one vocabulary for every caller, clear errors for bad values."""

from __future__ import annotations

import pytest

from evidence import FILTER_KEYS, Filters, QueryError, Study


def test_singular_and_plural_keys_give_the_same_filters() -> None:
    one = Filters.parse({"design": "meta-analysis", "population": "police"})
    many = Filters.parse({"designs": ["meta-analysis"], "populations": ("police",)})
    assert one == many == Filters(designs=("meta-analysis",), populations=("police",))


def test_values_are_matched_without_case_and_given_their_canonical_spelling() -> None:
    parsed = Filters.parse({"population": "PARAMEDICS / ems", "entry_type": "Article"})
    assert parsed.populations == ("paramedics / EMS",) and parsed.entry_types == ("article",)


def test_years_and_has_doi_come_as_strings_from_query_strings() -> None:
    parsed = Filters.parse({"year_from": "2015", "year_to": "", "has_doi": "yes"})
    assert (parsed.year_from, parsed.year_to, parsed.has_doi) == (2015, None, True)
    assert Filters.parse({"has_doi": "0"}).has_doi is False


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"colour": "red"}, "unknown filter.*colour"),
        ({"design": "anecdote"}, "unknown design 'anecdote'; use one of: meta-analysis"),
        ({"year_from": "twenty"}, "year_from must be a year such as 2015"),
        ({"year_from": 2020, "year_to": 2010}, "year_from is after year_to; swap them"),
        ({"has_doi": "maybe"}, "has_doi must be true or false"),
    ],
)
def test_bad_values_say_what_is_wrong_and_what_to_use(value: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(QueryError, match=message):
        Filters.parse(value)


def test_every_key_of_the_vocabulary_is_accepted() -> None:
    for key in FILTER_KEYS:
        Filters.parse({key: None})


def test_allows_checks_each_condition() -> None:
    study = Study("a2018x", year=2018, design="cohort", population="police", doi="10.1/x")
    assert Filters.parse({"year_from": 2018, "design": "cohort"}).allows(study)
    assert not Filters.parse({"year_from": 2019}).allows(study)
    assert not Filters.parse({"population": "firefighters"}).allows(study)
    assert not Filters.parse({"has_doi": False}).allows(study)
    assert not Filters().active and Filters.parse({"has_doi": True}).active
