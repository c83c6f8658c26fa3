"""The int8 model: the fp32 ONNX export quantised once by NNCF for OpenVINO, cached.

Post-training quantisation (weights and activations, SmoothQuant, bias correction) with a
fixed calibration set shipped with the package (`calibration.txt`), so every machine
derives the same model from the same weights. On SciFact dev it kept nDCG@10 within 0.002
of fp32 and encoded 1.3-1.7x faster (benchmarks/bench_encode.py, README "Search quality"):
an option (`EVIDENCE_BACKEND=openvino-int8`), not the default, which needed 1.5x.
The IR (model.xml + model.bin) is written to a temporary folder and renamed into place,
under the export's file lock, so concurrent processes never read half a model.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

QUANTISE_VERSION = 1  # bump when the calibration texts or the NNCF recipe change
CALIBRATION = Path(__file__).with_name("calibration.txt")
MODEL_FILE = "model.xml"
log = logging.getLogger(__name__)

Tokenise = Callable[[Sequence[str]], dict[str, np.ndarray]]


def calibration_texts() -> list[str]:
    """The calibration texts: one per line, ``#`` lines are comments."""
    lines = CALIBRATION.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def int8_model_path(fp32: Path) -> Path:
    """Where the int8 IR of the fp32 graph `fp32` lives (it may not exist yet)."""
    return fp32.parent / f"openvino-int8-v{QUANTISE_VERSION}" / MODEL_FILE


def quantised_model(fp32: Path, tokenise: Tokenise) -> Path:
    """Path of the int8 IR beside the fp32 graph `fp32`, made on first use (under the
    caller's lock). Raises whatever NNCF or OpenVINO raise."""
    wanted = int8_model_path(fp32)
    if wanted.exists():
        return wanted
    folder = wanted.parent
    # The caller holds the export lock, so a temporary folder here is a killed writer's.
    for leftover in fp32.parent.glob(".int8-*.tmp"):
        shutil.rmtree(leftover, ignore_errors=True)
    temp = fp32.parent / f".int8-{os.getpid()}-{uuid.uuid4().hex}.tmp"
    try:
        _quantise(fp32, temp / MODEL_FILE, tokenise)
        os.replace(temp, folder)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
    return folder / MODEL_FILE


def _quantise(fp32: Path, out: Path, tokenise: Tokenise) -> None:
    import nncf
    import openvino

    log.warning("Quantising the embedding model to int8, once (about half a minute)...")
    logging.getLogger("nncf").setLevel(logging.ERROR)
    model = openvino.Core().read_model(str(fp32))
    samples = [tokenise([text]) for text in calibration_texts()]
    # NNCF draws progress bars on stdout; a command printing JSON must not get them.
    with contextlib.redirect_stdout(sys.stderr):
        quantised = nncf.quantize(
            model,
            nncf.Dataset(samples),
            model_type=nncf.ModelType.TRANSFORMER,
            preset=nncf.QuantizationPreset.MIXED,
            subset_size=len(samples),
        )
    out.parent.mkdir(parents=True)
    openvino.save_model(quantised, str(out))
