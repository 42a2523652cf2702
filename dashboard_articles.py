"""The dashboard's Articles page (issue 14): being built.

UI only, beside dashboard.py (which opens it in its tab). Reads the store through dashboard_store.cached.
"""
from __future__ import annotations

import streamlit as st

from dashboard_context import PageContext


def render(ctx: PageContext) -> None:
    """Draw the Articles page of the view in `ctx`."""
    st.info("This page is being built.")
