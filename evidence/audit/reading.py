"""A draft to audit: read from a file or taken as text, decoded, and parsed.

`load_draft` is where every draft enters: a .txt/.md file in any common encoding, a .docx
(paragraphs), or text from a form. Line endings are made ``\n`` here for all of them, so
offsets and the reference-list heading work the same whatever the draft's origin.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

from ..errors import BibtexImportError, DraftError
from ..text.decode import clean_text, decode_bytes
from .citations import find_citations
from .draft import Citation, Draft, DraftReference, name_key
from .layout import View, read_layout
from .markers import find_markers
from .references import parse_reference, split_references
from .sections import find_reference_list

MAX_DRAFT_BYTES = 20_000_000
# A .docx is a zip archive: its parts are checked before any is parsed, so a small file
# that unpacks to gigabytes of XML (a "zip bomb") is refused at once. Real drafts of a
# hundred pages unpack to a few MB in a few dozen parts.
MAX_DOCX_UNPACKED = 50_000_000
MAX_DOCX_PARTS = 1000


def parse_draft(text: str) -> Draft:
    """Return the parsed draft: its body's citations and its reference list, wherever the
    list is and whatever it is called (`sections`), read through `layout.read_layout`."""
    view = read_layout(text)
    place = find_reference_list(view.text)
    body_end = place.body_end if place else len(view.text)
    entries = split_references(view.text, place.start, place.end) if place else []
    references = tuple(
        _in_draft(text, view, parse_reference(entry, start, n))
        for n, (entry, start) in enumerate(entries, start=1)
    )
    known = frozenset(name_key(a) for r in references for a in r.authors)
    author_year = find_citations(view.text, body_end, known)
    numbered_list = any(r.number is not None for r in references)
    style, numbers = find_markers(
        view.text, body_end, len(references), numbered_list, len(author_year)
    )
    citations = tuple(
        _cited_in_draft(text, view, c) for c in sorted(author_year + numbers, key=_position)
    )
    heading = place.heading if place else ""
    return Draft(text, view.origin(body_end), place is not None, citations, references, view,
                 body_end, heading, style)  # fmt: skip


def _position(citation: Citation) -> tuple[int, int]:
    return citation.start, citation.number or 0


def _cited_in_draft(text: str, view: View, cite: Citation) -> Citation:
    """`cite` (found in the view) with the draft's offsets and the draft's own words."""
    if not view.cuts and text[cite.start : cite.end] == cite.text:
        return cite  # nothing cut or swapped: a copy per citation costs 1 MB drafts 0.3 s
    start, end = view.origin(cite.start), view.origin_end(cite.end)
    return dataclasses.replace(cite, start=start, end=end, text=text[start:end])


def _in_draft(text: str, view: View, ref: DraftReference) -> DraftReference:
    """`ref` (read in the view) with the draft's offsets and the draft's own words."""
    start, end = view.origin(ref.start), view.origin_end(ref.end)
    doi = (view.origin(ref.doi_start), view.origin_end(ref.doi_end)) if ref.doi else (-1, -1)
    return dataclasses.replace(ref, start=start, end=end, text=text[start:end],
                               doi_start=doi[0], doi_end=doi[1])  # fmt: skip


DRAFT_SUFFIXES = (".txt", ".md", ".markdown", ".text", ".docx")
_ZIP = b"PK\x03\x04"


def load_draft(draft: str | Path | bytes, name: str = "") -> tuple[str, str]:
    """Return ``(text, source name)`` of a draft: a Path is read as a file, bytes are a
    file's content (.txt/.md in any common encoding, or .docx), a str is the text itself.
    Line endings become ``\n`` and stray control characters are removed in every case.

    A str is never taken for a file name, so text from a web form cannot make the server
    read its files. `name` labels bytes in messages. Raises DraftError when a file cannot
    be read.
    """
    if isinstance(draft, Path):
        return read_draft(draft), str(draft)
    if isinstance(draft, bytes):
        return decode_draft(draft, name or "the draft"), name
    return clean_text(draft).text, name


def read_draft(path: Path | str) -> str:
    """Return the text of a .txt/.md draft (any common encoding) or a .docx (paragraphs).

    Raises DraftError when the file is missing, unreadable, too large, empty or binary.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DraftError(f"{path}: cannot be read ({exc.strerror}). Check the path.") from None
    if size > MAX_DRAFT_BYTES:
        raise DraftError(f"{path}: {size:,} bytes is too large for a draft; split it.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DraftError(f"{path}: cannot be read ({exc.strerror}). Check the path.") from None
    return decode_draft(data, str(path), docx=path.suffix.lower() == ".docx")


def decode_draft(data: bytes, name: str, docx: bool = False) -> str:
    """The text of a draft file's bytes: a .docx (by `docx` or its zip signature) or text
    in any common encoding. Raises DraftError naming `name` when it is neither."""
    if len(data) > MAX_DRAFT_BYTES:
        raise DraftError(f"{name}: {len(data):,} bytes is too large for a draft; split it.")
    if docx or data.startswith(_ZIP):
        return clean_text(_read_docx(data, name)).text
    try:
        return decode_bytes(data, name).text
    except BibtexImportError:
        raise DraftError(f"{name}: empty or not a text file. Save the draft as .txt, .md "
                         "or .docx.") from None  # fmt: skip


def _read_docx(data: bytes, name: str) -> str:
    import docx  # python-docx; imported here because only DOCX drafts need it

    _check_archive(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types for a bad file
        raise DraftError(
            f"{name}: not a readable .docx ({exc.__class__.__name__}). "
            "Open it in Word and save it again, or save it as .txt."
        ) from None
    return "\n".join(p.text for p in document.paragraphs)


def _check_archive(data: bytes, name: str) -> None:
    """Raise DraftError unless the .docx's zip directory promises a modest unpacked size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise DraftError(
            f"{name}: not a readable .docx (its zip structure is damaged). Open it in Word "
            "and save it again, or save it as .txt."
        ) from None
    unpacked = sum(p.file_size for p in parts)
    if len(parts) > MAX_DOCX_PARTS or unpacked > MAX_DOCX_UNPACKED:
        raise DraftError(
            f"{name}: this .docx unpacks to {unpacked:,} bytes in {len(parts):,} parts, more "
            f"than a draft needs (at most {MAX_DOCX_UNPACKED:,} bytes, {MAX_DOCX_PARTS} parts). "
            "Save the draft again from Word, or as .txt."
        )
