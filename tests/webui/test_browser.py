"""The UI in a real browser: Debian's chromium (headless, via Playwright) against a real
waitress server on 127.0.0.1 (see conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.webui.conftest import XSS_TITLE

pytestmark = [pytest.mark.browser, pytest.mark.model]

ADD = re.compile("^Add .*to basket$")  # a finding or a passage


@pytest.fixture
def dialogs(page: Page) -> list[str]:
    """Messages of every alert/confirm the page opens (there must be none)."""
    opened: list[str] = []

    def record(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    return opened


def search(page: Page, query: str) -> None:
    page.goto("/")
    page.get_by_label("Claim or question").fill(query)
    page.get_by_role("button", name="Search", exact=True).click()


def test_the_evidence_section_answers_or_says_plainly_that_nothing_does(
    page: Page, dialogs: list[str]
) -> None:
    search(page, "does peer support reduce PTSD in firefighters")
    evidence = page.get_by_role("region", name="What the library says")
    expect(evidence).to_contain_text("1 study bears on this claim.")
    expect(evidence.get_by_text("The study's finding, in our words")).to_be_visible()
    evidence.get_by_role("button", name="Add finding to basket").click()
    expect(page.locator(".basket-count")).to_have_text("1")

    search(page, "what share of 911 dispatchers are women")
    evidence = page.get_by_role("region", name="What the library says")
    expect(evidence).to_contain_text("The library has no study that answers this.")
    expect(page.get_by_role("heading", name=re.compile("^Nearest studies"))).to_be_visible()
    assert dialogs == []


def test_search_add_to_basket_and_export_markdown(
    page: Page, tmp_path: Path, dialogs: list[str]
) -> None:
    search(page, "peer support PTSD firefighters")
    card = page.locator("li.card.hit").first
    expect(card.get_by_role("heading")).to_have_text(
        "Peer Support and PTSD Symptoms in Canadian Firefighters"
    )
    expect(card.locator("mark").first).to_be_visible()
    card.get_by_role("button", name=ADD).first.click()
    expect(card.get_by_role("button", name="In basket")).to_be_disabled()
    expect(page.locator(".basket-count")).to_have_text("1")

    page.get_by_role("link", name="Basket").click()
    expect(page.locator(".point-text").first).to_contain_text("(Alpha et al., 2020)")
    page.reload()  # the basket survives a reload
    expect(page.locator(".point-text")).to_have_count(1)

    with page.expect_download() as info:
        page.get_by_role("button", name="Markdown").click()
    download = info.value
    assert download.suggested_filename == "talking-points.md"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    text = target.read_text(encoding="utf-8")
    assert "(Alpha et al., 2020)" in text
    assert "Alpha, A., Beta, B., & Gamma, G. (2020). Peer support and PTSD symptoms" in text
    assert dialogs == []


def test_filters_narrow_the_results(page: Page) -> None:
    search(page, "burnout stress")
    everything = page.locator("li.card.hit").count()
    assert everything >= 3
    page.get_by_label("Population").select_option("police")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("li.card.hit")).to_have_count(1)
    expect(page.locator("li.card.hit").get_by_role("heading")).to_have_text(
        "Resilience training for police recruits: a meta-analysis"
    )
    page.get_by_label("Population").select_option(["police", "dispatchers"])  # any of them
    page.get_by_role("button", name="Search", exact=True).click()
    keys = page.locator("li.card.hit").evaluate_all("cards => cards.map(c => c.dataset.key)")
    assert len(keys) == 2 and "iota2023resilience" in keys
    page.get_by_label("Population").select_option([])
    page.get_by_label("From year").fill("2021")
    page.get_by_role("button", name="Search", exact=True).click()
    years = page.locator("li.card.hit .year").all_inner_texts()
    assert years and all(int(y) >= 2021 for y in years) and len(years) < everything


def test_a_script_title_renders_as_text_and_runs_nothing(page: Page, dialogs: list[str]) -> None:
    search(page, "dispatchers burnout breaks")
    card = page.locator('li.card.hit[data-key="xss2022probe"]')
    expect(card.get_by_role("heading")).to_have_text(XSS_TITLE)
    card.get_by_role("link", name=XSS_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(XSS_TITLE)
    expect(page.locator("body")).to_contain_text("<img src=x onerror=alert(2)>")
    page.wait_for_timeout(300)  # give any injected handler the chance to fire
    assert dialogs == []


def test_search_and_basket_work_with_javascript_off(browser: Browser, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=base_url)
    page = context.new_page()
    try:
        search(page, "stigma police help-seeking")
        card = page.locator('li.card.hit[data-key="delta2019stigma"]')
        expect(card).to_be_visible()
        card.get_by_role("button", name=ADD).first.click()  # a plain form post
        expect(page).to_have_url(re.compile(r"/\?q=stigma\+police\+help-seeking&"))  # back
        expect(page.locator(".basket-count")).to_have_text("1")
        page.goto("/basket")
        expect(page.locator(".point-text").first).to_contain_text("Delta et al., 2019")
    finally:
        context.close()


def test_keyboard_reaches_the_skip_link_and_the_search_box(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.get_by_label("Claim or question").focus()
    page.keyboard.type("sleep shift workers")
    page.keyboard.press("Enter")
    expect(page.locator("li.card.hit").first).to_be_visible()


def test_readable_on_a_phone(browser: Browser, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 740}, base_url=base_url)
    page = context.new_page()
    try:
        search(page, "peer support PTSD firefighters")
        page.goto(page.url)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        page.goto("/studies/alpha2020peer")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    finally:
        context.close()


def test_copy_citation_puts_the_reference_on_the_clipboard(page: Page) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    search(page, "stigma police help-seeking")
    card = page.locator('li.card.hit[data-key="delta2019stigma"]')
    card.get_by_text("Citation (APA)").click()
    card.get_by_role("button", name="Copy citation").click()
    expect(card.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("Delta, D., van der Berg, E., & Amick, B. C., III. (2019).")
