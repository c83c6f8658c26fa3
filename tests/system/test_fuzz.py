"""Fuzzing the two parsers that read what users hand us: the BibTeX ingester and the
draft-audit parser (hypothesis).

Inputs are random text, random bytes, and the real-world files of ../shared/fixtures/bib
and tests/data/audit-* mutated: characters replaced, braces dropped or added, spans cut or
repeated, truncated anywhere, re-encoded (UTF-8 with and without BOM, UTF-16 in both byte
orders, windows-1252, Latin-1, Mac Roman) and bytes flipped. The properties:

- only documented errors escape (`BibtexImportError` from ingestion, `DraftError` from
  reading a draft file; parsing and auditing draft text never raise);
- nothing hangs: each input runs under a time bound (`time_bound`);
- every well-formed entry that survives the mutation intact is still imported (by key):
  one broken block never loses the rest.

A few examples per target run here; `benchmarks/fuzz.py` runs the same targets 10,000
times each.
"""

from __future__ import annotations

import codecs
import functools
import io
import re
import signal
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.audit.auditor import audit_draft, render
from evidence.audit.reading import load_draft, parse_draft, read_draft
from evidence.errors import BibtexImportError, DraftError
from evidence.ingest.parse import load_bibtex, parse_bibtex
from evidence.model import ImportReport, Study
from evidence.text.decode import decode_bytes
from tests.conftest import DATA, SHARED

CORPUS = DATA.parent.parent / "corpus"
FIXTURES = SHARED / "fixtures" / "bib"
DRAFTS = SHARED / "fixtures" / "drafts"  # real-world draft layouts, mutated too
TEST_TIME_BOUND_S = 20.0  # generous here (a busy shared machine); benchmarks/fuzz.py uses 2 s
WINDOW_CHARS = 12_000  # large fixtures are fuzzed a window of whole entries at a time
SUITE_EXAMPLES = 60  # per target in the normal suite

# ---- the time bound --------------------------------------------------------------------


class Hang(Exception):
    """An input took longer than the time bound (a hang, or catastrophic backtracking)."""


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Raise `Hang` inside the block once `seconds` have passed (SIGALRM; main thread only).

    CPython checks signals between bytecodes and inside `re` matching, so a runaway regex
    is interrupted too."""

    def expire(signum: int, frame: Any) -> None:
        raise Hang(f"no answer within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# ---- inputs ------------------------------------------------------------------------------

BIB_TOKENS = [
    "@article{", "@book(", "@string{", "@comment{", "@preamble{", "@inproceedings{", "@",
    "key,", "k1,", " title = {", " author = \"", "year = 2020", "doi = {10.1/x}", "crossref",
    "{", "}", "(", ")", ",", "=", "\"", "#", "%", "\n", "\r\n", "\r", "\t", " and ", "\\",
    "\\'{e}", "{\\\"o}", "$x^2$", "~", "--", "``", "''", "\\emph{", "\x00", "\ufeff", "\x0e",
    "\x0f", "\u202e", "é", "中", "😀", "@string{jtr = \"J\"}", "jtr # \" x\"",
]  # fmt: skip
DRAFT_TOKENS = [
    "(", ")", ";", ",", " & ", " and ", "et al.", " 2020", "2019a", "n.d.", "in press", "20l9",
    "Carleton", "Smith", "Jones", "van der Berg", "O'Neil", "\n", "\n\n", "## References\n",
    "References\n", "Bibliography:", "doi:10.1234/x", "https://doi.org/10.1", "PMID: 123",
    ". ", "reduced PTSD", "found that", "1.", "[1]", "\u2019", "\u2013", "\x00", "\ufeff",
    # real-world layouts: numbered and footnote markers, notes, PubMed dates, PDF marks
    "[^1]", "[^2]: ", "(1)", "(2,3)", "[2–4]", ".3,4 ", "disorders.1", "\u00b9", "\u00a0",
    "\u00ad", "-\n", "\f", "Works Cited\n", "Notes\n", "Further reading\n", "———\n",
    "About the author\n", " AB, ", ". 2020;12(3):45-6. ", ". 2019:1151248. ", "(20199)",
    "R. N. Carleton et al., \"", "\" J 5 (2017): e3735", "Page 3 of 9\n", "   12\n",
    "https://doi.org/https://doi.org/10.1/x", "doi:10.1007/s00127-\n5", "46% ",
    # a page's HTML source: block and inline tags, entities, and "<" that is no tag
    "<li>", "</li>", "<ol>", "<h2>", "</h2>", "<p class=\"x\">", "<br/>", "<sup>", "</sup>",
    "<em>", "&amp;", "&#8217;", "&nbsp;", "&bogus;", "p < .05", "<5%",
]  # fmt: skip


def _token_text(tokens: list[str]) -> st.SearchStrategy[str]:
    piece = st.one_of(st.sampled_from(tokens), st.text(max_size=12))
    return st.lists(piece, max_size=80).map("".join)


bibtex_text = st.one_of(st.text(max_size=2000), _token_text(BIB_TOKENS))
draft_text = st.one_of(st.text(max_size=2000), _token_text(DRAFT_TOKENS))
random_bytes = st.binary(max_size=4000)

# Encodings a reference manager or an editor may save in; None keeps the text as UTF-8.
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1",
             "mac-roman"]  # fmt: skip


@cache
def fixture_texts() -> dict[str, str]:
    """The real-world .bib fixtures, decoded (empty when ../shared is absent)."""
    if not FIXTURES.is_dir():
        return {}
    return {
        p.name: decode_bytes(p.read_bytes(), p.name).text for p in sorted(FIXTURES.glob("*.bib"))
    }


@cache
def draft_texts() -> dict[str, str]:
    """The test drafts, and the real-world layouts of ../shared/fixtures/drafts if here."""
    paths = sorted(DATA.glob("audit-*")) + sorted(DRAFTS.glob("[0-9]*"))
    return {p.name: p.read_text(encoding="utf-8") for p in paths}


@cache
def corpus_studies() -> list[Study]:
    studies, _ = load_bibtex(sorted(CORPUS.glob("*.bib")))
    return studies


def chunks(text: str) -> list[str]:
    """`text` cut before every ``@`` that starts a line: one block (and the prose after it)
    per chunk, so the chunks concatenate back to `text`."""
    cuts = [0] + [m.start() + 1 for m in re.finditer(r"\n(?=[ \t]*@)", text)] + [len(text)]
    return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


@dataclass(frozen=True)
class Mutant:
    """A mutated input: where it came from, what was done, the bytes and their true text."""

    source: str
    original: str
    text: str  # the mutated text as the bytes really encode it (before any byte flip)
    data: bytes
    encoding: str
    steps: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.source}: {', '.join(self.steps) or 'unchanged'} [{self.encoding}]"


def _mutate_once(draw: Callable[..., Any], text: str) -> tuple[str, str]:
    """One random edit of `text`: the new text and a description."""
    kind = draw(st.sampled_from(["replace", "drop-brace", "add-brace", "truncate", "insert",
                                 "delete", "repeat", "newline"]))  # fmt: skip
    at = draw(st.integers(0, len(text)))
    if kind == "replace" and text:
        at = min(at, len(text) - 1)
        new = draw(st.one_of(st.sampled_from(list('{}()@%",=#\\\n\r\x00 ')), st.characters()))
        return text[:at] + new + text[at + 1 :], f"replace@{at}={new!r}"
    if kind == "drop-brace":
        braces = [m.start() for m in re.finditer(r"[{}]", text)]
        if braces:
            at = draw(st.sampled_from(braces))
            return text[:at] + text[at + 1 :], f"drop {text[at]!r}@{at}"
    if kind == "add-brace":
        brace = draw(st.sampled_from(["{", "}"]))
        return text[:at] + brace + text[at:], f"add {brace!r}@{at}"
    if kind == "truncate":
        return text[:at], f"truncate@{at}"
    if kind == "insert":
        new = draw(_token_text(BIB_TOKENS + DRAFT_TOKENS).map(lambda s: s[:60]))
        return text[:at] + new + text[at:], f"insert@{at}={new!r}"
    if kind in ("delete", "repeat"):
        end = draw(st.integers(at, min(len(text), at + 200)))
        if kind == "delete":
            return text[:at] + text[end:], f"delete[{at}:{end}]"
        return text[:end] + text[at:end] + text[end:], f"repeat[{at}:{end}]"
    return text[:at] + "\n" + text[at:], f"newline@{at}"


def _window(draw: Callable[..., Any], text: str) -> str:
    """A run of whole chunks of at most WINDOW_CHARS characters (large fixtures)."""
    if len(text) <= WINDOW_CHARS:
        return text
    parts = chunks(text)
    start = draw(st.integers(0, len(parts) - 1))
    out = ""
    for part in parts[start:]:
        if out and len(out) + len(part) > WINDOW_CHARS:
            break
        out += part
    return out


def _encode(text: str, encoding: str) -> tuple[bytes, str]:
    """`text` saved in `encoding` (unencodable characters become '?') and the text those
    bytes really hold."""
    data = text.encode(encoding, errors="replace")
    if encoding == "utf-16":  # Python writes a BOM in the machine's order
        return data, data.decode("utf-16")
    return data, data.decode(encoding.replace("-sig", ""), errors="replace").lstrip("\ufeff")


@st.composite
def mutated(draw: Callable[..., Any], sources: dict[str, str]) -> Mutant:
    """1-3 source texts joined (more entries for one edit to spare), mutated 1-4 times,
    re-encoded, with 0-3 bytes flipped."""
    names = draw(st.lists(st.sampled_from(sorted(sources)), min_size=1, max_size=3))
    name = "+".join(names)
    original = "\n".join(_window(draw, sources[n]) for n in names)
    text, steps = original, []
    for _ in range(draw(st.integers(1, 4))):
        text, step = _mutate_once(draw, text)
        steps.append(step)
    encoding = draw(st.sampled_from(ENCODINGS))
    data, true_text = _encode(text, encoding)
    flips = draw(st.lists(st.tuples(st.integers(0, max(0, len(data) - 1)), st.integers(0, 255)),
                          max_size=3)) if data else []  # fmt: skip
    raw = bytearray(data)
    for at, value in flips:
        raw[at] = value
        steps.append(f"byte@{at}={value:#04x}")
    if flips:
        true_text = _decode_as(bytes(raw), encoding)
    return Mutant(name, original, true_text, bytes(raw), encoding, tuple(steps))


def _decode_as(data: bytes, encoding: str) -> str:
    codec = {"utf-8-sig": "utf-8", "utf-16": "utf-16"}.get(encoding, encoding)
    return data.decode(codec, errors="replace").lstrip("\ufeff")


# ---- the properties ----------------------------------------------------------------------


def check_report(studies: list[Study], report: ImportReport, text_lines: int | None) -> None:
    """The result has the documented shape: Studies with keys, problems with sane lines."""
    assert all(isinstance(s, Study) and s.key for s in studies)
    assert len({s.key for s in studies}) == len(studies), "two studies share a key"
    assert report.studies == len(studies)
    for problem in report.problems:
        assert problem.severity in ("error", "warning", "info"), problem
        if problem.line is not None and text_lines is not None:
            assert 1 <= problem.line <= text_lines + 1, problem


def ingest_text(text: str) -> None:
    """Random text: parse or raise BibtexImportError, nothing else."""
    try:
        studies, report = parse_bibtex(text, "fuzz.bib")
    except BibtexImportError:
        return
    lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    check_report(studies, report, lines)


def ingest_bytes(data: bytes) -> None:
    """Random bytes, as a file: load or raise BibtexImportError, nothing else."""
    with tempfile.NamedTemporaryFile(suffix=".bib") as handle:
        handle.write(data)
        handle.flush()
        try:
            studies, report = load_bibtex(handle.name)
        except BibtexImportError:
            return
    check_report(studies, report, None)


_KEY = re.compile(r"\s*@\s*[A-Za-z]\w*\s*[{(]\s*([^\s,{}()=\"#%]+)\s*,")


def survivors(mutant: Mutant) -> dict[str, str]:
    """The entries of the original that are still intact in the mutated text: key → chunk.

    A chunk is intact when it still starts a line of the mutated text, unchanged. Only
    chunks that import on their own as exactly their written (ASCII) key count."""
    text = mutant.text.replace("\r\n", "\n").replace("\r", "\n")
    found: dict[str, str] = {}
    for chunk in chunks(mutant.original.replace("\r\n", "\n").replace("\r", "\n")):
        match = _KEY.match(chunk)
        if not match or not match.group(1).isascii() or not chunk.lstrip().startswith("@"):
            continue
        if not (text.startswith(chunk) or "\n" + chunk in text):
            continue
        key = match.group(1)
        try:
            alone, _ = parse_bibtex(chunk, "chunk.bib")
        except BibtexImportError:
            continue
        if [s.key for s in alone] == [key]:
            found[key] = chunk
    return found


def ingest_mutant(mutant: Mutant) -> None:
    """A mutated fixture: only BibtexImportError escapes, and no intact entry is lost."""
    expected = survivors(mutant)
    try:
        studies, report = parse_bibtex(mutant.data, mutant.source)
    except BibtexImportError as exc:
        assert not expected, f"{len(expected)} intact entries lost to: {exc}"
        return
    check_report(studies, report, None)
    keys = {s.key for s in studies}
    renamed_or_merged = " ".join(p.message for p in report.problems if "duplicate" in p.kind)
    lost = [k for k in expected if k not in keys and f"'{k}'" not in renamed_or_merged]
    assert not lost, f"intact entries not imported: {lost}"


def audit_text(text: str) -> None:
    """Draft text: parsed and audited without raising; every offset lies inside the text."""
    draft = parse_draft(text)
    assert 0 <= draft.body_end <= len(text)
    for citation in draft.citations:
        assert 0 <= citation.start <= citation.end <= len(text), citation
        assert text[citation.start : citation.end] == citation.text, citation
    for reference in draft.references:
        assert 0 <= reference.start <= reference.end <= len(text), reference
        assert text[reference.start : reference.end] == reference.text, reference
    report = audit_draft(text, corpus_studies())
    for finding in report.findings:
        assert 0 <= finding.start <= finding.end <= len(text), finding
        assert finding.line >= 1
    render(report, "md")
    render(report, "text")


def audit_bytes(data: bytes) -> None:
    """A draft file of random bytes: read (then audited) or DraftError, nothing else."""
    with tempfile.NamedTemporaryFile(suffix=".md") as handle:
        handle.write(data)
        handle.flush()
        try:
            text = read_draft(Path(handle.name))
        except DraftError:
            return
    audit_text(text)


def audit_mutant(mutant: Mutant) -> None:
    """A mutated test draft, as a file: read and audited, or DraftError."""
    audit_bytes(mutant.data)


@functools.lru_cache(maxsize=1)
def docx_sample() -> bytes:
    """A real small .docx (python-docx) of a test draft: the base that `docx_bytes` mutates."""
    import docx

    document = docx.Document()
    for paragraph in (DATA / "audit-clean.md").read_text(encoding="utf-8").split("\n\n")[:12]:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@st.composite
def docx_bytes(draw: Callable[..., Any]) -> bytes:
    """A .docx with random bytes overwritten, cut short, or extended."""
    data = bytearray(docx_sample())
    for _ in range(draw(st.integers(0, 8))):
        at = draw(st.integers(0, len(data) - 1))
        data[at] = draw(st.integers(0, 255))
    cut = draw(st.integers(len(data) // 2, len(data)))
    return bytes(data[:cut]) + draw(st.binary(max_size=64))


def audit_docx(data: bytes) -> None:
    """A damaged .docx: read (then audited) or DraftError, nothing else."""
    try:
        text, _ = load_draft(data, "fuzz.docx")
    except DraftError:
        return
    audit_text(text)


# name → (strategy, property); benchmarks/fuzz.py runs the same table.
TARGETS: dict[str, tuple[Callable[[], st.SearchStrategy[Any]], Callable[[Any], None]]] = {
    "bibtex-text": (lambda: bibtex_text, ingest_text),
    "bibtex-bytes": (lambda: random_bytes, ingest_bytes),
    "bibtex-mutated": (lambda: mutated(fixture_texts()), ingest_mutant),
    "draft-text": (lambda: draft_text, audit_text),
    "draft-bytes": (lambda: random_bytes, audit_bytes),
    "draft-mutated": (lambda: mutated(draft_texts()), audit_mutant),
    "draft-docx": (docx_bytes, audit_docx),
}


def bounded(check: Callable[[Any], None], seconds: float) -> Callable[[Any], None]:
    """`check` under the time bound."""

    def run(value: Any) -> None:
        with time_bound(seconds):
            check(value)

    return run


# ---- the suite's share ---------------------------------------------------------------------

SUITE = settings(
    max_examples=SUITE_EXAMPLES,
    deadline=None,  # speed belongs to benchmarks/; the time bound catches hangs
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
    derandomize=True,  # the suite is reproducible; benchmarks/fuzz.py explores
)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz_target(name: str) -> None:
    if name == "bibtex-mutated" and not fixture_texts():
        pytest.skip(f"{FIXTURES} is not here (../shared exists only in checkouts and CI)")
    make, check = TARGETS[name]

    @SUITE
    @given(make())
    def run(value: Any) -> None:
        bounded(check, TEST_TIME_BOUND_S)(value)

    run()


# ---- what the fuzzer found (each fixed; kept as plain regression tests) --------------------

TWO = (
    "@article{first2020,\n  title = {First caf\u00e9 study},\n  year = {2020},\n}\n\n"
    "@article{second2021,\n  title = {Second study},\n  year = {2021},\n}\n"
)


def test_a_stray_nul_byte_loses_nothing_and_is_reported() -> None:
    """One NUL used to make the whole file 'binary': every entry was refused."""
    data = TWO.replace("Second", "Sec\x00ond").encode("utf-8")
    studies, report = parse_bibtex(data, "x.bib")
    assert [s.key for s in studies] == ["first2020", "second2021"]
    assert studies[1].title == "Second study"
    assert [(p.kind, p.line) for p in report.problems] == [("control-characters", 7)]


def test_control_characters_never_reach_a_study() -> None:
    """They break DOCX/PPTX exports (XML forbids them); vertical tab and form feed space."""
    studies, _ = parse_bibtex("@article{k, title = {A\x0bB\x01C\x0eD}, year = {2020}}")
    assert studies[0].title == "A BCD"


def test_utf16_with_a_damaged_bom_keeps_its_byte_order() -> None:
    """The order was read from byte 1 alone: a damaged first character flipped it."""
    data = bytearray(codecs.BOM_UTF16_LE + TWO.encode("utf-16-le"))
    data[0] = 0xD6
    studies, _ = parse_bibtex(bytes(data), "x.bib")
    assert [s.key for s in studies] == ["first2020", "second2021"]


def test_a_stale_utf16_header_on_an_8bit_file_is_ignored() -> None:
    """JabRef's '% Encoding: UTF-16LE' left on a file re-saved as Latin-1 decoded it all as
    UTF-16 garbage."""
    data = ("% Encoding: UTF-16LE\n\n" + TWO).encode("latin-1")
    studies, report = parse_bibtex(data, "x.bib")
    assert [s.key for s in studies] == ["first2020", "second2021"]
    assert studies[0].title == "First caf\u00e9 study"
    assert [p.kind for p in report.problems] == ["encoding"]


def test_a_line_ending_in_a_latex_line_break_loses_no_later_entry() -> None:
    """bibtexparser did not count a newline after a backslash: the next entry's line was
    one early, its '%' comment line was taken for the entry's own, and it was dropped."""
    text = (
        "@article{a1,\n  title = {First},\n  note = {line one\\\\\n line two},\n"
        "  year = {2020},\n}\n\n"
        "% the next entry\n@article{b2,\n  title = {Second},\n  year = {2021},\n}\n"
    )
    studies, report = parse_bibtex(text)
    assert [s.key for s in studies] == ["a1", "b2"]
    assert [(s.key, s.source_line) for s in studies] == [("a1", 1), ("b2", 9)]
    assert report.problems == ()


def test_private_use_characters_cannot_pose_as_latex_placeholders() -> None:
    """U+E000-U+E00F are the LaTeX decoder's placeholders: in a value they raised KeyError
    (or turned into '&', '%', ...)."""
    studies, report = parse_bibtex("@article{k, title = {A \ue00f B \ue001 C {\\'e}}, year = 2020}")
    assert studies[0].title == "A B C é"
    assert [p.kind for p in report.problems] == ["control-characters"]


def test_a_few_stray_control_characters_are_damage_not_a_binary_file() -> None:
    """Fifteen in a short file made it 'binary': both intact entries were refused."""
    data = TWO.replace("Second", "Sec\x07\x06\x14\x04\x07ond" * 3).encode("utf-16")
    studies, _ = parse_bibtex(data, "x.bib")
    assert [s.key for s in studies] == ["first2020", "second2021"]
