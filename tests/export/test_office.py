"""DOCX and PPTX exports open in LibreOffice and show every point with its citation.

python-docx and python-pptx reading back their own files (tests/export/test_files.py) cannot
catch a file that only Office-compatible readers reject; this converts the exports with
LibreOffice itself. Skipped, with the reason, where LibreOffice is not installed.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from evidence import Library

QUERY = "does peer support reduce PTSD in firefighters"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = [
    pytest.mark.model,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]


def _convert(source: Path, target: str, out: Path) -> Path:
    """Convert `source` with headless LibreOffice (own profile, so runs never collide)."""
    assert SOFFICE is not None
    profile = out / "profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = out / f"{source.stem}.{target.split(':')[0]}"
    assert converted.exists(), f"LibreOffice did not convert {source.name}"
    return converted


def test_docx_and_pptx_open_in_libreoffice_with_points_and_citations(
    tiny_library: Library, tmp_path: Path
) -> None:
    points = tiny_library.talking_points(QUERY, k=3)
    assert points
    docx = tmp_path / "points.docx"
    pptx = tmp_path / "points.pptx"
    tiny_library.export(points, "docx", docx, title="Peer support")
    tiny_library.export(points, "pptx", pptx, title="Peer support")

    text = _convert(docx, "txt:Text", tmp_path).read_text(encoding="utf-8-sig")
    slides = _convert(pptx, "odp", tmp_path)
    with zipfile.ZipFile(slides) as odp:
        xml = odp.read("content.xml").decode("utf-8")
    content = html.unescape(re.sub(r"<[^>]+>", "", xml))  # the slides' text, spans joined

    references = tiny_library.references([k for p in points for k in p.study_keys])
    for point in points:
        assert point.citation in text
        assert point.citation in content
    for reference in references:
        assert reference.text.split(". ")[0] in text  # the authors, as formatted
