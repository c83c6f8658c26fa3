"""`evidence index` and `evidence import`: build the index, add reference files."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click

from .. import (
    ImportReport,
    IndexNotFoundError,
    Library,
    load_references,
    terminal_progress,
    to_json,
)
from .options import INDEX_OPTION, friendly, open_library


@click.command("index")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@INDEX_OPTION
@click.option(
    "--model",
    default=None,
    envvar="EVIDENCE_MODEL",
    show_envvar=True,
    help="Embedding model: a sentence-transformers name or a local folder.",
)
@friendly
def index_command(paths: tuple[Path, ...], index_dir: Path | None, model: str | None) -> None:
    """Build (or update) the search index of PATHS (.bib files or folders).

    Without PATHS, the bundled corpus/ is indexed. Passages already embedded in the
    previous index are reused, so an update embeds only what changed. The old index
    keeps serving until the new one is complete.
    """
    settings: dict[str, Any] = {}
    if index_dir:
        settings["index_dir"] = index_dir
    if model:
        settings["model"] = model
    lib = Library.build(list(paths) or None, settings=settings, progress=terminal_progress())
    print_report(lib.last_report)
    click.echo(
        f"Index written to {lib.index_dir} ({len(lib.studies)} studies, "
        f"{len(lib.passages)} passages)."
    )


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@INDEX_OPTION
@click.option("--check", is_flag=True, help="Only read the files and report; change nothing.")
@click.option("--strict", is_flag=True, help="Exit non-zero on any problem (for curated files).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@friendly
def import_command(
    files: tuple[Path, ...], index_dir: Path | None, check: bool, strict: bool, as_json: bool
) -> None:
    """Import reference FILES: BibTeX (.bib), RIS (.ris) or CSL-JSON (.json), as Zotero,
    EndNote, Mendeley, JabRef, RefWorks, Papers, BibDesk or pandoc export them.

    Each study is matched with the library's (by DOI, PMID, then title, year and first
    author): one already there adds nothing, one whose key is there with other values
    updates it, the rest are added; the report says how many of each. Every problem is
    listed with file:line and what to do; well-formed entries are always imported. Exit
    status is 0 when the files could be read (even with warnings) and 1 when nothing could.
    """
    paths = list(files)
    if strict:
        studies, report = load_references(paths)
        if report.problems:
            print_report(dataclasses.replace(report, checked=True), as_json=as_json)
            raise click.ClickException(f"{len(report.problems)} problem(s) in strict mode.")
    if check:
        library = _existing_library(index_dir)
        if library is None:  # no library yet: nothing can be in it already
            studies, report = load_references(paths)
            report = dataclasses.replace(report, checked=True)
        else:
            report = library.add_file(paths, check=True)
        print_report(report, as_json=as_json)
        if not report.studies:
            raise click.ClickException("nothing could be imported.")
        return
    lib = open_library(index_dir)
    report = lib.add_file(paths, progress=terminal_progress())
    fresh = set(report.new) | set(report.updated)
    print_report(report, sum(1 for p in lib.passages if p.study_key in fresh), as_json)
    if not as_json:
        click.echo(
            f"Library {lib.index_dir} now holds {len(lib.studies)} studies. "
            'Try `evidence show KEY` or `evidence search "..."`.'
        )


def _existing_library(index_dir: Path | None) -> Library | None:
    """The library to check an import against, or None when there is none yet."""
    try:
        return Library.open(settings={"index_dir": index_dir} if index_dir else None)
    except IndexNotFoundError:
        return None


def print_report(report: ImportReport, passages: int | None = None, as_json: bool = False) -> None:
    """The import report as text or JSON: its summary, then every problem with its line."""
    if as_json:
        click.echo(json.dumps(to_json(report, passages=passages), indent=2, ensure_ascii=False))
        return
    embedded = f" {passages} passages embedded." if passages else ""
    click.echo(report.summary() + embedded)
    if not report.problems:
        click.echo("No problems found.")
        return
    notes = len(report.problems) - len(report.errors) - len(report.warnings)
    counts = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    click.echo(counts + (f", {notes} note(s)" if notes else "") + ":")
    for problem in report.problems:
        click.echo(f"  {problem}")
