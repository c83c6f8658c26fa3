"""The int8 model's preparation (evidence/index/quantise.py): where it goes, what a killed
or failed quantisation leaves, and what the user is told. The real quantisation runs
once per session through the default embedder (tests/index/test_embed.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from evidence.config import DEFAULT_MODEL
from evidence.errors import ModelLoadError
from evidence.index import quantise
from evidence.index.embed import resolve_model_path
from evidence.index.onnx_export import exported_model, source_hash


def _tokenise(texts: object) -> dict[str, np.ndarray]:
    return {"input_ids": np.zeros((1, 2), dtype=np.int64)}


def test_a_killed_writers_folder_is_cleared_and_the_model_is_renamed_into_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fp32 = tmp_path / "model.onnx"
    fp32.write_bytes(b"graph")
    leftover = tmp_path / ".int8-999999-dead.tmp"
    leftover.mkdir()
    (leftover / "model.bin").write_bytes(b"half")

    def fake(source: Path, out: Path, tokenise: object) -> None:
        out.parent.mkdir(parents=True)
        out.write_text(f"int8 of {source.name}")

    monkeypatch.setattr(quantise, "_quantise", fake)
    made = quantise.quantised_model(fp32, _tokenise)
    assert made == quantise.int8_model_path(fp32) and made.read_text() == "int8 of model.onnx"
    assert not leftover.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_failed_quantisation_says_to_use_the_fp32_backend_and_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = Path(resolve_model_path(DEFAULT_MODEL))
    target = tmp_path / "onnx" / source_hash(folder, tmp_path)[:24]
    target.mkdir(parents=True)
    (target / "model.onnx").write_bytes(b"an exported graph")  # so nothing is exported here

    def broken(source: Path, out: Path, tokenise: object) -> None:
        out.parent.mkdir(parents=True)
        raise RuntimeError("no calibration today")

    monkeypatch.setattr(quantise, "_quantise", broken)
    with pytest.raises(ModelLoadError) as caught:
        exported_model(folder, tmp_path, openvino_int8=_tokenise)
    message = str(caught.value)
    assert "no calibration today" in message and "EVIDENCE_BACKEND=openvino." in message
    assert sorted(p.name for p in target.iterdir()) == [".lock", "model.onnx"]
