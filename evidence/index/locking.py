"""A file lock per index folder, so two writers (imports, rebuilds) never interleave."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import LockTimeoutError

LOCK_TIMEOUT_S = 600.0


@contextmanager
def index_lock(index_dir: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold ``index_dir/.lock`` exclusively.

    Raises LockTimeoutError after `timeout` seconds, and IndexFormatError when the folder
    cannot be written (read-only, disk full): nothing has been changed then.
    """
    from filelock import FileLock, Timeout

    from .store import cannot_write

    lock = FileLock(str(index_dir / ".lock"))
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=timeout)
    except Timeout:
        raise LockTimeoutError(
            f"another process has held {index_dir}/.lock for {timeout:.0f} s (an import or a "
            "rebuild). Wait for it to finish, or stop it and try again."
        ) from None
    except OSError as exc:
        raise cannot_write(index_dir, str(exc.strerror or exc)) from None
    try:
        yield
    finally:
        lock.release()
