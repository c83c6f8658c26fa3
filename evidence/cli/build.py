"""`evidence index` and `evidence import`: build the index, add BibTeX files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .. import ImportReport, Library, load_bibtex, terminal_progress, to_json
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
    print_report(lib.last_report, len(lib.studies), len(lib.passages))
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
    """Import BibTeX FILES (Zotero, JabRef, Mendeley, BibDesk, EndNote exports).

    Every problem is listed with file:line and what to do; well-formed entries are always
    imported. Exit status is 0 when something was imported (even with warnings) and 1 when
    nothing could be read.
    """
    studies, report = load_bibtex(list(files))
    if strict and report.problems:
        print_report(report, len(studies), None, as_json, checked=True)
        raise click.ClickException(f"{len(report.problems)} problem(s) in strict mode.")
    if not studies:
        print_report(report, 0, 0, as_json, checked=True)
        raise click.ClickException("nothing could be imported.")
    if check:
        print_report(report, len(studies), None, as_json, checked=True)
        return
    lib = open_library(index_dir)
    report = lib.add_bibtex(list(files), progress=terminal_progress())
    imported = {
        s.key for s in lib.studies if s.source_file and "imports" in Path(s.source_file).parts
    }
    passages = sum(1 for p in lib.passages if p.study_key in imported)
    print_report(report, report.studies, passages, as_json)
    if not as_json:
        click.echo(
            f"Library {lib.index_dir} now holds {len(lib.studies)} studies. "
            'Try `evidence show KEY` or `evidence search "..."`.'
        )


def print_report(
    report: ImportReport,
    studies: int,
    passages: int | None,
    as_json: bool = False,
    checked: bool = False,
) -> None:
    """The import report as text or JSON; `checked` when nothing was changed."""
    if as_json:
        shape = to_json(report, passages=passages)
        shape["studies"] = studies
        click.echo(json.dumps(shape, indent=2, ensure_ascii=False))
        return
    counted = f"{studies} studies" + (f", {passages} passages" if passages is not None else "")
    verb = "Would import" if checked else "Imported"
    click.echo(f"{verb} {counted} from {len(report.files)} file(s).")
    if not report.problems:
        click.echo("No problems found.")
        return
    click.echo(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s):")
    for problem in report.problems:
        click.echo(f"  {problem}")
