"""The search page (HTML, works without JavaScript: a plain GET form)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from tests.webui.conftest import XSS_TITLE

pytestmark = pytest.mark.model


def cards(html: str) -> list[str]:
    """The study keys of the result cards, in order."""
    return re.findall(r'<li class="card hit" data-key="([^"]+)"', html)


def test_empty_page_has_a_labelled_search_form_and_example_queries(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<form class="search-form" method="get"' in html
    assert '<label for="q">' in html and 'id="q" name="q"' in html
    for name in ("year_from", "year_to", "design", "population", "style"):
        assert f'<label for="{name}">' in html
    assert "<main" in html and 'aria-label="Main"' in html and 'href="#content"' in html
    assert 'href="/?q=burnout"' in html  # the commonest keyword of the test corpus


def test_search_shows_cards_with_metadata_marked_passage_and_basket_button(
    client: FlaskClient,
) -> None:
    html = client.get("/?q=peer+support+PTSD+firefighters").get_data(as_text=True)
    keys = cards(html)
    assert keys[0] == "alpha2020peer"
    first = html[html.index('data-key="alpha2020peer"') :]
    first = first[: first.index("</li>")]
    assert "Peer Support and PTSD Symptoms in Canadian Firefighters" in first
    assert "Anna Alpha, Bruno Beta and Grégoire Gamma" in first
    assert "2020" in first and "Journal of Test Research" in first
    assert "randomised controlled trial" in first and "firefighters" in first
    assert re.search(r"<mark>(peer|PTSD|firefighters)</mark>", first, re.IGNORECASE)
    assert 'href="https://doi.org/10.1234/test.0001"' in first
    assert 'name="item" value="alpha2020peer#p' in first
    assert 'action="/basket"' in first


def test_filters_narrow_the_results(client: FlaskClient) -> None:
    everything = cards(client.get("/?q=burnout+stress").get_data(as_text=True))
    police = cards(client.get("/?q=burnout+stress&population=police").get_data(as_text=True))
    recent = cards(client.get("/?q=burnout+stress&year_from=2021").get_data(as_text=True))
    assert {"eta2015paramedic", "iota2023resilience"} <= set(everything)
    assert police == ["iota2023resilience"]
    assert "eta2015paramedic" not in recent and "iota2023resilience" in recent


def test_paging_links_keep_the_query_and_filters(client: FlaskClient) -> None:
    html = client.get("/?q=workers+health&k=2").get_data(as_text=True)
    assert len(cards(html)) == 2
    link = re.search(r'<a rel="next" href="([^"]+)"', html)
    assert link is not None
    page2 = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Page 2 of" in page2 and not set(cards(page2)) & set(cards(html))


def test_no_results_suggests_fewer_words_and_examples(client: FlaskClient) -> None:
    html = client.get("/?q=quantum+chromodynamics+lattice+gauge").get_data(as_text=True)
    assert cards(html) == []
    assert "No results: try fewer words" in html
    assert 'href="/?q=burnout"' in html


def test_a_bad_filter_is_a_400_with_the_form_and_the_reason(client: FlaskClient) -> None:
    response = client.get("/?q=stress&year_from=soon")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "year_from must be a year such as 2015" in html
    assert 'role="alert"' in html and 'value="stress"' in html


def test_html_in_titles_and_passages_is_shown_as_text(client: FlaskClient) -> None:
    html = client.get("/?q=dispatchers+burnout+breaks").get_data(as_text=True)
    assert "xss2022probe" in cards(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert XSS_TITLE not in html
    assert "<img src=x" not in html
    assert "Journal of &lt;b&gt;Escaping&lt;/b&gt;" in html


def test_pages_forbid_inline_script_by_policy(client: FlaskClient) -> None:
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.get_data(as_text=True)  # only <script src=...>


def section(html: str, marker: str, end: str) -> str:
    start = html.index(marker)
    return html[start : html.index(end, start)]


def test_the_evidence_on_the_claim_leads_the_page_with_labelled_findings(
    client: FlaskClient,
) -> None:
    html = client.get("/?q=does+peer+support+reduce+PTSD+in+firefighters").get_data(as_text=True)
    evidence = section(html, '<section class="evidence"', "</section>")
    assert "1 study bears on this claim." in evidence
    assert "1 randomised trial found a benefit." in evidence
    assert "Strongest for" in evidence
    # our words are labelled as ours and never put in quotation marks or a blockquote
    assert "The study&#39;s finding, in our words" in evidence
    assert "peer support groups lowered PTSD symptom scores" in evidence
    assert "<blockquote" not in evidence and "\u201c" not in evidence
    assert 'name="item" value="alpha2020peer#p' in evidence  # can go to the basket
    card = section(html, 'data-key="alpha2020peer"', "</li>")
    assert "Answers your question" in card
    assert card.index("Answers your question") < card.index("lowered")


def test_a_question_nothing_answers_says_so_and_lists_the_nearest_studies(
    client: FlaskClient,
) -> None:
    html = client.get("/?q=what+share+of+911+dispatchers+are+women").get_data(as_text=True)
    evidence = section(html, '<section class="evidence"', "</section>")
    assert "The library has no study that answers this." in evidence
    assert "Strongest for" not in evidence
    assert "Nearest studies," in html and cards(html)
    assert "Answers your question" not in html


def test_an_abstract_sentence_is_shown_as_the_authors_quoted_words(client: FlaskClient) -> None:
    html = client.get("/?q=burnout+stress").get_data(as_text=True)
    for figure in re.findall(r'<figure class="passage passage-quoted">.*?</figure>', html, re.S):
        assert "Quoted from the study&#39;s abstract" in figure or "title" in figure
        assert "<blockquote>" in figure
    for ours in re.findall(r'<div class="passage passage-ours">.*?</div>', html, re.S):
        assert "in our words" in ours and "<blockquote" not in ours


def test_a_retracted_study_carries_a_badge_on_its_card(writable_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from evidence import Library
    from tests.test_retractions import LIST
    from webui.state import EXTENSION

    csv = tmp_path / "retraction_watch.csv"
    csv.write_text(LIST, encoding="utf-8")
    library: Library = writable_app.extensions[EXTENSION]
    library.load_retractions(csv)
    html = (
        writable_app.test_client().get("/?q=peer+support+PTSD+firefighters").get_data(as_text=True)
    )
    card = section(html, 'data-key="alpha2020peer"', "</li>")
    assert '<span class="badge badge-status badge-retracted"' in card
    assert "Retracted 2021-03-08" in card
    page = writable_app.test_client().get("/studies/alpha2020peer").get_data(as_text=True)
    assert "This study was retracted (2021-03-08)." in page


def test_an_unlabelled_import_is_kept_by_filters_and_marked(writable_app, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from evidence import Library
    from webui.state import EXTENSION

    library: Library = writable_app.extensions[EXTENSION]
    bib = tmp_path / "mine.bib"
    bib.write_text(
        "@article{mine2024peer, title = {Peer support teams and PTSD in police},"
        " author = {Mine, May}, year = {2024}, journal = {J},"
        " abstract = {Peer support teams were associated with lower PTSD in police.}}\n",
        encoding="utf-8",
    )
    library.add_bibtex(bib)
    client = writable_app.test_client()
    html = client.get("/?q=peer+support+PTSD&population=firefighters").get_data(as_text=True)
    card = section(html, 'data-key="mine2024peer"', "</li>")
    assert "Unlabelled: design and population not curated" in card
    # every passage shown on a card can go to the basket
    shown = re.findall(r'name="item" value="(mine2024peer#p\d+)"', card)
    assert len(shown) >= 2 and len(shown) == len(set(shown))
