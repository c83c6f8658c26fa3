"""Ablations of search (issue #19): each change alone and together, on SciFact dev and on
the bundled corpus's judged queries. Prints one table.

    .venv/bin/python benchmarks/ablate.py                 # both sets (SciFact needs ../shared)
    .venv/bin/python benchmarks/ablate.py --sets corpus   # the corpus queries only

It opens the indexes that bench_search.py and bench_corpus.py build (run those first) and
rebuilds the shipped search around them from the public surface: the stored passage
vectors (`Library.passage_vectors`), the library's embedder, and BM25 (bm25s) over the same
words with the same analyzer. So a variant can change how texts are cut and combined
without a rebuild of the index. The first row, "shipped (replica)", should match the
shipped search of bench_search.py / bench_corpus.py: it shows the replica is faithful.
Texts the variants add (abstract chunks, sentence windows) are encoded once and cached in
benchmarks/out/ablate-cache/.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_corpus import derived_judgements, load_judgements  # noqa: E402
from benchmarks.scifact import evaluate, load_qrels, load_queries  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
CACHE = OUT / "ablate-cache"
CANDIDATES = 1000  # per retriever, as retrievers.STUDY_CANDIDATES
MIN_SIMILARITY = 0.2  # as retrievers.MIN_SIMILARITY
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Variant:
    """One row: how BM25 is built, how study vectors are pooled, which passage windows."""

    name: str
    title_repeat: int = 2
    k1: float = 1.2
    b: float = 0.75
    whole_abstract: bool = False
    windows: tuple[int, ...] = ()  # extra sentence windows (besides single sentences)
    bm25_feedback: bool = False  # RM3-like expansion from the top 10 BM25 rows
    dense_feedback: bool = False  # Rocchio on the query vector from the top 3 fused rows
    sentence_bm25: bool = False  # a fourth retriever: BM25 over sentences, best per study
    late_chunking: bool = False  # + sentence vectors pooled from the whole abstract's tokens
    smoothing: int = 0  # fused score + 0.1 x the mean fused score of this many nearest studies


VARIANTS = [
    Variant("shipped (replica)"),
    Variant("study vector: whole abstract, 180-word chunks pooled", whole_abstract=True),
    Variant("passages: + 2-sentence windows (max)", windows=(2,)),
    Variant("passages: + 2- and 3-sentence windows (max)", windows=(2, 3)),
    Variant("BM25: title x3, k1 0.9, b 0.6", title_repeat=3, k1=0.9, b=0.6),
    Variant("BM25: + RM3-like feedback (10 docs, 10 terms, 0.5)", bm25_feedback=True),
    Variant("dense: + Rocchio feedback (top 3, 0.3)", dense_feedback=True),
    Variant("+ BM25 over sentences (best per study) as a 4th retriever", sentence_bm25=True),
    Variant("passages: + late-chunked sentence vectors (max)", late_chunking=True),
    Variant("fusion: + smoothing over the 5 nearest studies (0.1)", smoothing=5),
    Variant(
        "together: whole abstract, 2-sentence windows, BM25 x3/0.9/0.6, Rocchio",
        title_repeat=3,
        k1=0.9,
        b=0.6,
        whole_abstract=True,
        windows=(2,),
        dense_feedback=True,
    ),
]


def analyze(text: str) -> list[str]:
    """The shipped analyzer: word tokens, lowercased, English stopwords, Snowball stems."""
    import Stemmer
    from bm25s.stopwords import STOPWORDS_EN

    words = [w for w in map(str.lower, WORD.findall(text)) if w not in STOPWORDS_EN]
    words = [w for w in words if len(w) > 1 or w.isdigit()]
    return list(Stemmer.Stemmer("english").stemWords(words))


def encode_cached(lib, texts: list[str]) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The library embedder's vectors of `texts`, cached on disk by their hash."""
    digest = hashlib.sha256("\n\x00".join([lib.embedder.precision, *texts]).encode()).hexdigest()
    path = CACHE / f"{digest[:24]}.npy"
    if path.exists():
        return np.load(path)
    vectors = lib.embedder.encode_passages(texts, progress=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


@dataclass
class Collection:
    """One library, read through the public surface, with what the variants derive."""

    lib: object
    queries: list[tuple[str, str]]
    qrels: dict[str, dict[str, int]]
    keys: list[str] = field(init=False)
    _memo: dict[object, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.keys = [s.key for s in self.lib.studies]  # type: ignore[attr-defined]
        self.documents = self.lib.indexed_texts()[-len(self.keys) :]  # type: ignore[attr-defined]
        passages = self.lib.passages  # type: ignore[attr-defined]
        self.passage_vectors = self.lib.passage_vectors([p.id for p in passages])  # type: ignore[attr-defined]
        row = {k: i for i, k in enumerate(self.keys)}
        self.passage_owner = np.array([row[p.study_key] for p in passages])
        self.sentences: list[list[str]] = [[] for _ in self.keys]
        for p in passages:
            if p.kind != "title":
                self.sentences[row[p.study_key]].append(p.text)
        texts = [" ".join(t.split()) for _, t in self.queries]
        self.query_vectors = self.lib.embedder.encode_queries(texts)  # type: ignore[attr-defined]
        self.query_terms = [analyze(t) for t in texts]

    def memo(self, key: object, make: Callable[[], object]) -> object:
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    def bm25(self, v: Variant):  # type: ignore[no-untyped-def]
        titles = [s.title for s in self.lib.studies]  # type: ignore[attr-defined]
        texts = [
            " ".join([t] * (v.title_repeat - 1) + [d])
            for t, d in zip(titles, self.documents, strict=True)
        ]
        return self.memo(("bm25", v.title_repeat, v.k1, v.b), lambda: bm25(texts, v.k1, v.b))

    def sentence_bm25(self):  # type: ignore[no-untyped-def]
        def make():  # type: ignore[no-untyped-def]
            texts = [t for sentences in self.sentences for t in sentences]
            owners = np.array([i for i, ss in enumerate(self.sentences) for _ in ss], dtype=int)
            return bm25(texts, 1.2, 0.75), owners

        return self.memo("sentence-bm25", make)

    def study_vectors(self, v: Variant) -> np.ndarray:
        def make() -> np.ndarray:
            first = encode_cached(self.lib, self.documents)
            if not v.whole_abstract:
                return first
            chunks, owners = [], []
            for i, text in enumerate(self.documents):
                words = text.split()
                for start in range(150, len(words), 150):  # the model reads ~180 words
                    chunks.append(" ".join(words[start - 20 : start + 160]))
                    owners.append(i)
            pooled = first.copy()
            np.add.at(pooled, np.array(owners, dtype=int), encode_cached(self.lib, chunks))
            return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

        return self.memo(("study", v.whole_abstract), make)  # type: ignore[return-value]

    def passages(self, v: Variant) -> tuple[np.ndarray, np.ndarray]:
        def make() -> tuple[np.ndarray, np.ndarray]:
            vectors, owners = [self.passage_vectors], [self.passage_owner]
            for size in v.windows:
                texts, rows = [], []
                for i, sentences in enumerate(self.sentences):
                    for start in range(0, len(sentences) - size + 1):
                        texts.append(" ".join(sentences[start : start + size]))
                        rows.append(i)
                vectors.append(encode_cached(self.lib, texts))
                owners.append(np.array(rows, dtype=int))
            if v.late_chunking:
                late, rows = late_chunked(self.lib)
                vectors.append(late)
                owners.append(self.passage_owner[rows])
            return np.concatenate(vectors), np.concatenate(owners)

        return self.memo(("passages", v.windows, v.late_chunking), make)  # type: ignore[return-value]

    def neighbours(self, v: Variant) -> np.ndarray:
        """Each study's `v.smoothing` nearest studies by study vector."""

        def make() -> np.ndarray:
            documents = self.study_vectors(v)
            similar = documents @ documents.T
            np.fill_diagonal(similar, -np.inf)
            return np.argsort(-similar, axis=1)[:, : v.smoothing]

        return self.memo(("neighbours", v.smoothing, v.whole_abstract), make)  # type: ignore[return-value]


def late_chunked(lib) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """ "Late chunking": each abstract sentence's vector is the mean of its tokens' output
    embeddings from the whole abstract (in 254-token windows, stride 127, averaged where
    they overlap), so a sentence is read in its context. Returns (vectors, passage rows).
    The shipped graph pools inside, so the model is converted again with its token outputs."""
    passages = lib.passages
    rows = np.array([i for i, p in enumerate(passages) if p.kind == "abstract"], dtype=int)
    if not len(rows):
        return np.zeros((0, lib.embedder.dimension), dtype=np.float32), rows
    spans = [(passages[i].study_key, passages[i].field) for i in rows.tolist()]
    digest = hashlib.sha256(("late-v1\n" + lib.embedder.precision + repr(spans)).encode())
    path = CACHE / f"late-{digest.hexdigest()[:24]}.npy"
    if path.exists():
        return np.load(path), rows
    token_vectors = _token_encoder(lib.embedder.model_path)
    vectors = np.zeros((len(rows), lib.embedder.dimension), dtype=np.float32)
    by_field: dict[tuple[str, str], list[int]] = {}
    for n, key_field in enumerate(spans):
        by_field.setdefault(key_field, []).append(n)
    for (key, name), members in by_field.items():
        tokens, offsets = token_vectors(lib.study(key).field_text(name))
        for n in members:
            p = passages[int(rows[n])]
            inside = (offsets[:, 0] >= p.char_start) & (offsets[:, 1] <= p.char_end)
            inside &= offsets[:, 1] > offsets[:, 0]
            if inside.any():
                mean = tokens[inside].mean(axis=0)
                vectors[n] = mean / np.linalg.norm(mean)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors, rows


def _token_encoder(model_path: str) -> Callable[[str], tuple[np.ndarray, np.ndarray]]:
    """text -> (token embeddings (n, d), character offsets (n, 2)), special tokens left out."""
    import openvino
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel

    tokenizer = Tokenizer.from_file(str(Path(model_path) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    example = {k: torch.ones((1, 8), dtype=torch.long) for k in ("input_ids", "attention_mask")}
    graph = openvino.convert_model(
        AutoModel.from_pretrained(model_path).eval(), example_input=example
    )
    compiled = openvino.Core().compile_model(graph, "CPU")
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    width, stride = 254, 127

    def encode(text: str) -> tuple[np.ndarray, np.ndarray]:
        encoding = tokenizer.encode(text, add_special_tokens=False)
        ids, n = np.array(encoding.ids, dtype=np.int64), len(encoding.ids)
        total = np.zeros((n, compiled.output(0).get_partial_shape()[2].get_length()), np.float32)
        count = np.zeros(n)
        starts = list(range(0, max(n - width, 0) + 1, stride))
        if starts[-1] + width < n:
            starts.append(n - width)
        for start in starts:
            window = np.concatenate([[cls], ids[start : start + width], [sep]])[None, :]
            out = compiled({"input_ids": window, "attention_mask": np.ones_like(window)})
            total[start : start + width] += np.asarray(out[compiled.output(0)])[0, 1:-1]
            count[start : start + width] += 1
        return total / np.maximum(count, 1)[:, None], np.array(encoding.offsets).reshape(-1, 2)

    return encode


def bm25(texts: list[str], k1: float, b: float):  # type: ignore[no-untyped-def]
    """A bm25s index of `texts` with the shipped analyzer: (model, vocabulary, term rows)."""
    import bm25s
    from bm25s.tokenization import Tokenized

    vocab: dict[str, int] = {}
    rows = [[vocab.setdefault(w, len(vocab)) for w in analyze(t) or ["\u2205"]] for t in texts]
    model = bm25s.BM25(k1=k1, b=b, method="lucene")
    model.index(Tokenized(ids=rows, vocab=vocab), show_progress=False)
    return model, vocab, rows


def top(scores: np.ndarray, k: int = CANDIDATES) -> tuple[np.ndarray, np.ndarray]:
    rows = np.argsort(-scores, kind="stable")[:k]
    return rows, scores[rows]


def positive(ranked: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    rows, scores = ranked
    return rows[scores > 0], scores[scores > 0]


def zscore(lists: list[tuple[np.ndarray, np.ndarray]], size: int) -> np.ndarray:
    """The shipped fusion: sum of z-scores, a missing row takes the list's minimum."""
    total = np.zeros(size)
    for rows, scores in lists:
        z = (scores - scores.mean()) / (scores.std() or 1.0)
        contribution = np.full(size, z.min())
        contribution[rows] = z
        total += contribution
    return total


def feedback_terms(model, vocab, rows, scores: np.ndarray, query: list[int]) -> list[int]:  # type: ignore[no-untyped-def]
    """RM3-like: the 10 most frequent terms of the top 10 rows, weighted by score."""
    weights: dict[int, float] = {}
    for r in np.argsort(-scores)[:10]:
        ids, counts = np.unique(rows[r], return_counts=True)
        for i, c in zip(ids.tolist(), counts.tolist(), strict=True):
            weights[i] = weights.get(i, 0.0) + float(scores[r]) * c / len(rows[r])
    return [i for i in sorted(weights, key=lambda i: -weights[i]) if i not in query][:10]


def run(c: Collection, v: Variant) -> dict[str, float]:
    model, vocab, bm_rows = c.bm25(v)
    documents = c.study_vectors(v)
    passages, owners = c.passages(v)
    size = len(c.keys)
    runs = {}
    for (qid, _), vector, terms in zip(c.queries, c.query_vectors, c.query_terms, strict=True):
        ids = [vocab[t] for t in terms if t in vocab]
        bm = np.asarray(model.get_scores_from_ids(ids), dtype=np.float64) if ids else np.zeros(size)
        if v.bm25_feedback and ids:
            extra = feedback_terms(model, vocab, bm_rows, bm, ids)
            if extra:
                bm = bm + 0.5 * np.asarray(model.get_scores_from_ids(extra))

        def dense_lists(q: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
            best = np.full(size, -1.0)
            np.maximum.at(best, owners, passages @ q)
            return [top(documents @ q), top(best)]

        keyword = positive(top(bm))
        lists = [keyword, *dense_lists(vector)]
        if v.sentence_bm25:
            (smodel, svocab, _), sowners = c.sentence_bm25()
            sids = [svocab[t] for t in terms if t in svocab]
            if sids:
                best = np.zeros(size)
                np.maximum.at(best, sowners, np.asarray(smodel.get_scores_from_ids(sids)))
                lists.append(positive(top(best)))
        fused = zscore([lst for lst in lists if len(lst[0])], size)
        if v.dense_feedback:
            centroid = documents[np.argsort(-fused, kind="stable")[:3]].mean(axis=0)
            q = vector + 0.3 * centroid
            lists = [keyword, *dense_lists(q / np.linalg.norm(q)), *lists[3:]]
            fused = zscore([lst for lst in lists if len(lst[0])], size)
        if v.smoothing:
            fused = fused + 0.1 * fused[c.neighbours(v)].mean(axis=1)
        eligible = np.zeros(size, dtype=bool)
        eligible[keyword[0]] = True
        if len(lists) > 3:
            eligible[lists[3][0]] = True
        for rows, scores in lists[1:3]:
            eligible[rows[scores >= MIN_SIMILARITY]] = True
        order = [r for r in np.lexsort((np.arange(size), -fused)) if eligible[r]][:100]
        runs[qid] = [c.keys[r] for r in order]
    return evaluate(runs, c.qrels)


def collections(names: list[str]) -> dict[str, Collection]:
    from evidence import Library

    found = {}
    if "scifact" in names:
        qrels = load_qrels("dev")
        queries = [(q, t) for q, t in load_queries("dev") if q in qrels]
        lib = Library.open(index_dir=OUT / "scifact-index")
        found["SciFact dev"] = Collection(lib, queries, qrels)
    if "corpus" in names:
        judged = load_judgements()
        judged += derived_judgements(skip={q for q, _ in judged})
        queries = [(str(i), q) for i, (q, _) in enumerate(judged)]
        qrels = {str(i): rel for i, (_, rel) in enumerate(judged)}
        lib = Library.open(index_dir=OUT / "corpus-index")
        found["corpus queries"] = Collection(lib, queries, qrels)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", default="scifact,corpus", help="scifact, corpus, or both")
    args = parser.parse_args()
    sets = collections(args.sets.split(","))
    header = " | ".join(f"{name} nDCG@10 | R@100" for name in sets)
    print(f"\n| variant | {header} |\n|---|{'---|---|' * len(sets)}")
    for v in VARIANTS:
        cells = []
        for c in sets.values():
            scores = run(c, v)
            cells += [f"{scores['ndcg@10']:.4f}", f"{scores['recall@100']:.4f}"]
        print(f"| {v.name} | {' | '.join(cells)} |", flush=True)


if __name__ == "__main__":
    main()
