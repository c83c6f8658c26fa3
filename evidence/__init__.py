"""evidence: a research evidence library with citation search.

from evidence import Library
lib = Library.open_or_build()
for hit in lib.search("peer support reduces PTSD symptoms in first responders"):
    print(hit.study.key, hit.passage.text)
"""

from .audit.auditor import AuditReport, Finding
from .config import Settings
from .errors import (
    BibtexImportError,
    CitationError,
    DraftError,
    EvidenceError,
    ExportError,
    IndexFormatError,
    IndexNotFoundError,
    ModelLoadError,
    NotFoundError,
    QueryError,
)
from .ingest.parse import load_bibtex, parse_bibtex
from .library import Library
from .model import (
    Hit,
    ImportProblem,
    ImportReport,
    Passage,
    PassageMatch,
    Person,
    Proposal,
    Reference,
    Study,
    TalkingPoint,
)
from .search.searcher import Filters, Results
from .version import __version__

__all__ = [
    "AuditReport",
    "BibtexImportError",
    "CitationError",
    "DraftError",
    "EvidenceError",
    "ExportError",
    "Filters",
    "Finding",
    "Hit",
    "ImportProblem",
    "ImportReport",
    "IndexFormatError",
    "IndexNotFoundError",
    "Library",
    "ModelLoadError",
    "NotFoundError",
    "Passage",
    "PassageMatch",
    "Person",
    "Proposal",
    "QueryError",
    "Reference",
    "Results",
    "Settings",
    "Study",
    "TalkingPoint",
    "__version__",
    "load_bibtex",
    "parse_bibtex",
]
