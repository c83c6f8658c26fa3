"""A time limit for long work on untrusted input (a draft to audit, points to draft).

`time_limit(seconds)` sets a deadline for the current thread's work; loops over input
call `check_time()`, which raises TimeLimitError once it has passed, so a request that
would run for minutes stops with a clear message instead of holding a worker.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from ..errors import TimeLimitError

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("evidence_deadline", default=None)


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Work inside may take at most `seconds` (checked by `check_time`)."""
    token = _DEADLINE.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining_time() -> float | None:
    """Seconds left under the current time limit (0 when past), or None without one."""
    current = _DEADLINE.get()
    return None if current is None else max(0.0, current[0] - time.monotonic())


def check_time() -> None:
    """Raise TimeLimitError when the current time limit has passed (no-op without one)."""
    current = _DEADLINE.get()
    if current is not None and time.monotonic() > current[0]:
        raise TimeLimitError(
            f"this took longer than the {current[1]:g} s this server allows; try a shorter "
            "draft, or fewer items at once."
        )
