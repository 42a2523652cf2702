"""The dashboard's "Correct names" panel: merge two entities, split a spelling out of one, rename one, drop a junk
name — previewed (the mentions that would move), then written to the watchlist and applied to the store.

UI only, beside dashboard.py (which calls `corrections_panel`). The preview runs here, read-only
(monitor.ingest.corrections.preview over the page's AttachedStore). Applying writes, so it runs as the upload
does, in a subprocess: `python -m monitor names ...` opens the store writable, waits while another process holds
it, and says so with its exit status (4: busy) — the server never holds the store's write lock.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard_store import open_store
from monitor.ingest import corrections
from monitor.ingest import watchlist_file as wf
from monitor.ingest.names import name_key
from monitor.ingest.watchlist import WatchlistError
from monitor.present import page
from monitor.settings import settings_path

ROOT = Path(__file__).resolve().parent
LABELS = {"merge": "Merge", "split": "Split", "rename": "Rename", "drop": "Drop"}
EXIT_BUSY = 4
MAX_OPTIONS = 500
CHOICES = ("fix_name", "fix_into", "fix_new", "fix_variant", "fix_split_into")
APPLY_TIMEOUT_SECONDS = 600  # a 100,000-article store re-resolves in ~5 s; a busy store waits up to 60 s first


@st.cache_data(max_entries=4, show_spinner=False)
def entity_names(path: str, version: int) -> pd.DataFrame:
    """Return every entity with its mentions and its spellings (name, key), most mentioned first."""
    names = corrections.Names.read(open_store(path))
    frame = names.entity_map.assign(n=names.entity_map["name"].map(names.counts).fillna(0).astype("int64"))
    order = frame.groupby("entity")["n"].sum().sort_values(ascending=False)
    return frame.assign(rank=frame["entity"].map({e: i for i, e in enumerate(order.index)})).sort_values(
        ["rank", "n"], ascending=[True, False])


def _choose(table: pd.DataFrame) -> corrections.Correction | None:
    """Draw the widgets of the chosen correction; return it, or None while it is incomplete."""
    kind = st.radio("Correction", list(LABELS), format_func=LABELS.get, key="fix_kind", horizontal=True)
    # The most mentioned only: every option is sent to the browser on each rerun (6,700 entities in a
    # 100,000-article store); any other name can be typed (accept_new_options) and is checked against the store.
    entities = list(dict.fromkeys(table["entity"]))[:MAX_OPTIONS]
    name = st.selectbox({"merge": "Merge this entity", "split": "Take a spelling out of", "rename": "Rename",
                         "drop": "Drop (ignore every spelling of)"}[kind], entities, index=None, key="fix_name",
                        placeholder="Type to search", accept_new_options=True)
    if name is None:
        return None
    if kind == "merge":
        into = st.selectbox("into", [e for e in entities if e != name], index=None, key="fix_into",
                            placeholder="The entity kept (or a new name)", accept_new_options=True)
        return corrections.Correction(kind, name, into) if into else None
    if kind == "rename":
        new = st.text_input("New name", key="fix_new").strip()
        return corrections.Correction(kind, name, new) if new else None
    if kind == "drop":
        return corrections.Correction(kind, name)
    spellings = _spellings(table, name)
    variant = st.selectbox("Spelling", spellings, index=None, key="fix_variant", placeholder="The wrong one")
    into = st.text_input("Into (empty: an entity of its own)", key="fix_split_into").strip()
    return corrections.Correction(kind, variant, into) if variant else None


def _spellings(table: pd.DataFrame, entity: str) -> list[str]:
    """Return the spellings counted under `entity` but its own name, with one per key."""
    rows = table[(table["entity"] == entity) & (table["key"] != name_key(entity))]
    return list(dict.fromkeys(rows["name"]))


def _command(c: corrections.Correction, store_path: str, watchlist: Path, undoing: bool) -> list[str]:
    """Return the `python -m monitor names` command that makes (or undoes) correction `c`."""
    words = [c.name] + ([c.target] if c.target else [])
    return [sys.executable, "-m", "monitor", "names", c.kind, *words, "--store", store_path,
            "--watchlist", str(watchlist)] + (["--undo"] if undoing else [])


def _run(c: corrections.Correction, store_path: str, watchlist: Path, undoing: bool) -> None:
    """Apply (or undo) `c` in a subprocess; keep what it said for the page and rerun it."""
    with st.spinner("Writing the watchlist and re-resolving the names…"):
        done = subprocess.run(_command(c, store_path, watchlist, undoing), cwd=ROOT, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=APPLY_TIMEOUT_SECONDS, check=False)
    said = page.markdown_text(done.stderr.strip()[-1500:] or "(no output)")
    if done.returncode == 0:
        st.session_state["_fix_outcome"] = ("success", said)
        st.session_state["_fix_last"] = None if undoing else c
        for key in CHOICES:  # done: the panel starts afresh (a merged name is no longer an entity to pick)
            st.session_state.pop(key, None)
    elif done.returncode == EXIT_BUSY:
        st.session_state["_fix_outcome"] = ("warning", "The store is busy (an ingest is writing it): nothing "
                                                       f"was changed. Try again in a moment. {said}")
    else:
        st.session_state["_fix_outcome"] = ("error", f"Nothing was changed: {said}")
    st.rerun()


@st.cache_data(max_entries=32, show_spinner=False)
def preview(c: corrections.Correction, path: str, version: int, watchlist: str, text: str) -> corrections.Outcome:
    """Return corrections.preview, cached per store version and watchlist text: a filter changed while a
    correction is chosen reruns the page, and a preview re-resolves every name (~0.3 s on 100,000 articles)."""
    return corrections.preview(open_store(path), c, watchlist)


def _show_preview(c: corrections.Correction, store_path: str, version: int, watchlist: Path) -> bool:
    """Show what `c` would move; return True when it can be applied."""
    try:
        seen = preview(c, store_path, version, str(watchlist), wf.read_text(watchlist))
    except (corrections.CorrectionError, WatchlistError) as exc:
        st.error(page.markdown_text(str(exc)))
        return False
    moved = int(seen.moves["mentions"].sum())
    st.caption(page.markdown_text(corrections.describe(seen.correction)) +
               (f": {moved:,} mentions change entity." if moved else ": no mention changes entity.")
               + ("" if seen.changed else " The watchlist says so already."))
    if len(seen.moves):
        st.dataframe(seen.moves.rename(columns={"from_entity": "From", "to_entity": "To", "names": "Spellings",
                                                "mentions": "Mentions"}), hide_index=True, key="fix_moves")
    return seen.changed


def corrections_panel(store_path: str, version: int) -> None:
    """The "Correct names" expander: choose, preview, apply; the last correction can be undone."""
    watchlist = settings_path("watchlist")
    with st.expander("Correct names", expanded="_fix_outcome" in st.session_state):
        st.caption(f"Written to the watchlist {page.markdown_text(str(watchlist))} (versioned and shared), then "
                   "applied to the store without re-running the language model.")
        outcome = st.session_state.pop("_fix_outcome", None)
        if outcome:
            {"success": st.success, "warning": st.warning, "error": st.error}[outcome[0]](outcome[1])
        last = st.session_state.get("_fix_last")
        if last is not None and st.button(f"Undo: {corrections.describe(last)}", key="fix_undo"):
            _run(last, store_path, watchlist, undoing=True)
        chosen = _choose(entity_names(store_path, version))
        if chosen is not None and _show_preview(chosen, store_path, version, watchlist) and \
                st.button("Apply", key="fix_apply", type="primary"):
            _run(chosen, store_path, watchlist, undoing=False)
