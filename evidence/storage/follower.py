"""`Follower`: a thread that keeps a server's local index up to date with the database.

It LISTENs on the library's channel (every committed import NOTIFYs it) and also asks
every `poll_seconds`, so a lost notification (a dropped connection, a database restart)
delays an update by at most one poll. When the database cannot be reached it reconnects
with backoff (0.5 s, doubling, at most 10 s); searches keep answering from the local
index meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from .records import CHANNEL

log = logging.getLogger(__name__)
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 10.0


class Follower:
    """Calls `apply` after each notification, each poll, and each reconnection."""

    def __init__(self, connect: Callable[[], Any], apply: Callable[[], None], poll: float) -> None:
        self._connect = connect
        self._apply = apply
        self._poll = poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="evidence-follower", daemon=True)
        self.applied = 0  # calls of `apply` that returned (for tests and health)
        self.connected = False

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        backoff = BACKOFF_FIRST
        while not self._stop.is_set():
            try:
                with self._connect() as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.connected = True
                    backoff = BACKOFF_FIRST
                    self._step()  # whatever was committed while we were away
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=self._poll, stop_after=1):
                            pass
                        self._step()
            except Exception as exc:  # a lost connection, or an update that failed
                self.connected = False
                if self._stop.is_set():
                    break
                log.warning("following the database: %s; retrying in %.1f s", exc, backoff)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)

    def _step(self) -> None:
        self._apply()
        self.applied += 1
