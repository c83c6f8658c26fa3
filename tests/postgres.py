"""A throwaway PostgreSQL cluster for tests and benchmarks: ``initdb`` into a temporary
folder, ``pg_ctl start`` on a free loopback port with its socket in that folder, removed
after. Root may not run the server, so as root it runs as the ``postgres`` user (which
Debian's package creates). `make test` installs Debian's ``postgresql`` when it is missing.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def find_bin(name: str) -> str | None:
    """``initdb``/``pg_ctl`` on PATH, else in Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def why_unavailable() -> str:
    """Why no throwaway cluster can be started here ("" when one can)."""
    if find_bin("initdb") is None or find_bin("pg_ctl") is None:
        return (
            "PostgreSQL is not installed (no initdb/pg_ctl); `make test` installs Debian's "
            "postgresql package, or run: apt-get install -y postgresql"
        )
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user to run the server as"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -r requirements.txt)"
    return ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A running throwaway cluster: `url(db)` for a database on it, `create_database()`,
    `stop()`/`start()` (a restart keeps its data), `remove()`."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = port
        self.log = folder / "server.log"

    def _run(self, *args: str) -> None:
        user = "postgres" if os.geteuid() == 0 else None
        subprocess.run(args, check=True, user=user, capture_output=True, timeout=120)

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://evidence@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(find_bin("pg_ctl") or "pg_ctl", "-D", str(self.data), "-l", str(self.log),
                  "-o", options, "-w", "-t", "60", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(find_bin("pg_ctl") or "pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self) -> str:
        """A new empty database on the cluster; returns its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except (subprocess.SubprocessError, OSError):
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """Start a cluster in a new temporary folder; stop and remove it afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="evidence-pg-"))
    os.chmod(folder, 0o755)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = Cluster(folder, free_port())
    try:
        cluster._run(find_bin("initdb") or "initdb", "-D", str(cluster.data), "-U", "evidence",
                     "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions")  # fmt: skip
        cluster.start()
        yield cluster
    finally:
        cluster.remove()
