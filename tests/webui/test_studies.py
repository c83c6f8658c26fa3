"""The study page and GET /api/studies/<key>."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from evidence.cite.citer import STYLES

pytestmark = pytest.mark.model


def test_study_page_shows_everything(client: FlaskClient) -> None:
    response = client.get("/studies/alpha2020peer")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Peer Support and PTSD Symptoms in Canadian Firefighters</h1>" in html
    for text in (
        "Anna Alpha, Bruno Beta and Grégoire Gamma",
        "randomised controlled trial",
        "https://doi.org/10.1234/test.0001",
        "Journal of Test Research</cite>, 12(3), 100",
    ):
        assert text in html
    assert "peer support groups lowered PTSD symptom scores" in html  # a finding
    assert "We randomised 120 firefighters to peer support or usual care." in html  # a sentence
    for style in STYLES:
        assert f'id="ref-{style}"' in html
    assert "@article{alpha2020peer," in html
    assert 'href="/studies/' in html[html.index("Related studies") :]
    assert 'name="item" value="alpha2020peer#p1"' in html


def test_api_study_is_the_json_twin(client: FlaskClient) -> None:
    data = client.get("/api/studies/alpha2020peer").get_json()
    assert data["ok"] is True and data["study"]["key"] == "alpha2020peer"
    assert set(data["references"]) == set(STYLES)
    assert data["references"]["apa"]["text"].startswith("Alpha, A., Beta, B., & Gamma, G. (2020).")
    assert data["bibtex"].startswith("@article{alpha2020peer,")
    assert all(p["id"].startswith("alpha2020peer#p") for p in data["passages"])
    assert len(data["related"]) == 5 and "alpha2020peer" not in {r["key"] for r in data["related"]}


def test_unknown_study_page_is_404(client: FlaskClient) -> None:
    response = client.get("/studies/nobody2020")
    assert response.status_code == 404
    assert "no study with key" in response.get_data(as_text=True)


def test_study_with_html_in_its_fields_renders_it_as_text(client: FlaskClient) -> None:
    html = client.get("/studies/xss2022probe").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in html
    apa = html[html.index('id="ref-apa"') :]
    assert apa.startswith('id="ref-apa">Probe, P. (2022). &lt;script&gt;alert(1)&lt;/script&gt;.')
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_a_curated_study_shows_its_summary_status_terms_and_mirror_sources(
    client: FlaskClient,
) -> None:
    html = client.get("/studies/iota2023resilience").get_data(as_text=True)
    assert "This study was corrected (2024-01)." in html
    assert 'href="https://doi.org/10.1234/test.0101"' in html
    assert "checked 2026-12 test fixture" in html
    assert "A test meta-analysis of resilience training for recruits." in html
    assert "<dt>Sample</dt><dd>12 trials</dd>" in html
    # the mirror note is not part of the link
    assert '<a href="https://example.org/iota" rel="noopener noreferrer">' in html
    assert "https://example.org/iota</a> (mirror)" in html
    assert "Resilience training lowered recruits&#39; stress a little" in html
    assert "resilience training → stress · improved" in html
    assert "in our words (not a quotation)" in html
