"""Reference files of any format → `(list[Study], ImportReport)`.

BibTeX, RIS and CSL-JSON are told apart by their content (a JSON list, a ``TY  - `` line
before any ``@entry``), the extension deciding when the content fits it (`detect_format`).
All three take the same path: decoded the same way (encodings, line endings), the same
field checks (`records.py`), key rules (`entries.assign_keys`) and merging of duplicate
studies (`dedupe.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ..errors import BibtexImportError
from ..model import ImportProblem, ImportReport, Study
from ..text.decode import DecodedText, clean_text, decode_bytes
from .csljson import read_csl_json
from .entries import RawEntry
from .parse import decoding_problems, finish, read_bibtex_text, read_files
from .ris import read_ris

# The formats read, with the extension a stored copy of each gets.
FORMATS = {"bibtex": ".bib", "ris": ".ris", "csljson": ".json"}
FORMAT_NAMES = {"bibtex": "BibTeX", "ris": "RIS", "csljson": "CSL-JSON"}
EXTENSIONS = {".bib": "bibtex", ".bibtex": "bibtex", ".ris": "ris", ".json": "csljson"}
_RIS_START = re.compile(r"^[ \t]*TY {1,2}-", re.MULTILINE)
_BIBTEX_START = re.compile(r"^[ \t%]*@[ \t]*[A-Za-z]", re.MULTILINE)
# A CSL-JSON item's key, as every exporter writes at least one of them.
_CSL_KEY = re.compile(r'"(?:id|type|citation-key|title)"[ \t]*:')
_READERS = {"bibtex": read_bibtex_text, "ris": read_ris, "csljson": read_csl_json}


def detect_format(name: str, text: str) -> str:
    """ "bibtex", "ris" or "csljson" for the file `name` holding `text`. Content that fits
    the extension decides (a .ris with a ``TY  - `` line, a .json opening with '[' or
    '{' or holding an item's ``"id":``, a .bib with an ``@entry``); otherwise the content
    alone: a ``TY  - `` line before any ``@entry`` is RIS, an ``@entry`` BibTeX (valid
    JSON holds neither at the start of a line), text opening with '[' or '{' CSL-JSON;
    then the extension, else BibTeX."""
    by_name = EXTENSIONS.get(Path(name).suffix.lower(), "")
    json_like = text.lstrip("\ufeff \t\r\n")[:1] in ("[", "{")
    ris, bibtex = _RIS_START.search(text), _BIBTEX_START.search(text)
    # A damaged start must not turn a .json into BibTeX: its items can still be read.
    csl = json_like or (by_name == "csljson" and _CSL_KEY.search(text) is not None)
    fits = {"csljson": csl, "ris": ris is not None, "bibtex": bibtex is not None}
    if by_name and fits[by_name]:
        return by_name
    if ris and (bibtex is None or ris.start() < bibtex.start()):
        return "ris"
    if bibtex:
        return "bibtex"
    return "csljson" if json_like else by_name or "bibtex"


def read_entries(
    decoded: DecodedText, file: str, fmt: str | None = None
) -> tuple[list[RawEntry], list[ImportProblem], str]:
    """The raw entries of one decoded file, its problems and its format (`fmt` when given,
    else detected)."""
    fmt = fmt or detect_format(file, decoded.text)
    entries, problems = _READERS[fmt](decoded.text, file)
    return entries, decoding_problems(decoded, file) + problems, fmt


def load_references(
    paths: Path | str | Iterable[Path | str], *, strict: bool = False
) -> tuple[list[Study], ImportReport]:
    """Read reference files (BibTeX, RIS, CSL-JSON, mixed) and return their studies and
    a report of every problem found.

    Raises BibtexImportError when no file could be read at all (missing, empty, binary),
    or, with `strict=True`, when any problem was found.
    """
    path_list = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    raw, problems = read_files(path_list, lambda text, file: read_entries(text, file)[:2])
    return finish(raw, problems, tuple(str(p) for p in path_list), strict)


def parse_references(
    data: str | bytes, source: str = "<string>", *, fmt: str | None = None, strict: bool = False
) -> tuple[list[Study], ImportReport]:
    """Like `load_references`, for one file held in memory (`source` names it in messages
    and, by its extension, helps tell the format). Raises BibtexImportError when the data
    is empty or binary, or (strict) has any problem."""
    studies, report, _ = read_references(data, source, fmt=fmt, strict=strict)
    return studies, report


def read_references(
    data: str | bytes, source: str, *, fmt: str | None = None, strict: bool = False
) -> tuple[list[Study], ImportReport, str]:
    """`parse_references`, also returning the format read ("bibtex", "ris", "csljson")."""
    decoded = decode_bytes(data, source) if isinstance(data, bytes) else clean_text(data)
    if not decoded.text.strip():
        raise BibtexImportError(f"{source}: the text is empty.")
    entries, problems, fmt = read_entries(decoded, source, fmt)
    studies, report = finish(entries, problems, (source,), strict)
    return studies, report, fmt
