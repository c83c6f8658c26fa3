"""The shared library's rows in PostgreSQL: the generation counter, imports, their studies,
passages and vectors. Functions over a cursor of one transaction (`database.Database`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..index import IndexData
from ..index.store import passage_to_dict, study_to_dict

CHANNEL = "evidence_library"  # NOTIFY payload: the new generation
IMPORT_LOCK = 0x696D706F  # "impo": one import at a time across every server


def state(cur: Any) -> tuple[str, int]:
    """(the database's id, its library generation)."""
    cur.execute("SELECT database_id::text, generation FROM library_state WHERE id = 1")
    row = cur.fetchone()
    return str(row[0]), int(row[1])


def pending(cur: Any, after: int) -> list[tuple[int, str, bytes]]:
    """(generation, name, bytes) of every imported file after generation `after`, in order."""
    cur.execute(
        "SELECT generation, name, data FROM imports WHERE generation > %s ORDER BY generation, id",
        (after,),
    )
    return [(int(g), str(n), bytes(d)) for g, n, d in cur.fetchall()]


def imported_hashes(cur: Any) -> set[str]:
    cur.execute("SELECT sha256 FROM imports")
    return {row[0] for row in cur.fetchall()}


def keys_since(cur: Any, after: int) -> set[str]:
    """Keys of the studies imports after generation `after` added or changed."""
    cur.execute("SELECT key FROM studies WHERE generation > %s", (after,))
    return {row[0] for row in cur.fetchall()}


def vectors(cur: Any, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
    cur.execute(
        "SELECT text_key, vector FROM vectors WHERE model = %s AND text_key = ANY(%s)",
        (model, list(keys)),
    )
    return {k: np.frombuffer(bytes(v), dtype=np.float32) for k, v in cur.fetchall()}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_import(
    cur: Any,
    files: Sequence[tuple[str, bytes]],
    by: str,
    model: str,
    before: IndexData,
    after: IndexData,
) -> int:
    """Store one import (call with IMPORT_LOCK held): its files, the studies it added or
    changed with their passages, the vectors of texts new to the library; raise the
    generation and notify every server (delivered on commit). Returns the generation."""
    cur.execute("UPDATE library_state SET generation = generation + 1 RETURNING generation")
    generation = int(cur.fetchone()[0])
    cur.executemany(
        "INSERT INTO imports (generation, name, data, sha256, imported_by) "
        "VALUES (%s, %s, %s, %s, %s)",
        [(generation, name, data, sha256(data), by) for name, data in files],
    )
    old = {s.key: s for s in before.studies}
    changed = [s for s in after.studies if old.get(s.key) != s]
    cur.executemany(
        "INSERT INTO studies (key, generation, data) VALUES (%s, %s, %s) ON CONFLICT (key) "
        "DO UPDATE SET generation = excluded.generation, data = excluded.data",
        [(s.key, generation, json.dumps(study_to_dict(s))) for s in changed],
    )
    keys = [s.key for s in changed]
    cur.execute("DELETE FROM passages WHERE study_key = ANY(%s)", (keys,))
    wanted = set(keys)
    cur.executemany(
        "INSERT INTO passages (id, study_key, generation, data) VALUES (%s, %s, %s, %s) "
        "ON CONFLICT (id) DO UPDATE SET generation = excluded.generation, data = excluded.data",
        [
            (p.id, p.study_key, generation, json.dumps(passage_to_dict(p)))
            for p in after.passages
            if p.study_key in wanted
        ],
    )
    store_vectors(cur, model, after, before)
    cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(generation)))
    return generation


def store_vectors(cur: Any, model: str, data: IndexData, known: IndexData | None = None) -> int:
    """Store the vectors of `data`'s texts that `known` lacks (all, without it); texts the
    database already holds are skipped. Returns how many rows were offered."""
    rows: list[tuple[str, str, bytes]] = []
    for name, index in (("passages", data.vectors), ("studies", data.documents)):
        keys = data.text_keys.get(name, [])
        skip = set(known.text_keys.get(name, [])) if known is not None else set()
        new = [i for i, key in enumerate(keys) if key not in skip]
        if not new or len(keys) != index.size:
            continue
        block = index.reconstruct_range(new[0], len(keys))
        rows += [
            (model, keys[i], np.ascontiguousarray(block[i - new[0]], dtype=np.float32).tobytes())
            for i in new
        ]
    if rows:
        cur.executemany(
            "INSERT INTO vectors (model, text_key, vector) VALUES (%s, %s, %s) "
            "ON CONFLICT DO NOTHING",
            rows,
        )
    return len(rows)


def stored_vector_keys(cur: Any, model: str) -> set[str]:
    cur.execute("SELECT text_key FROM vectors WHERE model = %s", (model,))
    return {row[0] for row in cur.fetchall()}
