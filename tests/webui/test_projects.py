"""Projects in the web UI and the JSON API (SQLite beside the index): shared by link with
read or edit rights, every change with who and when, two browsers that lose nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.webui.conftest import make_app

pytestmark = pytest.mark.model

FINDING = "alpha2020peer#p1"
OTHER = "delta2019stigma"


def create(client: FlaskClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/projects", json={"name": "Peer support", "by": "Ana", **body})
    assert response.status_code == 200, response.get_json()
    data: dict[str, Any] = response.get_json()
    return data


def test_a_project_made_by_api_is_shared_by_token_with_read_or_edit_rights(
    writable_app: Flask,
) -> None:
    ana, ben, stranger = (writable_app.test_client() for _ in range(3))
    made = create(ana, items=[FINDING])
    project_id, token = made["project"]["id"], made["token"]
    assert made["rights"] == "edit" and made["link"].endswith(f"/p/{token}")
    assert "Alpha et al., 2020" in made["talking_points"][0]["citation"]
    denied = stranger.get(f"/api/projects/{project_id}")
    assert denied.status_code == 403 and "link or token" in denied.get_json()["error"]
    read = ana.post(f"/api/projects/{project_id}/share", json={"by": "Ana", "rights": "read"})
    read_token = read.get_json()["token"]
    headers = {"X-Project-Token": read_token}
    seen = ben.get(f"/api/projects/{project_id}", headers=headers).get_json()
    assert seen["rights"] == "read" and seen["project"]["items"][0]["item"] == FINDING
    refused = ben.post(f"/api/projects/{project_id}", headers=headers,
                       json={"by": "Ben", "add": [OTHER]})  # fmt: skip
    assert (
        refused.status_code == 403
        and "read the project, not change it" in refused.get_json()["error"]
    )
    history = ana.get(f"/api/projects/{project_id}").get_json()["history"]
    assert [(h["by"], h["field"]) for h in history] == [("Ana", "shared"), ("Ana", "created")]


def test_two_browsers_lose_nothing_and_the_second_writer_of_the_notes_is_told(
    writable_app: Flask,
) -> None:
    ana, ben = writable_app.test_client(), writable_app.test_client()
    made = create(ana)
    project_id, version = made["project"]["id"], made["project"]["version"]
    ben.get(f"/p/{made['token']}")  # Ben opens the edit link Ana sent him
    url = f"/api/projects/{project_id}"
    assert ana.post(url, json={"by": "Ana", "add": [FINDING]}).status_code == 200
    assert ben.post(url, json={"by": "Ben", "add": [OTHER]}).status_code == 200
    ok = ana.post(url, json={"by": "Ana", "notes": "Ana's plan", "version": version})
    assert ok.status_code == 200
    late = ben.post(url, json={"by": "Ben", "notes": "Ben's plan", "version": version})
    body = late.get_json()
    assert late.status_code == 409 and body["status"] == 409
    assert "Ana changed the notes" in body["error"] and "Reload" in body["error"]
    final = ana.get(url).get_json()["project"]
    assert [i["item"] for i in final["items"]] == [FINDING, OTHER]
    assert final["notes"] == "Ana's plan"


def test_my_basket_saved_as_a_project_and_opened_by_link_in_another_browser(
    writable_app: Flask,
) -> None:
    ana, ben = writable_app.test_client(), writable_app.test_client()
    ana.post("/basket", data={"action": "add", "item": FINDING, "next": "/"})
    response = ana.post(
        "/projects", data={"name": "<b>Wellness</b> committee", "by": "Ana", "from_basket": "1"}
    )
    assert response.status_code == 303
    page = ana.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;b&gt;Wellness&lt;/b&gt; committee" in page and "<b>Wellness" not in page
    assert "peer support groups lowered PTSD symptom scores" in page
    project_url = response.headers["Location"]
    shared = ana.post(project_url, data={"action": "share-read", "by": "Ana"})
    assert shared.status_code == 303
    flashed = ana.get(project_url).get_data(as_text=True)
    link = flashed.split("New read link (shown once): ")[1].split("<")[0]
    opened = ben.get(link.replace("http://localhost", ""))
    assert opened.status_code == 303 and opened.headers["Location"] == project_url
    page = ben.get(project_url).get_data(as_text=True)
    assert "you can read it" in page and "Make an edit link" not in page
    listing = ben.get("/projects").get_data(as_text=True)
    assert "Wellness" in listing


def test_creating_a_project_needs_the_servers_token_when_it_has_one(writable_app: Flask) -> None:
    library = writable_app.extensions["evidence"]
    guarded = make_app(library, TOKEN="s3cret-Token-for-tests")
    client = guarded.test_client()
    response = client.post("/api/projects", json={"name": "X", "by": "Ana"})
    assert response.status_code == 401
    response = client.post(
        "/api/projects", json={"name": "X", "by": "Ana"},
        headers={"X-Evidence-Token": "s3cret-Token-for-tests"},
    )  # fmt: skip
    assert response.status_code == 200


def test_bad_project_requests_are_400s_that_say_what_to_do(writable_app: Flask) -> None:
    client = writable_app.test_client()
    assert (
        "say who you are"
        in client.post("/api/projects", json={"name": "X", "by": ""}).get_json()["error"]
    )
    missing = client.post("/api/projects", json={"name": "X", "by": "A", "items": ["nope#p9"]})
    assert missing.status_code == 404
    project = create(client)["project"]["id"]
    bad = client.post(f"/api/projects/{project}", json={"by": "A", "style": "mla"})
    assert bad.status_code == 400 and "citation style" in bad.get_json()["error"]
    assert client.get("/p/not-a-token").status_code == 403
