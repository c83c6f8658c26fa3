"""Screenshots of the main pages for the README, saved to docs/screenshots/*.png.

    .venv/bin/python benchmarks/screenshots.py            # start a server on the bundled corpus
    .venv/bin/python benchmarks/screenshots.py --url http://127.0.0.1:5000   # a running one

Drives Debian's chromium (/usr/bin/chromium) headless through Playwright, like the
browser tests; it never downloads a browser. The server it starts serves the index in
benchmarks/out/http-index (built from corpus/ on first run) on a free 127.0.0.1 port.
"""

from __future__ import annotations

import argparse
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_http import OUT, ROOT, start_server  # noqa: E402

SHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
QUERY = "peer support reduces PTSD in first responders"
STUDY = "anderson2020peer"
DRAFT = (
    "Peer support programs reduce PTSD symptoms among firefighters (Anderson et al., 2019).\n"
    "Stigma keeps many officers from asking for help.\n\nReferences\n\n"
    "Anderson, G. S., Di Nota, P. M., Groll, D., & Carleton, R. N. (2020). Peer support and "
    "crisis-focused psychological interventions designed to mitigate post-traumatic stress "
    "injuries among public safety and frontline healthcare personnel: A systematic review. "
    "International Journal of Environmental Research and Public Health, 17(20), 7645.\n"
)


def take(url: str, folder: Path) -> list[Path]:
    """Save one PNG per main page (desktop), and the search page at phone width."""
    from playwright.sync_api import sync_playwright

    folder.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900}, base_url=url)

        def shot(name: str, full_page: bool = True) -> None:
            path = folder / f"{name}.png"
            page.screenshot(path=str(path), full_page=full_page)
            saved.append(path)

        page.goto("/?" + urllib.parse.urlencode({"q": QUERY, "k": 5}))
        shot("search", full_page=False)
        page.locator("li.card.hit").first.get_by_role("button", name="Add to basket").click()
        page.locator("li.card.hit").nth(1).get_by_role("button", name="Add to basket").click()
        page.wait_for_function("document.querySelector('.basket-count').textContent === '2'")
        page.goto("/?q=quantum+chromodynamics")
        shot("no-results", full_page=False)
        page.goto(f"/studies/{STUDY}")
        shot("study")
        page.goto("/basket")
        shot("basket")
        page.goto("/proposal?template=peer-support-program")
        shot("proposal", full_page=False)
        page.goto("/import")
        shot("import", full_page=False)
        page.goto("/audit")
        page.get_by_label("Draft text").fill(DRAFT)
        page.get_by_role("button", name="Audit").click()
        shot("audit", full_page=False)
        phone = browser.new_page(viewport={"width": 390, "height": 844}, base_url=url)
        phone.goto("/?" + urllib.parse.urlencode({"q": QUERY}))
        path = folder / "search-phone.png"
        phone.screenshot(path=str(path))
        saved.append(path)
        browser.close()
    return saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running server (loopback) instead of starting one")
    parser.add_argument("--out", type=Path, default=SHOTS)
    args = parser.parse_args()
    server = None
    if args.url:
        url = args.url.rstrip("/")
    else:
        OUT.mkdir(parents=True, exist_ok=True)
        server, url = start_server(OUT / "http-index", None)
    try:
        for path in take(url, args.out):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
