from pathlib import Path

import numpy as np
import pytest

from evidence.index.vectors import VectorIndex


def _unit(n: int, d: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_nearest_neighbour_is_itself(kind: str) -> None:
    x = _unit(500)
    index = VectorIndex.build(x, kind=kind)
    scores, rows = index.search(x[:5], 3)
    assert rows[:, 0].tolist() == [0, 1, 2, 3, 4]
    assert np.allclose(scores[:, 0], 1.0, atol=1e-5)


def test_matrix_view_is_the_stored_vectors_and_read_only() -> None:
    x = _unit(100)
    index = VectorIndex.build(x, kind="flat")
    matrix = index.matrix()
    assert matrix is not None and np.array_equal(matrix, x)
    with pytest.raises(ValueError):
        matrix[0, 0] = 2.0
    assert VectorIndex.build(x, kind="hnsw").matrix() is None


def test_save_and_memory_mapped_load_give_the_same_results(tmp_path: Path) -> None:
    x = _unit(300)
    for kind in ("flat", "hnsw"):
        index = VectorIndex.build(x, kind=kind)
        index.save(tmp_path / f"{kind}.faiss")
        loaded = VectorIndex.load(tmp_path / f"{kind}.faiss", mmap=True)
        assert loaded.kind == kind and loaded.size == 300
        assert np.array_equal(index.search(x[:10], 5)[1], loaded.search(x[:10], 5)[1])


def test_extended_appends_rows_without_touching_the_original() -> None:
    x = _unit(400)
    index = VectorIndex.build(x[:300], kind="hnsw")
    bigger = index.extended(x[300:])
    assert (index.size, bigger.size) == (300, 400)
    assert bigger.search(x[350:351], 1)[1][0, 0] == 350


def test_large_k_on_hnsw_returns_k_rows() -> None:
    x = _unit(2000)
    rows = VectorIndex.build(x, kind="hnsw").search(x[:1], 800)[1]
    assert (rows >= 0).sum() == 800


def test_hnsw_build_reports_progress_and_keeps_every_row(monkeypatch: pytest.MonkeyPatch) -> None:
    import evidence.index.vectors as vectors

    monkeypatch.setattr(vectors, "HNSW_ADD_CHUNK", 100)
    x = _unit(250)
    seen: list[tuple[int, int]] = []
    index = VectorIndex.build(
        x, kind="hnsw", progress=lambda done, total: seen.append((done, total))
    )
    assert seen == [(100, 250), (200, 250), (250, 250)]
    _, rows = index.search(x[240:250], 1)
    assert rows[:, 0].tolist() == list(range(240, 250))


def _anon_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(status.split("RssAnon:")[1].split()[0]) / 1024


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_memory_mapped_index_stays_in_the_file_and_still_works(tmp_path: Path, kind: str) -> None:
    """Mapped, not copied: processes serving one index share it. Searching, the exact
    matrix view, reading rows and extending (into memory) all work on the mapped index."""
    x = _unit(20_000 if kind == "flat" else 5_000, d=384)
    VectorIndex.build(x, kind=kind).save(tmp_path / "v.faiss")
    size_mb = (tmp_path / "v.faiss").stat().st_size / 2**20
    before = _anon_mb()
    loaded = VectorIndex.load(tmp_path / "v.faiss", mmap=True)
    _, rows = loaded.search(x[:20], 1)
    assert _anon_mb() - before < 0.2 * size_mb  # a copy would add the whole file
    assert rows[:, 0].tolist() == list(range(20))
    assert np.array_equal(loaded.reconstruct_range(5, 8), x[5:8])
    if kind == "flat":
        matrix = loaded.matrix()
        assert matrix is not None and np.array_equal(matrix[:3], x[:3])
    grown = loaded.extended(x[:2])
    assert grown.size == loaded.size + 2 and loaded.size == len(x)
    assert grown.search(x[:1], 1)[1][0, 0] in (0, len(x))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_open_maps_hnsw_and_reads_exact_indexes_into_memory(tmp_path: Path) -> None:
    x = _unit(5_000, d=384)
    for kind in ("flat", "hnsw"):
        VectorIndex.build(x, kind=kind).save(tmp_path / f"{kind}.faiss")
    size_mb = (tmp_path / "flat.faiss").stat().st_size / 2**20
    before = _anon_mb()
    hnsw = VectorIndex.open(tmp_path / "hnsw.faiss")
    assert _anon_mb() - before < 0.2 * size_mb and hnsw.kind == "hnsw"
    flat = VectorIndex.open(tmp_path / "flat.faiss")
    path = tmp_path / "flat.faiss"
    with path.open("r+b") as handle:  # overwrite in place: a mapped index would see this
        handle.write(bytes(path.stat().st_size))
    assert flat.kind == "flat"
    for index in (hnsw, flat):
        assert index.search(x[:5], 1)[1][:, 0].tolist() == [0, 1, 2, 3, 4]
