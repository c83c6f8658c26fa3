"""evidence: a research evidence library with citation search.

    from evidence import Library
    lib = Library.open_or_build()
    for hit in lib.search("peer support reduces PTSD symptoms in first responders"):
        print(hit.study.key, hit.passage.text)

This module is the public surface: `Library` (the entry point), `Settings`, the model's
value objects and vocabularies, the errors, and the few parts other tools build on
(importing BibTeX, RIS and CSL-JSON, the JSON shapes, the export formats, progress
bars). The web UI, the CLI and the benchmarks use nothing else. See ARCHITECTURE.md for
the packages behind it.
"""

from .audit import AuditFinding, AuditReport
from .audit.reading import DRAFT_SUFFIXES, load_draft
from .cite import STYLES
from .config import Settings
from .errors import (
    BibtexImportError,
    CitationError,
    DraftError,
    EvidenceError,
    ExportError,
    IndexFormatError,
    IndexNotFoundError,
    LockTimeoutError,
    ModelLoadError,
    NotFoundError,
    QueryError,
    RetractionListError,
    SettingsError,
    TemplateError,
    TimeLimitError,
)
from .export import FORMATS, ExportFormat, to_json
from .export.references import write_references
from .index import Embedder, Progress
from .index.progress import terminal_progress
from .index.vectors import VectorIndex
from .ingest import load_bibtex, load_references, parse_bibtex, parse_references
from .ingest.load import FORMAT_NAMES as IMPORT_FORMATS
from .ingest.load import detect_format
from .ingest.retractions import RetractionReport
from .library import Library
from .model import (
    DESIGNS,
    ENTRY_TYPES,
    POPULATIONS,
    Finding,
    Hit,
    ImportProblem,
    ImportReport,
    Passage,
    PassageMatch,
    Person,
    PointSource,
    Proposal,
    ProposalSection,
    Reference,
    Status,
    Study,
    TalkingPoint,
    is_passage_id,
    passage_id,
    split_passage_id,
)
from .points import EvidenceProfile
from .points.proposal import list_templates, template_path
from .search import FILTER_KEYS, Filters, Results
from .text import split_sentences
from .text.deadline import time_limit
from .text.sentences import use_worker_processes
from .version import __version__

__all__ = [
    "DESIGNS",
    "DRAFT_SUFFIXES",
    "ENTRY_TYPES",
    "FILTER_KEYS",
    "FORMATS",
    "IMPORT_FORMATS",
    "POPULATIONS",
    "STYLES",
    "AuditFinding",
    "AuditReport",
    "BibtexImportError",
    "CitationError",
    "DraftError",
    "Embedder",
    "EvidenceProfile",
    "EvidenceError",
    "ExportError",
    "ExportFormat",
    "Filters",
    "Finding",
    "Hit",
    "ImportProblem",
    "ImportReport",
    "IndexFormatError",
    "IndexNotFoundError",
    "Library",
    "LockTimeoutError",
    "ModelLoadError",
    "NotFoundError",
    "Passage",
    "PassageMatch",
    "Person",
    "PointSource",
    "Progress",
    "Proposal",
    "ProposalSection",
    "Status",
    "QueryError",
    "RetractionListError",
    "Reference",
    "RetractionReport",
    "Results",
    "Settings",
    "SettingsError",
    "Study",
    "TalkingPoint",
    "TemplateError",
    "TimeLimitError",
    "VectorIndex",
    "__version__",
    "detect_format",
    "is_passage_id",
    "list_templates",
    "load_draft",
    "load_bibtex",
    "load_references",
    "parse_bibtex",
    "parse_references",
    "passage_id",
    "split_passage_id",
    "split_sentences",
    "template_path",
    "time_limit",
    "terminal_progress",
    "to_json",
    "use_worker_processes",
    "write_references",
]
