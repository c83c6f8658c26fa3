"""The index on disk: a folder of generations, switched atomically.

    index/
      CURRENT           name of the live generation (replaced with os.replace)
      gen-…/            one complete, immutable index:
        manifest.json   format, versions, model, counts, corpus hash, settings, checksums
        studies.jsonl   one Study per line
        passages.jsonl  one Passage per line; line i is FAISS row i
        vectors.faiss   passage vectors (normalised float32, inner product)
        documents.faiss one vector per study (row i is studies.jsonl line i)
        bm25/           keyword index over studies (bm25s files, no pickle)
        text_keys.json  hashes of the embedded texts (the embedding cache's keys)
      imports/          BibTeX files added with `evidence import`, kept for rebuilds

A new generation is written into a temporary folder beside the live one, fsynced, then
published by rewriting CURRENT; a crash at any moment leaves the old one serving.
Readers check the manifest before anything else and refuse what they cannot use.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import IndexFormatError, IndexNotFoundError
from ..model import Finding, Passage, Person, Status, Study
from ..text.files import write_atomic
from ..version import __version__
from .lexical import LexicalIndex
from .vectors import VectorIndex

FORMAT = "evidence-index"
FORMAT_VERSION = 2  # 2: structured findings and study status (1 is still read)
CURRENT = "CURRENT"
IMPORTS = "imports"
STAGING = ".staging"  # inside imports/: files of an import whose generation is not yet live
QUARANTINE = "quarantine"  # inside imports/: imported files that could not be read again
TEMP_PREFIX = ".tmp-"  # then the writer's pid: a generation being written


@dataclass(slots=True)
class IndexData:
    """Everything one generation holds, in memory."""

    manifest: dict[str, Any]
    studies: list[Study]
    passages: list[Passage]
    vectors: VectorIndex
    documents: VectorIndex
    lexical: LexicalIndex
    path: Path
    text_keys: dict[str, list[str]]  # embedding-cache keys of passage and study texts
    # (previous generation, studies kept, passages kept): rows copied, not re-encoded
    appended_to: tuple[Path, int, int] | None = None


def write_index(index_dir: Path, data: IndexData, keep: int = 2) -> Path:
    """Write `data` as a new generation of `index_dir` and make it live; return its folder.

    Raises IndexFormatError (with the OS reason) when the folder cannot be written (read-only,
    disk full); what was half written is removed and the previous index stays live.
    """
    name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{os.urandom(3).hex()}"
    final = index_dir / name
    tmp: Path | None = None
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=index_dir))
        _write_files(tmp, data)
        _fsync_tree(tmp)
        os.replace(tmp, final)
        tmp = None
        _fsync_dir(index_dir)
        _publish(index_dir, name)
    except (OSError, RuntimeError) as exc:
        if tmp is None and _live(index_dir) == name:
            return final  # published: only the last directory fsync failed
        reason = _write_failure(exc)
        _discard(index_dir, tmp, final)
        if reason is None:
            raise
        raise cannot_write(index_dir, reason) from None
    _collect_garbage(index_dir, keep)
    return final


def _live(index_dir: Path) -> str | None:
    """The live generation's name; None when there is none, "" when it cannot be read."""
    try:
        return current_generation(index_dir)
    except OSError:
        return ""


def _discard(index_dir: Path, tmp: Path | None, final: Path) -> None:
    """Remove what a failed write left (a full disk needs the space back), never the live
    generation."""
    if tmp is not None:
        shutil.rmtree(tmp, ignore_errors=True)
    live = _live(index_dir)
    if live != "" and live != final.name:
        shutil.rmtree(final, ignore_errors=True)
    try:
        for pointer in index_dir.glob(f".{CURRENT}.{os.getpid()}-*.tmp"):
            pointer.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only folder: nothing was written there either


def cannot_write(index_dir: Path, reason: str) -> IndexFormatError:
    """The error for an index folder that cannot be written (`reason`: the OS's words)."""
    return IndexFormatError(
        f"cannot write the index in {index_dir}: {reason}. Make the folder writable or free "
        "disk space (or choose another folder with --index / EVIDENCE_INDEX), then run the "
        "command again; the previous index (if any) is unchanged and still answers."
    )


def _write_failure(exc: BaseException) -> str | None:
    """The OS reason of a failed write, or None when `exc` is not a write failure (a bug).

    FAISS reports I/O errors as RuntimeError ("write error in …: 45011 != 400896 (No space
    left on device)"), so those count too."""
    if isinstance(exc, OSError):
        return str(exc.strerror or exc)
    match = re.search(r"write error in .*?\(([^()]+)\)\s*$", str(exc), re.DOTALL)
    return match.group(1) if match else None


def _write_files(folder: Path, data: IndexData) -> None:
    old, studies_kept, passages_kept = data.appended_to or (None, 0, 0)
    _write_rows(folder / "studies.jsonl", data.studies, study_to_dict, old, studies_kept)
    _write_rows(folder / "passages.jsonl", data.passages, passage_to_dict, old, passages_kept)
    data.vectors.save(folder / "vectors.faiss")
    data.documents.save(folder / "documents.faiss")
    data.lexical.save(folder / "bm25")
    (folder / "text_keys.json").write_text(json.dumps(data.text_keys))
    manifest = dict(data.manifest)
    manifest.update(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        evidence_version=__version__,
        created=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        files={
            str(path.relative_to(folder)): _checksum(path)
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        },
    )
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))


def _write_rows(path: Path, items: list[Any], convert: Any, old: Path | None, kept: int) -> None:
    """JSON lines for `items`; the first `kept` are copied from the same file of the `old`
    generation (an import appends: re-encoding 100,000 unchanged rows took 0.8 s)."""
    source = old / path.name if old is not None else None
    if source is None or kept == 0 or not source.exists():
        _write_jsonl(path, (convert(item) for item in items))
        return
    with source.open("rb") as src, path.open("wb") as dst:
        _copy_lines(src, dst, kept, source)
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with path.open("a", encoding="utf-8") as handle:
        handle.writelines(encode(convert(item)) + "\n" for item in items[kept:])


def _copy_lines(src: Any, dst: Any, count: int, source: Path) -> None:
    """Copy the first `count` lines of `src` to `dst` in large blocks (a line at a time took
    0.1 s for 100,000 rows)."""
    while count:
        block = src.read(1 << 20)
        if not block:
            raise OSError(f"{source} is shorter than its manifest says")
        lines = block.count(b"\n")
        if lines < count:
            dst.write(block)
            count -= lines
            continue
        end = -1
        for _ in range(count):
            end = block.index(b"\n", end + 1)
        dst.write(block[: end + 1])
        count = 0


def _write_jsonl(path: Path, rows: Any) -> None:
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with path.open("w", encoding="utf-8") as handle:
        handle.writelines(encode(row) + "\n" for row in rows)


def _publish(index_dir: Path, name: str) -> None:
    write_atomic(index_dir / CURRENT, (name + "\n").encode(), fsync=True)
    _fsync_dir(index_dir)


def _fsync_tree(folder: Path) -> None:
    for root, _, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(root))


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _collect_garbage(index_dir: Path, keep: int) -> None:
    """Remove old generations (keeping `keep`, the live one included) and what killed writers
    left: temp folders and CURRENT pointers of processes that are gone (or over an hour old)."""
    live = current_generation(index_dir)
    generations = sorted(p for p in index_dir.glob("gen-*") if p.is_dir())
    old = [g for g in generations if g.name != live][: max(0, len(generations) - keep)]
    stale = [t for t in index_dir.glob(f"{TEMP_PREFIX}*") if _abandoned(t)]
    for folder in old + stale:
        shutil.rmtree(folder, ignore_errors=True)
    for pointer in index_dir.glob(f".{CURRENT}.*.tmp"):
        if _abandoned(pointer):
            pointer.unlink(missing_ok=True)


def _abandoned(path: Path) -> bool:
    """True when the writer named in `path` (``.tmp-PID-…``, ``.CURRENT.PID-….tmp``) is no
    longer running, or when `path` is over an hour old."""
    try:
        if time.time() - path.stat().st_mtime > 3600:
            return True
    except OSError:
        return False
    match = re.match(rf"(?:{re.escape(TEMP_PREFIX)}|\.{CURRENT}\.)(\d+)[-.]", path.name)
    if match is None or int(match.group(1)) == os.getpid():
        return False
    try:
        os.kill(int(match.group(1)), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # alive, but another user's
    return False


def current_generation(index_dir: Path) -> str | None:
    """Name of the live generation, or None when there is no index."""
    try:
        name = (index_dir / CURRENT).read_text().strip()
    except FileNotFoundError:
        return None
    return name or None


def read_manifest(index_dir: Path) -> tuple[Path, dict[str, Any]]:
    """Return the live generation's folder and manifest, checked for format and version.

    Raises IndexNotFoundError or IndexFormatError, with the command to run.
    """
    name = current_generation(index_dir)
    if name is None:
        raise IndexNotFoundError(
            f"no index in {index_dir}. Build one with `evidence index` (or `make run`, which "
            "builds the bundled corpus on first start)."
        )
    folder = index_dir / name
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise IndexFormatError(
            f"{folder}/manifest.json is missing or damaged ({exc}). Rebuild with `evidence index`."
        ) from None
    if manifest.get("format") != FORMAT:
        raise IndexFormatError(f"{folder} is not an evidence index. Rebuild with `evidence index`.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise IndexFormatError(
            f"{index_dir} was written by a newer evidence (index format {version}; this one reads "
            f"up to {FORMAT_VERSION}). Upgrade evidence, or rebuild with `evidence index`."
        )
    return folder, manifest


def read_index(
    index_dir: Path,
    model: str,
    dimension: int | None = None,
    verify: bool = True,
    precision: str | None = None,
) -> IndexData:
    """Load the live generation after checking its manifest, model, counts and checksums.

    Raises IndexNotFoundError or IndexFormatError, with the command to run.
    """
    folder, manifest = read_manifest(index_dir)
    built = manifest.get("model", {})
    if built.get("name") != model:
        raise IndexFormatError(
            f"{index_dir} was built with model {built.get('name')} ({built.get('dimension')}-d); "
            f"the current model is {model}. Rebuild with `evidence index`, or set the model back."
        )
    if precision is not None and built.get("precision", "fp32") != precision:
        raise IndexFormatError(
            f"{index_dir} holds {built.get('precision', 'fp32')} vectors but the model runs in "
            f"{precision} (backend setting). Rebuild with `evidence index`, or change the backend."
        )
    if dimension is not None and built.get("dimension") != dimension:
        raise IndexFormatError(
            f"{index_dir} holds {built.get('dimension')}-d vectors but model {model} makes "
            f"{dimension}-d ones. Rebuild with `evidence index`."
        )
    if verify:
        _verify_files(folder, manifest)
    try:
        studies = [study_from_dict(row) for row in _read_jsonl(folder / "studies.jsonl")]
        passages = [Passage(**row) for row in _read_jsonl(folder / "passages.jsonl")]
        vectors = VectorIndex.open(folder / "vectors.faiss")
        documents = VectorIndex.open(folder / "documents.faiss")
        lexical = LexicalIndex.load(folder / "bm25")
        text_keys = json.loads((folder / "text_keys.json").read_text())
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexFormatError(
            f"{folder} is damaged ({exc}). Rebuild with `evidence index`."
        ) from None
    _check_counts(folder, manifest, studies, passages, vectors, documents, lexical)
    return IndexData(manifest, studies, passages, vectors, documents, lexical, folder, text_keys)


def _verify_files(folder: Path, manifest: dict[str, Any]) -> None:
    for name, expected in manifest.get("files", {}).items():
        path = folder / name
        if not path.exists() or path.stat().st_size != expected["bytes"]:
            raise IndexFormatError(
                f"{path} is missing or truncated. Rebuild with `evidence index`."
            )
        if _checksum(path)["sha256"] != expected["sha256"]:
            raise IndexFormatError(
                f"{path} does not match its checksum (corrupted). Rebuild with `evidence index`."
            )


def _check_counts(folder, manifest, studies, passages, vectors, documents, lexical) -> None:  # type: ignore[no-untyped-def]
    counts = {
        "studies": (manifest.get("study_count"), len(studies)),
        "passages": (manifest.get("passage_count"), len(passages)),
        "passage vectors": (len(passages), vectors.size),
        "study vectors": (len(studies), documents.size),
        "keyword rows": (len(studies), lexical.size),
    }
    for what, (expected, found) in counts.items():
        if expected != found:
            raise IndexFormatError(
                f"{folder}: {what} count {found} does not match {expected}. "
                "Rebuild with `evidence index`."
            )


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _checksum(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"sha256": digest.hexdigest(), "bytes": path.stat().st_size}


_STUDY_FIELDS = tuple(f.name for f in dataclasses.fields(Study))
_PERSON_FIELDS = tuple(f.name for f in dataclasses.fields(Person))
_PASSAGE_FIELDS = tuple(f.name for f in dataclasses.fields(Passage))
_FINDING_FIELDS = tuple(f.name for f in dataclasses.fields(Finding))
_STATUS_FIELDS = tuple(f.name for f in dataclasses.fields(Status))


def study_to_dict(study: Study) -> dict[str, Any]:
    """A Study as plain JSON-able data (the inverse of `study_from_dict`).

    Written out by hand: `dataclasses.asdict` deep-copies and took a second per
    50,000 passages, most of an incremental import."""
    row = {name: getattr(study, name) for name in _STUDY_FIELDS}
    for name in ("authors", "editors"):
        row[name] = [{f: getattr(p, f) for f in _PERSON_FIELDS} for p in row[name]]
    row["findings"] = [{f: getattr(x, f) for f in _FINDING_FIELDS} for x in study.findings]
    row["status"] = {f: getattr(study.status, f) for f in _STATUS_FIELDS}
    return row


def passage_to_dict(passage: Passage) -> dict[str, Any]:
    """A Passage as plain JSON-able data."""
    return {name: getattr(passage, name) for name in _PASSAGE_FIELDS}


def study_from_dict(row: dict[str, Any]) -> Study:
    """Rebuild a Study from `study_to_dict` output."""
    row = dict(row)
    for name in ("authors", "editors"):
        row[name] = tuple(Person(**p) for p in row.get(name, ()))
    for name in ("keywords", "sources", "flags", "includes"):
        row[name] = tuple(row.get(name, ()))
    row["findings"] = tuple(_finding(n, f) for n, f in enumerate(row.get("findings", ()), 1))
    row["status"] = Status(**row.get("status", {}))
    row["extra"] = tuple(tuple(pair) for pair in row.get("extra", ()))
    return Study(**row)


def _finding(number: int, row: dict[str, Any] | str) -> Finding:
    """A Finding from its row; format 1 stored a finding as its text only."""
    if isinstance(row, str):
        return Finding(number, row)
    row = dict(row)
    for name in ("exposures", "outcomes"):
        row[name] = tuple(row.get(name, ()))
    return Finding(**row)


def file_sha256(paths: list[Path], read_from: Mapping[Path, Path] | None = None) -> str:
    """One hash over the bytes of `paths` (sorted by name): the corpus identity. A path in
    `read_from` is hashed under its own name but read from the file it maps to (an import
    that is still staged under another name)."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=str):
        digest.update(path.name.encode())
        source = (read_from or {}).get(path, path)
        digest.update(hashlib.sha256(source.read_bytes()).digest())
    return digest.hexdigest()
