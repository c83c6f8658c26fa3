"""Index files: copying the kept rows of the previous generation when an import appends."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence.index.store import _copy_lines

LINES = st.lists(st.binary(max_size=3000).map(lambda b: b.replace(b"\n", b"") + b"\n"))


@given(lines=LINES, data=st.data())
def test_copy_lines_copies_exactly_the_first_lines(lines: list[bytes], data: st.DataObject) -> None:
    count = data.draw(st.integers(0, len(lines)))
    out = io.BytesIO()
    _copy_lines(io.BytesIO(b"".join(lines)), out, count, Path("rows.jsonl"))
    assert out.getvalue() == b"".join(lines[:count])


def test_copy_lines_across_blocks_and_a_short_file() -> None:
    lines = [b"%06d" % i + b"y" * 700 + b"\n" for i in range(5000)]  # ~3.5 MB: several blocks
    out = io.BytesIO()
    _copy_lines(io.BytesIO(b"".join(lines)), out, 4321, Path("rows.jsonl"))
    assert out.getvalue() == b"".join(lines[:4321])
    with pytest.raises(OSError, match="shorter than its manifest"):
        _copy_lines(io.BytesIO(b"a\nb\n"), io.BytesIO(), 3, Path("rows.jsonl"))
