"""The JSON API: one envelope for success and error, and the status of every error kind."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from evidence import Library
from tests.webui.conftest import make_app
from webui import create_app

pytestmark = pytest.mark.model


def test_search_returns_the_envelope_with_hits_and_paging(client: FlaskClient) -> None:
    response = client.get("/api/search?q=peer+support+PTSD+firefighters&k=2")
    data = response.get_json()
    assert response.status_code == 200 and data["ok"] is True
    assert data["query"] == "peer support PTSD firefighters"
    assert data["k"] == 2 and data["offset"] == 0 and len(data["hits"]) == 2
    assert data["total"] >= 2 and data["next_offset"] == 2
    top = data["hits"][0]
    assert top["rank"] == 1 and top["study"]["key"] == "alpha2020peer"
    assert top["passages"][0]["id"].startswith("alpha2020peer#p")
    assert set(top["ranks"]) <= {"bm25", "dense", "dense_passage"}


def test_the_evidence_on_a_claim_in_json(client: FlaskClient) -> None:
    data = client.get("/api/evidence?q=does+peer+support+reduce+PTSD+in+firefighters").get_json()
    evidence = data["evidence"]
    assert data["ok"] is True and evidence["answered"] is True and evidence["studies"] == 1
    assert evidence["supporting"].startswith("alpha2020peer#p")
    assert evidence["lines"][0]["passage_ids"] == [evidence["supporting"]]
    assert evidence["summary"].startswith("1 study bears on this claim.")
    # the same profile rides along with a search when asked for; passages say whose words
    # they are
    query = "/api/search?q=does+peer+support+reduce+PTSD+in+firefighters"
    search = client.get(query + "&evidence=true").get_json()
    assert search["evidence"] == evidence
    assert "evidence" not in client.get(query).get_json()
    assert "evidence" not in client.get(query + "&evidence=0").get_json()
    assert client.get(query + "&evidence=maybe").status_code == 400
    for hit in search["hits"]:
        for passage in hit["passages"]:
            assert passage["quoted"] is (passage["kind"] != "finding")
            assert ("in our words" in passage["label"]) is (passage["kind"] == "finding")
    none = client.get("/api/evidence?q=what+share+of+911+dispatchers+are+women").get_json()
    assert none["evidence"]["answered"] is False and none["evidence"]["studies"] == 0
    assert none["evidence"]["nearest"]
    assert client.get("/api/evidence?q=").status_code == 400


def test_search_filters_are_applied(client: FlaskClient) -> None:
    data = client.get("/api/search?q=burnout&design=cohort&year_to=2016").get_json()
    assert [h["study"]["key"] for h in data["hits"]] == ["eta2015paramedic"]
    both = client.get("/api/search?q=burnout&population=police&population=dispatchers").get_json()
    assert {h["study"]["population"] for h in both["hits"]} <= {"police", "dispatchers"}
    assert {h["study"]["key"] for h in both["hits"]} >= {"xss2022probe"}


def test_offset_pages_through_the_same_ranking(client: FlaskClient) -> None:
    full = client.get("/api/search?q=stress+health+workers&k=4").get_json()["hits"]
    page = client.get("/api/search?q=stress+health+workers&k=2&offset=2").get_json()["hits"]
    assert [h["study"]["key"] for h in page] == [h["study"]["key"] for h in full[2:4]]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        pytest.param("", "query is empty", id="missing-q"),
        pytest.param("q=%20%20", "query is empty", id="blank-q"),
        pytest.param("q=x&k=0", "k must be between 1 and 50", id="k-zero"),
        pytest.param("q=x&k=many", "k must be a whole number", id="k-word"),
        pytest.param("q=x&offset=-1", "offset must be between", id="negative-offset"),
        pytest.param("q=x&year_from=soon", "year_from must be a year", id="bad-year"),
        pytest.param("q=x&year_from=2020&year_to=2010", "year_from is after year_to", id="years"),
        pytest.param("q=x&design=anecdote", "unknown design", id="bad-design"),
        pytest.param("q=x&population=aliens", "unknown population", id="bad-population"),
        pytest.param("q=x&desgin=cohort", "unknown parameter(s): desgin", id="typo"),
    ],
)
def test_bad_search_parameters_are_400_with_the_reason(
    client: FlaskClient, query: str, message: str
) -> None:
    response = client.get(f"/api/search?{query}")
    data = response.get_json()
    assert response.status_code == 400
    assert data == {"ok": False, "error": data["error"], "status": 400}
    assert message in data["error"]


def test_unknown_study_is_404_in_the_envelope(client: FlaskClient) -> None:
    response = client.get("/api/studies/no-such-key")
    assert response.status_code == 404
    data = response.get_json()
    assert data["ok"] is False and data["status"] == 404 and "no-such-key" in data["error"]


def test_unknown_api_route_and_wrong_method_use_the_envelope(client: FlaskClient) -> None:
    missing = client.get("/api/nothing-here")
    assert missing.status_code == 404 and missing.get_json()["ok"] is False
    wrong = client.get("/api/export")
    assert wrong.status_code == 405 and wrong.get_json()["status"] == 405


@pytest.mark.parametrize("route", ["/api/talking-points", "/api/export", "/api/basket"])
def test_json_routes_refuse_other_media_types_with_415(client: FlaskClient, route: str) -> None:
    response = client.post(
        route, data="passage_ids=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.get_json()["status"] == 415


@pytest.mark.parametrize("route", ["/api/talking-points", "/api/export", "/api/basket"])
def test_json_routes_refuse_a_body_that_is_not_an_object(client: FlaskClient, route: str) -> None:
    response = client.post(route, data="[1, 2", content_type="application/json")
    assert response.status_code == 400
    assert "not a JSON object" in response.get_json()["error"]


def test_too_many_ids_is_413(client: FlaskClient) -> None:
    ids = [f"alpha2020peer#p{n}" for n in range(500)]
    response = client.post("/api/export", json={"passage_ids": ids, "format": "md"})
    assert response.status_code == 413 and response.get_json()["ok"] is False


def test_a_body_over_the_upload_limit_is_413(web_library: Library) -> None:
    app = make_app(web_library, MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post(
        "/api/import", data={"file": (io.BytesIO(b"@misc{a,}" * 500), "big.bib")}
    )
    assert response.status_code == 413
    assert response.get_json() == {
        "ok": False,
        "error": "the upload is larger than the 1 KB limit.",
        "status": 413,
    }


def test_health_reports_the_library(client: FlaskClient) -> None:
    data = client.get("/api/health").get_json()
    assert data["ok"] is True and data["status"] == "ready"
    assert data["studies"] == 7 and data["passages"] > 7
    assert data["model"] == "all-MiniLM-L6-v2"


def test_cross_site_form_posts_are_refused(client: FlaskClient) -> None:
    response = client.post(
        "/basket", data={"action": "clear"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    same = client.post("/basket", data={"action": "clear"}, headers={"Origin": "http://localhost"})
    assert same.status_code == 303


def test_an_unexpected_error_is_a_500_envelope_without_details(app: Flask) -> None:
    @app.get("/api/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    response = app.test_client().get("/api/boom")
    data = response.get_json()
    assert response.status_code == 500 and data["ok"] is False and data["status"] == 500
    assert "secret internals" not in data["error"]


def test_a_bad_setting_is_reported_as_such_not_as_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EVIDENCE_BATCH_SIZE", "abc")
    config = {"INDEX_DIR": tmp_path / "index", "SECRET_KEY": "test"}
    client = create_app(config).test_client()
    response = client.get("/api/search?q=peer+support")
    assert response.status_code == 500
    error = response.get_json()["error"]
    assert "EVIDENCE_BATCH_SIZE" in error and "bug" not in error
