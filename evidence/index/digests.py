"""sha256 of large files, remembered by (path, size, mtime) so a start-up does not re-read
90 MB of model weights every time. The memo lives in the cache folder; a changed file
(other size or mtime) is hashed again."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from ..text.files import write_atomic

_lock = threading.Lock()


def file_sha256(path: Path, cache_dir: Path | None = None) -> str:
    """Hex sha256 of `path`'s bytes, from the memo in `cache_dir` when still valid."""
    stat = path.stat()
    stamp = [stat.st_size, stat.st_mtime_ns]
    memo_path = cache_dir / "digests.json" if cache_dir else None
    memo = _read(memo_path)
    entry = memo.get(str(path.resolve()))
    if entry and entry[:2] == stamp:
        return str(entry[2])
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    value = digest.hexdigest()
    if memo_path is not None:
        with _lock:
            memo = _read(memo_path)
            memo[str(path.resolve())] = [*stamp, value]
            _write(memo_path, memo)
    return value


def _read(path: Path | None) -> dict[str, list[object]]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(path: Path, memo: dict[str, list[object]]) -> None:
    """Best effort: a read-only cache folder only costs the re-hash next time."""
    try:
        write_atomic(path, json.dumps(memo).encode())
    except OSError:
        pass
