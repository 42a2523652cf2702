"""The dashboard's "Add articles" box: uploaded files ingested into the store, with a progress bar.

UI only, beside dashboard.py (which imports it): the ingest itself is monitor.ingest.pipeline's.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from monitor.present import page
from monitor.store import Store

MAX_UPLOAD_FILES = 200


def ingest_uploads(files, store_path: str) -> None:
    """Write uploaded files to a temporary folder and ingest them with a progress bar."""
    from monitor.ingest.pipeline import ingest

    bar = st.progress(0.0, text="Reading articles…")
    with tempfile.TemporaryDirectory() as folder:
        for upload in files:
            (Path(folder) / Path(upload.name).name).write_bytes(upload.getvalue())
        done = [0]

        def step(n: int) -> None:
            done[0] += n
            bar.progress(min(done[0] / max(len(files), 1), 1.0), text=f"{done[0]} articles read")

        # One worker: the server serves every open session, and a pool per upload would take their
        # cores and a second copy of the model; large archives go through `python -m monitor ingest`.
        report = ingest(Store(store_path), [folder], progress=step, workers=1)
    bar.empty()
    st.success(f"Added {report.total('added')} articles ({report.total('unchanged')} already stored, "
               f"{report.total('duplicates')} duplicates).")
    for reason in report.skipped[:20]:
        name, _, why = reason.partition(": ")
        # Escaped: a CSV's column names or a file's name come from the file, and alerts are Markdown.
        st.warning(f"Skipped {page.markdown_text(Path(name).name)}: {page.markdown_text(why)}")


def upload_box(store_path: str, expanded: bool) -> None:
    """The 'Add articles' form: upload files of any format the loader reads."""
    from monitor.ingest.sources import (
        SUPPORTED_SUFFIXES,  # here: it imports every reader (see sidebar_tail)
    )

    with st.expander("Add articles", expanded=expanded), st.form("upload", clear_on_submit=True):
        files = st.file_uploader("Article files", accept_multiple_files=True, key="uploads",
                                 type=[s.lstrip(".") for s in SUPPORTED_SUFFIXES] + ["gz"],
                                 help="Text, Markdown, HTML, JSON/JSONL/CSV, RSS/Atom; also gzipped.")
        if st.form_submit_button("Ingest") and files:
            if len(files) > MAX_UPLOAD_FILES:
                st.error(f"At most {MAX_UPLOAD_FILES} files at a time.")
            else:
                ingest_uploads(files, store_path)
