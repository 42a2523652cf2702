"""Store faults: a full disk, a write-ahead log that cannot be written, a truncated, flipped, foreign or
hand-edited store file. Each is one line naming the store and the cause, a status of its own (3), nothing
half-written, and nothing added to a file that is not this project's store.

Variant generators kept here: a real ingest run under RLIMIT_FSIZE (DuckDB's writes fail with EFBIG past
a byte limit, as on a full disk) at hypothesis-chosen limits; a DuckDB connection that fails at a
hypothesis-chosen statement; damaged copies of a real store (truncated at chosen offsets, chosen bytes
flipped); foreign DuckDB files with chosen tables (ours among their names); hand-edited stores.
"""
from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor import cli, locking, store_errors
from monitor.ingest.pipeline import ingest
from monitor.read import frames
from monitor.read.attached import AttachedStore
from monitor.store import Store, StoreError
from tests.conftest import FICTION, ROOT
from tests.corpus import write_corpus

FAULTS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
_names = itertools.count()


def write_fiction(folder: Path) -> Path:
    """Write the five fictional articles, one file each, and return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, (day, source, title, body) in enumerate(FICTION):
        (folder / f"{n}.txt").write_text(f"date {day}\ntitle: {title}\nsource: {source}\n{body}\n")
    return folder


def fresh(folder: Path, name: str = "s") -> Path:
    """Return a path never used before in this session (an AttachedStore keeps a path's file attached a moment)."""
    return folder / f"{name}-{next(_names)}.duckdb"


def one_line_naming(message: str, path: Path) -> None:
    """Assert that an error is one line that names the store."""
    assert "\n" not in message.strip() and str(path) in message, message


def catalog(path: Path) -> list[tuple]:
    """Return every table, column and type of a DuckDB file, and each table's row count (what must not change)."""
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute("SELECT schema_name, table_name, column_name, data_type FROM duckdb_columns() "
                              "WHERE database_name = current_database() ORDER BY ALL").fetchall()
        tables = con.execute("SELECT schema_name, table_name FROM duckdb_tables() "
                             "WHERE database_name = current_database() ORDER BY ALL").fetchall()
        counts = [(s, t, con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchall()[0][0]) for s, t in tables]
    return columns + counts


def refused_or_consistent(path: Path) -> list[str]:
    """Open a (possibly damaged) store every way the monitor does and read it; return the errors met.

    Each open either works and its reads give whole frames, or raises a one-line StoreError naming the
    file: anything else (a DuckDB error, a traceback-worthy exception) fails the test.
    """
    errors = []
    for opener in (lambda: Store(path, read_only=True), lambda: AttachedStore(path), lambda: Store(path)):
        try:
            store = opener()
            summary = frames.summary(store)
            articles = frames.articles(store)
            assert summary["articles"] == len(articles)
            frames.mentions(store)
        except StoreError as exc:
            one_line_naming(str(exc), path)
            errors.append(str(exc))
    return errors


# ---- the named cases, through the command line --------------------------------------------------------

def monitor(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `python -m monitor ARGS` as a user does."""
    return subprocess.run([sys.executable, "-m", "monitor", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=env)


def assert_store_fault(done: subprocess.CompletedProcess, path: Path, *words: str) -> None:
    """Assert the run ended with the store's status, one line naming the store, the words, no traceback."""
    assert done.returncode == cli.EXIT_STORE, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith(f"error: {path}"), done.stderr
    for word in words:
        assert word in line, done.stderr


@pytest.mark.parametrize("command", [["info"], ["export", "articles"], ["ingest", "seeds"], ["migrate"]])
def test_a_truncated_store_is_one_line_and_status_3(fiction_store, tmp_path, command):
    path = tmp_path / "cut.duckdb"
    data = Path(fiction_store.path).read_bytes()
    path.write_bytes(data[:len(data) // 2])
    done = monitor(*command, "--store", str(path))
    assert_store_fault(done, path, "damaged or truncated")
    assert path.read_bytes() == data[:len(data) // 2]  # nothing written to it


def test_a_foreign_duckdb_file_is_refused_and_gets_no_table(tmp_path):
    path = tmp_path / "invoices.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE invoices (id INTEGER, total DECIMAL(9, 2)); INSERT INTO invoices VALUES (1, 9.5);"
                    "CREATE TABLE articles (sku VARCHAR, price DOUBLE)")
    before = catalog(path)
    for command in (["ingest", str(write_fiction(tmp_path / "in"))], ["info"], ["migrate"]):
        done = monitor(*command, "--store", str(path))
        assert_store_fault(done, path, "not a media-monitor store (it has tables articles, invoices): "
                                       "choose another --store")
    assert catalog(path) == before
    notes = tmp_path / "notes.duckdb"  # no name in common with ours: the old open added all our tables to it
    with duckdb.connect(str(notes)) as con:
        con.execute("CREATE TABLE notes (day DATE, note VARCHAR)")
    done = monitor("ingest", str(tmp_path / "in"), "--store", str(notes), "--quiet", "--workers", "1")
    assert_store_fault(done, notes, "not a media-monitor store (it has tables notes)")
    assert [row[1] for row in catalog(notes)] == ["notes", "notes", "notes"]  # two columns and the row count


def test_an_empty_duckdb_file_is_a_new_store(tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(StoreError, match="no store here yet"):
        Store(path, read_only=True)
    assert Store(path).version() == 0


@pytest.mark.parametrize("args", [["--since", "2024-13-45"], ["--until", "yesterday"], ["--since", "2024"],
                                  ["--since", "2024-05-02", "--until", "2024-05-01"]])
def test_an_export_with_a_bad_date_or_range_is_a_usage_error_before_the_store_is_touched(tmp_path, args):
    garbage = tmp_path / "garbage.duckdb"
    garbage.write_bytes(b"not a store")
    for path in (tmp_path / "none.duckdb", garbage):
        done = monitor("export", "articles", *args, "--store", str(path))
        assert done.returncode == cli.EXIT_USAGE and "Traceback" not in done.stderr, done.stderr
        assert str(path) not in done.stderr  # refused for its words, before the store was looked at
    assert not (tmp_path / "none.duckdb").exists() and garbage.read_bytes() == b"not a store"


def test_an_export_with_good_days_still_filters(fiction_store, tmp_path):
    out = tmp_path / "a.csv"
    done = monitor("export", "articles", "--since", "2021-03-03", "--until", "2021-03-17", "-o", str(out),
                   "--store", fiction_store.path)
    assert done.returncode == 0, done.stderr
    assert sorted(pd.read_csv(out)["date"].str[:10]) == ["2021-03-03", "2021-03-10", "2021-03-17"]


@pytest.mark.parametrize("in_the_way", ["folder", "dangling link"])
def test_a_write_ahead_log_that_cannot_be_created_is_one_line_and_status_3(tmp_path, in_the_way):
    path = tmp_path / "s.duckdb"
    wal = tmp_path / "s.duckdb.wal"
    if in_the_way == "folder":
        wal.mkdir()
    else:
        wal.symlink_to(tmp_path / "no-such-folder" / "wal")
    done = monitor("ingest", str(write_fiction(tmp_path / "in")), "--store", str(path), "--quiet",
                   "--workers", "1")
    assert_store_fault(done, path, "write-ahead log")
    (wal.rmdir if in_the_way == "folder" else wal.unlink)()
    assert Store(path).version() == 0  # nothing half-made: a new store opens there now


# A real ingest under a file-size limit: past `limit` bytes every write to a file fails with EFBIG, as
# writes on a full disk fail with ENOSPC. SIGXFSZ is ignored so the write fails instead of killing the
# process. The NLP is warmed up first (its language model unpacks to a temporary file), so that the
# limit meets only the store's writes. For each limit, one ingest into its own store through cli.main:
# its status and stderr are printed as JSON.
_FULL_DISK = r"""
import contextlib, io, json, resource, signal, sys
from monitor import cli
from monitor.ingest.pipeline import ingest
from monitor.store import Store
corpus, folder, limits = sys.argv[1], sys.argv[2], [int(n) for n in sys.argv[3:]]
ingest(Store(":memory:"), [corpus])
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
results = []
for n, limit in enumerate(limits):
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        status = cli.main(["ingest", corpus, "--store", f"{folder}/{n}.duckdb", "--batch-size", "1",
                           "--workers", "1", "--quiet"])
    resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    results.append({"limit": limit, "status": status, "stderr": err.getvalue()})
print(json.dumps(results))
"""


def ingest_on_a_full_disk(tmp_path: Path, limits: list[int]) -> list[dict]:
    """Run the ingest of 24 fictional articles under each byte limit (see _FULL_DISK), one batch per
    article; return the status and stderr of each."""
    corpus = tmp_path / "in"
    write_corpus(corpus, 24)
    done = subprocess.run([sys.executable, "-c", _FULL_DISK, str(corpus), str(tmp_path), *map(str, limits)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def stored_rows(path: Path) -> dict[str, pd.DataFrame]:
    """Return the rows a batch writes (articles' own columns, sentences, raw mentions, topic hits) by article."""
    store = Store(path, read_only=True)
    order = {"articles": "article_id", "sentences": "article_id, sentence_id",
             "raw_mentions": "article_id, sentence_id, start_char", "topic_hits": "article_id, sentence_id, topic"}
    columns = {"articles": "article_id, title, source, n_sentences, tone, text"}
    return {t: store.query(f"SELECT {columns.get(t, '*')} FROM {t} ORDER BY {o}") for t, o in order.items()}


def assert_whole_batches_of(path: Path, reference: dict[str, pd.DataFrame]) -> set[str]:
    """Assert the store holds whole articles, each exactly as in `reference` (no half-written batch);
    return their ids."""
    rows = stored_rows(path)
    ids = set(rows["articles"]["article_id"])
    for table, frame in rows.items():
        assert set(frame["article_id"]) <= ids, table  # no rows of an article whose batch did not commit
        expected = reference[table][reference[table]["article_id"].isin(ids)].reset_index(drop=True)
        pd.testing.assert_frame_equal(frame.reset_index(drop=True), expected, obj=table)
    return ids


@pytest.mark.heavy
@settings(FAULTS, max_examples=4)  # each example: a Python process with the model, an ingest per limit
@given(limits=st.lists(st.integers(min_value=0, max_value=200_000), min_size=1, max_size=3))
def test_a_full_disk_is_one_line_status_3_and_leaves_whole_batches(tmp_path_factory, limits):
    folder = tmp_path_factory.mktemp("full")
    results = ingest_on_a_full_disk(folder, [*limits, 2**40])  # the last: no limit, the reference
    assert results[-1]["status"] == 0, results[-1]
    reference = stored_rows(folder / f"{len(limits)}.duckdb")
    for n, result in enumerate(results[:-1]):
        assert_full_disk_outcome(folder / f"{n}.duckdb", result, reference)


def assert_full_disk_outcome(path: Path, result: dict, reference: dict[str, pd.DataFrame]) -> None:
    """Assert an ingest under a byte limit ended well (0, everything stored) or with status 3 and one line
    saying the disk is full; either way the store opens with whole batches only, or is not there at all."""
    assert result["status"] in (cli.EXIT_OK, cli.EXIT_STORE), result
    assert "Traceback" not in result["stderr"], result
    if result["status"] == cli.EXIT_STORE:
        line = result["stderr"].strip()
        one_line_naming(line, path)
        assert "the disk is full" in line, result
    if not path.exists():  # the disk was full before DuckDB wrote its headers: the unfinished file is removed
        assert result["status"] == cli.EXIT_STORE and not Path(f"{path}.wal").exists(), result
        return
    ids = assert_whole_batches_of(path, reference)
    Store(path)  # opens writable afterwards: a rerun can finish the job
    assert result["status"] == cli.EXIT_STORE or ids == set(reference["articles"]["article_id"])


@pytest.mark.heavy
def test_a_full_disk_at_chosen_limits(tmp_path):
    """The hypothesis run above at fixed points: before the file has a byte, at its first page, mid-ingest;
    then an ingest with room again finishes the job."""
    results = ingest_on_a_full_disk(tmp_path, [0, 1, 5000, 12_288, 30_000, 2**40])
    assert [r["status"] for r in results] == [3, 3, 3, 3, 3, 0], results
    reference = stored_rows(tmp_path / "5.duckdb")
    for n, result in enumerate(results[:-1]):
        assert_full_disk_outcome(tmp_path / f"{n}.duckdb", result, reference)
    assert not any((tmp_path / f"{n}.duckdb").exists() for n in range(3))  # no header: removed
    assert 1 <= len(assert_whole_batches_of(tmp_path / "4.duckdb", reference)) < 24  # 30 kB: some committed
    rerun = ingest(Store(tmp_path / "4.duckdb"), [tmp_path / "in"])
    assert rerun.total("added") + rerun.total("unchanged") == 24
    assert assert_whole_batches_of(tmp_path / "4.duckdb", reference) == set(reference["articles"]["article_id"])


# ---- a DuckDB connection that fails at a chosen statement ------------------------------------------------

class FailingConnection:
    """A DuckDB connection whose `execute` raises duckdb.IOException (disk full) at the Nth call over all
    connections sharing `calls`; everything else is the real connection's."""

    def __init__(self, real: duckdb.DuckDBPyConnection, calls: list[int], fail_at: int) -> None:
        self._real, self._calls, self._fail_at = real, calls, fail_at

    def execute(self, sql: str, *args: object) -> object:
        self._calls[0] += 1
        if self._calls[0] == self._fail_at:
            raise duckdb.IOException('Could not write file "s.duckdb.wal": No space left on device')
        return self._real.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)


class RecordingStore(Store):
    """A Store that remembers the articles of every batch whose write returned (committed)."""

    committed: set[str]

    def write_batch(self, tables: dict[str, pd.DataFrame]) -> set[str]:
        stored = super().write_batch(tables)
        self.committed |= set(tables.get("articles", pd.DataFrame({"article_id": []}))["article_id"])
        return stored


@pytest.fixture(scope="module")
def fiction_folder(tmp_path_factory) -> Path:
    return write_fiction(tmp_path_factory.mktemp("fiction-in"))


@pytest.fixture(scope="module")
def fiction_reference(fiction_folder, tmp_path_factory) -> dict[str, pd.DataFrame]:
    path = tmp_path_factory.mktemp("reference") / "ref.duckdb"
    ingest(Store(path), [fiction_folder], batch_size=1)
    return stored_rows(path)


@pytest.mark.heavy  # the model in this process, an ingest per example: ~11 s
@FAULTS
@given(fail_at=st.integers(min_value=1, max_value=120))
def test_a_write_failing_at_any_statement_leaves_whole_batches(fiction_folder, fiction_reference, tmp_path_factory,
                                                               monkeypatch, fail_at):
    path = fresh(tmp_path_factory.mktemp("step"))
    calls = [0]
    real_connect = duckdb.connect
    with monkeypatch.context() as m:
        m.setattr(duckdb, "connect", lambda *a, **k: FailingConnection(real_connect(*a, **k), calls, fail_at))
        store = RecordingStore.__new__(RecordingStore)
        store.committed = set()
        try:
            store.__init__(path)  # type: ignore[misc]  # the open itself may meet the fault
            ingest(store, [fiction_folder], batch_size=1)
        except StoreError as exc:
            one_line_naming(str(exc), path)
            assert "the disk is full" in str(exc)
    if not path.exists():
        return
    if Store(path).version() == 0 and not store.committed:  # the fault met the store's creation
        assert not len(stored_rows(path)["articles"])
        return
    assert assert_whole_batches_of(path, fiction_reference) == store.committed


def test_a_failed_commit_is_a_store_error_not_a_rollback_error(tmp_path, monkeypatch):
    """The named case in one step: DuckDB ends the transaction when COMMIT fails, and the ROLLBACK after it
    raised "no transaction is active", a traceback that hid the full disk."""
    store = Store(tmp_path / "s.duckdb")
    real_connect = duckdb.connect

    class FailingCommit(FailingConnection):
        def execute(self, sql: str, *args: object) -> object:
            if sql == "COMMIT":
                self._real.execute("ROLLBACK")  # what DuckDB does when writing the WAL fails
                raise duckdb.TransactionException(
                    'Failed to commit: Could not write file "s.duckdb.wal": File too large')
            return self._real.execute(sql, *args)

    monkeypatch.setattr(duckdb, "connect", lambda *a, **k: FailingCommit(real_connect(*a, **k), [0], 0))
    rows = pd.DataFrame({"article_id": ["a1"], "sentence_id": [0], "text": ["Ines Okafor spoke."], "tone": [0.0]})
    with pytest.raises(StoreError, match=r"a write failed and was rolled back: its write-ahead log .* failed: "
                                         r"the disk is full"):
        store.write_batch({"sentences": rows})
    monkeypatch.undo()
    assert store.query("SELECT count(*) AS n FROM sentences")["n"].iloc[0] == 0


# ---- damaged store files ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def store_bytes(fiction_store) -> bytes:
    return Path(fiction_store.path).read_bytes()


@FAULTS
@given(fraction=st.floats(min_value=0.0, max_value=1.0))
def test_a_store_truncated_anywhere_is_refused_or_whole(store_bytes, tmp_path_factory, fraction):
    path = fresh(tmp_path_factory.mktemp("cut"))
    path.write_bytes(store_bytes[:int(len(store_bytes) * fraction)])
    refused_or_consistent(path)


@FAULTS
@given(flips=st.lists(st.tuples(st.floats(0.0, 1.0, exclude_max=True), st.integers(1, 255)), min_size=1, max_size=8))
def test_a_store_with_flipped_bytes_is_refused_or_whole(store_bytes, tmp_path_factory, flips):
    """DuckDB checks each block's checksum, not every byte (the file header, free blocks): a flip it cannot
    see may leave a store that opens, and then it must read whole."""
    data = bytearray(store_bytes)
    for where, mask in flips:
        data[int(where * len(data))] ^= mask
    path = fresh(tmp_path_factory.mktemp("flip"))
    path.write_bytes(bytes(data))
    refused_or_consistent(path)


def test_damaged_files_of_every_kind_are_one_line_with_the_cause(tmp_path, store_bytes):
    cases = {"empty.duckdb": b"", "text.duckdb": b"hello\n" * 100, "cut.duckdb": store_bytes[:5000]}
    words = {"empty.duckdb": "the file is empty (0 bytes)", "text.duckdb": "the file is not a DuckDB database",
             "cut.duckdb": "the file is damaged or truncated"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "folder.duckdb").mkdir()
    words["folder.duckdb"] = "it is a folder, not a store file"
    for name, word in words.items():
        errors = refused_or_consistent(tmp_path / name)
        assert len(errors) == 3 and all(word in e for e in errors), errors


_IDENTIFIER = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10).filter(lambda s: s[0] != "_")
_OURS = st.sampled_from(["meta", "articles", "sentences", "mentions", "entity_map", "topic_hits"])
_TYPES = st.sampled_from(["INTEGER", "VARCHAR", "DOUBLE", "DATE", "BOOLEAN", "BLOB"])
_TABLES = st.dictionaries(_OURS | _IDENTIFIER, st.dictionaries(_IDENTIFIER | st.sampled_from(["key", "value"]),
                                                               _TYPES, min_size=1, max_size=4),
                          min_size=1, max_size=5)


@FAULTS
@given(tables=_TABLES)
def test_a_foreign_duckdb_file_is_refused_and_never_gets_a_table(tmp_path_factory, tables):
    path = fresh(tmp_path_factory.mktemp("foreign"))
    with duckdb.connect(str(path)) as con:
        for table, columns in tables.items():
            listed = ", ".join(f'"{column}" {kind}' for column, kind in columns.items())
            con.execute(f'CREATE TABLE "{table}" ({listed})')
            if set(columns) >= {"key", "value"} and columns["key"] == "VARCHAR":  # a marker of its own?
                con.execute(f'INSERT INTO "{table}" (key, value) VALUES (\'schema_version\', NULL)')
    before = catalog(path)
    errors = refused_or_consistent(path)
    assert len(errors) == 3 and all("not a media-monitor store (it has tables" in e for e in errors), errors
    assert catalog(path) == before


_EDITS = st.one_of(
    st.tuples(st.just("drop table"), _OURS | st.just("topic_mentions")),
    st.tuples(st.just("drop column"), st.sampled_from(["articles.tone", "articles.date", "sentences.text",
                                                        "mentions.entity", "raw_mentions.name"])),
    st.tuples(st.just("retype"), st.sampled_from(["articles.date", "sentences.tone", "topic_hits.topic"])),
    st.tuples(st.just("version"), st.text(max_size=12) | st.integers(-5, 10**12).map(str) | st.just("1")),
)


def edit(con: duckdb.DuckDBPyConnection, kind: str, what: str) -> None:
    """Make one hand edit of a store (left out when an earlier edit took away what it edits)."""
    table, _, column = ("meta", "", "") if kind == "version" else what.partition(".")
    found = con.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = ? AND (? = '' OR column_name = ?)",
                        [table, column, column]).fetchall()[0][0]
    if found and kind == "version":
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [what])
    elif found:
        con.execute({"drop table": f"DROP TABLE {table}", "drop column": f"ALTER TABLE {table} DROP {column}",
                     "retype": f"ALTER TABLE {table} ALTER {column} TYPE VARCHAR"}[kind])


@FAULTS
@given(edits=st.lists(_EDITS, min_size=1, max_size=3, unique=True))
def test_a_hand_edited_store_is_refused_with_what_is_wrong_or_reads_whole(fiction_store, tmp_path_factory, edits):
    path = fresh(tmp_path_factory.mktemp("edited"))
    shutil.copyfile(fiction_store.path, path)
    with duckdb.connect(str(path)) as con:
        for kind, what in edits:
            edit(con, kind, what)
    before = catalog(path)
    errors = refused_or_consistent(path)
    if len(errors) == 2 and all("python -m monitor migrate" in e for e in errors):
        return  # set back to an older version: the writable open migrated it, as it should
    if errors:
        assert len(errors) == 3, errors  # every way of opening it says so, the writable one included
        assert catalog(path) == before  # and a writable open changed nothing
        assert any(w in errors[0] for w in ("does not match its schema version", "not a version number",
                                            "schema version", "not a media-monitor store")), errors


def test_hand_edits_are_named(fiction_store, tmp_path):
    path = tmp_path / "edited.duckdb"
    shutil.copyfile(fiction_store.path, path)
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE sentences; ALTER TABLE articles DROP tone; ALTER TABLE meta ALTER value TYPE VARCHAR")
    with pytest.raises(StoreError, match=r"does not match its schema version \d+ \(no column articles.tone; "
                                         r"no table sentences\): it was edited by hand"):
        Store(path)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE meta SET value = 'two' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version is 'two', not a version number"):
        Store(path, read_only=True)


def test_a_damaged_block_is_not_taken_for_a_busy_file(store_bytes, tmp_path, monkeypatch):
    """DuckDB says "checksum ... in block at location N" for a damaged block: "lock" was in it, and the
    store waited a minute for a lock nobody held, then called the file busy."""
    monkeypatch.setattr(locking, "LOCK_WAIT_SECONDS", 0.5)
    error = duckdb.Error("Corrupt database file: computed checksum 1 does not match stored checksum 2 in block "
                         "at location 2371584")
    assert not locking.is_busy(error)
    assert locking.is_busy(duckdb.IOException('Could not set lock on file "/tmp/block/s.duckdb": Conflicting '
                                              'lock is held in python (PID 1)'))
    assert not locking.is_busy(duckdb.IOException('Could not read from "/tmp/lock/s.duckdb": Is a directory'),
                               "/tmp/lock/s.duckdb")


# ---- the exit statuses -----------------------------------------------------------------------------------

def test_an_unexpected_error_is_one_line_and_its_own_status(tmp_path, monkeypatch, capsys):
    def broken(args):
        raise KeyError("a bug")

    monkeypatch.setattr(cli, "_info", broken)
    monkeypatch.delenv("MONITOR_DEBUG", raising=False)
    assert cli.main(["info", "--store", str(tmp_path / "s.duckdb")]) == cli.EXIT_BUG == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("internal error: KeyError: 'a bug'") and "Traceback" not in err
    monkeypatch.setenv("MONITOR_DEBUG", "1")
    assert cli.main(["info", "--store", str(tmp_path / "s.duckdb")]) == 70
    assert "Traceback" in capsys.readouterr().err


def test_a_busy_store_has_its_own_status(tmp_path, monkeypatch, capsys):
    path = tmp_path / "s.duckdb"
    Store(path)
    monkeypatch.setattr(locking, "LOCK_WAIT_SECONDS", 0.0)
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); sys.stdin.read()", str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert cli.main(["info", "--store", str(path)]) == cli.EXIT_BUSY
        assert "try again later" in capsys.readouterr().err
    finally:
        holder.communicate("", timeout=60)
    statuses = {cli.EXIT_OK, cli.EXIT_SKIPPED, cli.EXIT_USAGE, cli.EXIT_STORE, cli.EXIT_BUSY, cli.EXIT_SETUP,
                cli.EXIT_BUG, cli.EXIT_INTERRUPTED}
    assert len(statuses) == 8  # each its own


@pytest.mark.parametrize("status, fails", [(0, False), (1, False), (2, True), (3, True), (70, True)])
def test_make_run_stops_on_any_ingest_status_but_0_and_1(tmp_path, status, fails):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    python = bin_dir / "python"
    python.write_text(f"#!/bin/sh\nexit {status}\n")
    python.chmod(0o755)
    done = subprocess.run(["make", "-s", "-o", "install", "ingest", f"BIN={bin_dir}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode != 0) == fails, done.stderr
    if fails:
        assert f"exit status {status}" in done.stderr


def test_make_ingest_stops_on_a_store_fault(tmp_path):
    """The named case: a write-ahead log that cannot be created ended in a traceback with status 1, which
    `make run` took for "some inputs skipped" and went on to serve an empty dashboard."""
    store = tmp_path / "s.duckdb"
    Path(f"{store}.wal").mkdir()
    done = subprocess.run(["make", "-s", "-o", "install", "ingest", f"STORE={store}",
                           f"BIN={Path(sys.executable).parent}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode != 0 and "exit status 3" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("said, meaning", [
    ('IO Error: Could not write file "/d/s.duckdb": No space left on device', "the disk is full"),
    ('TransactionContext Error: Failed to commit: Could not write file "/d/s.duckdb.wal": File too large',
     "its write-ahead log (the .wal file beside it) failed: the disk is full"),
    ('IO Error: Cannot open file "/d/s.duckdb": Permission denied', "permission denied"),
    ('IO Error: Cannot open file "/d/s.duckdb.wal": Read-only file system',
     "its write-ahead log (the .wal file beside it) failed: permission denied"),
    ('IO Error: The file "/d/s.duckdb" exists, but it is not a valid DuckDB database file!',
     "the file is not a DuckDB database"),
    ("Corrupt database file: computed checksum 1 does not match stored checksum 2 in block at location 8192",
     "the file is damaged or truncated"),
])
def test_duckdbs_words_are_put_into_the_users(said, meaning):
    """The causes as DuckDB words them (seen here, or as the OS's strerror in its messages); permission denied
    cannot be made real in a suite that runs as root."""
    error = store_errors.fault("/d/s.duckdb", "cannot open the store", duckdb.IOException(said))
    assert str(error).startswith(f"/d/s.duckdb: cannot open the store: {meaning}") and said in str(error)
