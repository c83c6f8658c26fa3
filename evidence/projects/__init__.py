"""Projects: named, shared collections of passages and studies, with notes, a proposal
draft's choices and a citation style, kept on the server.

In: a `Database` (SQLite on one machine, PostgreSQL when servers share a library) and a
check that an item is in the library. Out: `Projects` (create, open by token, change,
share, history), `Project` value objects. Every change records who and when; access is by
random tokens stored hashed, with read or edit rights.
"""

from .model import Project, ProjectAccess, ProjectChange
from .service import Projects

__all__ = ["Project", "ProjectAccess", "ProjectChange", "Projects"]
