"""The citation styles and export formats the library offers, and references for a page.

The lists come from `evidence` (its `STYLES` and `EXPORT_FORMATS`), so the UI never offers
a style or format the library cannot produce.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import request

from evidence import FORMATS, STYLES, CitationError, Library

from .params import choice

# Labels for the formats' buttons come from the library's format registry.
FORMAT_LABELS = {name: f.label for name, f in FORMATS.items()}


def styles() -> tuple[str, ...]:
    """The citation styles the library formats, default first."""
    return tuple(STYLES)


def export_formats() -> tuple[str, ...]:
    """The export formats the library writes."""
    return tuple(FORMATS)


def chosen_style(library: Library, value: Any = None) -> str:
    """The style asked for (query string ``style`` when `value` is None), else the default.

    Raises QueryError for an unknown style.
    """
    if value is None:
        value = request.args.get("style")
    default = library.settings.citation_style
    return choice(value, styles(), "style", default if default in styles() else styles()[0])


def references_by_key(
    library: Library, keys: Sequence[str], style: str
) -> tuple[dict[str, Any], str]:
    """Formatted references of `keys` in one processor call, by key, and a note on failure.

    A failing CSL processor must not take the search page down: the page shows the
    results without citations and says why.
    """
    if not keys:
        return {}, ""
    try:
        refs = library.references(list(dict.fromkeys(keys)), style=style)
    except CitationError as exc:
        return {}, f"Citations could not be formatted: {exc}"
    return {ref.key: ref for ref in refs}, ""
