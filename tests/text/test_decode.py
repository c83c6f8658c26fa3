import codecs
from pathlib import Path

import pytest

from evidence.errors import BibtexImportError
from evidence.text.decode import decode_bytes, read_text

ENTRY = "@article{k,\n  title = {Caf\u00e9 25\u00b0 C},\n}\n"


@pytest.mark.parametrize(
    ("data", "encoding", "guessed"),
    [
        pytest.param(ENTRY.encode("utf-8"), "utf-8", False, id="utf8"),
        pytest.param(codecs.BOM_UTF8 + ENTRY.encode("utf-8"), "utf-8-sig", False, id="utf8-bom"),
        pytest.param(
            codecs.BOM_UTF16_LE + ENTRY.encode("utf-16-le"), "utf-16-le", False, id="utf16le-bom"
        ),
        pytest.param(
            codecs.BOM_UTF16_BE + ENTRY.encode("utf-16-be"), "utf-16-be", False, id="utf16be-bom"
        ),
        pytest.param(ENTRY.encode("utf-16-le"), "utf-16-le", True, id="utf16le-no-bom"),
        pytest.param(ENTRY.encode("cp1252"), "cp1252", True, id="windows-1252"),
    ],
)
def test_encodings_decode_to_the_same_text(data: bytes, encoding: str, guessed: bool) -> None:
    decoded = decode_bytes(data, "x.bib")
    assert decoded.text == ENTRY
    assert decoded.encoding == encoding
    assert decoded.guessed is guessed


def test_declared_jabref_encoding_is_used_for_non_utf8_bytes() -> None:
    data = ("% Encoding: ISO-8859-1\n" + ENTRY).encode("latin-1")
    decoded = decode_bytes(data, "x.bib")
    assert decoded.encoding == "iso8859-1"
    assert "Caf\u00e9" in decoded.text


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "bare-cr"])
def test_line_endings_become_lf(newline: str) -> None:
    decoded = decode_bytes(ENTRY.replace("\n", newline).encode(), "x.bib")
    assert decoded.text == ENTRY


def test_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.bib"
    path.write_bytes(b"  \n")
    with pytest.raises(BibtexImportError, match="empty.bib: the file is empty"):
        read_text(path)


def test_binary_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "library.bib"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(BibtexImportError, match="library.bib: this is a binary file"):
        read_text(path)


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(BibtexImportError, match="nope.bib: no such file"):
        read_text(tmp_path / "nope.bib")


def test_a_utf16_bom_followed_by_a_nul_is_not_taken_for_utf32() -> None:
    data = "\ufeff\x00@article{k, title = {T}}\n".encode("utf-16-le")
    assert data.startswith(b"\xff\xfe\x00\x00")
    assert decode_bytes(data, "x.bib").text.endswith("@article{k, title = {T}}\n")
    real = "\ufeff@article{k, title = {T}}\n".encode("utf-32-le")
    assert decode_bytes(real, "y.bib").text == "@article{k, title = {T}}\n"
