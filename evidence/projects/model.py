"""A project's value objects: the project, its items, its recorded changes, and an access."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Rights = Literal["read", "edit"]
RIGHTS: tuple[Rights, ...] = ("read", "edit")
# The parts of a project a version check guards (items are last-writer-wins, one by one).
FIELDS = ("name", "notes", "style", "proposal")


@dataclass(frozen=True, slots=True)
class ProjectItem:
    """A chosen passage (``key#pN``) or study (its key), with a note and who added it."""

    item: str
    note: str
    added_by: str
    added_at: str  # ISO 8601, UTC


@dataclass(frozen=True, slots=True)
class ProjectChange:
    """One recorded change: the project's version it made, what, by whom and when."""

    version: int
    field: str  # "items", "notes", "name", "style", "proposal", "created", "shared"
    summary: str
    changed_by: str
    changed_at: str


@dataclass(frozen=True, slots=True)
class Project:
    """A named, server-side collection shared by link or token.

    `version` rises with every change; `proposal` holds a proposal draft's choices
    (template, population, sections, questions, title, organisation, author)."""

    id: str
    name: str
    style: str
    notes: str
    proposal: dict[str, Any] = field(hash=False)
    version: int
    created_by: str
    created_at: str
    updated_by: str
    updated_at: str
    items: tuple[ProjectItem, ...] = ()

    @property
    def item_ids(self) -> list[str]:
        return [i.item for i in self.items]


@dataclass(frozen=True, slots=True)
class ProjectAccess:
    """What a token opens: which project, with which rights."""

    project_id: str
    rights: Rights

    @property
    def can_edit(self) -> bool:
        return self.rights == "edit"
