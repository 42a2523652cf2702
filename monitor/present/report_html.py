"""A report as one self-contained HTML file: charts inline as SVG, CSS inline, nothing loaded from the network.

Opens offline, prints (one chart never split across pages, table headers repeated) and can be mailed as one file.
Every value is escaped; each cell and line of the view is a <bdi>, so a name written right to left keeps to its
own cell. The inline SVG is kaleido's, checked once more (``safe_svg``): no script, no event handler, no link
that leaves the file. The only links are the articles' own http(s) addresses, when a table gives them.
"""
from __future__ import annotations

import html

from lxml import etree

from monitor.present import report
from monitor.present.report import ReportContent
from monitor.present.report_print import font

_CSS = """
body{font-family:%(font)s,Verdana,sans-serif;color:#111;max-width:60rem;margin:1.5rem auto;padding:0 1rem;
 font-size:14px;line-height:1.4}
h1{font-size:1.6rem;margin:0 0 .6rem}h2{font-size:1.15rem;margin:1.4rem 0 .4rem}
table{border-collapse:collapse;width:100%%;font-size:12.5px}th,td{text-align:left;vertical-align:top;
 padding:.2rem .4rem;border-bottom:1px solid #999}th{border-bottom:2px solid #000}
tbody tr:nth-child(even){background:#f2f2f2}.view th{width:9rem;border:0}.view td{border:0}
figure{margin:0 0 1rem;break-inside:avoid;page-break-inside:avoid}figure svg{max-width:100%%;height:auto}
figcaption,.note{font-size:12px;color:#444}thead{display:table-header-group}tr{break-inside:avoid}
.unseen{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media print{body{margin:0;max-width:none}a{color:inherit}}
"""
_SVG = "{http://www.w3.org/2000/svg}"
_XLINK = "{http://www.w3.org/1999/xlink}href"


def html_bytes(content: ReportContent) -> bytes:
    """Return the report as one UTF-8 HTML page."""
    images, note = report.chart_images(content, "svg")
    parts = [f"<h1>{_e(content.title)}</h1>", _view(content)]
    if note:
        parts.append(f'<p class="note">{_e(note)}</p>')
    for chart, svg in zip(content.charts, images, strict=True):
        drawing = safe_svg(svg) if svg is not None else ""
        caption = f"<figcaption>{_e(chart.caption)}</figcaption>" if chart.caption else ""
        # the drawing shows its title; the heading stays for screen readers and the outline, unseen beside it
        unseen = ' class="unseen"' if drawing else ""
        heading = f"<h2{unseen}>{_e(report.chart_title(chart))}</h2>"
        parts.append(f'<figure id="chart-{_e(chart.key)}">{heading}{drawing}{caption}</figure>')
    for table in (report.top_table(content), report.alerts_table(content), report.quotes_table(content)):
        parts.append(_table(table))
    description = " · ".join(f"{k}: {v}" for k, v in report.view_lines(content))
    page = ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(content.title)}</title><meta name=\"description\" content=\"{_e(description)}\">"
            f"<meta name=\"media-monitor-view-id\" content=\"{_e(content.provenance.view_id)}\">"
            # no network: the page may load nothing but what it holds (data: images inside the SVG charts)
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
            "style-src 'unsafe-inline'\">"
            f"<style>{_CSS % {'font': _font_css()}}</style></head><body>{''.join(parts)}</body></html>\n")
    return page.encode("utf-8")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _font_css() -> str:
    return f'"{font().family}"'


def _view(content: ReportContent) -> str:
    """Return the view's settings as a table of label and value."""
    rows = "".join(f"<tr><th scope=\"row\">{_e(k)}</th><td><bdi>{_e(v)}</bdi></td></tr>"
                   for k, v in report.view_lines(content))
    return f'<table class="view"><tbody>{rows}</tbody></table>'


def _table(table: report.Table) -> str:
    """Return a Table as a heading and an HTML table (or the note that it is empty)."""
    heading = f"<h2>{_e(table.title)}</h2>"
    if not table.rows:
        return f'{heading}<p class="note">{_e(table.empty)}</p>'
    head = "".join(f'<th scope="col">{_e(h)}</th>' for h in table.header)
    links = table.links or (None,) * len(table.rows)
    body = "".join("<tr>" + "".join(_cell(cell, link if c == table.link_column else None)
                                    for c, cell in enumerate(row)) + "</tr>"
                   for row, link in zip(table.rows, links, strict=True))
    return f"{heading}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(text: str, link: str | None) -> str:
    """Return a table cell: the text escaped and isolated (<bdi>), a link to the article when there is one."""
    shown = f"<bdi>{_e(text)}</bdi>"
    if link:
        shown = f'<a href="{_e(link)}" rel="noopener noreferrer">{shown}</a>'
    return f"<td>{shown}</td>"


def safe_svg(svg: bytes) -> str:
    """Return kaleido's SVG as markup to inline: scripts, foreign objects and event handlers removed, and any
    link or image that is not inside the file (#id) or a data: image dropped."""
    root = etree.fromstring(svg, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    for node in list(root.iter()):
        if not isinstance(node.tag, str):
            continue
        if node.tag in (f"{_SVG}script", f"{_SVG}foreignObject") or not node.tag.startswith(_SVG):
            parent = node.getparent()
            if parent is not None:
                parent.remove(node)
            continue
        for name in list(node.attrib):
            value = node.attrib[name].strip().lower()
            if name.lower().startswith("on") or (name in ("href", _XLINK)
                                                 and not value.startswith(("#", "data:image/"))):
                del node.attrib[name]
    return etree.tostring(root, encoding="unicode")
