"""Atomic file writes: a temporary file beside the target, then one `os.replace`.

A reader sees the old file or the new one, never half of one; a failed write leaves no
temporary file behind.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: Path, fsync: bool = False) -> Iterator[Path]:
    """Yield a fresh temporary path beside `path` to write; on success it replaces `path`
    (after an fsync when asked), on failure it is removed. Raises OSError."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The writer's pid in the name lets a later writer tell a killed writer's leftover from a
    # live one; the suffix is kept for tools that look at it.
    temp = path.with_name(f".{path.stem}.{os.getpid()}-{uuid.uuid4().hex}.tmp{path.suffix}")
    try:
        yield temp
        if fsync:
            with open(temp, "rb") as handle:
                os.fsync(handle.fileno())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes, fsync: bool = False) -> None:
    """Write `data` to `path` atomically (created with mode "x", so the umask applies).

    Raises OSError."""
    with atomic_path(path, fsync) as temp, open(temp, "xb") as out:
        out.write(data)
