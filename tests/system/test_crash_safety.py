"""Crash safety of the index: builds killed with SIGKILL at random moments, damaged files,
a read-only folder and a full disk. Whatever happens, the live index loads and answers
exactly as before, or a clear error says what to do; nothing is ever half written.

The kill trials run real builds (the real model) in subprocesses, alternating between two
corpora so that every build embeds new passages, and kill them at uniform random moments:
even trials anywhere in the build, odd ones while the generation is being written and
published (the critical section). After every kill, `Library.open` must load and answer
the fixed queries exactly like an uninterrupted build of the same corpus.
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from evidence import Library
from evidence.errors import IndexFormatError
from evidence.index import IndexFolder
from evidence.index.store import current_generation
from tests.conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny.bib"
CORPUS = ROOT / "corpus"
CORPORA = {
    # Two corpora sharing tiny.bib: a build of one over the other embeds ~20 new studies.
    "a": [TINY, CORPUS / "peer-support-and-stigma.bib", CORPUS / "training-programs.bib"],
    "b": [TINY, CORPUS / "workplace-interventions.bib", CORPUS / "seed-article.bib"],
}
QUERIES = [
    "peer support reduces PTSD symptoms in firefighters",
    "stigma keeps police officers from seeking help",
    "resilience training for first responders",
    "sleep of shift workers",
    "critical incident stress debriefing",
]
TRIALS = 20
SCORE_TOLERANCE = 1e-2

# The build a trial kills: load the model first ("ready"), say when the generation starts
# being written ("writing") and published ("publishing"), then build.
CHILD = """
import sys
from pathlib import Path
import evidence.index.store as store
from evidence import Library
from evidence.index.embed import Embedder

index_dir, sources = Path(sys.argv[1]), [Path(p) for p in sys.argv[2:]]
embedder = Embedder()
embedder.encode_queries(["load the model before the clock starts"])
write_files, publish = store._write_files, store._publish

def writing(folder, data):
    print("writing", flush=True)
    write_files(folder, data)

def publishing(index_dir, name):
    print("publishing", flush=True)
    publish(index_dir, name)

store._write_files, store._publish = writing, publishing
print("ready", flush=True)
Library.build(sources, index_dir=index_dir, embedder=embedder)
print("done", flush=True)
"""

Answers = list[list[tuple[str, str, float]]]


def answers(library: Library) -> Answers:
    """What the library answers to QUERIES: (study key, best passage id, score) per hit."""
    return [
        [(h.study.key, h.passage.id if h.passage else "", h.score) for h in library.search(q, k=5)]
        for q in QUERIES
    ]


def assert_equivalent(found: Answers, expected: Answers) -> None:
    """The same studies and passages in the same order, scores within 1%: the same texts
    embedded in other batches differ in the last digits, and fusion normalises scores over
    the candidates, so the noise grows a little (measured: at most 0.4%)."""
    for got, want in zip(found, expected, strict=True):
        assert [(k, p) for k, p, _ in got] == [(k, p) for k, p, _ in want]
        assert all(
            math.isclose(a[2], b[2], rel_tol=SCORE_TOLERANCE, abs_tol=SCORE_TOLERANCE)
            for a, b in zip(got, want, strict=True)
        ), (got, want)


def corpus_of(index_dir: Path) -> str:
    """Which of CORPORA the live generation holds ("a" or "b")."""
    manifest = json.loads(
        (index_dir / str(current_generation(index_dir)) / "manifest.json").read_text()
    )
    names = {Path(p).name for p in manifest["sources"]}
    return next(n for n, files in CORPORA.items() if names == {f.name for f in files})


def start_build(index_dir: Path, corpus: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-c", CHILD, str(index_dir), *map(str, CORPORA[corpus])]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)


def finish(child: subprocess.Popen[str]) -> int:
    """Kill `child` if it still runs; return its exit status."""
    child.kill()
    status = child.wait(timeout=60)
    if child.stdout is not None:
        child.stdout.close()
    return status


def wait_for(child: subprocess.Popen[str], word: str) -> float:
    """Read the child's output up to the line `word`; return when it came."""
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip() == word:
            return time.monotonic()
    raise AssertionError(f"the build exited (status {child.wait()}) before saying {word!r}")


@pytest.fixture(scope="module")
def expected(tmp_path_factory: pytest.TempPathFactory, embedder: Any) -> dict[str, Answers]:
    """The answers of an uninterrupted build of each corpus."""
    found = {}
    for name, sources in CORPORA.items():
        index_dir = tmp_path_factory.mktemp(f"reference-{name}")
        found[name] = answers(Library.build(sources, index_dir=index_dir, embedder=embedder))
    assert found["a"] != found["b"]  # else a trial could not tell the two apart
    return found


@pytest.mark.slow
@pytest.mark.model
def test_builds_killed_at_random_moments_leave_a_loadable_identical_index(
    tmp_path: Path, embedder: Any, expected: dict[str, Answers]
) -> None:
    index_dir = tmp_path / "index"
    Library.build(CORPORA["a"], index_dir=index_dir, embedder=embedder)
    rng = random.Random(20261126)
    # An uninterrupted build measures when each phase starts, from "ready".
    child = start_build(index_dir, "b")
    phases = {"ready": wait_for(child, "ready")}
    for phase in ("writing", "publishing", "done"):
        phases[phase] = wait_for(child, phase) - phases["ready"]
    assert child.wait(timeout=60) == 0
    finish(child)
    # Kill anywhere in the build, while the generation is written, or while it is published
    # (and just after): the last two are short, so they get trials of their own.
    windows = [
        ("ready", phases["done"]),
        ("writing", phases["publishing"] - phases["writing"]),
        ("publishing", 2 * (phases["done"] - phases["publishing"])),
    ]
    outcomes = []
    for trial in range(TRIALS):
        before, generation = corpus_of(index_dir), current_generation(index_dir)
        previous = answers(Library.open(index_dir, embedder=embedder))
        target = "a" if before == "b" else "b"
        child = start_build(index_dir, target)
        try:
            phase, window = windows[trial % len(windows)]
            wait_for(child, phase)
            time.sleep(rng.uniform(0, window))
            child.send_signal(signal.SIGKILL)
        finally:
            finish(child)
        library = Library.open(index_dir, embedder=embedder)  # checksums verified
        if current_generation(index_dir) == generation:
            assert answers(library) == previous  # the very same answers
            outcomes.append("old")
        else:
            assert corpus_of(index_dir) == target  # the complete new generation
            assert_equivalent(answers(library), expected[target])
            outcomes.append("new")
    # Leftovers of killed writers do not disturb the next build, which removes them.
    final = Library.build(CORPORA["a"], index_dir=index_dir, embedder=embedder)
    assert_equivalent(answers(final), expected["a"])
    assert not list(index_dir.glob(".tmp-*")) and not list(index_dir.glob(".CURRENT.*"))
    assert len(list(index_dir.glob("gen-*"))) <= 2
    print(f"{TRIALS} kills: {outcomes.count('old')} kept the old index, "
          f"{outcomes.count('new')} the new one")  # fmt: skip


# ---- damaged files -------------------------------------------------------------------------


@pytest.fixture
def built(tmp_path: Path, embedder: Any) -> tuple[Path, Answers]:
    index_dir = tmp_path / "index"
    library = Library.build([TINY], index_dir=index_dir, embedder=embedder)
    return index_dir, answers(library)


def live_file(index_dir: Path, name: str) -> Path:
    return index_dir / str(current_generation(index_dir)) / name


@pytest.mark.model
@pytest.mark.parametrize("name", ["passages.jsonl", "vectors.faiss", "bm25/vocab.index.json"])
def test_a_truncated_file_is_detected_with_the_rebuild_command(
    built: tuple[Path, Answers], embedder: Any, name: str
) -> None:
    index_dir, _ = built
    path = live_file(index_dir, name)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(
        IndexFormatError, match=rf"{path.name} is missing or truncated.*evidence index"
    ):
        Library.open(index_dir, embedder=embedder)


@pytest.mark.model
@pytest.mark.parametrize("name", ["studies.jsonl", "vectors.faiss", "documents.faiss"])
def test_a_corrupted_file_fails_its_checksum_with_the_rebuild_command(
    built: tuple[Path, Answers], embedder: Any, name: str
) -> None:
    index_dir, _ = built
    path = live_file(index_dir, name)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte different
    path.write_bytes(bytes(data))
    with pytest.raises(
        IndexFormatError, match=rf"{path.name} does not match its checksum.*evidence index"
    ):
        Library.open(index_dir, embedder=embedder)


@pytest.mark.model
def test_a_damaged_manifest_is_detected(built: tuple[Path, Answers], embedder: Any) -> None:
    index_dir, _ = built
    live_file(index_dir, "manifest.json").write_text('{"format": "evidence-ind')
    with pytest.raises(
        IndexFormatError, match=r"manifest.json is missing or damaged.*evidence index"
    ):
        Library.open(index_dir, embedder=embedder)


# ---- read-only folder, full disk -----------------------------------------------------------

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


@contextmanager
def read_only(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make `folder` read-only: for real (chmod) when not root, else at the system-call
    boundary (root ignores permissions): every open for writing, mkdir, rename and
    unlink inside it fails with EROFS, as on a read-only mount."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for path in modes:
            path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return

    inside = str(folder.resolve())

    def refuse(path: Any) -> None:
        if os.path.abspath(os.fspath(path)).startswith(inside):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), os.fspath(path))

    real_open, real_io_open = os.open, io.open

    def os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & WRITE_FLAGS:
            refuse(path)
        return real_open(path, flags, *args, **kwargs)

    def file_open(path: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if isinstance(path, (str, Path)) and set(mode) & set("wax+"):
            refuse(path)
        return real_io_open(path, mode, *args, **kwargs)

    for module, name, real in [(os, "mkdir", os.mkdir), (os, "replace", os.replace),
                               (os, "rename", os.rename), (os, "unlink", os.unlink)]:  # fmt: skip
        monkeypatch.setattr(module, name, _refusing(real, refuse))
    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(io, "open", file_open)
    monkeypatch.setattr("builtins.open", file_open)
    try:
        yield
    finally:
        monkeypatch.undo()


def _refusing(real: Any, refuse: Any) -> Any:
    def call(path: Any, *args: Any, **kwargs: Any) -> Any:
        refuse(path)
        return real(path, *args, **kwargs)

    return call


def snapshot(index_dir: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(index_dir)): p.read_bytes() for p in index_dir.rglob("*") if p.is_file()
    }


@pytest.mark.model
def test_a_read_only_index_folder_gives_a_clear_error_and_changes_nothing(
    built: tuple[Path, Answers], embedder: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    index_dir, before = built
    library = Library.open(index_dir, embedder=embedder)
    extra = tmp_path / "extra.bib"
    extra.write_text("@article{new2024, title = {A new study}, year = {2024}}\n")
    files = snapshot(index_dir)
    with read_only(index_dir, monkeypatch):
        with pytest.raises(
            IndexFormatError, match=rf"cannot write the index in {index_dir}: .*writable"
        ):
            Library.build([TINY, extra], index_dir=index_dir, embedder=embedder)
        with pytest.raises(
            IndexFormatError, match=rf"cannot write the index in {index_dir}: .*writable"
        ):
            library.add_bibtex(extra)
        assert answers(Library.open(index_dir, embedder=embedder)) == before  # reading works
    assert snapshot(index_dir) == files
    assert answers(library) == before


def _full_disk(*args: Any, **kwargs: Any) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _faiss_full_disk(*args: Any, **kwargs: Any) -> None:
    raise RuntimeError(  # what faiss raises when its write fails
        "Error in void faiss::write_index(const Index*, IOWriter*, int) at index_write.cpp:499:"
        " Error: 'ret == (size * 4)' failed: write error in /x/vectors.faiss: 45011 != 400896"
        " (No space left on device)"
    )


@pytest.mark.model
@pytest.mark.parametrize(
    ("target", "failure"),
    [
        pytest.param("evidence.index.store._write_rows", _full_disk, id="jsonl"),
        pytest.param("evidence.index.vectors.VectorIndex.save", _faiss_full_disk, id="faiss"),
        pytest.param("evidence.index.store._publish", _full_disk, id="pointer"),
        pytest.param("evidence.index.imports._write_copy", _full_disk, id="import-copy"),
    ],
)
def test_a_full_disk_gives_a_clear_error_not_a_half_written_index(
    built: tuple[Path, Answers],
    embedder: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    target: str,
    failure: Any,
) -> None:
    index_dir, before = built
    library = Library.open(index_dir, embedder=embedder)
    generation = current_generation(index_dir)
    extra = tmp_path / "extra.bib"
    extra.write_text("@article{new2024, title = {A new study of sleep}, year = {2024}}\n")
    monkeypatch.setattr(target, failure)
    with pytest.raises(
        IndexFormatError,
        match=r"No space left on device. Make the folder writable or free disk space",
    ):
        library.add_bibtex(extra)
    monkeypatch.undo()
    assert current_generation(index_dir) == generation
    assert [p.name for p in index_dir.iterdir() if p.name.startswith((".tmp", ".CURRENT"))] == []
    assert not (index_dir / "imports").exists() or not list((index_dir / "imports").iterdir())
    assert answers(library) == before
    assert answers(Library.open(index_dir, embedder=embedder)) == before
    # and once there is space again, the same import goes through
    assert library.add_bibtex(extra).studies == 1


def test_an_unexpected_error_while_writing_is_not_disguised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only write failures become 'cannot write'; a bug keeps its own exception."""
    from evidence.index import store

    def bug(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("an internal bug")

    monkeypatch.setattr(store, "_write_files", bug)
    data: Any = type("Data", (), {})()
    with pytest.raises(RuntimeError, match="an internal bug"):
        store.write_index(tmp_path / "index", data)
    assert [p.name for p in (tmp_path / "index").iterdir()] == []


@pytest.mark.model
def test_a_failure_after_the_switch_is_not_reported_as_a_failed_write(
    built: tuple[Path, Answers], embedder: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Once CURRENT names the new generation it is live: an error after that (the folder's
    fsync) must not make the caller undo an import the index already holds."""
    from evidence.index import store

    index_dir, _ = built
    library = Library.open(index_dir, embedder=embedder)
    publish = store._publish

    def publish_then_fail(folder: Path, name: str) -> None:
        publish(folder, name)
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(store, "_publish", publish_then_fail)
    extra = tmp_path / "extra.bib"
    extra.write_text("@article{new2024, title = {A new study of sleep}, year = {2024}}\n")
    assert library.add_bibtex(extra).studies == 1
    monkeypatch.undo()
    reopened = Library.open(index_dir, embedder=embedder)
    assert "new2024" in {s.key for s in reopened.studies}
    assert len(list((index_dir / "imports").glob("*.bib"))) == 1


IMPORT_CHILD = """
import sys
from pathlib import Path
import evidence.index.store as store
from evidence import Library
from evidence.index.embed import Embedder

index_dir, source, stage = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
embedder = Embedder()
embedder.encode_queries(["load the model first"])
library = Library.open(index_dir, embedder=embedder)
write_files, publish = store._write_files, store._publish

def writing(folder, data):
    print("writing", flush=True)
    if stage == "writing":
        __import__("time").sleep(60)
    write_files(folder, data)

def publishing(index_dir, name):
    publish(index_dir, name)
    print("published", flush=True)
    if stage == "published":
        __import__("time").sleep(60)

store._write_files, store._publish = writing, publishing
print("ready", flush=True)
library.add_bibtex(source)
"""


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["writing", "published"])
def test_an_import_killed_mid_way_never_comes_back_and_needs_no_rebuild(
    tmp_path: Path, embedder: Any, stage: str
) -> None:
    """Killed while its generation is written: the next start serves the old studies and
    discards the file. Killed just after its generation went live: the import was
    complete, and the next start keeps it. Either way the start opens, not rebuilds."""
    index_dir = tmp_path / "index"
    before = Library.build([TINY], index_dir=index_dir, embedder=embedder)
    first_generation = current_generation(index_dir)
    source = tmp_path / "big.bib"
    source.write_text(
        "".join(
            f"@article{{killed{n}, author = {{Doe, J}}, title = {{Killed import {n}}}, "
            f"year = 2020, abstract = {{Night shifts and sleep in study {n}.}}}}\n"
            for n in range(50)
        )
    )
    child = subprocess.Popen(
        [sys.executable, "-c", IMPORT_CHILD, str(index_dir), str(source), stage],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    for line in child.stdout:
        if line.strip() == stage:
            break
    child.kill()
    child.wait()
    child.stdout.close()
    live = current_generation(index_dir)
    reopened = Library.open_or_build(settings=before.settings, embedder=embedder)
    assert current_generation(index_dir) == live  # opened as it was: no rebuild at start
    keys = {s.key for s in reopened.studies}
    assert ("killed0" in keys) is (stage == "published")
    assert reopened.studies[: len(before.studies)] == before.studies
    staging = index_dir / "imports" / ".staging"
    assert not staging.exists() or list(staging.iterdir()) == []
    assert (live == first_generation) is (stage == "writing")
    assert not IndexFolder(reopened.settings, embedder).is_stale(reopened.manifest)
