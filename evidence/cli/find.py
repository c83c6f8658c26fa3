"""`evidence search` and `evidence show`: find studies, read one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from .. import Study, to_json
from .options import INDEX_OPTION, filter_options, friendly, open_library


@click.command("search")
@click.argument("query")
@click.option("-k", "k", default=5, show_default=True, help="Number of studies to show.")
@click.option("--offset", default=0, show_default=True, help="Skip this many (paging).")
@filter_options
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly
def search_command(
    query: str,
    k: int,
    offset: int,
    filters: Mapping[str, Any],
    index_dir: Path | None,
    as_json: bool,
) -> None:
    """Search the library for QUERY (a claim or a question).

    Prints the best studies, each with its best matching passage and why it matched.
    The index is built on first use.
    """
    results = open_library(index_dir).search(query, k=k, offset=offset, filters=filters)
    if as_json:
        click.echo(json.dumps(to_json(results), indent=2, ensure_ascii=False))
        return
    for note in results.notes:
        click.echo(f"Note: {note}")
    if not results:
        click.echo("No results. Try fewer words, or a broader claim.")
        return
    click.echo(f"{results.total} matching studies; showing {offset + 1}-{offset + len(results)}.\n")
    for hit in results:
        study = hit.study
        click.echo(f"{hit.rank}. {study.title} ({_authors(study)}, {study.year or 'n.d.'})")
        meta = [
            m
            for m in (study.design, study.population, f"doi:{study.doi}" if study.doi else "")
            if m
        ]
        click.echo(f"   [{study.key}] " + " · ".join(meta))
        if hit.passages:
            best = hit.passages[0]
            click.echo(f"   \u201c{_mark(best.passage.text, best.highlights)}\u201d")
        why = ", ".join(f"{name} #{rank}" for name, rank in hit.ranks.items())
        click.echo(f"   score {hit.score:.2f} ({why})\n")


def _mark(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(click.style(text[start:end], bold=True))
        last = end
    out.append(text[last:])
    return "".join(out)


def _authors(study: Study) -> str:
    names = [a.family for a in study.authors]
    if not names:
        return "no author"
    if len(names) > 2:
        return f"{names[0]} et al."
    return " & ".join(names)


@click.command("show")
@click.argument("key")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly
def show_command(key: str, index_dir: Path | None, as_json: bool) -> None:
    """Show one study in full: metadata, findings, passages."""
    study = open_library(index_dir).study(key)
    if as_json:
        click.echo(json.dumps(to_json(study), indent=2, ensure_ascii=False))
        return
    click.echo(f"{study.title}\n")
    for name, value in _rows(study):
        if value:
            click.echo(f"{name:>20}: {value}")
    if study.findings:
        click.echo("\nFindings:")
        for finding in study.findings:
            click.echo(f"  - {finding}")
    if study.abstract:
        click.echo(f"\nAbstract:\n  {study.abstract}")


def _rows(study: Study) -> list[tuple[str, str]]:
    issue = f"({study.issue})" if study.issue else ""
    return [
        ("Key", study.key),
        ("Type", study.entry_type),
        ("Authors", "; ".join(a.sort_name() for a in study.authors)),
        ("Year", str(study.year or "n.d.")),
        ("Venue", study.venue),
        ("Volume/issue/pages", " ".join(x for x in (study.volume, issue, study.pages) if x)),
        ("DOI", study.doi),
        ("PMID", study.pmid),
        ("URL", study.url),
        ("Design", study.design),
        ("Population", study.population),
        ("Keywords", "; ".join(study.keywords)),
        ("Confirmed at", " ; ".join(study.sources)),
        ("Flags", ", ".join(study.flags)),
        ("From", f"{study.source_file}:{study.source_line}"),
    ]
