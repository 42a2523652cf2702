"""The Overview's "Download report" buttons (AppTest): there, named after the view, and never built on a rerun."""
from __future__ import annotations

import pytest

from monitor.present import report


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    """Count report.render calls (a report takes seconds: a rerun must not make one)."""
    calls: list[str] = []
    real = report.render

    def counted(content, fmt):
        calls.append(fmt)
        return real(content, fmt)

    monkeypatch.setattr(report, "render", counted)
    return calls


def test_overview_offers_the_report_in_three_formats_made_only_on_click(app, fiction_store, renders):
    at = app(fiction_store.path, {"source": "Lakeside Ledger"})
    assert not at.exception
    buttons = {b.proto.label: b for b in at.get("download_button")}
    for label in ("Report (PDF)", "Report (HTML)", "Report (PowerPoint)"):
        assert label in buttons, sorted(buttons)
    # a filter change reruns the page: still no report built
    at.sidebar.multiselect(key="source").set_value([]).run()
    assert not at.exception
    assert renders == []

