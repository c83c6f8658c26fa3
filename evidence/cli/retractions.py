"""`evidence retractions load FILE` and `evidence retractions show`: a retraction list,
offline."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .. import RetractionReport
from .options import INDEX_OPTION, friendly, open_library

# A list older than this is called out: new notices appear every week.
STALE_DAYS = 90


@click.group("retractions")
def retractions_group() -> None:
    """Check the library against a retraction list you downloaded (offline).

    Download retraction_watch.csv from Crossref's retraction-watch-data repository (the
    Retraction Watch database, published by Crossref), then load it. This program never
    downloads it. Studies, imports and drafts are then checked by DOI and PMID.
    """


@retractions_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@friendly
def load_command(file: Path, index_dir: Path | None, as_json: bool) -> None:
    """Load FILE (the Retraction Watch CSV) into the library's index folder, replacing any
    list loaded before, and list the library's studies it marks."""
    report = open_library(index_dir).load_retractions(file)
    _print(report, as_json)


@retractions_group.command("show")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@friendly
def show_command(index_dir: Path | None, as_json: bool) -> None:
    """Show the loaded list (how old it is) and the studies it marks."""
    report = open_library(index_dir).retraction_report()
    if report is None:
        raise click.ClickException(
            "no retraction list is loaded. Download retraction_watch.csv (Crossref's "
            "retraction-watch-data) and run: evidence retractions load FILE"
        )
    _print(report, as_json)


def _print(report: RetractionReport, as_json: bool) -> None:
    if as_json:
        shape = {
            "source": report.source,
            "rows": report.rows,
            "papers": report.papers,
            "newest": report.newest,
            "age_days": report.age_days,
            "matches": [
                {"key": key, "state": s.state, "date": s.date, "notice": s.notice}
                for key, s in report.matches
            ],
        }
        click.echo(json.dumps(shape, indent=2, ensure_ascii=False))
        return
    click.echo(report.summary())
    for key, status in report.matches:
        date = f" {status.date}" if status.date else ""
        notice = f"  notice {status.notice}" if status.notice else ""
        click.echo(f"  {key}: {status.state}{date}{notice}")
    if report.age_days is not None and report.age_days > STALE_DAYS:
        click.echo(
            f"The list's newest notice is {report.age_days} days old: download a fresh copy "
            "and load it again."
        )
