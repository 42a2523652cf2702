"""What every page of the dashboard is drawn from: the store, the view the sidebar chose and its filters.

UI only, beside dashboard.py: dashboard.py builds one PageContext per run (after the sidebar) and hands it to
the page that is open (dashboard_overview, dashboard_articles, dashboard_compare, dashboard_outlets,
dashboard_profile). Each page reads the store through dashboard_store.cached with `path` and `version`.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from monitor.present.provenance import Provenance
from monitor.present.viewstate import View
from monitor.read.filters import Filters

# The dashboard's pages, in the order of their tabs; the open one is kept in the URL as `page`.
PAGES = ("Overview", "Articles", "Compare queries", "Outlets", "Profile", "Quotes", "Alerts")


@dataclass(frozen=True)
class PageContext:
    """One run's view of the store, shared by the pages."""

    path: str                       # the store's path: the first argument of every cached read
    version: int                    # the store's version: the second
    view: View                      # everything chosen in the sidebar (and the URL)
    filters: Filters                # the filters it makes, without the entity choice
    span: tuple[pd.Timestamp, pd.Timestamp]  # the first and last day the charts cover
    freq: str                       # D | W | M: the period of the time charts
    period_word: str                # "day" | "week" | "month"
    every: pd.DataFrame             # aggregations.entity_table: every entity of the view's kind, ranked
    ranked: list[str]               # the 15 most mentioned of them
    names: list[str]                # the entities chosen in the sidebar, or the top ones
    colors: dict[str, str]          # one colour per name, the same on every chart
    about: Provenance               # what the view's downloads hold: their file names and metadata
    chart_block: Callable[..., Any]  # dashboard_charts.chart_block with the view's provenance and image settings
    image_export: tuple[bool, str]  # whether PNG/SVG downloads work here, and why not
