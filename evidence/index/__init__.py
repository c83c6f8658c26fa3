"""Index: studies → an index generation on disk, and back; the folder's lifecycle.

In: studies and an `Embedder` (the model, offline). Out: `IndexData` — passages, their
vectors and the studies' vectors (FAISS), a BM25 keyword index, and a manifest — written
as a checksummed generation that becomes live atomically. `IndexFolder` opens the live
generation, rebuilds it when its sources or identity changed, and adds imported files.
"""

from .embed import Embedder
from .live import IndexFolder
from .progress import Progress
from .store import IndexData

__all__ = ["Embedder", "IndexData", "IndexFolder", "Progress"]
