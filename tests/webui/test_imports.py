"""Import page and POST /api/import: what imported, every problem with its line, and the
index updated so that searches find the new studies."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from flask import Flask
from markupsafe import escape

from tests.conftest import DATA as ROOT_DATA
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


# ---- every format, and importing again ---------------------------------------------------------

IMPORTS = ROOT_DATA / "imports"


@pytest.mark.parametrize(
    ("name", "content_type", "keys"),
    [
        pytest.param("zotero.ris", "application/x-research-info-systems",
                     ["carleton2018mental", "lefevre2021dispatcher", "ostergaard2023shift"],
                     id="ris"),
        pytest.param("pandoc.json", "application/vnd.citationstyles.csl+json",
                     ["stanley2016systematic", "okafor2020peer"], id="csljson"),
    ],
)  # fmt: skip
def test_ris_and_csl_json_import_as_uploads_and_raw_bodies(
    writable_app: Flask, name: str, content_type: str, keys: list[str]
) -> None:
    client = writable_app.test_client()
    response = client.post("/api/import", data=upload(IMPORTS / name))
    data = response.get_json()
    assert response.status_code == 200 and data["new"] == keys and data["problems"] == []
    assert data["summary"] == (
        f"Imported {len(keys)} studies from {name}: 0 already in the library, {len(keys)} new, "
        "0 updated."
    )
    raw = client.post("/api/import", data=(IMPORTS / name).read_bytes(), content_type=content_type)
    again = raw.get_json()
    assert again["files"] == ["upload" + Path(name).suffix] and again["new"] == []
    assert again["unchanged"] == keys and again["summary"].startswith("Nothing new in upload")
    copies = list((writable_app.extensions["evidence"].index_dir / "imports").iterdir())
    assert [c.suffix for c in copies] == [Path(name).suffix]  # one copy, in its format


def test_broken_entries_read_the_same_on_the_page_and_in_the_api(writable_app: Flask) -> None:
    client = writable_app.test_client()
    api = client.post("/api/import", data=upload(BROKEN)).get_json()
    [error] = [p for p in api["problems"] if p["severity"] == "error"]
    assert error["message"] == (
        "the entry that starts on line 9 is never closed: the value that opens on line 11 has "
        "no closing '}' (the field 'year' on line 12 is inside it)."
    )
    assert (
        error["hint"]
        == "Add the '}' that ends that value, then import again; the entry was skipped."
    )
    page = client.post("/import", data=upload(BROKEN)).get_data(as_text=True)
    assert str(escape(error["message"])) in page and str(escape(error["hint"])) in page  # as Jinja
    assert "Nothing new in broken.bib: 2 already in the library, 0 new, 0 updated." in page


def test_a_broken_csl_json_item_is_said_in_words_in_the_api(writable_app: Flask) -> None:
    body = (
        b'[\n {"id": "a", "title": "A", "issued": 2020}\n'
        b' {"id": "b", "title": "B", "issued": 2021},\n {"id": "c", "title": }\n]'
    )
    data = (
        writable_app.test_client()
        .post("/api/import?filename=refs.json", data=body, content_type="application/json")
        .get_json()
    )
    assert data["new"] == ["a", "b"]
    found = {(p["kind"], p["line"]): (p["message"], p["hint"]) for p in data["problems"]}
    assert (
        found[("missing-comma", 2)][0] == "a comma is missing after the item that ends on line 2."
    )
    message, hint = found[("malformed", 4)]
    assert "a value is missing at line 4" in message and hint.endswith("The item was skipped.")
