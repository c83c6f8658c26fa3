"""`Storage`: what `Library` needs of its storage beyond an `IndexFolder`'s reading and
writing: catching up with newer generations, following them, a database for projects."""

from __future__ import annotations

from collections.abc import Callable

from ..database import Database
from ..index import IndexData, IndexFolder


class Storage(IndexFolder):
    """The protocol `Library` uses beyond `IndexFolder`'s (both implementations subclass it)."""

    shared: bool

    def catch_up(self, live: IndexData) -> IndexData:
        """`live`, or a newer generation that includes every committed import."""
        raise NotImplementedError

    def follow(self, apply: Callable[[], None]) -> None:
        """Call `apply` whenever a newer generation may exist (a no-op where none can)."""
        raise NotImplementedError

    def projects_database(self) -> Database:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError
