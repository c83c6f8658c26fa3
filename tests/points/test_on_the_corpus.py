"""What the product hands over on the bundled, curated corpus: the README's example answers
with points about peer support only; a question the corpus cannot answer gets nothing."""

from __future__ import annotations

import pytest

from evidence import Library
from evidence.vocabulary import with_parents

pytestmark = pytest.mark.model

README_QUERY = "does peer support reduce PTSD symptoms in first responders"


def test_the_readme_example_gives_points_about_peer_support(bundled_library: Library) -> None:
    points = bundled_library.talking_points(README_QUERY, k=5)
    assert points
    for point in points:
        for source in point.sources:
            study = bundled_library.study(source.study_key)
            finding = next(f for f in study.findings if f.result == source.passage_text)
            about = {t for e in finding.exposures for t in with_parents(e)}
            assert "peer support" in about, (source.passage_id, finding.exposures)
            assert "PTSD symptoms" in finding.outcomes
    profile = bundled_library.evidence(README_QUERY)
    assert profile.answered and profile.studies == len({k for p in points for k in p.study_keys})


@pytest.mark.parametrize(
    "query",
    [
        "effect of shift length on burnout in nurses in Japan",
        "does caffeine improve firefighter reaction times",
        "what share of 911 dispatchers are women",
    ],
)
def test_a_question_the_corpus_cannot_answer_gets_no_points(
    bundled_library: Library, query: str
) -> None:
    assert bundled_library.talking_points(query, k=5) == []
    profile = bundled_library.evidence(query)
    assert not profile.answered and profile.nearest
