"""Import page and POST /api/import: what imported, every problem with its line, and the
index updated so that searches find the new studies."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from flask import Flask

from tests.webui.conftest import DATA

pytestmark = pytest.mark.model

BROKEN = DATA / "broken.bib"


def upload(path: Path, name: str | None = None) -> dict[str, tuple[io.BytesIO, str]]:
    return {"file": (io.BytesIO(path.read_bytes()), name or path.name)}


def test_page_states_the_size_limit_and_has_a_labelled_file_input(writable_app: Flask) -> None:
    html = writable_app.test_client().get("/import").get_data(as_text=True)
    assert "at most 5 MB" in html
    assert '<label for="file">' in html and 'type="file" id="file" name="file"' in html
    assert 'enctype="multipart/form-data"' in html


def test_import_reports_studies_and_problems_with_lines(writable_app: Flask) -> None:
    client = writable_app.test_client()
    before = client.get("/api/search?q=peer+mentoring+dispatchers").get_json()
    assert "good2021upload" not in {h["study"]["key"] for h in before["hits"]}
    response = client.post("/api/import", data=upload(BROKEN))
    data = response.get_json()
    assert response.status_code == 200 and data["ok"] is True
    assert data["studies"] == 2
    assert {s["key"] for s in data["imported"]} == {"good2021upload", "second2019upload"}
    assert data["library_studies"] == 6
    errors = [p for p in data["problems"] if p["severity"] == "error"]
    assert [(p["file"], p["line"]) for p in errors] == [("broken.bib", 9)]
    after = client.get("/api/search?q=peer+mentoring+dispatchers").get_json()
    assert after["hits"][0]["study"]["key"] == "good2021upload"


def test_searches_keep_answering_while_an_import_runs(writable_app: Flask) -> None:
    importer = threading.Thread(
        target=lambda: writable_app.test_client().post("/api/import", data=upload(BROKEN))
    )
    importer.start()
    statuses: list[int] = []
    during = 0
    while importer.is_alive() or not statuses:
        statuses.append(writable_app.test_client().get("/api/search?q=stigma").status_code)
        during += importer.is_alive()
    importer.join()
    assert during >= 1 and set(statuses) == {200}
    assert writable_app.test_client().get("/api/health").get_json()["studies"] == 6


def test_import_page_shows_the_report(writable_app: Flask) -> None:
    response = writable_app.test_client().post("/import", data=upload(BROKEN))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Imported 2 studies from broken.bib: 0 already in the library, 2 new, 0 updated." in html
    assert "broken.bib:9" in html
    assert (
        "the entry that starts on line 9 is never closed: the value that opens on line 11" in html
    )
    assert "Add the &#39;}&#39; that ends that value" in html  # the hint, escaped
    assert 'href="/studies/good2021upload"' in html


def test_a_file_with_nothing_importable_is_400_and_changes_nothing(writable_app: Flask) -> None:
    client = writable_app.test_client()
    data = {"file": (io.BytesIO(b"@article{broken,\n title = {never closed\n"), "bad.bib")}
    response = client.post("/api/import", data=data)
    assert response.status_code == 400
    assert "no study could be imported" in response.get_json()["error"]
    assert "bad.bib" in response.get_json()["error"]
    assert client.get("/api/health").get_json()["studies"] == 4


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        pytest.param({"file": (io.BytesIO(b"%PDF-1.4"), "paper.pdf")}, None, id="pdf-upload"),
        pytest.param(b"@misc{a, title={x}}", "application/pdf", id="pdf-body"),
    ],
)
def test_wrong_type_is_415(writable_app: Flask, data: object, content_type: str | None) -> None:
    client = writable_app.test_client()
    kwargs = {"content_type": content_type} if content_type else {}
    response = client.post("/api/import", data=data, **kwargs)
    assert response.status_code == 415 and response.get_json()["status"] == 415


def test_raw_bibtex_body_is_accepted(writable_app: Flask) -> None:
    body = (DATA / "broken.bib").read_bytes()
    response = writable_app.test_client().post(
        "/api/import?filename=mine.bib", data=body, content_type="application/x-bibtex"
    )
    data = response.get_json()
    assert data["ok"] is True and data["files"] == ["mine.bib"]
    assert [p["line"] for p in data["problems"] if p["severity"] == "error"] == [9]


def test_empty_upload_is_400(writable_app: Flask) -> None:
    response = writable_app.test_client().post(
        "/import", data={"file": (io.BytesIO(b"  \n"), "empty.bib")}
    )
    assert response.status_code == 400
    assert "is empty" in response.get_data(as_text=True)
