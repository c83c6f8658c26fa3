"""Index files: copying the kept rows of the previous generation when an import appends, and
clearing what killed writers left."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidence.index.store import _collect_garbage, _copy_lines
from evidence.text.files import write_atomic

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


def test_pointers_and_folders_of_killed_writers_are_cleared_and_live_ones_kept(
    tmp_path: Path,
) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    ).stdout.strip()  # a pid no longer running
    write_atomic(tmp_path / "CURRENT", b"gen-1\n")
    (tmp_path / "gen-1").mkdir()
    killed = [tmp_path / f".CURRENT.{gone}-0a1b.tmp", tmp_path / f".tmp-{gone}-x"]
    live = [tmp_path / f".CURRENT.{os.getpid()}-0a1b.tmp", tmp_path / f".tmp-{os.getpid()}-x"]
    for path in killed + live:
        path.mkdir() if path.name.startswith(".tmp-") else path.write_bytes(b"gen-2\n")
    _collect_garbage(tmp_path, keep=2)
    assert [p.exists() for p in killed] == [False, False]
    assert [p.exists() for p in live] == [True, True]
    assert (tmp_path / "gen-1").is_dir() and (tmp_path / "CURRENT").read_bytes() == b"gen-1\n"


def test_atomic_writes_name_their_writer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (seen.append(Path(a).name), real(a, b)))
    write_atomic(tmp_path / "CURRENT", b"x")
    assert seen and seen[0].startswith(f".CURRENT.{os.getpid()}-")
