"""Search: a query → a page of studies, each with its best passages and why it matched.

In: a loaded index generation (`index.IndexData`), the embedder, `Settings` (fusion and
weights), a query and `Filters`. Out: `Results`, a page of `Hit`s (study, score, rank,
best passages with matched words, rank in each retriever) with the total that matched.
The `Searcher` also looks up studies, passages and stored vectors by id.
"""

from .filters import FILTER_KEYS, Filters
from .searcher import Results, Searcher

__all__ = ["FILTER_KEYS", "Filters", "Results", "Searcher"]
