"""Passages: ids and offsets are stable, and every passage is an exact slice of its field."""

from __future__ import annotations

from evidence import load_bibtex, passage_id
from evidence.index.passages import split_studies
from tests.conftest import DATA


def test_every_passage_is_the_exact_slice_of_its_field_and_ids_are_numbered_in_order() -> None:
    studies, _ = load_bibtex(DATA / "tiny.bib")
    passages = split_studies(studies)
    by_key = {s.key: s for s in studies}
    assert passages
    for passage in passages:
        text = by_key[passage.study_key].field_text(passage.field)
        assert text[passage.char_start : passage.char_end] == passage.text
    for key in by_key:
        own = [p for p in passages if p.study_key == key]
        assert [p.id for p in own] == [passage_id(key, n) for n in range(len(own))]


def test_splitting_again_gives_the_same_ids_and_offsets() -> None:
    studies, _ = load_bibtex(DATA / "tiny.bib")
    assert split_studies(studies) == split_studies(list(studies))
    first = split_studies(studies)
    second, _ = load_bibtex(DATA / "tiny.bib")
    assert split_studies(second) == first
