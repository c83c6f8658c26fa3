"""Talking points: a query (or chosen passages) → cited, paste-ready points; proposals.

In: an `EvidenceSource` (searches and looks up studies, passages and vectors: a
`search.Searcher`), a `cite.Citer`, and a query, hits or passage ids — or a proposal
template. Out: `TalkingPoint`s that answer the query (none when nothing does), each traced
to the exact span of a stored passage, with its citation, whose words it is, and its
caveat; an `EvidenceProfile` of a claim; a `Proposal` of sections of points with one
reference list. `fit.py` decides whether a finding answers a question.
"""

from .profile import EvidenceProfile, evidence_profile
from .proposal import build_proposal
from .talking_points import draft as draft_points

__all__ = ["EvidenceProfile", "build_proposal", "draft_points", "evidence_profile"]
