"""Page dates to the minute: zones honoured, publication over update, a stray date not taken (fictional pages).

Every page is generated (tests/pagegen.py): one publication time written with many offsets and styles, in many
markup locations, before or after an update time, beside stray dates from other years.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.ingest.sources.feeds import read_feed
from monitor.ingest.sources.html import read_html
from monitor.ingest.sources.model import RawArticle
from tests.pagegen import NAMED_ZONES, Stamp, byline_text, json_ld, page

OFFSETS = [-480, -420, -300, -240, 0, 60, 120, 330, 345, 600]
STYLES = ["seconds", "minutes", "millis", "compact", "z"]
LOCATIONS = ["json-ld", "meta", "microdata", "time", "byline", "hatom", "class"]


def read_date(html: str, path: str = "page.html") -> datetime | None:
    """Return the date read_html takes for a page."""
    article = next(read_html(html.encode(), path, None))
    assert isinstance(article, RawArticle), article
    return article.date


def to_minute(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(second=0, microsecond=0)


def markup(location: str, stamp: Stamp, style: str, kind: str) -> tuple[str, str]:
    """Return (head, top) markup stating ``stamp`` as the page's publication or update (``kind``)."""
    value = stamp.iso(style)
    published = kind == "published"
    if location == "json-ld":
        key = "datePublished" if published else "dateModified"
        return json_ld({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Tram", key: value}), ""
    if location == "meta":
        name = "article:published_time" if published else "og:updated_time"
        return f"<meta property='{name}' content='{value}'>", ""
    if location == "microdata":
        prop = "datePublished" if published else "dateModified"
        return "", f"<p>By Lena Okafor <span itemprop='{prop}' content='{value}'>{stamp.local:%b %d}</span></p>"
    if location == "hatom":  # the hAtom microformat: <abbr class="published" title="...">
        mark = "published" if published else "updated"
        return "", f"<p><abbr class='{mark}' title='{value}'>{stamp.local:%b %d}</abbr></p>"
    if location == "class":  # a theme's dated span, the time as its text
        return "", f"<p><span class='post-date {'published' if published else 'updated'}'>{value}</span></p>"
    if location == "time":
        label = "Published" if published else "Updated"
        return "", f"<p class='byline'>{label} <time datetime='{value}'>{stamp.local:%B %d}</time></p>"
    zone = "UTC" if style == "z" else _zone_name(stamp.offset_minutes)
    shown = stamp.utc if style == "z" else stamp.local
    label = "Published" if published else "Updated"
    return "", f"<p class='byline'>By Lena Okafor | {label} {byline_text(shown, zone, stamp.local.minute)}</p>"


def _zone_name(offset_minutes: int) -> str:
    """Return a zone name for an offset, or a GMT+h:mm spelling when no common name has it."""
    names = {-480: "PST", -420: "PDT", -300: "EST", -240: "EDT", 0: "GMT", 60: "CET", 120: "CEST"}
    if offset_minutes in names:
        return names[offset_minutes]
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"GMT{'+' if offset_minutes >= 0 else '-'}{hours}:{minutes:02d}"


stamps = st.builds(
    Stamp,
    st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2025, 12, 31)).map(lambda d: d.replace(
        microsecond=0)),
    st.sampled_from(OFFSETS),
)


@settings(max_examples=120, deadline=None)
@given(stamps, st.sampled_from(STYLES), st.sampled_from(LOCATIONS), st.sampled_from(LOCATIONS),
       st.integers(min_value=3, max_value=60 * 24 * 3), st.booleans())
def test_publication_to_the_minute_in_utc_over_an_update(
    published: Stamp, style: str, where: str, update_where: str, later: int, update_first: bool,
) -> None:
    """The publication time, wherever and however it is written, is stored in UTC — not the update time."""
    updated = Stamp(published.local + timedelta(minutes=later), published.offset_minutes)
    parts = [markup(where, published, style, "published"), markup(update_where, updated, style, "modified")]
    head, top = ("".join(p[i] for p in (parts[::-1] if update_first else parts)) for i in (0, 1))
    assert to_minute(read_date(page(head=head, top=top))) == to_minute(published.utc)


@pytest.mark.parametrize("zone", sorted(NAMED_ZONES))
@pytest.mark.parametrize("month", [1, 8])
@pytest.mark.parametrize("style", range(4))
def test_a_byline_zone_name_is_honoured(zone: str, month: int, style: int) -> None:
    """ "Published 4:38 pm EDT, August 13, 2024": the zone name moves the time to UTC (ET/PT by the season)."""
    local = datetime(2024, month, 13, 16, 38)
    hours = NAMED_ZONES[zone][0 if month == 8 else 1]
    html = page(top=f"<div class='meta'><span>By Lena Okafor</span> <span>Published {byline_text(local, zone, style)}"
                    "</span></div>")
    assert read_date(html) == local - timedelta(hours=hours)


def live_blog(start: Stamp, posts: list[Stamp], how: str) -> str:
    """Return a live blog: started at ``start``, its posts newest first in JSON-LD and in the page."""
    data: dict[str, object] = {
        "@context": "https://schema.org", "@type": "LiveBlogPosting", "headline": "Northbridge flood, live",
        "dateModified": posts[0].iso("seconds"),
        "liveBlogUpdate": [{"@type": "BlogPosting", "headline": f"Update {n}", "datePublished": post.iso("seconds")}
                           for n, post in enumerate(posts)],
    }
    if how in ("published", "both"):
        data["datePublished"] = start.iso("seconds")
    if how in ("coverage", "both"):
        data["coverageStartTime"] = start.iso("minutes")
    head = json_ld(data) + f"<meta property='og:updated_time' content='{posts[0].iso('seconds')}'>"
    top = "".join(f"<div class='post'><time datetime='{post.iso('z')}'>{post.local:%H:%M}</time></div>"
                  for post in posts)
    return page(head=head, top=top, title="Northbridge flood, live")


@settings(max_examples=40, deadline=None)
@given(stamps, st.lists(st.integers(min_value=5, max_value=600), min_size=1, max_size=8),
       st.sampled_from(["published", "coverage", "both", "posts only"]))
def test_a_live_blog_is_dated_by_its_start_not_its_last_update(start: Stamp, gaps: list[int], how: str) -> None:
    posts, at = [], start.local
    for gap in gaps:
        at += timedelta(minutes=gap)
        posts.append(Stamp(at, start.offset_minutes))
    posts.reverse()  # newest first, as live blogs show them
    expected = start.utc if how != "posts only" else posts[-1].utc
    assert to_minute(read_date(live_blog(start, posts, how))) == to_minute(expected)


def _stamp(old: datetime, timed: bool) -> str:
    return f"{old:%Y-%m-%dT%H:%M:%SZ}" if timed else f"{old:%Y-%m-%d}"


STRAYS = {
    "meta date": lambda old, timed: (f"<meta name='date' content='{_stamp(old, timed)}'>", ""),
    "embedded video": lambda old, timed: (json_ld({
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": "x",
        "video": {"@type": "VideoObject", "uploadDate": _stamp(old, timed), "datePublished": _stamp(old, timed)}}), ""),
    "web site object": lambda old, timed: (json_ld({"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Northbridge Courier", "datePublished": _stamp(old, timed)}]}), ""),
    "related story time": lambda old, timed: ("", f"<aside><a href='/{old:%Y/%m/%d}/ferry-timetable'>Ferry timetable"
                                                  f"</a> <time class='published' datetime='{_stamp(old, timed)}'>"
                                                  f"{old:%b %d, %Y}</time></aside>"),
    "dated link": lambda old, timed: ("", f"<p>See <a href='https://courier.example/{old:%Y/%m/%d}/tram-vote'>"
                                          "the first vote</a>.</p>"),
    "copyright": lambda old, timed: ("", f"<small>&copy; {old:%Y} Northbridge Courier. Published {old:%B %d, %Y}"
                                         f"{old:, %H:%M} GMT.</small>" if timed else
                                         f"<small>&copy; {old:%Y} Northbridge Courier.</small>"),
}


@settings(max_examples=100, deadline=None)
@given(stamps, st.integers(min_value=400, max_value=4000), st.sampled_from(sorted(STRAYS)), st.booleans(),
       st.lists(st.sampled_from(LOCATIONS), min_size=1, max_size=2, unique=True), st.booleans(), st.booleans())
def test_a_stray_date_far_from_the_others_is_not_taken(
    published: Stamp, days_back: int, stray: str, stray_timed: bool, places: list[str], dated_url: bool,
    with_update: bool,
) -> None:
    """A date years before the page's own (an old video, a related story, a template's date) loses to them."""
    old = published.utc - timedelta(days=days_back)
    stray_head, stray_top = STRAYS[stray](old, stray_timed)
    parts = [markup(where, published, "seconds", "published") for where in places]
    if with_update:
        updated = Stamp(published.local + timedelta(hours=5), published.offset_minutes)
        parts.append(markup("json-ld", updated, "seconds", "modified"))
    head = stray_head + "".join(p[0] for p in parts)
    top = stray_top + "".join(p[1] for p in parts)
    path = f"https://courier.example/{published.local:%Y/%m/%d}/tram-line" if dated_url else "page.html"
    got = read_date(page(head=head, top=top), path)
    assert got is not None and abs(got - published.utc) < timedelta(days=1)


def test_a_dated_url_outvotes_a_lone_stray() -> None:
    """Only a stray in the markup and a date in the URL: the URL's day is taken, not the stray."""
    html = page(head="<meta name='date' content='2011-03-02'>")
    assert read_date(html, "https://courier.example/2024/08/13/tram-line/") == datetime(2024, 8, 13)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Tue, 13 Aug 2024 16:38:00 CEST", datetime(2024, 8, 13, 14, 38)),
        ("Tue, 13 Aug 2024 16:38 BST", datetime(2024, 8, 13, 15, 38)),
        ("Tue, 13 Aug 2024 16:38:00 ET", datetime(2024, 8, 13, 20, 38)),
        ("Tue, 13 Aug 2024 16:38:00 GMT+2", datetime(2024, 8, 13, 14, 38)),
    ],
)
def test_a_feed_date_zone_name_is_honoured(written: str, expected: datetime) -> None:
    """feedparser reads CEST and BST as UTC and ET as EST all year; the date as written is read instead."""
    rss = ("<rss version='2.0'><channel><title>Northbridge Courier</title><item><title>Tram</title>"
           f"<description>The council voted to extend the tram.</description><pubDate>{written}</pubDate>"
           "</item></channel></rss>")
    article = next(read_feed(rss.encode(), "courier.rss", None))
    assert isinstance(article, RawArticle) and article.date == expected

