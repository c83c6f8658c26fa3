"""`evidence project …` (shared projects) and `evidence database …` (the shared library's
PostgreSQL): thin commands over `Library.projects` and the database functions."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import click

from .. import (
    STYLES,
    Project,
    Settings,
    SettingsError,
    TalkingPoint,
    database_status,
    migrate_database,
)
from .options import INDEX_OPTION, check_output, friendly, open_library, write_or_print

BY_OPTION = click.option(
    "--by",
    default=None,
    help="Who makes the change (recorded with it) [default: the author setting, else your "
    "login name].",
)


def _by(value: str | None) -> str:
    return value or Settings.resolve().author or getpass.getuser()


def _print(project: Project) -> None:
    click.echo(
        f"{project.name}  (id {project.id}, version {project.version}, style {project.style})"
    )
    click.echo(f"  changed by {project.updated_by} at {project.updated_at}")
    for item in project.items:
        note = f"  — {item.note}" if item.note else ""
        click.echo(f"  {item.item}  (added by {item.added_by}){note}")
    if project.notes:
        click.echo(f"Notes:\n  {project.notes}")


@click.group("project")
def project_group() -> None:
    """Shared projects: chosen findings and studies, notes, a proposal's choices, a style.

    \b
    evidence project create "Peer support proposal" --item carleton2020mental#p1 --by Ana
    evidence project share ID --rights read      a token; the link is /p/TOKEN on the server
    evidence project export ID --format docx -o points.docx
    """


@project_group.command("create")
@click.argument("name")
@click.option("--item", "items", multiple=True, help="A passage id (KEY#pN) or study key.")
@click.option("--style", type=click.Choice(STYLES), default="apa", help="Citation style.")
@BY_OPTION
@INDEX_OPTION
@friendly
def create_command(name: str, items: tuple[str, ...], style: str, by: str | None,
                   index_dir: Path | None) -> None:  # fmt: skip
    """Create project NAME; prints its id and an edit token (shown once)."""
    project, token = open_library(index_dir).projects.create(name, _by(by), items, style)
    _print(project)
    click.echo(f"Edit token (shown once; the share link is /p/{token} on the server): {token}")


@project_group.command("list")
@INDEX_OPTION
@friendly
def list_command(index_dir: Path | None) -> None:
    """List every project of the library, most recently changed first."""
    for project in open_library(index_dir).projects.all():
        click.echo(f"{project.id}  {project.name}  (v{project.version}, {project.updated_at})")


@project_group.command("show")
@click.argument("project_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@INDEX_OPTION
@friendly
def show_command(project_id: str, as_json: bool, index_dir: Path | None) -> None:
    """Show a project's items, notes and latest changes."""
    projects = open_library(index_dir).projects
    project, history = projects.get(project_id), projects.history(project_id, 20)
    if as_json:
        shape = {"id": project.id, "name": project.name, "style": project.style,
                 "notes": project.notes, "proposal": project.proposal,
                 "version": project.version, "items": project.item_ids,
                 "history": [[c.version, c.field, c.summary, c.changed_by, c.changed_at]
                             for c in history]}  # fmt: skip
        click.echo(json.dumps(shape, indent=2, ensure_ascii=False))
        return
    _print(project)
    click.echo("Changes:")
    for change in history:
        click.echo(f"  v{change.version} {change.changed_at} {change.changed_by}: {change.summary}")


@project_group.command("add")
@click.argument("project_id")
@click.argument("items", nargs=-1, required=True)
@BY_OPTION
@INDEX_OPTION
@friendly
def add_command(project_id: str, items: tuple[str, ...], by: str | None,
                index_dir: Path | None) -> None:  # fmt: skip
    """Add ITEMS (passage ids KEY#pN or study keys) to a project."""
    _print(open_library(index_dir).projects.change_items(project_id, _by(by), add=items))


@project_group.command("remove")
@click.argument("project_id")
@click.argument("items", nargs=-1, required=True)
@BY_OPTION
@INDEX_OPTION
@friendly
def remove_command(project_id: str, items: tuple[str, ...], by: str | None,
                   index_dir: Path | None) -> None:  # fmt: skip
    """Remove ITEMS from a project."""
    _print(open_library(index_dir).projects.change_items(project_id, _by(by), remove=items))


@project_group.command("notes")
@click.argument("project_id")
@click.argument("text")
@click.option("--version", type=int, default=None, help="Fail if the notes changed after it.")
@BY_OPTION
@INDEX_OPTION
@friendly
def notes_command(project_id: str, text: str, version: int | None, by: str | None,
                  index_dir: Path | None) -> None:  # fmt: skip
    """Replace a project's notes with TEXT."""
    library = open_library(index_dir)
    _print(library.projects.update(project_id, _by(by), since=version, notes=text))


@project_group.command("share")
@click.argument("project_id")
@click.option("--rights", type=click.Choice(["read", "edit"]), default="read", show_default=True)
@BY_OPTION
@INDEX_OPTION
@friendly
def share_command(project_id: str, rights: str, by: str | None, index_dir: Path | None) -> None:
    """Make a new token with read or edit rights (shown once)."""
    token = open_library(index_dir).projects.share(project_id, rights, _by(by))
    click.echo(f"{rights} token (shown once; the link is /p/{token} on the server): {token}")


@project_group.command("export")
@click.argument("project_id")
@click.option("--format", "fmt", default="md", show_default=True, help="md, docx, pptx, …")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
@INDEX_OPTION
@friendly
def export_command(project_id: str, fmt: str, output: Path | None, index_dir: Path | None) -> None:
    """Export a project's items as talking points with references, in its style."""
    check_output(fmt, output)
    library = open_library(index_dir)
    project = library.projects.get(project_id)
    passages = [i for i in project.item_ids if "#" in i]
    points = library.talking_points(passage_ids=passages, style=project.style) if passages else []
    items: list[TalkingPoint | str] = [*points, *(i for i in project.item_ids if "#" not in i)]
    data = library.export(items, fmt, output, style=project.style, title=project.name)
    write_or_print(data, output, f"project {project.name}")


@click.group("database")
def database_group() -> None:
    """The PostgreSQL database several servers share (EVIDENCE_DATABASE_URL)."""


def _url() -> str:
    url = Settings.resolve().database_url
    if not url:
        raise SettingsError(
            "EVIDENCE_DATABASE_URL is not set: this library runs on one machine (projects in "
            "the index folder's projects.sqlite3). Set it to postgresql://… to share one."
        )
    return url


@database_group.command("status")
@friendly
def status_command() -> None:
    """Show the database's schema version, generation and how much it holds."""
    for name, value in database_status(_url()).items():
        click.echo(f"{name}: {value}")


@database_group.command("migrate")
@friendly
def migrate_command() -> None:
    """Bring the database's schema up to date (servers also do it when they start)."""
    click.echo(f"The database is at schema version {migrate_database(_url())}.")
