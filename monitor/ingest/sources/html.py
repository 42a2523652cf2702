"""Reading .html / .htm pages: main text and metadata extracted with trafilatura."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta

import lxml.html
import trafilatura
from trafilatura.settings import Document

from monitor.ingest.sources.article import make_article
from monitor.ingest.sources.decode import decoded
from monitor.ingest.sources.model import Item, Skipped
from monitor.ingest.sources.page_dates import Candidate, choose, page_candidates

# Below this, what trafilatura found is navigation crumbs ("Home"), not an article.
MIN_HTML_WORDS = 5
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_TITLE_SEPARATORS = ("|", "-", "\u2013", "\u2014", "*", ":", "\u00b7", "\u2022")


def read_html(data: bytes, path: str, mapping: Mapping[str, str] | None) -> Iterator[Item]:
    """Yield the main article of an HTML page (trafilatura), or Skipped without main text."""
    html = decoded(data, path)
    if isinstance(html, Skipped):
        yield html
        return
    try:
        tree = trafilatura.load_html(html)
        doc = None if tree is None else trafilatura.bare_extraction(
            tree, with_metadata=True, include_comments=False, date_extraction_params=_html_date_params(),
        )
    except Exception as exc:  # why: lxml and trafilatura raise many kinds on broken pages
        yield Skipped(path, f"HTML could not be parsed: {type(exc).__name__}: {exc}")
        return
    # No tree, no main text: no Document (bare_extraction gives a dict only with its deprecated as_dict).
    if tree is None or not isinstance(doc, Document):
        yield Skipped(path, "no main text found")
        return
    title = _prefer_headline(doc.title, tree)
    lines = _body_lines(doc.text, title)
    if sum(len(line.split()) for line in lines) < MIN_HTML_WORDS:
        yield Skipped(path, "no main text found")
        return
    chosen = page_date(tree, doc, path)
    date = chosen.when if chosen is not None else None
    # trafilatura gives one paragraph per line; our contract separates them by blank lines.
    text = "\n\n".join(lines)
    yield make_article(path, text, date, "metadata", title=title, source=doc.sitename, url=doc.url)


def page_date(tree: lxml.html.HtmlElement, doc: Document, path: str) -> Candidate | None:
    """Return the page's publication time chosen among its stated dates and htmldate's (see page_dates.choose)."""
    url = doc.url or (path if path.lower().startswith(("http://", "https://")) else None)
    return choose(page_candidates(tree, url, doc.date))


def explain_date(data: bytes, path: str = "page.html") -> str:
    """Return where the date :func:`read_html` takes for a page comes from ("json-ld NewsArticle.datePublished")."""
    html = decoded(data, path)
    tree = None if isinstance(html, Skipped) else trafilatura.load_html(html)
    doc = None if tree is None else trafilatura.bare_extraction(
        tree, with_metadata=True, include_comments=False, date_extraction_params=_html_date_params(),
    )
    if tree is None or not isinstance(doc, Document):
        return "page not read"
    chosen = page_date(tree, doc, path)
    return "no date" if chosen is None else chosen.where


def _body_lines(text: str | None, title: str | None) -> list[str]:
    """Return trafilatura's text lines without a leading copy of the headline.

    The <h1> is often inside the article element, so the title would otherwise be
    the body's first line and hide the dateline that follows it.
    """
    lines = [line for line in (text or "").split("\n") if line.strip()]
    loose_title = " ".join((title or "").split()).translate(_QUOTES)
    while lines and loose_title and " ".join(lines[0].split()).translate(_QUOTES) == loose_title:
        lines.pop(0)
    return lines


def _html_date_params() -> dict[str, object]:
    """Return htmldate options: publication date with time and zone, no guessing.

    ``extensive_search`` is off because its last resorts are a copyright year
    ("© 2024" -> 2024-01-01) or a year-month, which are not publication dates.
    """
    latest = datetime.now() + timedelta(days=2)
    return {
        "original_date": True,
        "extensive_search": False,
        "max_date": latest.strftime("%Y-%m-%d"),
        "outputformat": "%Y-%m-%dT%H:%M:%S%z",
        # A date in the URL has no time: prefer the page's own timestamp when it has one.
        "deferred_url_extractor": True,
    }


def _prefer_headline(title: str | None, tree: lxml.html.HtmlElement) -> str | None:
    """Return the metadata title without a site suffix that follows the page's <h1>.

    Metadata titles often read "Headline | Site | by Author"; when the visible <h1>
    is the part before a separator, that part is the article's title. Quotes are
    compared loosely because pages mix straight and typographic ones.
    """
    if not title:
        return title
    title = " ".join(title.split())
    loose_title = title.translate(_QUOTES)
    for heading in tree.iter("h1"):
        headline = " ".join(heading.text_content().split()).translate(_QUOTES)
        rest = loose_title[len(headline):].lstrip()
        if len(headline.split()) >= 2 and loose_title.startswith(headline) and rest[:1] in _TITLE_SEPARATORS:
            # The translation keeps lengths, so this cut keeps the title's own quotes.
            return title[: len(headline)].rstrip()
    return title
