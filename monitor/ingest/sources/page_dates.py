"""The publication time of an HTML page: every date it states, with where it stands, and one chosen by agreement.

htmldate (through trafilatura) reads many pages well, but it drops the time of an ISO date without seconds, takes
an update time written before the publication, reads a byline's zone name as nothing, and may take a stray date.
So the page's own statements are gathered as :class:`Candidate` s — JSON-LD (``datePublished``, a live blog's
``coverageStartTime``, ``dateModified``, the live blog's posts), ``<meta>`` (``article:published_time``,
``og:updated_time``, Dublin Core, ...), microdata ``itemprop``, ``<time>`` elements and elements a theme marks as
dates (``class="date published"``, ``data-published``, hAtom's ``<abbr title>``; published or updated by their
attributes and labels), "Published ..." / "Updated ..." bylines, and the date in the page's URL — with htmldate's
answer beside them, and :func:`choose` picks one.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import lxml.html

from monitor.ingest.dates import parse_date, parse_date_prefix

PUBLISHED, MODIFIED, OTHER = "published", "modified", "other"
# Where a date stands, and how much its agreement counts (the URL is the publisher's permanent address).
ORIGIN_WEIGHT = {"json-ld": 1, "meta": 1, "microdata": 1, "time": 1, "byline": 1, "url": 2, "htmldate": 0}
AGREEMENT = timedelta(days=2)
MAX_ELEMENTS = 200  # <time> elements and labelled lines looked at; a page's own are near its top
_META_PUBLISHED = ("article:published_time", "og:article:published_time", "og:published_time", "datepublished",
                   "article.published", "published_time", "publish-date", "publish_date", "publishdate", "pubdate",
                   "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date",
                   "date", "publication_date", "original-publish-date", "citation_publication_date",
                   "cxenseparse:recs:publishtime", "article_date_original", "dc.date.created", "dcterms.created")
_META_MODIFIED = ("article:modified_time", "og:updated_time", "datemodified", "article.updated", "last-modified",
                  "dcterms.modified", "dc.date.modified", "lastmod", "modified_time", "updated_time")
_ARTICLE_TYPE = re.compile(r"Article|Posting|Report|Blog", re.I)
# Objects whose dates are never the page's publication (the site's launch, the outlet's founding).
_NOT_THE_PAGE = re.compile(r"\b(?:WebSite|Organization|NewsMediaOrganization|Person|BreadcrumbList|ImageObject)\b")
_PUBLISHED_WORDS = re.compile(r"\b(?:first )?(?:published|posted|created|pubdate|publish)\b", re.I)
_UPDATED_WORDS = re.compile(r"\b(?:updated?|modified|edited|revised|last[ -]?mod)", re.I)
_LABEL = re.compile(r"(?<![\w-])(?:first\s+)?(published|posted|updated|last\s+updated|modified)\b[\s:]*(?:on|at)?\s*",
                    re.I)
_LABEL_STOP = re.compile(r"\s(?:\||•|·|/|by\s|By\s|Updated|Published|Posted)|\s{2,}")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2}|[a-z]{3})[/-](\d{1,2})(?:/|-|$)|"
                       r"[/-]((?:19|20)\d{2})-(\d{2})-(\d{2})(?:[/.-]|$)|/((?:19|20)\d{2})/(\d{2})/", re.I)
# Elements a theme marks as dates by their class or a data attribute (not <time>, read above; not scripts).
_DATE_ATTRIBUTES = ("data-published", "data-publish-date", "data-date", "data-datetime", "data-timestamp",
                    "data-time", "data-utime", "title")
_DATED_XPATH = ("//body//*[@class or @data-published or @data-publish-date or @data-date or @data-datetime or "
                "@data-timestamp or @data-utime][count(*) < 6]"
                "[not(self::time or self::script or self::style or self::a or self::img)]"
                "[contains(@class, 'date') or contains(@class, 'time') or "
                "contains(@class, 'publish') or @data-published or @data-publish-date or @data-date or "
                "@data-datetime or @data-timestamp or @data-utime]")
# A year from 1900 on, or a Unix time in seconds or milliseconds (data-timestamp="1723543200").
_MAY_BE_DATE = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)|^\s*\d{9,13}\s*$|\d{4}-?\d\d-?\d\dT")
_MONTHS = {month: number for number, month in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


@dataclass(frozen=True)
class Candidate:
    """A date the page states: naive UTC, whether it names a time, what it dates, and where it stands.

    ``kind`` is "published", "modified" or "other" (a live blog's post, an unlabelled ``<time>``);
    ``origin`` one of ORIGIN_WEIGHT; ``where`` says exactly where ("meta article:published_time");
    ``rank`` orders candidates of the same strength (lower first: the more specific statement);
    ``month_only``: a URL that names only a year and month (``/2024/08/``).
    """

    when: datetime
    timed: bool
    kind: str
    origin: str
    where: str
    rank: int
    month_only: bool = False


def page_candidates(tree: lxml.html.HtmlElement, url: str | None, htmldate: object = None) -> list[Candidate]:
    """Return every date the page states (JSON-LD, meta, microdata, <time>, bylines, URL) and htmldate's."""
    found = [*_json_ld(tree), *_meta(tree), *_microdata(tree), *_time_elements(tree), *_dated_elements(tree),
             *_bylines(tree)]
    found += _url_date(url)
    when = parse_date(htmldate)
    if when is not None:
        # Unlabelled: htmldate may have taken an update or a stray; a stated publication beats it.
        found.append(Candidate(when, when.time() != datetime.min.time(), OTHER, "htmldate", "htmldate", 99))
    return found


def choose(candidates: list[Candidate]) -> Candidate | None:
    """Return the page's publication time among ``candidates``, or None when there is none.

    The rule, measured by ``bench/pages.py``:

    1. A publication statement wins over every other date: only when the page states none is an unlabelled time
       taken (a ``<time>``, a live blog's post, htmldate's answer), and only when there is none of those an update
       time (``dateModified``, ``og:updated_time``, "Updated ..."). So a live blog is dated by its start (its
       ``datePublished``, else ``coverageStartTime``, else its first post), never by its last update.
    2. The page's dates fall into groups: sorted, a gap of more than two days starts a new group. A group's
       *support* is the weight of the distinct origins stating a date in it: JSON-LD, meta, microdata, ``<time>`` and
       dated elements, byline 1 each, the URL's date 2 (a month-only URL supports the groups in its month; it is never
       taken itself), htmldate 0 — 1 when no publication is stated, and then update times do not vote (a live blog's
       last update would otherwise pull it forward). The most supported group holding a candidate of the kind from
       step 1 wins, and of equally supported groups the later: a date far from the page's other dates — years before
       the URL's date, a template's stale date, an old video, a related story's time — is outvoted by the page's own,
       and a lone stray is older than the page (an update statement near the publication votes for it too).
    3. In that group a candidate that names a time of day wins; then, for publication statements, the more specific
       one (JSON-LD of an article type, ``article:published_time`` and the other meta in their order, microdata,
       ``<time>``, dated elements, byline, the URL), and for unlabelled or update times, the earliest.
    """
    for kind in (PUBLISHED, OTHER, MODIFIED):
        pool = [c for c in candidates if c.kind == kind and not c.month_only]
        if not pool:
            continue
        voters = [c for c in candidates if kind != OTHER or c.kind != MODIFIED]
        groups = [group for group in _groups(voters) if any(c in pool for c in group)]
        best = max(groups, key=lambda group: (_support(group, candidates, kind), max(c.when for c in group)))
        return max((c for c in best if c in pool), key=_preference)
    return None


def _preference(candidate: Candidate) -> tuple[bool, int, float]:
    """Return how a candidate ranks inside its group: named time, then the more specific statement, then earliest."""
    specific = -candidate.rank if candidate.kind == PUBLISHED else 0
    return candidate.timed, specific, -candidate.when.timestamp()


def _groups(candidates: list[Candidate]) -> list[list[Candidate]]:
    """Return the dated candidates (not month-only URLs) in groups separated by gaps of more than two days."""
    groups: list[list[Candidate]] = []
    for candidate in sorted((c for c in candidates if not c.month_only), key=lambda c: c.when):
        if groups and candidate.when - groups[-1][-1].when <= AGREEMENT:
            groups[-1].append(candidate)
        else:
            groups.append([candidate])
    return groups


def _support(group: list[Candidate], candidates: list[Candidate], tier: str) -> int:
    """Return the weight of the distinct origins stating a date in ``group`` (and a month-only URL around it)."""
    origins = {c.origin for c in group}
    if any(c.month_only and _in_month(c, member) for c in candidates for member in group):
        origins.add("url")
    htmldate = 1 if tier != PUBLISHED else 0
    return sum(ORIGIN_WEIGHT[origin] if origin != "htmldate" else htmldate for origin in origins)


def _in_month(month: Candidate, day: Candidate) -> bool:
    """Return True when ``day`` falls within a month-only URL's month, two days either side."""
    end = (month.when.replace(day=28) + timedelta(days=4)).replace(day=1)
    return month.when - AGREEMENT <= day.when < end + AGREEMENT


def _candidate(value: object, kind: str, origin: str, where: str, rank: int) -> Candidate | None:
    """Return a candidate for a stated value, or None when it names no plausible day."""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return None
    # A cheap gate: most texts of dated-looking elements ("2 hours ago", "Aug 13") name no year, and a failed
    # parse tries several parsers on several prefixes.
    if isinstance(value, str) and not _MAY_BE_DATE.search(value):
        return None
    when = parse_date(value)
    if when is None:
        return None
    return Candidate(when, _names_time(str(value)), kind, origin, where, rank)


def _names_time(value: str) -> bool:
    """Return True when a stated date names a time of day (not only a date)."""
    return bool(re.search(r"\d:\d\d|T\d\d|\d{1,2}\s*[ap]\.?m\b", value, re.I))


def _json_ld(tree: lxml.html.HtmlElement) -> Iterator[Candidate]:
    """Yield the dates of the page's JSON-LD objects (top level, ``@graph``, ``mainEntity``); nested ones are not
    the page's (an embedded video's upload date, an author's birth date)."""
    for number, script in enumerate(tree.xpath("//script[contains(@type, 'ld+json')]")[:20]):
        try:
            data = json.loads(script.text_content() or "", strict=False)
        except (ValueError, RecursionError):
            continue
        for item in _ld_objects(data, 0):
            yield from _ld_dates(item, number)


def _ld_objects(data: object, depth: int) -> Iterator[dict[str, object]]:
    """Yield the objects that describe the page: the document's, its ``@graph``'s, their ``mainEntity``."""
    if depth > 3:
        return
    if isinstance(data, list):
        for entry in data[:50]:
            yield from _ld_objects(entry, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in ("@graph", "mainEntity"):
            if key in data:
                yield from _ld_objects(data[key], depth + 1)


def _ld_dates(item: dict[str, object], number: int) -> Iterator[Candidate]:
    """Yield one JSON-LD object's dates: publication, live-blog start, update and posts."""
    types = item.get("@type")
    kind_name = " ".join(str(name) for name in (types if isinstance(types, list) else [types or ""]))
    if _NOT_THE_PAGE.search(kind_name):
        return
    # Another type (WebPage, VideoObject) may date the page, but less surely than the meta tags.
    base = (0 if _ARTICLE_TYPE.search(kind_name) else 50) + number
    fields = (("datePublished", PUBLISHED, 0), ("coverageStartTime", PUBLISHED, 1), ("dateCreated", PUBLISHED, 2),
              ("dateModified", MODIFIED, 0), ("coverageEndTime", MODIFIED, 1))
    for key, kind, offset in fields:
        found = _candidate(item.get(key), kind, "json-ld", f"json-ld {kind_name or 'object'}.{key}", base + offset)
        if found is not None:
            yield found
    posts = item.get("liveBlogUpdate")
    for post in (posts if isinstance(posts, list) else [posts])[:MAX_ELEMENTS]:
        if isinstance(post, dict):
            found = _candidate(post.get("datePublished"), OTHER, "json-ld", "json-ld liveBlogUpdate", base + 5)
            if found is not None:
                yield found


def _meta(tree: lxml.html.HtmlElement) -> Iterator[Candidate]:
    """Yield the dates of <meta> elements named for a publication or an update (in the order of the lists)."""
    for meta in tree.xpath("//meta[@content]")[:MAX_ELEMENTS * 2]:
        name = (meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv") or "")
        name = name.strip().lower()
        if name in _META_PUBLISHED:
            found = _candidate(meta.get("content"), PUBLISHED, "meta", f"meta {name}", 20 + _META_PUBLISHED.index(name))
        elif name in _META_MODIFIED:
            found = _candidate(meta.get("content"), MODIFIED, "meta", f"meta {name}", 20 + _META_MODIFIED.index(name))
        else:
            continue
        if found is not None:
            yield found


def _microdata(tree: lxml.html.HtmlElement) -> Iterator[Candidate]:
    """Yield the dates of non-meta elements marked ``itemprop="datePublished"`` / ``"dateModified"``."""
    for element in tree.xpath("//*[not(self::meta)][@itemprop='datePublished' or @itemprop='dateModified']"):
        kind = PUBLISHED if element.get("itemprop") == "datePublished" else MODIFIED
        value = element.get("datetime") or element.get("content") or element.text_content()
        found = _candidate(" ".join(value.split()), kind, "microdata", f"microdata {element.get('itemprop')}", 60)
        if found is not None:
            yield found


def _time_elements(tree: lxml.html.HtmlElement) -> Iterator[Candidate]:
    """Yield the dates of <time> elements: published or updated by their attributes or label, else "other"."""
    for position, element in enumerate(tree.xpath("//body//time")[:MAX_ELEMENTS]):
        value = element.get("datetime") or " ".join(element.text_content().split())
        kind = _time_kind(element)
        found = _candidate(value, kind, "time", f"<time> ({kind})", 70 + min(position, 20))
        if found is not None:
            yield found


def _dated_elements(tree: lxml.html.HtmlElement) -> Iterator[Candidate]:
    """Yield the dates of short elements a theme marks as dates (``class="date"``, ``data-published="..."``)."""
    marked = tree.xpath(_DATED_XPATH)[:MAX_ELEMENTS]
    for position, element in enumerate(marked):
        text = " ".join(element.text_content().split())
        values = [element.get(name) for name in _DATE_ATTRIBUTES] + [_LABEL.sub("", text, count=1)[:80]]
        kind = _time_kind(element)
        found = (_candidate(value, kind, "time", "dated element", 75 + min(position, 20)) for value in values if value)
        first = next((candidate for candidate in found if candidate is not None), None)
        if first is not None:
            yield first


def _time_kind(element: lxml.html.HtmlElement) -> str:
    """Return what a dated element dates: its pubdate/itemprop/class/id, else the label just before it or in it.

    Marks naming both ("entry-date published updated", WordPress's unmodified post) are a publication; in label
    text the word nearest the date counts ("Published Aug 12, updated <time>").
    """
    marks = " ".join(filter(None, [element.get("itemprop"), element.get("class"), element.get("id"),
                                   "pubdate" if element.get("pubdate") is not None else None]))
    if _PUBLISHED_WORDS.search(marks):
        return PUBLISHED
    if _UPDATED_WORDS.search(marks):
        return MODIFIED
    previous, parent = element.getprevious(), element.getparent()
    before = (previous.tail if previous is not None else parent.text if parent is not None else None) or ""
    label = f"{(previous.text_content() if previous is not None else '')[-40:]} {before[-40:]}"
    return _nearest_label(label) or _nearest_label(element.text_content()[:40]) or OTHER


def _nearest_label(text: str) -> str | None:
    """Return the kind named last in ``text`` (published or modified), or None when it names neither."""
    found = [(m.end(), PUBLISHED) for m in _PUBLISHED_WORDS.finditer(text)]
    found += [(m.end(), MODIFIED) for m in _UPDATED_WORDS.finditer(text)]
    return max(found)[1] if found else None


def _bylines(tree: lxml.html.HtmlElement) -> Iterator[Candidate]:
    """Yield the dates of visible lines that start "Published ..." / "Updated ..." (a byline's words and zone)."""
    texts = tree.xpath("//body//text()[string-length(normalize-space()) < 160]"
                       "[not(ancestor::script or ancestor::style or ancestor::time)]")
    seen = 0
    for text in texts:
        if seen >= MAX_ELEMENTS or not _LABEL.search(str(text)):
            continue
        seen += 1
        line = _label_line(text)
        for label in filter(_is_byline_label, _LABEL.finditer(line)):
            rest = _LABEL_STOP.split(line[label.end():].replace(" at ", " "), 1)[0].strip(" ,:")
            found = parse_date_prefix(rest, max_words=8)
            if found is not None:
                kind = PUBLISHED if label[1].lower() in ("published", "posted") else MODIFIED
                yield Candidate(found[0], _names_time(rest), kind, "byline", f"byline {label[1].lower()!r}", 80)


def _is_byline_label(label: re.Match[str]) -> bool:
    """Return True for a byline's label: capitalised, or first on its line, or after a separator ("| updated").

    "The plan was published on March 3, 2019" is prose about another date, not the page's.
    """
    before = label.string[:label.start()].rstrip()
    return label[0][:1].isupper() or not before or before[-1] in "|•·—–-:,("


def _label_line(text: object) -> str:
    """Return the short visible line a label text node stands in (its element, or the parent's when that is short)."""
    element = getattr(text, "getparent", lambda: None)()
    line = " ".join(str(text).split())
    for _ in range(2):
        if element is None:
            break
        content = " ".join(element.text_content().split())
        if len(content) > 160:
            break
        line = content if _LABEL.search(content) else line
        element = element.getparent()
    return line


def _url_date(url: str | None) -> list[Candidate]:
    """Return the date in a URL's path (``/2024/08/13/``, ``-2024-08-13``, ``/2024/aug/13/``, ``/2024/08/``)."""
    match = _URL_DATE.search(url or "")
    if match is None:
        return []
    year, month, day = (match[1], match[2], match[3]) if match[1] else (match[4], match[5], match[6])
    month_only = year is None
    if month_only:
        year, month, day = match[7], match[8], "1"
    number = _MONTHS.get(month.lower()[:3]) if month.isalpha() else int(month)
    try:
        when = datetime(int(year), number or 0, int(day))
    except ValueError:
        return []
    if parse_date(when) is None:
        return []
    return [Candidate(when, False, PUBLISHED, "url", "url " + ("month" if month_only else "day"), 95, month_only)]
