"""`Study` → CSL-JSON: the items a CSL processor formats, with the standard variable names.

Nothing is formatted here beyond the title's case (sentence case, an APA subtitle
capitalised): the CSL style does the rest, in `cite.py`.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import Study

_CSL_TYPES = {
    "article": "article-journal", "book": "book", "chapter": "chapter", "report": "report",
    "thesis": "thesis", "conference paper": "paper-conference", "web page": "webpage",
}  # fmt: skip


def to_csl(study: Study, style: str = "") -> dict[str, Any]:
    """The CSL-JSON item for `study`, with the standard CSL variable names.

    Titles are given in sentence case (CSL styles title-case where they want to, but never
    sentence-case); for APA a lowercase subtitle is capitalised. The URL is left out when
    there is a DOI, which every style prefers.
    """
    item: dict[str, Any] = {"id": study.key, "type": _CSL_TYPES.get(study.entry_type, "document")}
    title = study.title_sentence or study.title
    if title:
        item["title"] = _apa_subtitle(title) if style == "apa" else title
    if study.authors:
        item["author"] = [_csl_name(p) for p in study.authors]
    if study.editors:
        item["editor"] = [_csl_name(p) for p in study.editors]
    if study.year:
        item["issued"] = {"date-parts": [[study.year]]}
    number_field = "issue" if study.entry_type in ("article", "web page") else "number"
    fields = (
        ("container-title", study.venue),
        ("publisher", study.publisher),
        ("volume", study.volume),
        (number_field, study.issue),
        ("page", study.pages),
        ("DOI", study.doi),
        ("PMID", study.pmid),
        ("URL", "" if study.doi else study.url),
    )
    item.update({name: value for name, value in fields if value})
    return item


def _csl_name(person: Any) -> dict[str, str]:
    if person.literal:
        return {"literal": person.family}
    parts = (
        ("family", person.family),
        ("given", person.given),
        ("non-dropping-particle", person.particle),
        ("suffix", person.suffix),
    )
    return {name: value for name, value in parts if value}


def _apa_subtitle(title: str) -> str:
    """APA 7 capitalises the first word of a subtitle; only all-lowercase words are touched."""
    return re.sub(r"([:?!]\s+)([a-z]+)\b", lambda m: m.group(1) + m.group(2).capitalize(), title)
