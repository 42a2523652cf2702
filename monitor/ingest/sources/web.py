"""Reading http(s) URLs: a feed's items, or one article page.

A URL is fetched (:mod:`monitor.ingest.fetch`); when the content is an RSS / Atom / RDF feed
(sniffed like the ``.xml`` reader does) its items are read by the feed reader, otherwise
it is read as an HTML article page (trafilatura). A feed item that carries only a short
summary and a link gets the main text of its page, fetched a few at a time and streamed:
items come out in order as their pages arrive, only a few pages ahead held in memory, however
long the feed (:meth:`Fetcher.fetch_each`); at most ``FetchSettings.max_pages`` pages per feed.
When the page cannot be had (a malformed link, a refused host, an error), the summary is
kept and the item marked ``text_origin="summary"``.

Paths: a page's articles have the URL (without its #fragment) as path, a feed's items
``<feed URL>#N`` like any multi-record file, so an ingest reports one line per URL.
"""
from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from urllib.parse import urldefrag

from monitor.ingest.fetch import Fetcher
from monitor.ingest.fetch_types import Fetched, FetchError
from monitor.ingest.sources.feeds import FEED_ROOTS, _xml_root_name, read_feed
from monitor.ingest.sources.html import read_html
from monitor.ingest.sources.model import Item, RawArticle, Skipped

# Below this many words, a feed item's text is a teaser: its page is fetched for the article.
SUMMARY_WORDS = 80
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_FEED_TYPES = ("rss+xml", "atom+xml", "rdf+xml")


@dataclass(frozen=True)
class WebInput:
    """A URL to read, as :func:`monitor.ingest.sources.read_paths` accepts it beside paths.

    ``fetched``: its content when already fetched (the watch fetches feeds conditionally);
    ``fetcher``: the fetcher for it and its items' pages; ``known_urls``: item links
    already stored, whose pages are not fetched again (those items are left out).
    """

    url: str
    fetched: Fetched | None = None
    fetcher: Fetcher | None = None
    known_urls: frozenset[str] = frozenset()


def is_url(value: object) -> bool:
    """Return True for a WebInput or a string that starts with a scheme ("https://", "file://")."""
    return isinstance(value, WebInput) or (isinstance(value, str) and bool(_URL.match(value.strip())))


def read_url(source: str | WebInput, fetcher: Fetcher | None = None) -> Iterator[Item]:
    """Yield the articles at a URL (a feed's items or one page), or a Skipped saying why not."""
    web = source if isinstance(source, WebInput) else WebInput(source)
    fetcher = web.fetcher or fetcher or Fetcher()
    try:
        path = urldefrag(web.url.strip()).url
    except ValueError:  # why: a malformed URL ("http://[oops/") is this input's reason, never the run's end
        path = web.url.strip()
    fetched = web.fetched
    if fetched is None:
        try:
            fetched = fetcher.fetch(path)
        except FetchError as error:
            yield Skipped(path, error.reason)
            return
    if fetched.not_modified:
        return  # why: a 304 holds nothing new; the caller asked conditionally on purpose
    yield from read_fetched(fetched, path, fetcher, web.known_urls)


def read_fetched(fetched: Fetched, path: str, fetcher: Fetcher,
                 known_urls: frozenset[str] = frozenset()) -> Iterator[Item]:
    """Yield the articles of fetched content: feed items (completed from their pages) or one page."""
    content = _gunzipped(fetched.content, fetcher.settings.max_bytes)
    if content is None:
        yield Skipped(path, f"corrupt gzip data, or larger than {fetcher.settings.max_bytes:,} bytes after gunzip")
    elif not content.strip(b" \t\r\n\x00"):
        yield Skipped(path, "empty response")
    elif is_feed(content, fetched.content_type):
        yield from complete_items(read_feed(content, path, None), fetcher, known_urls)
    else:
        for item in read_html(content, path, None):
            # The page's own canonical URL when it names one, else where the fetch ended.
            yield replace(item, url=fetched.url) if isinstance(item, RawArticle) and not item.url else item


def is_feed(content: bytes, content_type: str | None = None) -> bool:
    """Return True when the content is an RSS / Atom / RDF feed, by its type or its root element."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind.endswith(_FEED_TYPES):
        return True
    if kind in ("text/html", "application/xhtml+xml"):
        return False
    return _xml_root_name(content) in FEED_ROOTS


def complete_items(items: Iterable[Item], fetcher: Fetcher,
                   known_urls: frozenset[str] = frozenset()) -> Iterator[Item]:
    """Yield feed items in order, each summary-only one with the main text of its page when it can be read.

    Pages are fetched through ``fetcher.fetch_each``: a few at a time and a few ahead, each
    read as soon as the items before it are out, so only a few pages are held at once. The
    feed's title, date and source are kept; the page only fills in what the feed lacks. Items
    whose link is in ``known_urls`` are left out without fetching; past ``max_pages`` links,
    items keep their summaries.
    """
    items = [item for item in items if _page_url(item) not in known_urls]
    wanted = Counter(url for url in map(_page_url, items) if url is not None)
    links = list(wanted)[:max(fetcher.settings.max_pages, 0)]
    capped = set(links)
    pages = fetcher.fetch_each(links)
    read: dict[str, RawArticle | None] = {}  # pages read and still wanted by a later item (a repeated link)
    try:
        for item in items:
            url = _page_url(item)
            if url is None or not isinstance(item, RawArticle):
                yield item
            elif url not in capped:
                yield replace(item, text_origin="summary")  # past max_pages
            else:
                page = read.pop(url) if url in read else _next_page(pages, url, item.path)
                wanted[url] -= 1
                if wanted[url] > 0:
                    read[url] = page
                yield with_page(item, page)
    finally:
        pages.close()  # why: a consumer that stops early leaves the pages not started unfetched


def _next_page(pages: Iterator[tuple[str, Fetched | FetchError]], url: str, path: str) -> RawArticle | None:
    """Return the article of the next fetched page, which is ``url``'s (links are fetched in first-seen order)."""
    fetched_url, result = next(pages)
    assert fetched_url == url, (fetched_url, url)  # why: the order above makes this hold; a slip must not mix pages
    return _page_article(result, path)


def with_page(item: RawArticle, page: RawArticle | None) -> RawArticle:
    """Return the feed item with its page's text, the feed's metadata first; or the summary, marked.

    The feed's date is the publisher's own machine-readable one, and its source names
    the outlet the same way for every item, fetched or not: so the page only fills gaps.
    A page with no more words than the summary (a paywall, a consent wall) is not used.
    """
    if page is None or len(page.text.split()) <= len(item.text.split()):
        return replace(item, text_origin="summary")
    date, origin = item.date, item.date_origin
    if origin != "metadata" and page.date is not None:
        date, origin = page.date, page.date_origin
    return replace(item, text=page.text, date=date, date_origin=origin, title=item.title or page.title,
                   source=item.source or page.source, text_origin="full")


def _is_summary(item: RawArticle) -> bool:
    """Return True when a feed item's text is short enough to be a teaser, not the article."""
    return len(item.text.split()) < SUMMARY_WORDS


def _page_url(item: Item) -> str | None:
    """Return the http(s) link of a summary-only item (its page to fetch); None for any other item."""
    if (isinstance(item, RawArticle) and _is_summary(item)
            and (item.url or "").lower().startswith(("http://", "https://"))):
        return item.url
    return None


def _page_article(result: Fetched | FetchError, path: str) -> RawArticle | None:
    """Return the article read from a fetched page, or None when there is none."""
    if isinstance(result, FetchError) or result.not_modified:
        return None
    found = next(iter(read_html(result.content, path, None)), None)
    return found if isinstance(found, RawArticle) else None


def _gunzipped(content: bytes, max_bytes: int) -> bytes | None:
    """Return gzip content inflated (a .gz file served as is), other content unchanged; None if unreadable."""
    if content[:2] != b"\x1f\x8b":
        return content
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        # One byte more than allowed tells "too big" without inflating it all.
        data = inflater.decompress(content, max_bytes + 1)
    except zlib.error:
        return None
    return None if len(data) > max_bytes else data
