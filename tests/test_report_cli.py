"""`python -m monitor report` on a real store of fictional articles: the file, its format, its exit statuses."""
from __future__ import annotations

import io
import subprocess
import sys

import pytest

from monitor.cli import main
from monitor.report_command import EXIT_EMPTY
from tests.conftest import ROOT

pdfium = pytest.importorskip("pypdfium2")
pptx = pytest.importorskip("pptx")


def pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    try:
        return " ".join(page.get_textpage().get_text_range() for page in doc)
    finally:
        doc.close()


@pytest.mark.parametrize(("name", "fmt", "magic"), [("weekly.pdf", None, b"%PDF-"), ("weekly.HTML", None, b"<!DOCTYPE"),
                                                    ("weekly.pptx", None, b"PK"), ("weekly.bin", "pdf", b"%PDF-")])
def test_report_is_written_in_the_format_of_its_suffix_or_option(fiction_store, tmp_path, capsys, name, fmt, magic):
    out = tmp_path / name
    argv = ["report", "--store", str(fiction_store.path), "-o", str(out)] + (["--format", fmt] if fmt else [])
    assert main(argv) == 0
    assert out.read_bytes().startswith(magic)
    assert "wrote the" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left beside it


def test_report_states_the_view_it_was_asked_for(fiction_store, tmp_path):
    out = tmp_path / "r.pdf"
    assert main(["report", "--store", str(fiction_store.path), "--query", "tram", "--since", "2021-03-01",
                 "--until", "2021-03-20", "--person", "Velloso", "--outlet", "Lakeside Ledger", "--freq", "W",
                 "-o", str(out)]) == 0
    text = " ".join(pdf_text(out.read_bytes()).split())
    for said in ("query tram", "2021-03-01 to 2021-03-20", "Mara Velloso", "Lakeside Ledger", "period week",
                 "Coverage per week"):
        assert said in text


def test_report_into_a_folder_is_named_after_the_view(fiction_store, tmp_path):
    assert main(["report", "--store", str(fiction_store.path), "--format", "html", "-o", str(tmp_path)]) == 0
    (written,) = tmp_path.iterdir()
    assert written.name.startswith("report_") and written.suffix == ".html"


@pytest.mark.parametrize(("argv", "status", "said"), [
    (["-o", "r.doc"], 2, "name a .pdf, .html or .pptx"),
    (["-o", "r.pdf", "--since", "2021-02-30"], 2, "no such day"),
    (["-o", "r.pdf", "--since", "2021-03-20", "--until", "2021-03-01"], 2, "is after"),
    (["-o", "r.pdf", "--query", '"tram'], 2, "never closed"),
    (["-o", "r.pdf", "--format", "docx"], 2, "invalid choice"),
    (["-o", "r.pdf", "--kind", "planet"], 2, "invalid choice"),
    (["-o", "r.pdf", "--freq", "Y"], 2, "invalid choice"),
    (["-o", "r.pdf", "--outlet", "No Such Outlet"], EXIT_EMPTY, "nothing to report"),
    (["-o", "r.pdf", "--query", "zeppelin"], EXIT_EMPTY, "nothing to report"),
    (["-o", "r.pdf", "--since", "2030-01-01"], EXIT_EMPTY, "nothing to report"),
    (["-o", "missing-folder/r.pdf"], 5, "no such folder"),
])
def test_bad_options_and_empty_views_are_said_with_a_status(fiction_store, tmp_path, monkeypatch, capsys, argv,
                                                            status, said):
    monkeypatch.chdir(tmp_path)
    with _exits_or_returns() as result:
        result.append(main(["report", "--store", str(fiction_store.path), *argv]))
    err = capsys.readouterr().err
    assert result[0] == status, err
    assert said in err and "Traceback" not in err
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # nothing written


def test_a_missing_store_is_exit_3(tmp_path, capsys):
    assert main(["report", "--store", str(tmp_path / "none.duckdb"), "-o", str(tmp_path / "r.pdf")]) == 3
    assert "no store here yet" in capsys.readouterr().err


def test_report_runs_as_a_command(fiction_store, tmp_path):
    out = tmp_path / "deck.pptx"
    done = subprocess.run([sys.executable, "-m", "monitor", "report", "--store", str(fiction_store.path), "-o",
                           str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert len(pptx.Presentation(io.BytesIO(out.read_bytes())).slides) >= 8


class _exits_or_returns:
    """Collect main()'s status whether it returns it or argparse exits with it."""

    def __enter__(self) -> list[int]:
        self.result: list[int] = []
        return self.result

    def __exit__(self, kind, exc, tb) -> bool:
        if isinstance(exc, SystemExit):
            self.result.append(int(exc.code or 0))
            return True
        return False


HOSTILE_OUTLET = '<img src="https://example.com/x.png"><b>Evil</b> \u202eTimes'


def test_hostile_outlet_and_query_come_out_inert(tmp_path):
    from lxml import html as lxml_html

    from tests.conftest import FICTION, store_of

    store = store_of(tmp_path, "hostile", [(day, HOSTILE_OUTLET, title, body) for day, _, title, body in FICTION])
    stored = store.query("SELECT DISTINCT source FROM articles")["source"].tolist()
    out = tmp_path / "r.html"
    assert main(["report", "--store", str(store.path), "--outlet", stored[0], "--query", "tram OR <script>",
                 "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    tree = lxml_html.fromstring(page.encode())
    tags = {n.tag for n in tree.iter() if isinstance(n.tag, str)}
    assert not tags & {"script", "img", "b", "a"}
    assert "\u202e" not in page  # shown as the escape \u202e, not obeyed
    shown = " ".join(n.text_content() for n in tree.iter("bdi"))
    assert "<b>Evil</b>" in shown and "\\u202eTimes" in shown
    assert main(["report", "--store", str(store.path), "--outlet", stored[0], "-o", str(tmp_path / "r.pdf")]) == 0
    assert "<b>Evil</b>" in " ".join(pdf_text((tmp_path / "r.pdf").read_bytes()).split())


def test_report_file_gets_the_permissions_of_a_new_file(fiction_store, tmp_path):
    import os

    out = tmp_path / "r.html"
    old = os.umask(0o022)
    try:
        assert main(["report", "--store", str(fiction_store.path), "-o", str(out)]) == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644
