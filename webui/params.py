"""Request parameters → validated values. Bad values raise QueryError (HTTP 400).

The filter values themselves are validated by `evidence.search.searcher.Filters.parse`, so the web
UI and the library agree on what a design or a year is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import request
from werkzeug.datastructures import MultiDict

from evidence import Filters, QueryError

from .errors import TooLarge, UnsupportedType

MAX_K = 50
DEFAULT_K = 10
FILTER_KEYS = ("year_from", "year_to", "design", "population", "entry_type", "has_doi")


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """One search: query, page size, offset and filters (as given, for links and forms)."""

    query: str
    k: int = DEFAULT_K
    offset: int = 0
    filters: Mapping[str, Any] = field(default_factory=dict)

    @property
    def page(self) -> int:
        return self.offset // self.k + 1

    def parsed_filters(self) -> Filters:
        """The filters as the library takes them. Raises QueryError when invalid."""
        return Filters.parse(self.filters)


def integer(args: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    """`args[name]` as an int in [low, high], or `default` when absent. Raises QueryError."""
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(str(raw))
    except ValueError:
        raise QueryError(f"{name} must be a whole number, not {raw!r}.") from None
    if not low <= value <= high:
        raise QueryError(f"{name} must be between {low} and {high}, not {value}.")
    return value


def search_request(args: MultiDict[str, str], allowed: Iterable[str] = ()) -> SearchRequest:
    """Parse ``q, k, offset|page`` and the filters from a query string.

    `allowed` names extra parameters the caller reads itself (such as ``style``); any other
    unknown parameter is an error, so a typo does not silently search without a filter.
    Raises QueryError.
    """
    known = {"q", "k", "offset", "page", *FILTER_KEYS, *allowed}
    unknown = sorted(set(args) - known)
    if unknown:
        raise QueryError(
            f"unknown parameter(s): {', '.join(unknown)}; use q, k, offset, page, "
            f"{', '.join(FILTER_KEYS)}."
        )
    k = integer(args, "k", DEFAULT_K, 1, MAX_K)
    if args.get("offset") not in (None, ""):
        offset = integer(args, "offset", 0, 0, 100_000)
    else:
        offset = (integer(args, "page", 1, 1, 10_000) - 1) * k
    filters: dict[str, Any] = {}
    for key in FILTER_KEYS:
        values = [v for v in args.getlist(key) if v.strip()]
        if values:
            filters[key] = values if key in ("design", "population", "entry_type") else values[0]
    parsed = SearchRequest(" ".join(args.get("q", "").split()), k, offset, filters)
    parsed.parsed_filters()  # validate now: a bad filter is a 400 even before a query
    return parsed


def json_object() -> dict[str, Any]:
    """The request's JSON body as an object.

    Raises UnsupportedType (415) unless it is sent as application/json, and QueryError (400)
    when it is not a JSON object.
    """
    if not request.is_json:
        raise UnsupportedType(
            "send a JSON object with Content-Type: application/json, "
            f"not {request.mimetype or 'no type'}."
        )
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise QueryError('the body is not a JSON object; send {"key": value, ...}.')
    return body


def filters_from_json(value: Any) -> dict[str, Any]:
    """A JSON ``filters`` object as a mapping. Raises QueryError for anything else."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise QueryError('filters must be an object such as {"year_from": 2015}.')
    Filters.parse(value)
    return value


def string_list(value: Any, name: str, limit: int) -> list[str]:
    """A JSON list of strings (at most `limit`). Raises QueryError (TooLarge past the limit)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise QueryError(f"{name} must be a list of strings.")
    if len(value) > limit:
        raise TooLarge(f"{name} names {len(value)} items; one request may name at most {limit}.")
    return list(dict.fromkeys(value))


def choice(value: Any, allowed: Sequence[str], name: str, default: str) -> str:
    """`value` if it is in `allowed` (any case), `default` if empty. Raises QueryError."""
    if value in (None, ""):
        return default
    lookup = {a.lower(): a for a in allowed}
    if not isinstance(value, str) or value.lower() not in lookup:
        raise QueryError(f"unknown {name} {value!r}; use one of: {', '.join(allowed)}.")
    return lookup[value.lower()]
