"""Read a text file whatever its encoding and line endings, and say what was guessed.

bibtexparser takes text, not bytes: handed UTF-16 decoded as UTF-8 it finds zero
entries without complaint, and windows-1252 bytes raise. Both are decided here.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import BibtexImportError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED = re.compile(rb"%\s*Encoding:\s*([A-Za-z0-9_.:-]+)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Removed from text: control characters, and the private-use characters the LaTeX decoder
# takes for its own placeholders (latex.py: U+E000-U+E00F), which would be mistaken for them.
# Control characters, our private markers, lone surrogates and the non-characters U+FFFE
# and U+FFFF: none is text, and XML (DOCX, PPTX) refuses them.
_REMOVED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\ue00f\ud800-\udfff\ufffe\uffff]")
BINARY_SHARE = 0.05  # random bytes hold ~12% control characters; a damaged text far fewer


@dataclass(frozen=True, slots=True)
class DecodedText:
    """A file's text with LF line endings, and the encoding it was read with."""

    text: str
    encoding: str
    guessed: bool  # True when the encoding was a fallback guess (worth a warning)
    controls: int = 0  # control (NUL, BEL, ...) and reserved characters removed from the text
    control_line: int = 0  # 1-based line of the first one removed (0 when none)


def read_text(path: Path, max_bytes: int | None = None) -> DecodedText:
    """Return the decoded text of `path`.

    Raises BibtexImportError when the file is missing, unreadable, too large, empty or binary.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BibtexImportError(f"{path}: no such file. Check the path and try again.") from None
    except OSError as exc:
        raise BibtexImportError(f"{path}: cannot be read ({exc.strerror}).") from None
    if max_bytes is not None and len(data) > max_bytes:
        raise BibtexImportError(
            f"{path}: {len(data):,} bytes is over the {max_bytes:,}-byte limit; split the file."
        )
    return decode_bytes(data, str(path))


def decode_bytes(data: bytes, name: str) -> DecodedText:
    """Decode `data` (named `name` in messages), without its control characters.

    Raises BibtexImportError for empty or binary data.
    """
    if not data.strip():
        raise BibtexImportError(f"{name}: the file is empty. Export your library again.")
    encoding, guessed = _detect(data)
    text = data.decode(encoding, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    if _looks_binary(text):
        raise BibtexImportError(
            f"{name}: this is a binary file, not BibTeX. Export a .bib file from your "
            "reference manager (Zotero: File > Export Library > BibTeX)."
        )
    return clean_text(text, encoding, guessed)


def clean_text(text: str, encoding: str = "utf-8", guessed: bool = False) -> DecodedText:
    """`text` (already decoded from `encoding`) with LF line endings and no control
    characters: the count removed and the line of the first are recorded."""
    text = _normalise_newlines(text)
    first = _REMOVED.search(text)
    if first is None:
        return DecodedText(text, encoding, guessed)
    # A stray control character is damage, never content: it would make DOCX/PPTX exports
    # fail (XML forbids it) and \x0e/\x0f would pose as the LaTeX decoder's own markers.
    line = text.count("\n", 0, first.start()) + 1
    cleaned, count = _REMOVED.subn(_control_replacement, text)
    return DecodedText(cleaned, encoding, guessed, count, line)


def _detect(data: bytes) -> tuple[str, bool]:
    for bom, encoding in _BOMS:
        if data.startswith(bom) and _plausible(data, encoding):
            return ("utf-8-sig" if encoding == "utf-8" else encoding), False
    order = _utf16_order(data)
    if order:
        return order, True
    try:
        data.decode("utf-8")
        return "utf-8", False
    except UnicodeDecodeError:
        pass
    declared = _declared_encoding(data)
    if declared:
        return declared, True
    try:
        data.decode("cp1252")
        return "cp1252", True
    except UnicodeDecodeError:
        return "latin-1", True


def _plausible(data: bytes, encoding: str) -> bool:
    """False for a UTF-32 "BOM" that is really a UTF-16 one followed by a NUL character
    (FF FE 00 00): UTF-16 text read as UTF-32 gives code points beyond Unicode."""
    if not encoding.startswith("utf-32"):
        return True
    try:
        data[: 4 * 256].decode(encoding)
    except UnicodeDecodeError as exc:
        return exc.start >= 4 * 255  # only the cut at the end of the sample failed
    return True


def _utf16_order(data: bytes) -> str | None:
    """UTF-16 without a BOM (ASCII text with a NUL in every other byte): "utf-16-le" when
    the NULs are the odd bytes, "utf-16-be" when even, else None. Decided by the counts,
    not by one byte, so a damaged first character does not flip the byte order."""
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _declared_encoding(data: bytes) -> str | None:
    """The encoding a JabRef header declares (``% Encoding: windows-1252``), if Python knows it."""
    match = _DECLARED.search(data[:2048])
    if not match:
        return None
    name = match.group(1).decode("ascii", "replace")
    try:
        codec = codecs.lookup(name).name
        data.decode(codec)
    except (LookupError, UnicodeDecodeError):
        return None
    if codec.startswith(("utf-16", "utf-32")):
        return None  # a stale header: real UTF-16/32 was caught by its BOM or NUL pattern
    return codec


def _looks_binary(text: str) -> bool:
    """True when control characters (NUL included) are more than stray damage: a few in a
    text file are removed, and the rest of the file is kept."""
    sample = text[:8192]
    controls = len(_CONTROL.findall(sample))
    return controls > BINARY_SHARE * len(sample) + 8


def printable(text: str) -> str:
    """`text` without the characters `clean_text` removes (for one-line values such as
    a title typed into a form): control characters, surrogates, U+FFFE/U+FFFF."""
    return _REMOVED.sub(_control_replacement, text) if _REMOVED.search(text) else text


def _control_replacement(match: re.Match[str]) -> str:
    return " " if match.group() in "\x0b\x0c" else ""  # vertical tab, form feed: spacing


def _normalise_newlines(text: str) -> str:
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")
