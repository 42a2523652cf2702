"""The Articles page in a real browser: opened by its URL, paged, an article opened with its names marked, the
whole list downloaded as a CSV that says what it holds."""
from __future__ import annotations

import csv
import io
import re
import urllib.parse

import pytest

from tests import article_corpus
from tests.servers import WAIT_MS, expect_download, wait_for_idle, wait_until, wait_visible

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def articles_server(tmp_path_factory):
    """`streamlit run dashboard.py` on the fictional articles corpus (72 articles: two pages)."""
    from tests.servers import streamlit_server

    store = article_corpus.build(tmp_path_factory.mktemp("browser_articles"), hostile=True)
    with streamlit_server(store.path) as (url, _):
        yield url, store


def note(page) -> str:
    return page.locator("[data-testid='stMarkdownContainer'] strong", has_text=" of ").first.inner_text()


def wait_note(page, text: str) -> None:
    """Wait until the count above the table reads `text` (after a click's rerun)."""
    locator = page.locator("[data-testid='stMarkdownContainer'] strong", has_text=text)
    wait_visible(page, locator.first, f"the count {text!r}")
    wait_for_idle(page)


def test_open_page_turn_read_and_download(page, articles_server, tmp_path):
    articles_server, _ = articles_server
    page.set_default_timeout(WAIT_MS)
    page.set_viewport_size({"width": 1500, "height": 1100})
    page.goto(f"{articles_server}/?{urllib.parse.urlencode({'page': 'Articles', 'copies': 'true'})}")
    wait_visible(page, page.locator(".st-key-articles_table").first, "the article table")
    wait_note(page, "1–50 of 73")

    page.locator(".st-key-articles_next button").click()
    wait_note(page, "51–73 of 73")

    # open one article of this page by the box under the table, and read it with its names marked
    box = page.locator(".st-key-articles_open").get_by_role("combobox")
    box.click()
    box.fill("Tram news")  # typing, as a user does: more reliable than the menu's first paint
    option = page.get_by_role("option", name=re.compile(r"^Tram news \d+ · "))
    wait_visible(page, option.first, "the page's articles in the box")
    title = option.first.inner_text().split(" · ")[0]
    option.first.click()
    opened = page.locator(".st-key-article_opened")
    wait_visible(page, opened.get_by_text(title, exact=True).first, "the opened article's title")
    wait_until(page, lambda ms: opened.locator("mark[data-entity]").first.wait_for(state="visible", timeout=ms),
               "a marked name in the article")
    marked = opened.locator("mark[data-entity]")
    assert marked.count() >= 3
    assert {"Mara Velloso", "Tomas Brandt"} & {marked.nth(k).get_attribute("data-entity")
                                                for k in range(marked.count())}
    assert "tramway" in opened.locator(".article-text").inner_text()

    info = expect_download(page, lambda: page.locator(".st-key-dl_articles_csv button:visible").first.click(),
                           "the article list's CSV")
    name = info.value.suggested_filename
    target = tmp_path / name
    info.value.save_as(target)
    assert re.fullmatch(r"articles_2022-01-03-to-2022-03-20_every-copy-counted_[0-9a-f]{10}\.csv", name), name
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == 73 and len({r["article_id"] for r in rows}) == 73  # the whole list, not the page
    assert "articles: every article of the view" in rows[0]["view_filters"]
    assert name.endswith(f"_{rows[0]['view_id']}.csv")


def test_a_hostile_article_is_shown_as_text_and_runs_nothing(page, articles_server):
    """Markup in an article's title and text (web data) is shown as written in the box, the heading and the
    marked text; no script runs, no element it names is made."""
    url, store = articles_server
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_default_timeout(WAIT_MS)
    page.set_viewport_size({"width": 1500, "height": 1100})
    page.goto(f"{url}/?{urllib.parse.urlencode({'page': 'Articles', 'q': 'hearing'})}")
    wait_note(page, "1–1 of 1")
    title = str(store.query("SELECT title FROM articles WHERE title LIKE 'Tram <%'")["title"].iloc[0])
    box = page.locator(".st-key-articles_open").get_by_role("combobox")
    box.click()
    box.fill("Tram")
    option = page.get_by_role("option", name=re.compile(r"^Tram <img"))
    wait_visible(page, option.first, "the hostile article in the box")
    option.first.click()
    opened = page.locator(".st-key-article_opened")
    wait_visible(page, opened.get_by_text(title, exact=True).first, "the hostile title shown as text")
    wait_visible(page, opened.locator("mark[data-entity='Mara Velloso']").first, "the marked name")
    shown = opened.locator(".article-text").inner_text()
    assert "<script id=injected-script>" in shown and "link](javascript:alert(3))" in shown
    for made in ("#injected-title", "#injected-script", "#injected-bold"):
        assert page.locator(made).count() == 0, made
    assert not dialogs, dialogs
