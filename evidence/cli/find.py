"""`evidence search` and `evidence show`: find studies, read one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from .. import Finding, Study, to_json
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
    if study.summary:
        click.echo(f"\nSummary (in our words):\n  {study.summary}")
    if study.findings:
        click.echo("\nFindings (in our words, not the authors'):")
        for finding in study.findings:
            click.echo(f"  {finding.number}. {finding.result}")
            for label, value in (("about", _about(finding)), ("context", finding.context),
                                 ("curator", finding.note)):  # fmt: skip
                if value:
                    click.echo(f"     {label}: {value}")
    if study.note:
        click.echo(f"\nCurator's note: {study.note}")
    if study.abstract:
        click.echo(f"\nAbstract:\n  {study.abstract}")


def _about(finding: Finding) -> str:
    """ "peer support → PTSD symptoms (improved)" for a structured finding."""
    if not finding.structured:
        return ""
    exposures = ", ".join(e for e in finding.exposures if e != "none")
    outcomes = ", ".join(finding.outcomes)
    about = f"{exposures} → {outcomes}" if exposures else outcomes
    return f"{about} ({finding.direction})"


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
        ("Includes", "; ".join(study.includes)),
        ("Sample", study.sample),
        ("Status", f"{study.status.state} ({study.status.checked})" if study.status.state else ""),
        ("Keywords", "; ".join(study.keywords)),
        ("Confirmed at", " ; ".join(study.sources)),
        ("Flags", ", ".join(study.flags)),
        ("From", f"{study.source_file}:{study.source_line}"),
    ]
