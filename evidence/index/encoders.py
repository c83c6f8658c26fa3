"""The runtimes that turn texts into vectors: PyTorch, OpenVINO, onnxruntime.

All return L2-normalised float32 ``(n, d)``; `threads` sets the CPU threads of one call.
The ONNX runtimes share one tokenizer (the model's own tokenizer.json) and run the graph
exported by `model_export`, which pools and normalises inside.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .onnx_export import INPUTS, max_length

log = logging.getLogger(__name__)

# Most queries are shorter (SciFact claims: median 21 tokens, 89% within 32). Longer
# queries and batches run on the dynamic graph.
QUERY_WIDTH = 32


class Encoder(Protocol):
    dimension: int

    def encode(
        self, texts: Sequence[str], kind: str, batch_size: int, threads: int
    ) -> np.ndarray: ...


class TorchEncoder:
    """sentence-transformers on PyTorch (any model; honours query/document prompts)."""

    def __init__(self, target: str, device: str) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(target, device=device, local_files_only=True)
        getter = getattr(self.model, "get_embedding_dimension", None)
        getter = getter or self.model.get_sentence_embedding_dimension
        dimension = getter()
        if dimension is None:
            raise ValueError("the model does not report its embedding dimension")
        self.dimension = int(dimension)
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], kind: str, batch_size: int, threads: int) -> np.ndarray:
        import torch

        encode = getattr(self.model, f"encode_{kind}", None) or self.model.encode
        with self._lock:  # torch's thread count is process-wide
            if torch.get_num_threads() != threads:
                torch.set_num_threads(threads)
        vectors = encode(
            list(texts),
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class _OnnxBase:
    """Tokenisation and batching shared by the ONNX runtimes; subclasses run the graph."""

    def __init__(self, folder: Path, graph: Path) -> None:
        self.graph = graph
        self._inputs = self.tokeniser(folder)
        self._runners: dict[tuple[int, bool, int], Any] = {}
        self._lock = threading.Lock()
        self.dimension = int(self._run(self._inputs(["x"]), 1, False).shape[1])

    def encode(self, texts: Sequence[str], kind: str, batch_size: int, threads: int) -> np.ndarray:
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            chunk = texts[start : start + batch_size]
            bulk = kind == "document"
            out[start : start + len(chunk)] = self._run(self._inputs(chunk), threads, bulk)
        return out

    @staticmethod
    def tokeniser(folder: Path) -> Callable[[Sequence[str]], dict[str, np.ndarray]]:
        """The model's tokenizer as a function from texts to the graph's padded inputs."""
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        tokenizer.no_padding()  # tokenizer.json may pad to a fixed length
        tokenizer.enable_truncation(max_length(folder))

        def inputs(texts: Sequence[str]) -> dict[str, np.ndarray]:
            encodings = tokenizer.encode_batch(list(texts))
            width = max(len(e.ids) for e in encodings)
            ids = np.zeros((len(encodings), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for row, encoding in enumerate(encodings):
                ids[row, : len(encoding.ids)] = encoding.ids
                mask[row, : len(encoding.ids)] = 1
            return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}

        return inputs

    def _runner(self, threads: int, bulk: bool, width: int = 0) -> Any:
        """The compiled graph for `threads` threads; `bulk` for documents (many shapes);
        `width` > 0 for one text of exactly that many tokens (a static shape)."""
        key = (threads, bulk, width)
        runner = self._runners.get(key)
        if runner is None:
            with self._lock:
                runner = self._runners.get(key) or self._compile(threads, bulk, width)
                self._runners[key] = runner
        return runner

    def _run(self, inputs: dict[str, np.ndarray], threads: int, bulk: bool) -> np.ndarray:
        raise NotImplementedError

    def _compile(self, threads: int, bulk: bool, width: int = 0) -> Any:
        raise NotImplementedError


class OpenVinoEncoder(_OnnxBase):
    """OpenVINO running the fp32 ONNX graph (PyTorch's vectors, about 4x faster here) or
    the int8 model quantised from it (`quantise.py`, 1.3-1.7x faster again).

    A query of up to `QUERY_WIDTH` tokens is padded to that width and run on the graph
    reshaped to that static shape: 4.7 against 5.8 ms per query here (a dynamic shape is
    re-planned on every call), same memory, vectors equal to 1e-5 (padding is masked).
    """

    def _compile(self, threads: int, bulk: bool, width: int = 0) -> Any:
        import openvino

        core = openvino.Core()
        config: dict[str, Any] = {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY"}
        if width:
            try:
                model = core.read_model(str(self.graph))
                model.reshape({port.get_any_name(): [1, width] for port in model.inputs})
                return core.compile_model(model, "CPU", config)
            except Exception as exc:  # a graph that cannot take a static shape: the dynamic
                log.warning("static query graph unavailable (%s); using the dynamic one", exc)
        if bulk:
            # Kernels are cached per input shape. Indexing meets thousands of shapes: with
            # the int8 model that cache grew a SciFact build to 3.2 GB (1.1 GB without it,
            # no slower). Queries keep it: recompiling cost them 1.6 ms each.
            config["CPU_RUNTIME_CACHE_CAPACITY"] = "0"
        return core.compile_model(str(self.graph), "CPU", config)

    def _run(self, inputs: dict[str, np.ndarray], threads: int, bulk: bool) -> np.ndarray:
        rows, tokens = inputs["input_ids"].shape
        width = QUERY_WIDTH if not bulk and rows == 1 and tokens <= QUERY_WIDTH else 0
        if width:
            inputs = {name: _padded(value, width) for name, value in inputs.items()}
        compiled = self._runner(threads, bulk, width)
        # One infer request per call: compiled models are thread-safe, requests are not.
        result = compiled.create_infer_request().infer(inputs)
        return np.asarray(result[compiled.output(0)], dtype=np.float32)


def _padded(value: np.ndarray, width: int) -> np.ndarray:
    """`value` ``(1, n)`` with zeros appended to ``(1, width)`` (a zero mask hides them)."""
    out = np.zeros((1, width), dtype=value.dtype)
    out[:, : value.shape[1]] = value
    return out


class OrtEncoder(_OnnxBase):
    """onnxruntime running the fp32 or the int8 ONNX graph."""

    def _compile(self, threads: int, bulk: bool, width: int = 0) -> Any:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        return onnxruntime.InferenceSession(
            str(self.graph), options, providers=["CPUExecutionProvider"]
        )

    def _run(self, inputs: dict[str, np.ndarray], threads: int, bulk: bool) -> np.ndarray:
        outputs = self._runner(threads, bulk).run(None, {name: inputs[name] for name in INPUTS})
        return np.asarray(outputs[0], dtype=np.float32)
