"""The Retraction Watch CSV (Crossref's published layout) read offline into a list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from evidence import RetractionListError
from evidence.ingest.retractions import from_json, parse_csv, read_csv

# The published header, trailing comma included (an empty last column).
HEADER = (
    "Record ID,Title,Subject,Institution,Journal,Publisher,Country,Author,URLS,ArticleType,"
    "RetractionDate,RetractionDOI,RetractionPubMedID,OriginalPaperDate,OriginalPaperDOI,"
    "OriginalPaperPubMedID,RetractionNature,Reason,Paywalled,Notes,"
)


def row(record: int, date: str, notice: str, doi: str, pmid: str, nature: str) -> str:
    return (
        f'{record},"A title, with a comma",(HSC) Medicine;,"Uni, Dept",J Test,Pub,Canada,'
        f"A Author;B Author,,Research Article;,{date},{notice},0,1/1/2015 0:00,{doi},{pmid},"
        f"{nature},+Error in Data;,No,,"
    )


CSV = "\n".join(
    [
        HEADER,
        row(1, "3/8/2021 0:00", "10.9/notice.1", "10.1234/TEST.0001", "0", "Retraction"),
        row(2, "6/1/2019 0:00", "10.9/notice.2", "10.1234/test.0001", "0", "Correction"),
        row(3, "2/2/2020 0:00", "unavailable", "unavailable", "12345678", "Expression of concern"),
        row(4, "1/1/2018 0:00", "10.9/n4", "10.5/back", "0", "Retraction"),
        row(5, "5/5/2019 0:00", "10.9/n5", "10.5/back", "0", "Reinstatement"),
        row(6, "7/7/2022 0:00", "10.9/n6", "unavailable", "0", "Retraction"),  # no paper id
    ]
)


def test_the_published_layout_is_read_by_doi_and_pmid() -> None:
    found = parse_csv(CSV, "retraction_watch.csv", today=dt.date(2022, 8, 1))
    assert found.rows == 5 and found.newest == "2021-03-08"
    retracted = found.status_of("https://doi.org/10.1234/test.0001")  # any DOI spelling
    assert retracted is not None and retracted.state == "retracted"  # graver than the correction
    assert retracted.date == "2021-03-08" and retracted.notice == "10.9/notice.1"
    assert "retraction_watch.csv" in retracted.checked
    concern = found.status_of("", "12345678")
    assert concern is not None and concern.state == "expression of concern"
    assert concern.notice == ""  # "unavailable" is not a notice
    assert found.status_of("10.5/back") is None  # reinstated after its retraction
    assert found.status_of("10.1/unknown", "999") is None
    assert found.age_days(dt.date(2021, 3, 18)) == 10


def test_the_stored_list_round_trips_and_refuses_another_format(tmp_path: Path) -> None:
    path = tmp_path / "retraction_watch.csv"
    path.write_text("\ufeff" + CSV, encoding="utf-8")  # a BOM is read past
    found = read_csv(path)
    assert from_json(found.to_json()) == found
    with pytest.raises(RetractionListError, match="evidence retractions load FILE"):
        from_json({**found.to_json(), "format": 99})


def test_a_file_that_is_not_the_list_says_what_to_download(tmp_path: Path) -> None:
    with pytest.raises(RetractionListError, match="retraction_watch.csv"):
        parse_csv("key,title\nx,y\n", "zotero.csv")
    with pytest.raises(RetractionListError, match="cannot read"):
        read_csv(tmp_path / "missing.csv")
