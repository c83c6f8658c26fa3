"""Talking points: a query (or chosen passages) → cited, paste-ready points; proposals.

In: an `EvidenceSource` (searches and looks up studies, passages and vectors: a
`search.Searcher`), a `cite.Citer`, and a query, hits or passage ids — or a proposal
template. Out: `TalkingPoint`s traced to the exact span of a stored passage, each with its
citation and caveat; a `Proposal` of sections of points with one reference list.
"""

from .proposal import build_proposal, list_templates
from .source import EvidenceSource
from .talking_points import draft as draft_points

__all__ = ["EvidenceSource", "build_proposal", "draft_points", "list_templates"]
