"""Concurrency: searches keep answering from the old index while an import or a rebuild
runs, and switch to the new one atomically; imports at once (threads or processes) are
serialised by the index's file lock and lose no entry."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from evidence import Library
from tests.conftest import ROOT

TINY = ROOT / "tests" / "data" / "tiny.bib"
SUICIDE = ROOT / "corpus" / "suicide.bib"  # real studies the tiny corpus lacks
QUERY = "suicidal ideation and suicide attempts among firefighters"

pytestmark = pytest.mark.model


def top(library: Library, query: str = QUERY) -> list[str]:
    return [hit.study.key for hit in library.search(query, k=5)]


def invented_bib(folder: Path, tag: str, count: int) -> Path:
    """A .bib named refs.bib (every upload from one reference manager has the same name)
    with `count` invented studies keyed ``{tag}{n}``."""
    folder.mkdir(parents=True, exist_ok=True)
    entries = [
        f"@article{{{tag}{n},\n  author = {{Tester, {tag.title()}}},\n"
        f"  title = {{Invented study {tag} {n} of night shifts and sleep}},\n"
        f"  year = {{{2000 + n}}},\n  abstract = {{Test data, not evidence: {tag} {n}.}},\n}}\n"
        for n in range(count)
    ]
    path = folder / "refs.bib"
    path.write_text("\n".join(entries), encoding="utf-8")
    return path


def test_searches_during_an_import_answer_from_the_old_index_until_the_swap(
    fresh_library: Library,
) -> None:
    old = top(fresh_library)
    seen: list[list[str]] = []
    errors: list[BaseException] = []
    importing = threading.Thread(target=lambda: fresh_library.add_bibtex(SUICIDE))
    importing.start()
    while importing.is_alive():
        try:
            seen.append(top(fresh_library))
        except BaseException as exc:  # any failure while importing is the bug
            errors.append(exc)
    importing.join()
    new = top(fresh_library)
    assert errors == []
    assert new != old and set(new) - set(old)  # the import changed the answer
    assert len(seen) >= 2 and seen[0] == old  # searches ran while the import did
    assert all(answer in (old, new) for answer in seen)  # never a mix of the two
    switched = [answer == new for answer in seen]
    assert switched == sorted(switched)  # old, old, ..., new, new: one swap, never back


CHILD_REBUILD = """
import sys
from pathlib import Path
from evidence import Library
print("start", flush=True)
Library.build([Path(p) for p in sys.argv[2:]], index_dir=Path(sys.argv[1]))
"""


def test_searches_during_a_rebuild_by_another_process_keep_the_old_index(
    fresh_library: Library, embedder: Any
) -> None:
    """Another process (`evidence index`) rebuilds: this one answers as before until it
    reloads, then exactly like the new index."""
    old = top(fresh_library)
    command = [
        sys.executable,
        "-c",
        CHILD_REBUILD,
        str(fresh_library.index_dir),
        str(TINY),
        str(SUICIDE),
    ]
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "start"
        during = []
        while child.poll() is None:
            fresh_library.reload()  # what a long-running reader does between requests
            during.append(top(fresh_library))
        assert child.wait(timeout=120) == 0
    finally:
        child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()
    # While the other process rebuilt, answers came from the old index until the new one
    # was published, then from the new one (what a fresh open answers), never a mix.
    fresh_library.reload()
    new = top(Library.open(fresh_library.index_dir, embedder=embedder))
    assert top(fresh_library) == new != old
    assert during and during[0] == old and all(answer in (old, new) for answer in during)
    switched = [answer == new for answer in during]
    assert switched == sorted(switched)


CHILD_IMPORT = """
import sys, time
from contextlib import contextmanager
from pathlib import Path
import evidence.index.live as library_module
from evidence import Library
from evidence.index.embed import Embedder

index_dir, go, files = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
embedder = Embedder()
embedder.encode_queries(["load the model first"])
library = Library.open(index_dir, embedder=embedder)
index_lock = library_module.index_lock

@contextmanager
def traced(*args, **kwargs):  # when this process holds the index lock
    with index_lock(*args, **kwargs):
        print("enter", time.time(), flush=True)
        try:
            yield
        finally:
            print("leave", time.time(), flush=True)

library_module.index_lock = traced
print("ready", flush=True)
while not go.exists():
    time.sleep(0.005)
for name in files:
    library.add_bibtex(name)
"""


def test_imports_from_two_processes_at_once_are_serialised_and_lose_nothing(
    fresh_library: Library, tmp_path: Path, embedder: Any
) -> None:
    go = tmp_path / "go"
    children = []
    expected = {s.key for s in fresh_library.studies}
    for process in ("p", "q"):
        files = [invented_bib(tmp_path / f"{process}{n}", f"{process}{n}x", 3) for n in range(2)]
        expected |= {f"{process}{n}x{i}" for n in range(2) for i in range(3)}
        command = [sys.executable, "-c", CHILD_IMPORT, str(fresh_library.index_dir), str(go)]
        children.append(
            subprocess.Popen(
                [*command, *map(str, files)], cwd=ROOT, stdout=subprocess.PIPE, text=True
            )
        )
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        go.touch()  # both start importing now
        outputs = [child.communicate(timeout=300)[0] for child in children]
        assert [child.returncode for child in children] == [0, 0]
    finally:
        for child in children:
            child.kill()
            child.wait()
    spans = []
    for output in outputs:
        times = [float(line.split()[1]) for line in output.splitlines()]
        spans += list(zip(times[0::2], times[1::2], strict=True))
    spans.sort()
    assert len(spans) == 4
    assert all(end <= start for (_, end), (start, _) in zip(spans, spans[1:], strict=False))
    library = Library.open(fresh_library.index_dir, embedder=embedder)
    assert {s.key for s in library.studies} == expected
    assert len(list((fresh_library.index_dir / "imports").glob("*.bib"))) == 4


def test_imports_from_two_threads_at_once_lose_nothing(
    fresh_library: Library, tmp_path: Path, embedder: Any
) -> None:
    """Two Library objects on one index in one process (two web workers, say)."""
    other = Library.open(fresh_library.index_dir, embedder=embedder)
    files = {
        lib: invented_bib(tmp_path / tag, tag, 4)
        for lib, tag in [(fresh_library, "t"), (other, "u")]
    }
    threads = [threading.Thread(target=lib.add_bibtex, args=(path,)) for lib, path in files.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    keys = {s.key for s in Library.open(fresh_library.index_dir, embedder=embedder).studies}
    assert {f"{tag}{n}" for tag in "tu" for n in range(4)} <= keys


def test_two_imports_of_one_file_name_in_the_same_second_keep_both(
    fresh_library: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copies in imports/ were named by the second and the position in the call only,
    so the second "refs.bib" overwrote the first and its studies vanished at the next
    rebuild."""
    monkeypatch.setattr("evidence.index.imports.time.strftime", lambda *_: "20260101T000000")
    first = fresh_library.add_bibtex(invented_bib(tmp_path / "one", "one", 2))
    second = fresh_library.add_bibtex(invented_bib(tmp_path / "two", "two", 2))
    assert (first.studies, second.studies) == (2, 2)
    copies = sorted(p.name for p in (fresh_library.index_dir / "imports").iterdir())
    assert copies == ["20260101T000000-000-refs.bib", "20260101T000000-001-refs.bib"]
    rebuilt = Library.build(index_dir=fresh_library.index_dir, embedder=fresh_library.embedder,
                            sources=[TINY])  # fmt: skip
    assert {"one0", "one1", "two0", "two1"} <= {s.key for s in rebuilt.studies}
