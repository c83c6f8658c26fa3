"""`evidence points`, `proposal`, `cite` and `audit`: what a proposal writer takes away."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from .. import FORMATS, PROPOSAL_POPULATIONS, list_templates, load_draft, template_path
from .options import (
    INDEX_OPTION,
    STYLE_OPTION,
    check_output,
    filter_options,
    friendly,
    open_library,
    write_or_print,
)

DOCUMENT_FORMATS = tuple(name for name, f in FORMATS.items() if f.document)


@click.command("points")
@click.argument("query")
@click.option("-k", "k", default=5, show_default=True, help="Number of talking points.")
@STYLE_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(tuple(FORMATS)),
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
    filters: Mapping[str, Any],
    index_dir: Path | None,
) -> None:
    """Talking points that answer QUERY, with in-text citations and the reference list.

    A point states a study's result: a curated finding in our words (never in quotation
    marks), or for an imported study a sentence of its abstract, quoted. Only findings
    that fit the question count (its intervention, outcome and the kind of answer asked
    for); when none does, you are told so and shown the nearest studies instead of
    padding. Points are ranked by fit, then relevance, then strength of design; points
    that say the same thing are merged; another population or a weak design is noted.
    """
    check_output(fmt, output)
    lib = open_library(index_dir)
    style = style or lib.settings.citation_style
    points = lib.talking_points(query, k=k, style=style, filters=filters)
    if not points:
        nearest = lib.evidence(query, filters).nearest
        click.echo("No talking points: the library has no study that answers this.")
        if nearest:
            click.echo("Nearest studies (related, but none reports a result on it):")
            for key in nearest:
                click.echo(f"  {key}  {lib.study(key).title}")
        click.echo("Try a broader claim, or import studies that answer it (evidence import).")
        return
    data = lib.export(
        points, fmt, path=output, style=style, title=f"Talking points: {query}", citekeys=citekeys
    )
    write_or_print(data, output, f"{len(points)} talking points")


@click.command("proposal")
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
    type=click.Choice(DOCUMENT_FORMATS),
    default=None,
    help="Output format [default: from -o's suffix, else md].",
)
@STYLE_OPTION
@click.option(
    "--population",
    type=click.Choice(tuple(PROPOSAL_POPULATIONS)),
    default=None,
    help="Write it for one group: every question is asked of it, its studies come first.",
)
@click.option(
    "--section",
    "sections",
    type=int,
    multiple=True,
    help="Keep only these sections, in this order (numbers from 1; repeat the option).",
)
@click.option(
    "--question", "questions", multiple=True, help="Add a question of your own (repeatable)."
)
@click.option("--title", default="", help="The title (default: the template's).")
@click.option("--organisation", default="", help="Your organisation, for the title page.")
@click.option("--author", default=None, help="Author for the title page and file properties.")
@click.option("--list", "list_only", is_flag=True, help="List the bundled templates.")
@INDEX_OPTION
@friendly
def proposal_command(
    template: str | None,
    output: Path | None,
    fmt: str | None,
    style: str | None,
    population: str | None,
    sections: tuple[int, ...],
    questions: tuple[str, ...],
    title: str,
    organisation: str,
    author: str | None,
    list_only: bool,
    index_dir: Path | None,
) -> None:
    """Draft a proposal from TEMPLATE (a bundled name or your own .toml copy): for each
    section, what the evidence says in a sentence, the talking points that answer its
    questions and an evidence table, or a plain note that the library has nothing for it;
    then one reference list.

    Copy a bundled template (see --list, which shows where each is) to change its
    sections, questions and point budgets.

    \b
      evidence proposal peer-support-program --population fire -o proposal.docx
      evidence proposal suicide-prevention --population police -o deck.pptx
    """
    if list_only or not template:
        for name in list_templates():
            click.echo(f"{name}\t{template_path(name)}")
        if not list_only:
            raise click.UsageError("give a TEMPLATE (one of the above, or a .toml file).")
        return
    suffix = output.suffix.lower().lstrip(".") if output else ""
    fmt = fmt or (suffix if suffix in DOCUMENT_FORMATS else "md")
    check_output(fmt, output)
    lib = open_library(index_dir)
    proposal = lib.proposal(
        template,
        style=style or lib.settings.citation_style,
        population=population or "",
        sections=[n - 1 for n in sections] or None,
        questions=questions,
        title=title,
        organisation=organisation,
    )
    data = lib.export(proposal, fmt, path=output, style=proposal.style, author=author)
    write_or_print(data, output, f"a proposal of {len(proposal.points)} talking points")


@click.command("cite")
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
    lib = open_library(index_dir)
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


@click.command("audit")
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
    references never cited, DOIs cut short, details that differ from the library, sentences
    that the cited study does not back (a figure it does not report, an effect it did not
    find, another topic, population or design), and empirical claims with no citation (with
    the library's findings that answer them, if any). Nothing in the draft is changed. Exit
    status is 0 whatever is found, and 1 only when DRAFT cannot be read.
    """
    text, source = load_draft(draft)  # read first: an unreadable draft fails before any indexing
    report = open_library(index_dir).audit(text, name=source)
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.render(fmt), nl=False)
