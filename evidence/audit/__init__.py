"""Citation audit: a draft → its citations and reference list checked, as findings.

In: a draft (text, a .txt/.md/.docx path, or such a file's bytes), the library's studies
and a search function for suggestions. Out: an `AuditReport` of `AuditFinding`s, each with its
offsets in the draft, a severity and a fix: citations against the reference list, the
reference list against the library, claims against the studies cited or none.
"""

from .auditor import audit_draft
from .reading import load_draft
from .report import AuditFinding, AuditReport

__all__ = ["AuditFinding", "AuditReport", "audit_draft", "load_draft"]
