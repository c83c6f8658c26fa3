"""Citation audit page and POST /api/audit."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient

pytestmark = pytest.mark.model

DRAFT = """Peer support lowered PTSD symptoms in firefighters (Alpha et al., 2019).
Stigma keeps officers from seeking care (Delta et al., 2019).

References

Alpha, A., Beta, B., & Gamma, G. (2020). Peer support and PTSD symptoms in Canadian \
firefighters. Journal of Test Research, 12(3), 100-110. https://doi.org/10.1234/test.0001
Delta, D., van der Berg, E., & Amick, B. C., III. (2019). Stigma as a barrier to \
help-seeking among police officers. Policing Studies.
"""


def test_audit_api_finds_the_wrong_year_with_its_line(client: FlaskClient) -> None:
    response = client.post("/api/audit", json={"text": DRAFT})
    data = response.get_json()
    assert response.status_code == 200 and data["ok"] is True
    report = data["report"]
    kinds = {(f["kind"], f["line"]) for f in report["findings"]}
    assert ("citation-year-mismatch", 1) in kinds
    assert report["summary"]["error"] >= 1


def test_audit_page_accepts_pasted_text_and_shows_findings(client: FlaskClient) -> None:
    response = client.post("/audit", data={"draft": DRAFT})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "line 1" in html and "Alpha et al., 2019" in html
    assert '<textarea id="draft" name="draft"' in html


def test_pasted_crlf_text_is_audited_like_lf_text(client: FlaskClient) -> None:
    lf = client.post("/api/audit", json={"text": DRAFT}).get_json()["report"]["findings"]
    crlf = client.post("/api/audit", json={"text": DRAFT.replace("\n", "\r\n")}).get_json()
    assert [f["kind"] for f in crlf["report"]["findings"]] == [f["kind"] for f in lf]


def test_audit_accepts_an_uploaded_markdown_file(client: FlaskClient) -> None:
    data = {"file": (io.BytesIO(DRAFT.encode()), "draft.md")}
    report = client.post("/api/audit", data=data).get_json()["report"]
    assert any(f["kind"] == "citation-year-mismatch" for f in report["findings"])


def test_pasted_text_is_never_read_as_a_server_path(client: FlaskClient, tmp_path: object) -> None:
    from pathlib import Path

    secret = Path(str(tmp_path)) / "secret.md"
    secret.write_text("TOP SECRET (Nobody, 2020)\n", encoding="utf-8")
    report = client.post("/api/audit", json={"text": str(secret)}).get_json()["report"]
    assert "TOP SECRET" not in report["text"]


def test_audit_errors(client: FlaskClient) -> None:
    assert client.post("/api/audit", json={"text": "  "}).status_code == 400
    assert client.post("/api/audit", json={"draft": "x"}).status_code == 400
    wrong = client.post("/api/audit", data={"file": (io.BytesIO(b"x"), "draft.pdf")})
    assert wrong.status_code == 415
    assert client.post("/api/audit", data=b"x", content_type="image/png").status_code == 415
