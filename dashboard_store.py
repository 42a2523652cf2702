"""The dashboard's store: opened once, read through caches keyed on its version, and what the page says without it.

UI only, beside dashboard.py (which imports it). Every read takes the store's path and version as arguments
(never a global), so a new ingest (a new version) shows and a filter change hits the cache. A store that cannot
be read is named here, with what to do; a busy one is retried, an empty or missing one offers the upload box.
"""
from __future__ import annotations

from dataclasses import replace
from importlib import import_module
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard_upload import upload_box
from monitor.present import page
from monitor.read.attached import AttachedStore
from monitor.read.filters import Filters
from monitor.store import Store, StoreBusy, StoreError


# ---- cached loaders: keyed on the store's version, so new ingests show and filter changes hit the cache
@st.cache_resource
def open_store(path: str) -> Store:
    """Return the read-only store; raises StoreError (not cached) while there is none yet.

    An AttachedStore: each read attaches the file (~2 ms) instead of opening it (~30 ms), which
    was a third of a filter change's rerun on a 100,000-article store.
    """
    return AttachedStore(path)


@st.cache_data(max_entries=1024, show_spinner=False)
def read(module: str, name: str, path: str, version: int, *args, **kwargs):
    """Return monitor.read.<module>.<name>(store, *args, **kwargs) — cached per store version and arguments.

    Every page reads the store through it (aggregations through `cached`; the pages' own read modules, e.g.
    `partial(read, "profile")`): one cache, one key scheme."""
    return getattr(import_module(f"monitor.read.{module}"), name)(open_store(path), *args, **kwargs)


def cached(name: str, path: str, version: int, *args, **kwargs):
    """Return monitor.read.aggregations.<name>(store, *args) — cached per store version and arguments."""
    return read("aggregations", name, path, version, *args, **kwargs)


def topic_options(f: Filters, path: str, version: int) -> pd.DataFrame:
    """The topics with their hits under the filters; the topic filter itself does not change them,
    so it is left out of the cache key (one query, not one per topic choice)."""
    return cached("topic_options", path, version, replace(f, topics=()))


# ---- the store, or how to fill it
BUSY_RETRY_SECONDS = 5
EMPTY = ("Add articles below, or from a terminal with `python -m monitor ingest PATH...` "
         "(`make run` ingests the seed corpus).")
FAULT = ("The store named above cannot be read, so nothing is shown; the file was left as it is. Restore it "
         "from a backup, or point `MONITOR_STORE` at another store (a new path starts a new store), then "
         "reload this page. `python -m monitor info --store PATH` reports on a store file.")


def retry_busy_store(path: str) -> None:
    """Rerun the page as soon as the store can be read again."""
    try:
        open_store(path).version()
    except StoreError:
        return  # still busy (or now broken: the rerun then says so)
    st.rerun()


def store_state(path: str) -> tuple[Store, int, tuple] | None:
    """Return (store, version, (first day, last day)); or draw why there is nothing to show and return None.

    Each fault is named (the StoreError's message, escaped: the path is the user's) and says what to do;
    "empty" is said only of a store that holds no article. A busy store is retried, not reported as broken.
    """
    try:
        store = open_store(path)
        version = store.version()
        bounds = cached("date_bounds", path, version)
        stored = 0 if bounds != (None, None) else int(cached("language_counts", path, version, Filters())
                                                       ["articles"].sum())
    except StoreBusy as exc:
        st.warning(f"{page.markdown_text(str(exc))}\n\nThe store is busy (another program is writing it): "
                   f"retrying every {BUSY_RETRY_SECONDS} s…", icon=":material/hourglass_top:")
        st.fragment(retry_busy_store, run_every=BUSY_RETRY_SECONDS)(path)
        return None
    except StoreError as exc:
        if not Path(path).exists():  # no store yet: the first upload makes it
            st.info(f"There is no store at {page.markdown_text(path)} yet. {EMPTY}")
            upload_box(path, expanded=True)
        else:
            # A store made by an older monitor: its message says how to migrate it; else what to do in general.
            st.error(page.markdown_text(str(exc)) + ("" if "monitor migrate" in str(exc) else f"\n\n{FAULT}"))
        return None
    if bounds == (None, None):
        st.info(f"The store holds {stored:,} articles, none of them dated: the charts need dates. {EMPTY}"
                if stored else f"The store is empty. {EMPTY}")
        upload_box(path, expanded=True)
        return None
    return store, version, bounds


def watch_store(path: str, seen: int) -> None:
    """Rerun the whole page when an ingest (e.g. a running watch) has changed the store."""
    try:
        if open_store(path).version() != seen:
            st.rerun()
    except StoreError:
        pass
