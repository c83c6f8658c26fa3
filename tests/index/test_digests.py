"""File digests, remembered by (path, size, mtime) in the cache folder."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from evidence.index.digests import file_sha256


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"model weights", id="small"),
        pytest.param(bytes(range(256)) * 9000, id="larger-than-one-read-block"),
    ],
)
def test_digest_is_hashlibs_with_and_without_a_memo(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "model.safetensors"
    path.write_bytes(data)
    assert file_sha256(path) == sha256(data)
    assert file_sha256(path, tmp_path / "cache") == sha256(data)  # computed
    assert file_sha256(path, tmp_path / "cache") == sha256(data)  # remembered


def test_the_memo_records_path_size_mtime_and_digest(tmp_path: Path) -> None:
    path = tmp_path / "weights.bin"
    path.write_bytes(b"abc")
    file_sha256(path, tmp_path / "cache")
    memo = json.loads((tmp_path / "cache" / "digests.json").read_text())
    stat = path.stat()
    assert memo == {str(path.resolve()): [3, stat.st_mtime_ns, sha256(b"abc")]}


def test_without_a_cache_folder_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "weights.bin"
    path.write_bytes(b"abc")
    file_sha256(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights.bin"]


def test_an_unchanged_file_is_answered_from_the_memo(tmp_path: Path) -> None:
    path, cache = tmp_path / "weights.bin", tmp_path / "cache"
    path.write_bytes(b"abc")
    file_sha256(path, cache)
    # Plant a different digest for the same (size, mtime): it is returned, so the file
    # was not read again.
    memo_path = cache / "digests.json"
    memo = json.loads(memo_path.read_text())
    memo[str(path.resolve())][2] = "0" * 64
    memo_path.write_text(json.dumps(memo))
    assert file_sha256(path, cache) == "0" * 64


def test_a_file_of_another_size_is_hashed_again(tmp_path: Path) -> None:
    path, cache = tmp_path / "weights.bin", tmp_path / "cache"
    path.write_bytes(b"abc")
    stat = path.stat()
    assert file_sha256(path, cache) == sha256(b"abc")
    path.write_bytes(b"abcd")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime, other size
    assert file_sha256(path, cache) == sha256(b"abcd")
    assert file_sha256(path, cache) == sha256(b"abcd")


def test_a_file_with_another_mtime_is_hashed_again(tmp_path: Path) -> None:
    path, cache = tmp_path / "weights.bin", tmp_path / "cache"
    path.write_bytes(b"abc")
    stat = path.stat()
    assert file_sha256(path, cache) == sha256(b"abc")
    path.write_bytes(b"xyz")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert file_sha256(path, cache) == sha256(b"xyz")
    memo = json.loads((cache / "digests.json").read_text())
    assert memo[str(path.resolve())] == [3, stat.st_mtime_ns + 1_000_000_000, sha256(b"xyz")]


def test_the_memo_keeps_one_entry_per_file(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for name in ("a.bin", "b.bin"):
        (tmp_path / name).write_bytes(name.encode())
        file_sha256(tmp_path / name, cache)
    memo = json.loads((cache / "digests.json").read_text())
    assert {Path(key).name: entry[2] for key, entry in memo.items()} == {
        "a.bin": sha256(b"a.bin"),
        "b.bin": sha256(b"b.bin"),
    }


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"truncated": '])
def test_a_damaged_memo_is_ignored_and_rewritten(tmp_path: Path, content: str) -> None:
    path, cache = tmp_path / "weights.bin", tmp_path / "cache"
    path.write_bytes(b"abc")
    cache.mkdir()
    (cache / "digests.json").write_text(content)
    assert file_sha256(path, cache) == sha256(b"abc")
    memo = json.loads((cache / "digests.json").read_text())
    assert memo[str(path.resolve())][2] == sha256(b"abc")


def test_a_missing_file_raises_oserror(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        file_sha256(tmp_path / "absent.bin", tmp_path / "cache")
