"""Proposal builder page, GET /api/proposal, and exporting a draft."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from evidence.points.proposal import list_templates

pytestmark = pytest.mark.model

TEMPLATE = "peer-support-program"


def test_page_lists_the_bundled_templates(client: FlaskClient) -> None:
    html = client.get("/proposal").get_data(as_text=True)
    assert '<label for="template">' in html
    for name in list_templates():
        assert f'<option value="{name}"' in html


def test_draft_shows_sections_points_and_references(client: FlaskClient) -> None:
    html = client.get(f"/proposal?template={TEMPLATE}").get_data(as_text=True)
    assert "A peer support program for our service" in html
    assert '<h3 id="section-title-1">The problem</h3>' in html
    assert "#p" not in html.split('id="proposal-title"')[1].split("proposal-refs")[0]
    assert "(Alpha et al., 2020)" in html  # the test corpus's peer support trial is cited
    assert 'name="format" value="docx"' in html


def test_api_proposal_is_the_json_twin(client: FlaskClient) -> None:
    listing = client.get("/api/proposal").get_json()
    assert listing["ok"] is True
    assert [t["name"] for t in listing["templates"]] == list_templates()
    assert all(t["sections"] for t in listing["templates"])
    assert "fire" in listing["populations"]
    assert listing["proposal"] is None
    draft = client.get(f"/api/proposal?template={TEMPLATE}").get_json()["proposal"]
    assert draft["title"] == "A peer support program for our service"
    cited = {
        s["study_key"] for sec in draft["sections"] for p in sec["points"] for s in p["sources"]
    }
    assert cited and cited <= {r["key"] for r in draft["references"]}


@pytest.mark.parametrize("template", ["../../etc/passwd", "/tmp/evil.toml", "nope"])
def test_only_bundled_templates_can_be_named(client: FlaskClient, template: str) -> None:
    response = client.get("/api/proposal", query_string={"template": template})
    assert response.status_code == 400 and "unknown template" in response.get_json()["error"]


def test_export_the_draft(client: FlaskClient) -> None:
    response = client.post("/proposal/export", data={"template": TEMPLATE, "format": "md"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "A peer support program for our service" in text and "(Alpha et al., 2020)" in text
    api = client.post("/api/export", json={"template": TEMPLATE, "format": "bib"})
    assert api.status_code == 200 and b"@article{alpha2020peer" in api.get_data()


def test_the_draft_follows_the_users_choices_and_is_remembered(client: FlaskClient) -> None:
    query = {
        "template": TEMPLATE, "population": "police", "title": "Our case",
        "organisation": "Springfield PD", "customised": "1",
        "section": ["1", "0"], "order-0": "2", "order-1": "1",
        "questions": "does caffeine improve sleep\n",
    }  # fmt: skip
    html = client.get("/proposal", query_string=query).get_data(as_text=True)
    titles = [t for t in ("What peer support does", "The problem", "Your questions") if t in html]
    assert titles == ["What peer support does", "The problem", "Your questions"]
    assert html.index("What peer support does</h3>") < html.index("The problem</h3>")
    assert "Stigma and asking for help</h3>" not in html  # unticked
    assert "Our case" in html and "Prepared for Springfield PD" in html
    assert "No study in the library addresses" in html  # the caffeine question
    # the draft comes back when the page is opened again in this session
    again = client.get("/proposal").get_data(as_text=True)
    assert "Our case" in again and "Stigma and asking for help</h3>" not in again
    # and its export keeps the choices
    form = dict(query, format="md", author="A. Chief")
    text = client.post("/proposal/export", data=form).get_data(as_text=True)
    assert text.startswith("# Our case") and "Prepared for Springfield PD by A. Chief" in text
    assert "## Stigma and asking for help" not in text


def test_bad_choices_are_400_with_the_reason(client: FlaskClient) -> None:
    bad = client.get("/api/proposal", query_string={"template": TEMPLATE, "population": "navy"})
    assert bad.status_code == 400 and "unknown population" in bad.get_json()["error"]
    body = {"template": TEMPLATE, "sections": [99], "format": "md"}
    assert client.post("/api/export", json=body).status_code == 400
