"""Which studies a search may return: years, designs, populations, entry types, DOI.

One filter vocabulary for every caller: `Filters.parse` takes a mapping (from a query
string, a template, a JSON body or CLI options) and `FILTER_KEYS` lists its keys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import QueryError
from ..model import DESIGNS, ENTRY_TYPES, POPULATIONS, Study

# The keys `Filters.parse` accepts (singular and plural forms of the list filters).
FILTER_KEYS = (
    "year_from",
    "year_to",
    "design",
    "designs",
    "population",
    "populations",
    "entry_type",
    "entry_types",
    "has_doi",
)


@dataclass(frozen=True, slots=True)
class Filters:
    """Which studies a search may return. Empty tuples and None mean "any"."""

    year_from: int | None = None
    year_to: int | None = None
    designs: tuple[str, ...] = ()
    populations: tuple[str, ...] = ()
    entry_types: tuple[str, ...] = ()
    has_doi: bool | None = None

    @classmethod
    def parse(cls, value: Filters | Mapping[str, Any] | None) -> Filters:
        """Filters from a mapping (as from a query string). Raises QueryError when invalid."""
        if value is None:
            return cls()
        if isinstance(value, Filters):
            filters = value
        else:
            unknown = set(value) - set(FILTER_KEYS)
            if unknown:
                raise QueryError(f"unknown filter(s): {', '.join(sorted(unknown))}")
            filters = cls(
                year_from=_year(value.get("year_from"), "year_from"),
                year_to=_year(value.get("year_to"), "year_to"),
                designs=_terms(value.get("designs", value.get("design")), DESIGNS, "design"),
                populations=_terms(
                    value.get("populations", value.get("population")), POPULATIONS, "population"
                ),
                entry_types=_terms(
                    value.get("entry_types", value.get("entry_type")), ENTRY_TYPES, "entry type"
                ),
                has_doi=_bool(value.get("has_doi")),
            )
        if filters.year_from and filters.year_to and filters.year_from > filters.year_to:
            raise QueryError("year_from is after year_to; swap them.")
        return filters

    @property
    def active(self) -> bool:
        return self != Filters()

    def allows(self, study: Study) -> bool:
        """True when `study` passes. A mixed sample passes a population it includes; a
        study without a design or population (an imported one) passes those filters, and
        is shown marked as unlabelled, rather than being hidden."""
        if self.year_from is not None and (study.year is None or study.year < self.year_from):
            return False
        if self.year_to is not None and (study.year is None or study.year > self.year_to):
            return False
        if self.designs and study.design and study.design not in self.designs:
            return False
        if self.populations and study.population and not self._population(study):
            return False
        if self.entry_types and study.entry_type not in self.entry_types:
            return False
        return self.has_doi is None or bool(study.doi) == self.has_doi

    def _population(self, study: Study) -> bool:
        return study.population in self.populations or bool(
            set(study.includes) & set(self.populations)
        )


def _year(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise QueryError(f"{name} must be a year such as 2015, not {value!r}.") from None


def _terms(value: Any, allowed: Sequence[str], name: str) -> tuple[str, ...]:
    if value in (None, "", ()):
        return ()
    items = [value] if isinstance(value, str) else list(value)
    lookup = {a.lower(): a for a in allowed}
    out = []
    for item in items:
        if str(item).lower() not in lookup:
            raise QueryError(f"unknown {name} {item!r}; use one of: {', '.join(allowed)}.")
        out.append(lookup[str(item).lower()])
    return tuple(out)


def _bool(value: Any) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    text = str(value).lower()
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no"):
        return False
    raise QueryError(f"has_doi must be true or false, not {value!r}.")
