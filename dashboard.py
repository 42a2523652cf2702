"""Media monitor dashboard (Streamlit). UI only: all data work lives in monitor/.

Run with `make run`, or `streamlit run dashboard.py` with MONITOR_STORE set.
"""
from __future__ import annotations

import streamlit as st

from monitor import queries
from monitor.store import Store, StoreError, default_path

st.set_page_config(page_title="Media monitor", layout="wide")


@st.cache_resource
def open_store(path: str) -> Store:
    """Return the read-only store; raises StoreError (not cached) while there is none yet."""
    return Store(path, read_only=True)


@st.cache_data
def load_summary(path: str, version: int) -> dict:
    """Return the store's summary; `version` keys the cache so new ingests show up."""
    return queries.summary(Store(path, read_only=True))


st.title("Media monitor")
try:
    store = open_store(str(default_path()))
except StoreError:
    store = None
if store is None or store.version() == 0:
    st.info("The store is empty. Add articles with `python -m monitor ingest PATH...` "
            "(or `make run`, which ingests the seed corpus), then reload this page.")
    st.stop()

summary = load_summary(store.path, store.version())
cols = st.columns(4)
cols[0].metric("Articles", summary["articles"])
cols[1].metric("Mentions", summary["mentions"])
cols[2].metric("Entities", summary["entities"])
cols[3].metric("Sources", summary["sources"])
st.caption(f"From {summary['first_date']:%Y-%m-%d} to {summary['last_date']:%Y-%m-%d} · store {store.path}")
left, right = st.columns(2)
left.subheader("Most mentioned people")
left.dataframe(summary["top_people"], hide_index=True, width="stretch")
right.subheader("Most covered topics")
right.dataframe(summary["top_topics"], hide_index=True, width="stretch")
