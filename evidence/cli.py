"""The `evidence` command: a thin wrapper over `evidence.Library`.

Library errors become ``Error: ...`` with exit code 1; bad input inside files is
reported, not fatal. Every command has --help.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from .cite.citer import STYLES
from .errors import EvidenceError
from .export.files import EXPORT_FORMATS
from .export.shapes import problem_to_dict
from .model import DESIGNS, ENTRY_TYPES, POPULATIONS, ImportReport, Study
from .version import __version__

F = TypeVar("F", bound=Callable[..., Any])

INDEX_OPTION = click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    envvar="EVIDENCE_INDEX",
    show_envvar=True,
    help="Index folder [default: index/ of the project].",
)


def friendly(func: F) -> F:
    """Turn EvidenceError into a clean `Error: ...` message (exit 1)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except EvidenceError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="evidence")
def main() -> None:
    """Find the studies, and the exact passages, that support a claim; cite them.

    \b
    Quick start:
      evidence index                          build the index of the bundled corpus
      evidence search "peer support reduces PTSD in firefighters"
      evidence show carleton2020mental        one study in full
      evidence import my-library.bib          add your own BibTeX (Zotero, JabRef, ...)
      evidence audit proposal.docx            check a draft's citations and claims
      evidence points "peer support and PTSD" --format docx -o points.docx
      evidence proposal peer-support-program -o proposal.docx
      evidence cite carleton2020mental --style vancouver
      evidence serve                          the web UI on http://127.0.0.1:5000
    """


def _library(index_dir: Path | None, build_if_missing: bool = True):  # type: ignore[no-untyped-def]
    from .index.build import terminal_progress
    from .library import Library

    settings = {"index_dir": index_dir} if index_dir else None
    if build_if_missing:
        return Library.open_or_build(settings=settings, progress=terminal_progress())
    return Library.open(settings=settings)


@main.command("index")
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
    from .index.build import terminal_progress
    from .library import Library

    settings: dict[str, Any] = {}
    if index_dir:
        settings["index_dir"] = index_dir
    if model:
        settings["model"] = model
    lib = Library.build(list(paths) or None, settings=settings, progress=terminal_progress())
    _print_report(lib.last_report, len(lib.studies), len(lib.passages))
    click.echo(
        f"Index written to {lib.index_dir} ({len(lib.studies)} studies, "
        f"{len(lib.passages)} passages)."
    )


@main.command("import")
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
    from .index.passages import split_studies
    from .ingest.parse import load_bibtex

    studies, report = load_bibtex(list(files))
    if strict and report.problems:
        _print_report(report, len(studies), None, as_json)
        raise click.ClickException(f"{len(report.problems)} problem(s) in strict mode.")
    if not studies:
        _print_report(report, 0, 0, as_json)
        raise click.ClickException("nothing could be imported.")
    if check:
        _print_report(report, len(studies), len(split_studies(studies)), as_json)
        return
    from .index.build import terminal_progress

    lib = _library(index_dir)
    report = lib.add_bibtex(list(files), progress=terminal_progress())
    imported = {
        s.key for s in lib.studies if s.source_file and "imports" in Path(s.source_file).parts
    }
    passages = sum(1 for p in lib.passages if p.study_key in imported)
    _print_report(report, report.studies, passages, as_json)
    if not as_json:
        click.echo(
            f"Library {lib.index_dir} now holds {len(lib.studies)} studies. "
            'Try `evidence show KEY` or `evidence search "..."`.'
        )


def _print_report(
    report: ImportReport, studies: int, passages: int | None, as_json: bool = False
) -> None:
    if as_json:
        click.echo(
            json.dumps(
                {
                    "files": list(report.files),
                    "studies": studies,
                    "passages": passages,
                    "problems": [problem_to_dict(p) for p in report.problems],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    counted = f"{studies} studies" + (f", {passages} passages" if passages is not None else "")
    click.echo(f"Imported {counted} from {len(report.files)} file(s).")
    if not report.problems:
        click.echo("No problems found.")
        return
    click.echo(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s):")
    for problem in report.problems:
        click.echo(f"  {problem}")


FILTERS = [
    click.option("--year-from", type=int, help="Only studies from this year on."),
    click.option("--year-to", type=int, help="Only studies up to this year."),
    click.option(
        "--design",
        multiple=True,
        type=click.Choice(DESIGNS, case_sensitive=False),
        help="Only this study design (repeatable).",
    ),
    click.option(
        "--population",
        multiple=True,
        type=click.Choice(POPULATIONS, case_sensitive=False),
        help="Only this population (repeatable).",
    ),
    click.option(
        "--type",
        "entry_type",
        multiple=True,
        type=click.Choice(ENTRY_TYPES, case_sensitive=False),
        help="Only this entry type.",
    ),
    click.option("--has-doi/--no-doi", default=None, help="Only studies with (or without) a DOI."),
]


def _filters(
    year_from: int | None,
    year_to: int | None,
    designs: tuple[str, ...],
    populations: tuple[str, ...],
    entry_types: tuple[str, ...],
    has_doi: bool | None,
) -> dict[str, Any]:
    """The filter options as `Library.search` takes them."""
    return {
        "year_from": year_from,
        "year_to": year_to,
        "designs": designs,
        "populations": populations,
        "entry_types": entry_types,
        "has_doi": has_doi,
    }


def filter_options(func: F) -> F:
    for option in reversed(FILTERS):
        func = option(func)
    return func


@main.command("search")
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
    year_from: int | None,
    year_to: int | None,
    design: tuple[str, ...],
    population: tuple[str, ...],
    entry_type: tuple[str, ...],
    has_doi: bool | None,
    index_dir: Path | None,
    as_json: bool,
) -> None:
    """Search the library for QUERY (a claim or a question).

    Prints the best studies, each with its best matching passage and why it matched.
    The index is built on first use.
    """
    from .export.shapes import hit_to_dict

    lib = _library(index_dir)
    filters = _filters(year_from, year_to, design, population, entry_type, has_doi)
    results = lib.search(query, k=k, offset=offset, filters=filters)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "query": results.query,
                    "total": results.total,
                    "offset": results.offset,
                    "notes": list(results.notes),
                    "hits": [hit_to_dict(h) for h in results],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
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
        if hit.passage is not None:
            click.echo(
                f"   \u201c{_mark(hit.passages[0].passage.text, hit.passages[0].highlights)}\u201d"
            )
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


@main.command("show")
@click.argument("key")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@friendly
def show_command(key: str, index_dir: Path | None, as_json: bool) -> None:
    """Show one study in full: metadata, findings, passages."""
    from .export.shapes import study_to_json

    lib = _library(index_dir)
    study = lib.study(key)
    if as_json:
        click.echo(json.dumps(study_to_json(study), indent=2, ensure_ascii=False))
        return
    click.echo(f"{study.title}\n")
    rows = [
        ("Key", study.key),
        ("Type", study.entry_type),
        ("Authors", "; ".join(a.sort_name() for a in study.authors)),
        ("Year", str(study.year or "n.d.")),
        ("Venue", study.venue),
        (
            "Volume/issue/pages",
            " ".join(
                x
                for x in (study.volume, f"({study.issue})" if study.issue else "", study.pages)
                if x
            ),
        ),
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
    for name, value in rows:
        if value:
            click.echo(f"{name:>20}: {value}")
    if study.findings:
        click.echo("\nFindings:")
        for finding in study.findings:
            click.echo(f"  - {finding}")
    if study.abstract:
        click.echo(f"\nAbstract:\n  {study.abstract}")


@main.command("audit")
@click.argument("draft", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "md"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@INDEX_OPTION
@friendly
def audit_command(draft: Path, fmt: str, index_dir: Path | None) -> None:
    """Check DRAFT's citations (.txt, .md or .docx) against its reference list and the library.

    Reports citations with a wrong or malformed year, names missing from the reference list,
    references never cited, DOIs cut short, details that differ from the library, studies
    whose population or design does not fit the claim, and empirical claims with no citation
    (with library passages to consider). Nothing in the draft is changed. Exit status is 0
    whatever is found, and 1 only when DRAFT cannot be read.
    """
    from dataclasses import replace

    from .audit.auditor import render
    from .audit.reading import load_draft

    text, source = load_draft(draft)  # read first: an unreadable draft fails before any indexing
    report = replace(_library(index_dir).audit(text), source=source)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render(report, fmt), nl=False)


STYLE_OPTION = click.option(
    "--style",
    type=click.Choice(STYLES, case_sensitive=False),
    default=None,
    help="Citation style [default: the citation_style setting, apa].",
)


def _write_or_print(data: bytes, output: Path | None, what: str) -> None:
    if output is not None:
        click.echo(f"Wrote {what} to {output}.", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)


def _check_output(fmt: str, output: Path | None) -> None:
    if fmt in ("docx", "pptx") and output is None:
        raise click.UsageError(f"--format {fmt} is a binary file: give -o FILE.")


@main.command("points")
@click.argument("query")
@click.option("-k", "k", default=5, show_default=True, help="Number of talking points.")
@STYLE_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default="md",
    show_default=True,
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (needed for docx and pptx) instead of printing.",
)
@click.option(
    "--citekeys",
    is_flag=True,
    help="Markdown with pandoc [@key] citations; CSL-JSON and CSL files beside -o FILE.",
)
@filter_options
@INDEX_OPTION
@friendly
def points_command(
    query: str,
    k: int,
    style: str | None,
    fmt: str,
    output: Path | None,
    citekeys: bool,
    year_from: int | None,
    year_to: int | None,
    design: tuple[str, ...],
    population: tuple[str, ...],
    entry_type: tuple[str, ...],
    has_doi: bool | None,
    index_dir: Path | None,
) -> None:
    """Talking points for QUERY, each quoting its study exactly, with its in-text citation,
    design and population, and the reference list.

    Points are ranked by relevance, then by strength of design; points that say the same
    thing are merged; weak or off-population evidence is flagged.
    """
    _check_output(fmt, output)
    lib = _library(index_dir)
    style = style or lib.settings.citation_style
    filters = _filters(year_from, year_to, design, population, entry_type, has_doi)
    points = lib.talking_points(query, k=k, style=style, filters=filters)
    if not points:
        click.echo("No talking points: no study matched. Try fewer or more general words.")
        return
    data = lib.export(
        points, fmt, path=output, style=style, title=f"Talking points: {query}", citekeys=citekeys
    )
    _write_or_print(data, output, f"{len(points)} talking points")


@main.command("proposal")
@click.argument("template", required=False)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file; its suffix (.docx, .md, .html, .pptx) sets the format.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("md", "docx", "pptx", "html")),
    default=None,
    help="Output format [default: from -o's suffix, else md].",
)
@STYLE_OPTION
@click.option("--list", "list_templates", is_flag=True, help="List the bundled templates.")
@INDEX_OPTION
@friendly
def proposal_command(
    template: str | None,
    output: Path | None,
    fmt: str | None,
    style: str | None,
    list_templates: bool,
    index_dir: Path | None,
) -> None:
    """Draft a proposal from TEMPLATE (a bundled name or your own .toml copy): talking points
    for each section and one reference list.

    Copy a bundled template (see --list; they are in evidence/templates/) to change its
    sections, queries and point budgets.
    """
    from .points.proposal import TEMPLATES_DIR
    from .points.proposal import list_templates as bundled

    if list_templates or not template:
        for name in bundled():
            click.echo(f"{name}\t{TEMPLATES_DIR / (name + '.toml')}")
        if not list_templates:
            raise click.UsageError("give a TEMPLATE (one of the above, or a .toml file).")
        return
    suffix = output.suffix.lower().lstrip(".") if output else ""
    fmt = fmt or (suffix if suffix in ("md", "docx", "pptx", "html") else "md")
    _check_output(fmt, output)
    lib = _library(index_dir)
    proposal = lib.proposal(template, style=style or lib.settings.citation_style)
    data = lib.export(proposal, fmt, path=output, style=proposal.style)
    _write_or_print(data, output, f"a proposal of {len(proposal.points)} talking points")


@main.command("cite")
@click.argument("keys", nargs=-1, required=True)
@STYLE_OPTION
@click.option("--narrative", is_flag=True, help='Narrative form: "Carleton et al. (2020)".')
@click.option("--no-references", is_flag=True, help="Print only the in-text citation.")
@INDEX_OPTION
@friendly
def cite_command(
    keys: tuple[str, ...],
    style: str | None,
    narrative: bool,
    no_references: bool,
    index_dir: Path | None,
) -> None:
    """The in-text citation of KEYS (cited together) and their reference list.

    Keys not in the library are left out and named on stderr; they are never cited.
    """
    lib = _library(index_dir)
    style = style or lib.settings.citation_style
    known = {s.key for s in lib.studies}
    unknown = [k for k in keys if k not in known]
    if unknown:
        click.echo(f"Note: not in the library, not cited: {', '.join(unknown)}", err=True)
    if len(unknown) == len(keys):
        raise click.ClickException("none of the keys is in the library; try `evidence search`.")
    cited = [k for k in keys if k in known]
    click.echo(lib.cite(cited, style=style, narrative=narrative))
    if not no_references:
        click.echo("")
        for reference in lib.references(cited, style=style):
            click.echo(reference.text)


@main.command("serve")
@click.option(
    "--host",
    default=None,
    envvar="EVIDENCE_HOST",
    show_envvar=True,
    help="Address to listen on [default: 127.0.0.1].",
)
@click.option(
    "--port",
    default=None,
    type=int,
    envvar="EVIDENCE_PORT",
    show_envvar=True,
    help="Port [default: 5000].",
)
@INDEX_OPTION
@friendly
def serve_command(host: str | None, port: int | None, index_dir: Path | None) -> None:
    """Serve the web UI and JSON API (waitress), building the index on first run.

    With EVIDENCE_TOKEN set, imports need that token; a --host beyond loopback
    (127.0.0.1) is refused without one.
    """
    from webui.serve import serve

    serve(host=host, port=port, index_dir=index_dir)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
