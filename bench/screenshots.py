"""Take the README's screenshots: each page of the dashboard on a store, in Debian's chromium.

    python bench/screenshots.py --store PATH [--out docs] [--size 1366x768] [--pick KEY=SELECTOR] [VIEW=QUERY ...]

Starts `streamlit run dashboard.py` on the store (127.0.0.1, a free port), opens each view by its URL
(`VIEW=QUERY`: a file name and the address's query string, e.g. `profile=page=Profile&profile=Mara+Velloso`),
waits for the run to end and saves `<out>/<VIEW>.png` (the full page). `--pick KEY=SELECTOR` first picks the
first option of the selectbox whose widget key is KEY, when the view has one, and waits for SELECTOR (e.g.
`articles_open=.article-text`: an article opened).
Without views, it takes the overview as docs/screenshot.png. Not a test: it saves pictures and asserts nothing.

The README's pictures: docs/outlets-left-right.png and docs/compare.png on the ReCOVery corpus of ../shared/data
(its walk through says how), docs/articles.png and docs/profile.png on the seed, all at 1366 pixels wide.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import streamlit_server, wait_for_idle, wait_until, wait_visible  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
DRAWN = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                   .every(c => c.querySelector('.main-svg'))
          && !document.querySelector('[data-testid="stSkeleton"]')"""


def pick_first(page, pick: str) -> None:
    """`pick` is KEY=SELECTOR: choose the first real option of the selectbox with widget key KEY, if the page
    has one, and wait until SELECTOR (what the choice draws) is visible and the run has ended."""
    key, _, selector = pick.partition("=")
    box = page.locator(f".st-key-{key}").get_by_role("combobox")
    if not box.count():
        return
    box.click()
    page.get_by_role("option").nth(1).click()  # option 0 is the empty choice
    wait_visible(page, page.locator(selector).first, f"{selector} after picking in {key}")
    wait_for_idle(page)


def shoot(store: str, views: dict[str, str], out: Path, size: tuple[int, int], picks: list[str]) -> list[Path]:
    """Save one full-page PNG per view; return their paths."""
    from playwright.sync_api import sync_playwright

    saved = []
    with streamlit_server(store) as (url, _port), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": size[0], "height": size[1]})
        for name, query in views.items():
            page.goto(f"{url}/?{query}" if query else url)
            # the page's first run: something drawn, then the script idle, then plotly's charts laid out
            wait_until(page, lambda ms: page.get_by_test_id("stMainBlockContainer").wait_for(timeout=ms),
                       "the page did not draw")
            wait_for_idle(page)
            for key in picks:
                pick_first(page, key)
            # every chart drawn by plotly and no element still a loading placeholder
            wait_until(page, lambda ms: page.wait_for_function(DRAWN, timeout=ms), "the charts were not drawn")
            path = out / f"{name}.png"
            page.screenshot(path=str(path), full_page=True)
            saved.append(path)
        browser.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, take the screenshots, print where they went."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", required=True)
    parser.add_argument("--out", default=str(ROOT / "docs"))
    parser.add_argument("--size", default="1366x768", help="the browser window, WIDTHxHEIGHT")
    parser.add_argument("--pick", action="append", default=[],
                        help="KEY=SELECTOR: pick a selectbox's first option, wait for SELECTOR")
    parser.add_argument("views", nargs="*", help="NAME=QUERY-STRING (default: screenshot= the overview)")
    args = parser.parse_args(argv)
    views = dict(v.split("=", 1) for v in args.views) or {"screenshot": ""}
    width, height = (int(x) for x in args.size.lower().split("x"))
    for path in shoot(args.store, views, Path(args.out), (width, height), args.pick):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
