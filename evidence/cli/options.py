"""What the commands share: error handling, the index and style options, one filters
option group, opening the library, and writing output."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from .. import (
    DESIGNS,
    ENTRY_TYPES,
    POPULATIONS,
    STYLES,
    EvidenceError,
    Library,
    terminal_progress,
)

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

STYLE_OPTION = click.option(
    "--style",
    type=click.Choice(STYLES, case_sensitive=False),
    default=None,
    help="Citation style [default: the citation_style setting, apa].",
)

_FILTER_OPTIONS = (
    click.option("--year-from", type=int, help="Only studies from this year on."),
    click.option("--year-to", type=int, help="Only studies up to this year."),
    click.option(
        "--design",
        "designs",
        multiple=True,
        type=click.Choice(DESIGNS, case_sensitive=False),
        help="Only this study design (repeatable).",
    ),
    click.option(
        "--population",
        "populations",
        multiple=True,
        type=click.Choice(POPULATIONS, case_sensitive=False),
        help="Only this population (repeatable).",
    ),
    click.option(
        "--type",
        "entry_types",
        multiple=True,
        type=click.Choice(ENTRY_TYPES, case_sensitive=False),
        help="Only this entry type.",
    ),
    click.option("--has-doi/--no-doi", default=None, help="Only studies with (or without) a DOI."),
)
_FILTER_NAMES = ("year_from", "year_to", "designs", "populations", "entry_types", "has_doi")


def friendly(func: F) -> F:
    """Turn EvidenceError into a clean `Error: ...` message (exit 1)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except EvidenceError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]


def filter_options(func: F) -> F:
    """Add the search filter options; the command gets them as one ``filters`` mapping
    (the keys `Filters.parse` takes)."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["filters"] = {name: kwargs.pop(name) for name in _FILTER_NAMES}
        return func(*args, **kwargs)

    command: Any = wrapper
    for option in reversed(_FILTER_OPTIONS):
        command = option(command)
    return command  # type: ignore[no-any-return]


def open_library(index_dir: Path | None, build_if_missing: bool = True) -> Library:
    """The library of `index_dir` (default: the settings'), built with progress bars when
    missing or out of date."""
    settings = {"index_dir": index_dir} if index_dir else None
    if build_if_missing:
        return Library.open_or_build(settings=settings, progress=terminal_progress())
    return Library.open(settings=settings)


def write_or_print(data: bytes, output: Path | None, what: str) -> None:
    """Say where `data` was written, or print it (text formats only)."""
    if output is not None:
        click.echo(f"Wrote {what} to {output}.", err=True)
    else:
        click.echo(data.decode("utf-8"), nl=False)


def check_output(fmt: str, output: Path | None) -> None:
    """A binary format needs a file to go to."""
    if fmt in ("docx", "pptx") and output is None:
        raise click.UsageError(f"--format {fmt} is a binary file: give -o FILE.")
