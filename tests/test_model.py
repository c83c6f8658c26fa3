"""The model's ids: passage ids round-trip, and a study key is never taken for one."""

from __future__ import annotations

import pytest

from evidence import is_passage_id, passage_id, split_passage_id


@pytest.mark.parametrize("key", ["carleton2020mental", "a-b_c.d", "key#with#hash", "x#p"])
@pytest.mark.parametrize("number", [0, 7, 123])
def test_passage_ids_round_trip(key: str, number: int) -> None:
    made = passage_id(key, number)
    assert split_passage_id(made) == (key, number) and is_passage_id(made)


@pytest.mark.parametrize("value", ["carleton2020mental", "key#", "key#p", "key#px", "#p3", ""])
def test_anything_else_is_not_a_passage_id(value: str) -> None:
    assert split_passage_id(value) == (value, None) and not is_passage_id(value)
