"""Identifiers as people write them: DOIs (normalised and checked) and title fingerprints.

Shared by the importer (which stores them) and the audit (which compares a draft's
references with the library), so both read a DOI or a title the same way.
"""

from __future__ import annotations

import re

# Resolver prefixes: doi.org, dx.doi.org, and older ones such as doi.acm.org.
_DOI_PREFIX = re.compile(r"^(?:https?://[a-z.]*doi[a-z.]*/|doi:\s*|doi\s+)", re.IGNORECASE)
_DOI_SYNTAX = re.compile(r"^10\.\d{4,9}/\S+$")
_URL_COMMAND = re.compile(r"\\(?:url|href)\s*\{([^{}]*)\}(?:\s*\{[^{}]*\})?")
_ESCAPED = re.compile(r"\\([&%$#_~])")
_NON_ALNUM = re.compile(r"[\W_]+")


def unwrap_identifier(value: str) -> str:
    """A URL or identifier as written in BibTeX: unescaped, ``\\url{}`` unwrapped, braces
    dropped; no other LaTeX."""
    if "\\" in value:
        value = _URL_COMMAND.sub(r"\1", value)
        value = _ESCAPED.sub(r"\1", value)
    if "{" in value or "}" in value:
        value = value.replace("{", "").replace("}", "")
    return value.strip()


def normalise_doi(value: str) -> str:
    """Strip resolver prefixes, ``doi:`` and whitespace from a DOI; no other change."""
    value = unwrap_identifier(value)
    value = _DOI_PREFIX.sub("", value.strip())
    return re.sub(r"\s+", "", value).rstrip(".,;")


def doi_problem(doi: str) -> str:
    """Return why `doi` looks malformed or truncated, or ``""`` when it looks fine."""
    if not _DOI_SYNTAX.match(doi):
        return "does not match DOI syntax (10.NNNN/suffix)"
    suffix = doi.split("/", 1)[1]
    if doi.count("(") != doi.count(")") or doi.count("[") != doi.count("]"):
        return "has unbalanced brackets, so it looks cut short"
    if len(suffix) < 3 or suffix.endswith(("-", "/", "(", ".")):
        return "looks cut short"
    return ""


def title_fingerprint(title: str) -> str:
    """Casefolded title with punctuation and spacing removed, for matching."""
    return _NON_ALNUM.sub("", title.casefold())
