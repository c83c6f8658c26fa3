"""Basket, talking points and exports: the basket lives in the session cookie (it survives
reloads and works without JavaScript); exports go through Library.export."""

from __future__ import annotations

import io
import zipfile

import pytest
from flask.testing import FlaskClient

pytestmark = pytest.mark.model

FINDING = "alpha2020peer#p1"  # "In a trial of 120 firefighters, peer support groups ..."
CITATION = "(Alpha et al., 2020)"
REFERENCE = "Alpha, A., Beta, B., & Gamma, G. (2020). Peer support and PTSD symptoms"


def add(client: FlaskClient, item: str, next_url: str = "/?q=peer") -> None:
    response = client.post("/basket", data={"action": "add", "item": item, "next": next_url})
    assert response.status_code == 303 and response.headers["Location"] == next_url


def test_empty_basket_says_how_to_fill_it(client: FlaskClient) -> None:
    html = client.get("/basket").get_data(as_text=True)
    assert "The basket is empty" in html and "Export" not in html


def test_added_passage_becomes_a_cited_talking_point_and_survives_reload(
    client: FlaskClient,
) -> None:
    add(client, FINDING)
    add(client, "delta2019stigma")  # a whole study: a reference, no talking point
    for _ in range(2):  # a reload shows the same basket (the session cookie keeps it)
        html = client.get("/basket").get_data(as_text=True)
        assert "peer support groups lowered PTSD symptom scores" in html
        assert CITATION in html
        assert "Alpha, A., Beta, B., &amp; Gamma, G. (2020)." in html
        assert "Delta, D., van der Berg, E., &amp; Amick, B. C., III. (2019)." in html
        assert 'class="basket-count">2<' in html
    for fmt in ("md", "docx", "pptx", "bib", "ris", "csljson"):
        assert f'name="format" value="{fmt}"' in html


def test_the_style_is_selectable(client: FlaskClient) -> None:
    add(client, FINDING)
    html = client.get("/basket?style=vancouver").get_data(as_text=True)
    assert "Alpha A, Beta B, Gamma G." in html
    assert client.get("/basket?style=mla").status_code == 400


def test_form_export_downloads_markdown_with_citation_and_reference(client: FlaskClient) -> None:
    add(client, FINDING)
    response = client.post("/basket/export", data={"format": "md", "style": "apa"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=talking-points.md"
    text = response.get_data(as_text=True)
    assert CITATION in text and REFERENCE in text


def test_remove_and_clear(client: FlaskClient) -> None:
    add(client, FINDING)
    add(client, "delta2019stigma")
    client.post("/basket", data={"action": "remove", "item": FINDING})
    assert client.get("/api/basket").get_json()["items"] == ["delta2019stigma"]
    client.post("/basket", data={"action": "clear"})
    assert client.get("/api/basket").get_json()["items"] == []


def test_unknown_items_are_404_and_redirects_stay_on_site(client: FlaskClient) -> None:
    response = client.post("/basket", data={"action": "add", "item": "nobody2020#p1"})
    assert response.status_code == 404
    response = client.post(
        "/basket", data={"action": "add", "item": FINDING, "next": "//evil.example/x"}
    )
    assert response.headers["Location"] == "/basket"


def test_fetch_gets_json_instead_of_a_redirect(client: FlaskClient) -> None:
    response = client.post(
        "/basket", data={"action": "add", "item": FINDING}, headers={"Accept": "application/json"}
    )
    assert response.get_json() == {"ok": True, "items": [FINDING], "count": 1}


def test_api_basket_is_the_pages_json_twin(client: FlaskClient) -> None:
    changed = client.post("/api/basket", json={"add": [FINDING, "zeta2018debrief"]}).get_json()
    assert changed["items"] == [FINDING, "zeta2018debrief"]
    data = client.get("/api/basket").get_json()
    assert data["ok"] is True and data["style"] == "apa"
    [point] = data["talking_points"]
    assert point["passage_id"] == FINDING and CITATION in point["text"]
    source = point["sources"][0]
    assert source["passage_text"] in [
        f["result"]
        for f in client.get("/api/studies/alpha2020peer").get_json()["study"]["findings"]
    ]
    assert [r["key"] for r in data["references"]] == ["alpha2020peer", "zeta2018debrief"]


def test_api_talking_points_from_ids_and_from_a_query(client: FlaskClient) -> None:
    by_id = client.post("/api/talking-points", json={"passage_ids": [FINDING]}).get_json()
    assert by_id["ok"] is True and CITATION in by_id["talking_points"][0]["text"]
    by_query = client.post(
        "/api/talking-points", json={"query": "peer support PTSD firefighters", "k": 2}
    ).get_json()
    assert by_query["ok"] is True and 1 <= len(by_query["talking_points"]) <= 2
    for point in by_query["talking_points"]:
        for source in point["sources"]:
            passage = client.get(f"/api/studies/{source['study_key']}").get_json()["passages"]
            text = next(p["text"] for p in passage if p["id"] == source["passage_id"])
            assert text[source["start"] : source["end"]] == source["passage_text"]
    missing = client.post("/api/talking-points", json={"passage_ids": ["alpha2020peer#p99"]})
    assert missing.status_code == 404
    neither = client.post("/api/talking-points", json={"style": "apa"})
    assert neither.status_code == 400


@pytest.mark.parametrize(
    ("fmt", "check"),
    [
        pytest.param("md", lambda b: CITATION.encode() in b, id="md"),
        pytest.param("bib", lambda b: b"@article{alpha2020peer" in b, id="bib"),
        pytest.param("ris", lambda b: b"TY  - JOUR" in b, id="ris"),
        pytest.param("csljson", lambda b: b'"id": "alpha2020peer"' in b, id="csljson"),
        pytest.param(
            "docx",
            lambda b: "word/document.xml" in zipfile.ZipFile(io.BytesIO(b)).namelist(),
            id="docx",
        ),
        pytest.param(
            "pptx",
            lambda b: "ppt/presentation.xml" in zipfile.ZipFile(io.BytesIO(b)).namelist(),
            id="pptx",
        ),
    ],
)
def test_api_export_every_format(client: FlaskClient, fmt: str, check: object) -> None:
    response = client.post("/api/export", json={"passage_ids": [FINDING], "format": fmt})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert check(response.get_data())  # type: ignore[operator]


def test_api_export_errors(client: FlaskClient) -> None:
    unknown = client.post("/api/export", json={"keys": ["nobody"], "format": "md"})
    assert unknown.status_code == 404
    bad_format = client.post("/api/export", json={"keys": ["alpha2020peer"], "format": "pdf"})
    assert bad_format.status_code == 400 and "unknown format" in bad_format.get_json()["error"]
    empty = client.post("/api/export", json={"format": "md"})
    assert empty.status_code == 400 and "nothing to export" in empty.get_json()["error"]
