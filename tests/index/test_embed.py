"""The embedder (evidence/embed.py) and the cached ONNX export it serves
(evidence/model_export.py), with the real default model."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from evidence.config import DEFAULT_MODEL, Settings
from evidence.errors import ModelLoadError
from evidence.index.embed import BACKENDS, Embedder, resolve_model_path
from evidence.index.encoders import QUERY_WIDTH
from evidence.index.onnx_export import exportable, exported_model, source_hash
from evidence.index.quantise import QUANTISE_VERSION, calibration_texts

pytestmark = pytest.mark.model

DIMENSION = 384
TEXTS = [
    "Peer support reduces PTSD symptoms in first responders.",
    "Mindfulness training lowered burnout among police officers (d = 0.45, p < .05).",
    "sleep",
    "Shift work, sleep quality and cardiovascular risk in paramedics: a cohort study "
    "of 1,234 emergency medical services staff followed for ten years.",
]


@pytest.fixture(scope="module")
def torch_embedder() -> Embedder:
    """The same model through PyTorch, loaded once for this module."""
    return Embedder(backend="torch")


@pytest.fixture(scope="module")
def int8_embedder() -> Embedder:
    """The same model quantised to int8 by NNCF (once per cache), loaded once for this module."""
    return Embedder(backend="openvino-int8")


def _assert_unit_float32(vectors: np.ndarray, rows: int) -> None:
    assert vectors.dtype == np.float32
    assert vectors.shape == (rows, DIMENSION)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_default_embedder_is_openvino_with_384_dimensions(embedder: Embedder) -> None:
    assert embedder.backend == "openvino"
    assert embedder.dimension == DIMENSION
    assert embedder.precision == "fp32"
    identity = embedder.identity()
    assert identity["name"] == DEFAULT_MODEL and identity["dimension"] == DIMENSION
    assert identity["normalize"] is True


def test_passages_and_queries_are_unit_float32_rows(embedder: Embedder) -> None:
    _assert_unit_float32(embedder.encode_passages(TEXTS), len(TEXTS))
    _assert_unit_float32(embedder.encode_queries(TEXTS[:2]), 2)


@pytest.mark.parametrize("method", ["encode_passages", "encode_queries"])
def test_no_texts_give_an_empty_matrix_of_the_right_width(embedder: Embedder, method: str) -> None:
    vectors = getattr(embedder, method)([])
    assert vectors.shape == (0, DIMENSION) and vectors.dtype == np.float32


def test_passages_come_back_in_input_order(embedder: Embedder) -> None:
    # encode_passages sorts by length to batch; row i must still be text i.
    together = embedder.encode_passages(TEXTS)
    alone = np.vstack([embedder.encode_passages([text]) for text in TEXTS])
    assert np.allclose(together, alone, atol=1e-5)
    # And the rows really differ, so the check above could catch a shuffle.
    assert float(together[2] @ together[3]) < 0.9


def test_a_short_query_runs_on_the_static_graph_with_the_dynamic_graphs_vector(
    embedder: Embedder,
) -> None:
    tokens = embedder.encoder._inputs  # type: ignore[attr-defined]
    short = "peer support for police"
    # Exactly QUERY_WIDTH tokens ([CLS] and [SEP] count), and one more.
    edge = " ".join(["support", "after", "trauma"] * 10)
    longer = edge + " police"
    assert tokens([edge])["input_ids"].shape[1] == QUERY_WIDTH
    assert tokens([longer])["input_ids"].shape[1] == QUERY_WIDTH + 1
    alone = np.vstack([embedder.encode_queries([q]) for q in (short, edge, longer)])
    # A batch of several queries runs on the dynamic graph.
    together = embedder.encode_queries([short, edge, longer])
    _assert_unit_float32(alone, 3)
    assert np.allclose(alone, together, atol=1e-5)
    assert (1, False, QUERY_WIDTH) in embedder.encoder._runners  # type: ignore[attr-defined]


def test_a_graph_that_cannot_take_a_static_shape_runs_short_queries_dynamically(
    embedder: Embedder, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import openvino

    def refuse(self: object, shapes: object) -> None:
        raise RuntimeError("shape inference failed")

    monkeypatch.setattr(openvino.Model, "reshape", refuse)
    fallback = Embedder()
    assert np.allclose(
        fallback.encode_queries(["peer support"]),
        embedder.encode_queries(["peer support"]),
        atol=1e-5,
    )
    assert "static query graph unavailable (shape inference failed)" in caplog.text


def test_related_texts_are_closer_than_unrelated_ones(embedder: Embedder) -> None:
    query = embedder.encode_queries(["peer support for PTSD in firefighters"])[0]
    passages = embedder.encode_passages([TEXTS[0], "Soil pH affects wheat yield."])
    assert float(passages[0] @ query) > float(passages[1] @ query) + 0.2


def test_openvino_gives_the_same_vectors_as_torch(
    embedder: Embedder, torch_embedder: Embedder
) -> None:
    assert torch_embedder.backend == "torch" and torch_embedder.precision == "fp32"
    for method in ("encode_passages", "encode_queries"):
        ours = getattr(embedder, method)(TEXTS)
        reference = getattr(torch_embedder, method)(TEXTS)
        _assert_unit_float32(reference, len(TEXTS))
        cosines = np.sum(ours * reference, axis=1)
        assert cosines.min() > 0.9999, (method, cosines)


def test_the_int8_model_stays_close_to_fp32_and_is_not_fp32(
    int8_embedder: Embedder, embedder: Embedder
) -> None:
    assert int8_embedder.backend == "openvino-int8"
    assert int8_embedder.precision == f"int8-openvino-v{QUANTISE_VERSION}"
    assert Path(int8_embedder.encoder.graph).name == "model.xml"
    for method in ("encode_passages", "encode_queries"):
        ours = getattr(int8_embedder, method)(TEXTS)
        reference = getattr(embedder, method)(TEXTS)
        _assert_unit_float32(ours, len(TEXTS))
        cosines = np.sum(ours * reference, axis=1)
        # Quantised: measurably different vectors (so a fp32 index is refused), same meaning.
        assert 0.98 < cosines.min() and cosines.max() < 0.99999, (method, cosines)


def test_calibration_texts_are_shipped_and_varied() -> None:
    texts = calibration_texts()
    assert len(texts) >= 200 and not any(t.startswith("#") for t in texts)
    lengths = sorted(len(t) for t in texts)
    assert lengths[0] < 100 < lengths[-1]  # titles and sentences: short and long inputs


def test_an_unknown_backend_is_refused_with_the_choices() -> None:
    with pytest.raises(ModelLoadError) as caught:
        Embedder(backend="tensorflow")
    message = str(caught.value)
    assert "'tensorflow'" in message
    assert all(name in message for name in BACKENDS)


def test_an_unknown_model_that_is_not_a_folder_fails_offline(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelLoadError, match="offline"):
        _ = Embedder(model=str(missing), cache_dir=tmp_path).encoder


def test_cache_dir_comes_from_evidence_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCE_CACHE_DIR", str(tmp_path / "cache"))
    assert Settings.resolve().cache_dir == tmp_path / "cache"
    assert Embedder().cache_dir == tmp_path / "cache"
    assert Embedder(cache_dir=tmp_path / "explicit").cache_dir == tmp_path / "explicit"
    monkeypatch.delenv("EVIDENCE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Settings.resolve().cache_dir == tmp_path / "xdg" / "evidence"


def test_the_default_model_folder_is_exportable() -> None:
    assert exportable(Path(resolve_model_path(DEFAULT_MODEL))) == ""


def test_exportable_explains_what_a_folder_lacks(tmp_path: Path) -> None:
    assert "tokenizer.json" in exportable(tmp_path)
    (tmp_path / "tokenizer.json").write_text("{}")
    assert "mean pooling" in exportable(tmp_path)


def test_source_hash_covers_the_weights_and_configuration(tmp_path: Path) -> None:
    def model_folder(name: str, config: str, weights: bytes) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        (folder / "config.json").write_text(config)
        (folder / "model.safetensors").write_bytes(weights)
        (folder / "README.md").write_text(name)  # not part of the model
        return folder

    base = source_hash(model_folder("base", '{"hidden_size": 384}', b"weights"))
    assert source_hash(model_folder("copy", '{"hidden_size": 384}', b"weights")) == base
    assert source_hash(model_folder("config", '{"hidden_size": 768}', b"weights")) != base
    assert source_hash(model_folder("weights", '{"hidden_size": 384}', b"weightz")) != base


def test_the_export_is_cached_by_source_hash_and_reused(tmp_path: Path) -> None:
    folder = Path(resolve_model_path(DEFAULT_MODEL))
    cache = tmp_path / "cache"
    path = exported_model(folder, cache)
    assert path == cache / "onnx" / source_hash(folder, cache)[:24] / "model.onnx"
    assert path.stat().st_size > 1_000_000
    stamp = path.stat().st_mtime_ns
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]

    again = exported_model(folder, cache)
    assert again == path and again.stat().st_mtime_ns == stamp

    # An Embedder pointed at the same cache serves that file without exporting again,
    # and its vectors are the default embedder's.
    cached = Embedder(cache_dir=cache)
    vectors = cached.encode_queries(TEXTS[:2])
    assert cached.backend == "openvino"
    assert path.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in cache.joinpath("onnx").iterdir()) == [path.parent.name]
    assert os.path.exists(cache / "digests.json")  # the weights' digest is remembered there
    _assert_unit_float32(vectors, 2)
