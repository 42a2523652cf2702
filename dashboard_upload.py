"""The dashboard's "Add articles" box: uploaded files ingested into the store, with progress and a Stop button.

UI only, beside dashboard.py (which imports it). The ingest runs as a subprocess, `python -m monitor ingest`
(one worker, small batches), not in the server: one long article took minutes of the server's time and
hundreds of MB, and a call inside the server cannot be cancelled, while a subprocess can be stopped at any
moment and its transactions (one per batch) keep the store consistent when it is. The page polls it
(a fragment that reruns every POLL_SECONDS) for a progress line, and says at the end what became of every
uploaded file: ingested, skipped and why, or not ingested because the upload was stopped.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from monitor.present import page
from monitor.read.attached import AttachedStore
from monitor.store import StoreError

ROOT = Path(__file__).resolve().parent
MAX_UPLOAD_FILES = 200
MAX_NAME_BYTES = 200
# Per file, in Streamlit's megabytes: .streamlit/config.toml's server.maxUploadSize. Streamlit's browser side
# counts 1,000,000 bytes per MB (1,048,576 only on Windows; its server 1,048,576), so 50,000,000 bytes is the
# cap a user meets, and the ingest of an upload uses the same (also for a gzipped file, after gunzip).
MAX_UPLOAD_MB = 50
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1000 * 1000  # == DEFAULT_MAX_BYTES, the CLI's cap (tests/test_limits.py checks)
BATCH = 20            # articles per transaction: a stop loses at most this much work, progress moves this often
POLL_SECONDS = 1.0
STOP_GRACE_SECONDS = 10.0  # after SIGTERM, before SIGKILL
_PER_FILE = re.compile(r"^  (?P<path>.+): added (?P<added>\d+), unchanged (?P<unchanged>\d+), "
                       r"duplicates (?P<dup>\d+), skipped (?P<skipped>\d+)")
_TOTALS = re.compile(r"^added (\d+), unchanged (\d+), duplicates (\d+), skipped (\d+)")


@dataclass
class Upload:
    """One upload being ingested: the subprocess, where each file was written, and its log."""

    proc: subprocess.Popen
    folder: Path
    names: dict[str, str]              # path written -> the file's name as uploaded
    store_path: str
    log: Path
    refused: list[str] = field(default_factory=list)  # files that could not even be written, with the reason
    finishing: bool = False  # the step after a stop: names and story groups brought up to date, nothing read


def safe_name(name: str, number: int) -> str:
    """Return the base name to write an upload under: its own without folders, control and format characters
    (a newline would split the ingest's report lines, a right-to-left override garble them) and bytes past
    MAX_NAME_BYTES (the file system's limit is 255), keeping its suffixes (they choose the reader); a stand-in
    when nothing is left."""
    base = Path(name.replace("\\", "/")).name
    base = "".join("_" if unicodedata.category(c).startswith("C") else c for c in base)
    if len(base.encode()) > MAX_NAME_BYTES:
        suffix = "".join(Path(base).suffixes[-2:])[-20:]
        stem = base[: len(base) - len(suffix)]
        while len((stem + suffix).encode()) > MAX_NAME_BYTES:
            stem = stem[:-1]
        base = stem + suffix
    return base if base.strip(". ") else f"upload-{number}"


def stage(files: Sequence[tuple[str, bytes]], folder: Path) -> tuple[dict[str, str], list[str]]:
    """Write each upload to its own numbered subfolder of ``folder``, so two files of one name stay apart.

    Returns ({path written: name as uploaded}, [files that could not be written, with the reason]).
    Hidden files (".notes.txt") are written like any other and passed to the ingest by name, which reads them
    (only a folder's walk leaves hidden files out).
    """
    names: dict[str, str] = {}
    refused: list[str] = []
    for number, (name, data) in enumerate(files, 1):
        sub = folder / f"{number:03d}"
        try:
            sub.mkdir()
            path = sub / safe_name(name, number)
            path.write_bytes(data)
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
            refused.append(f"{name}: could not be written for the ingest ({exc})")
            continue
        names[str(path)] = name
    return names, refused


def start(files: Sequence[tuple[str, bytes]], store_path: str, batch: int = BATCH) -> Upload:
    """Write the files to a new temporary folder and start `python -m monitor ingest` on them; return the Upload."""
    folder = Path(tempfile.mkdtemp(prefix="monitor-upload-"))
    names, refused = stage(files, folder)
    log = folder / "ingest.log"
    command = [sys.executable, "-m", "monitor", "ingest", *names, "--store", store_path, "--workers", "1",
               "--quiet", "--batch-size", str(batch), "--max-bytes", str(MAX_UPLOAD_BYTES)]
    with log.open("wb") as out:
        # Its own session: a stop reaches every process it started, and a Ctrl-C to the server is not its.
        proc = subprocess.Popen(command if names else [sys.executable, "-c", ""], cwd=ROOT, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return Upload(proc, folder, names, store_path, log, refused)


def start_finish(store_path: str) -> Upload:
    """Start the step a stopped ingest skipped: an ingest of nothing, which regroups stories and re-resolves
    names over the store (the articles stored before the stop have no mentions in the charts until then)."""
    folder = Path(tempfile.mkdtemp(prefix="monitor-finish-"))
    (folder / "nothing").mkdir()
    log = folder / "ingest.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "monitor", "ingest", str(folder / "nothing"), "--store",
                                 store_path, "--workers", "1", "--quiet"], cwd=ROOT, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    return Upload(proc, folder, {}, store_path, log, finishing=True)


def finished(upload: Upload, stopped: bool) -> tuple[str, str]:
    """Return the message of the step after a stop (start_finish), and remove its folder."""
    shutil.rmtree(upload.folder, ignore_errors=True)
    if not stopped and upload.proc.returncode == 0:
        return "success", "Names and story groups are up to date: the charts include the stored articles."
    return "warning", ("Names and story groups were not brought up to date (stopped, or it failed): the stored "
                       "articles show in the charts after the next ingest or upload.")


def stored_by(upload: Upload) -> dict[str, int]:
    """Return {name as uploaded: articles of it in the store now}; files with none are left out.

    Read between the ingest's batches (the store is free between them); a store that cannot be read yet
    (not created) holds nothing of this upload.
    """
    try:
        rows = AttachedStore(upload.store_path).query(
            "SELECT path, count(*) AS n FROM articles WHERE starts_with(path, ?) GROUP BY path",
            [str(upload.folder) + os.sep])
    except StoreError:
        return {}
    return {upload.names.get(p, p): int(n) for p, n in zip(rows["path"], rows["n"], strict=True)}


def stop(upload: Upload) -> bool:
    """Stop the ingest (SIGTERM, then SIGKILL after STOP_GRACE_SECONDS); return whether it was still running.

    Whatever batch it was in is not committed: the store keeps exactly the batches committed before.
    """
    if upload.proc.poll() is not None:
        return False
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(upload.proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            upload.proc.wait(timeout=STOP_GRACE_SECONDS)
            break
        except subprocess.TimeoutExpired:
            continue
    upload.proc.wait()
    return True


def _shown(text: str, upload: Upload) -> str:
    """Return ``text`` with every temporary path replaced by the uploaded file's name."""
    for path, name in upload.names.items():
        text = text.replace(path, name)
    return text.replace(str(upload.folder) + os.sep, "")


def outcome(upload: Upload, stopped: bool) -> list[tuple[str, str]]:
    """Return what became of the upload as (kind, Markdown-safe text) with kind success/info/warning/error.

    Every file is accounted for: ingested, skipped with its reason, without any article, or (stopped) not
    ingested; then the temporary folder is removed.
    """
    log = upload.log.read_text(encoding="utf-8", errors="replace") if upload.log.exists() else ""
    code = upload.proc.returncode
    lines = [("warning", f"Not ingested: {page.markdown_text(r)}") for r in upload.refused]
    if not upload.names:
        pass  # nothing could be written: the lines above say why
    elif stopped:
        lines = _stopped(upload) + lines
    elif code not in (0, 1) or not any(_TOTALS.match(line) for line in log.splitlines()):
        tail = _shown(log.strip()[-1500:], upload) or "(no output)"
        lines.insert(0, ("error", f"The ingest failed (exit status {code}); nothing more was added. It said: "
                                  f"{page.markdown_text(tail)}"))
    else:
        lines = _finished(upload, log) + lines
    shutil.rmtree(upload.folder, ignore_errors=True)
    return lines


def _finished(upload: Upload, log: str) -> list[tuple[str, str]]:
    """Return the messages of an ingest that ran to its end: totals, then each file skipped or without articles."""
    totals = [m for m in map(_TOTALS.match, log.splitlines()) if m]
    added, unchanged, dup, _ = (int(n) for n in totals[-1].groups())
    out = [("success", f"Added {added} articles ({unchanged} already stored, {dup} duplicates).")]
    seen: set[str] = set()
    for line in log.splitlines():
        match = _PER_FILE.match(line)
        if match:
            seen.add(match["path"])
            if not any(int(match[k]) for k in ("added", "unchanged", "dup", "skipped")):
                out.append(("warning", f"No article found in {page.markdown_text(upload.names[match['path']])}."
                            if match["path"] in upload.names else page.markdown_text(_shown(line, upload))))
        elif line.startswith("  skipped "):
            reason = line[len("  skipped "):]
            seen.update(p for p in upload.names if reason.startswith(p + ":"))
            out.append(("warning", f"Skipped {page.markdown_text(_shown(reason, upload))}"))
    out += [("warning", f"No article found in {page.markdown_text(name)}.")
            for path, name in upload.names.items() if path not in seen]
    return out


def _stopped(upload: Upload) -> list[tuple[str, str]]:
    """Return the messages of a stopped ingest: what the store kept, and the files it holds nothing of."""
    kept = stored_by(upload)
    missing = [name for name in upload.names.values() if name not in kept]
    text = (f"Stopped. {sum(kept.values())} articles from {len(kept)} of the {len(upload.names)} files were "
            f"stored before the stop (whole batches: each stored article is complete).")
    out = [("info", text)]
    if missing:
        listed = ", ".join(page.markdown_text(n) for n in missing)
        out.append(("warning", f"Not ingested ({len(missing)}, or already stored before): {listed}. Upload them "
                               "again to finish: what is stored is recognised and left as it is."))
    return out


def ingest_progress() -> None:
    """Poll the running upload (a fragment, rerun every POLL_SECONDS): a progress line and Stop; when it has
    ended, keep what became of it for the page and rerun the whole page, whose figures then include it."""
    upload: Upload | None = st.session_state.get("_upload")
    if upload is None:
        return
    stopped = False
    if upload.proc.poll() is None:
        st.caption("Bringing the names and story groups of the stored articles up to date…" if upload.finishing
                   else f"Ingesting {len(upload.names)} files: {sum(stored_by(upload).values())} articles stored "
                        "so far…")
        if not st.button("Stop", key="upload_stop", icon=":material/stop_circle:"):
            return
        stopped = stop(upload)
    if upload.finishing:
        st.session_state.setdefault("_upload_outcome", []).append(finished(upload, stopped))
        del st.session_state["_upload"]
    else:
        st.session_state["_upload_outcome"] = outcome(upload, stopped)
        if stopped:  # a stop skipped the ingest's last step: run it (also in a subprocess, also stoppable)
            st.session_state["_upload"] = start_finish(upload.store_path)
        else:
            del st.session_state["_upload"]
    st.rerun()


def _show_outcome() -> None:
    """Show what became of the last upload (kept in the session until the next one)."""
    for kind, text in st.session_state.get("_upload_outcome", []):
        {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}[kind](text)


def upload_box(store_path: str, expanded: bool) -> None:
    """The 'Add articles' form (files of any format the loader reads), or the running upload's progress."""
    from monitor.ingest.sources import (
        SUPPORTED_SUFFIXES,  # here: it imports every reader (see sidebar_tail)
    )

    running = st.session_state.get("_upload")
    with st.expander("Add articles", expanded=expanded or running is not None or "_upload_outcome" in st.session_state):
        _show_outcome()
        if running is not None:
            st.fragment(ingest_progress, run_every=POLL_SECONDS)()
            return
        with st.form("upload", clear_on_submit=True):
            files = st.file_uploader("Article files", accept_multiple_files=True, key="uploads",
                                     type=[s.lstrip(".") for s in SUPPORTED_SUFFIXES] + ["gz"],
                                     max_upload_size=MAX_UPLOAD_MB,
                                     help="Text, Markdown, HTML, JSON/JSONL/CSV, RSS/Atom; also gzipped. At most "
                                          f"{MAX_UPLOAD_FILES} files of {MAX_UPLOAD_MB} MB "
                                          f"({MAX_UPLOAD_BYTES:,} bytes) each.")
            submitted = st.form_submit_button("Ingest")
        if submitted and files:
            if len(files) > MAX_UPLOAD_FILES:
                st.error(f"At most {MAX_UPLOAD_FILES} files at a time: nothing was ingested.")
                return
            st.session_state.pop("_upload_outcome", None)
            st.session_state["_upload"] = start([(f.name, f.getvalue()) for f in files], store_path)
            st.rerun()
