"""The index folder's write lock: a second holder waits, then times out with
LockTimeoutError, and gets the lock once the first lets go."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from evidence.errors import EvidenceError, LockTimeoutError
from evidence.index.locking import index_lock
from tests.conftest import ROOT


def test_the_lock_creates_the_folder_and_its_lock_file(tmp_path: Path) -> None:
    index_dir = tmp_path / "new" / "index"
    with index_lock(index_dir, timeout=1):
        assert (index_dir / ".lock").exists()


def test_a_second_holder_times_out_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    with index_lock(tmp_path, timeout=1):
        with pytest.raises(LockTimeoutError) as caught:
            with index_lock(tmp_path, timeout=0.05):
                pytest.fail("two holders of one index lock")
    assert isinstance(caught.value, EvidenceError)
    message = str(caught.value)
    assert f"{tmp_path}/.lock" in message
    assert "another process" in message and "try again" in message
    # Released: the next holder gets it at once.
    with index_lock(tmp_path, timeout=0.05):
        pass


def test_a_holder_in_another_thread_times_out(tmp_path: Path) -> None:
    outcome: list[BaseException | str] = []

    def second() -> None:
        try:
            with index_lock(tmp_path, timeout=0.05):
                outcome.append("acquired")
        except LockTimeoutError as exc:
            outcome.append(exc)

    with index_lock(tmp_path, timeout=1):
        worker = threading.Thread(target=second)
        worker.start()
        worker.join(timeout=30)
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], LockTimeoutError)


def test_a_waiting_holder_gets_the_lock_only_after_the_first_releases(tmp_path: Path) -> None:
    events: list[str] = []
    held, waiting = threading.Event(), threading.Event()

    def first() -> None:
        with index_lock(tmp_path, timeout=5):
            events.append("first acquired")
            held.set()
            waiting.wait(timeout=10)
            time.sleep(0.2)  # give a broken lock the chance to let the second one in
            events.append("first releasing")

    def second() -> None:
        held.wait(timeout=10)
        waiting.set()
        with index_lock(tmp_path, timeout=20):
            events.append("second acquired")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert events == ["first acquired", "first releasing", "second acquired"]


HOLDER = """
import sys
from pathlib import Path
from evidence.index.locking import index_lock

with index_lock(Path(sys.argv[1]), timeout=5):
    print("held", flush=True)
    sys.stdin.read()
print("released", flush=True)
"""


def test_a_lock_held_by_another_process_times_out_then_is_free_after_it_exits(
    tmp_path: Path,
) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    ) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        try:
            assert holder.stdout.readline().strip() == "held"
            with pytest.raises(LockTimeoutError):
                with index_lock(tmp_path, timeout=0.1):
                    pass
            holder.stdin.close()  # the holder leaves its `with` block and exits
            assert holder.stdout.readline().strip() == "released"
            assert holder.wait(timeout=30) == 0
        finally:
            if holder.poll() is None:
                holder.kill()
    with index_lock(tmp_path, timeout=1):
        assert (tmp_path / ".lock").exists()
