"""Spike alerts on synthetic series (monitor/read/alerts.py): random baselines with Poisson noise and spikes of
known size injected; the test must find the injected ones and few others, never call 1 -> 3 a spike, and not
read a day on which the whole corpus doubled as a spike of every name. Tone shifts likewise."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor import schema
from monitor.read import alerts
from monitor.read.alerts import Cells, Outlets, Settings, score_cells

BASELINE = Settings().baseline
EXAMPLES = settings(max_examples=25, deadline=None, derandomize=True)


def cells_of(x: np.ndarray, totals: np.ndarray, tone: np.ndarray | None = None) -> Cells:
    """Return Cells of counts `x` (names x periods) and per-period totals; tone: per-article tone draws or none."""
    names = [f"Name {i}" for i in range(x.shape[0])]
    periods = pd.date_range("2024-01-01", periods=x.shape[1], freq="D")
    if tone is None:
        zeros = np.zeros(x.shape)
        return Cells(names, periods, x, x, zeros, zeros, zeros, totals)
    return Cells(names, periods, x, x, tone[0], tone[1], tone[2], totals)


def background(seed: int, names: int, periods: int) -> tuple[np.random.Generator, np.ndarray, np.ndarray,
                                                                np.ndarray]:
    """Return (rng, rates per article, totals per period, Poisson counts): a zero-heavy mix of minor and major
    names (gamma-distributed rates) over days of 100-400 articles."""
    rng = np.random.default_rng(seed)
    rates = rng.gamma(0.7, 0.01, names)
    totals = rng.integers(100, 400, periods).astype("float64")
    return rng, rates, totals, rng.poisson(rates[:, None] * totals[None, :])


@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), names=st.integers(10, 60), spikes=st.integers(1, 6),
       size=st.floats(4.0, 12.0))
def test_injected_spikes_are_found_and_few_others(seed: int, names: int, spikes: int, size: float) -> None:
    rng, rates, totals, x = background(seed, names, 50)
    injected = set()
    for i, t in zip(rng.choice(names, spikes, replace=False), rng.integers(BASELINE + 1, 50, spikes), strict=True):
        expected = rates[i] * totals[t]
        # a spike of known size over its noise, big enough to be told from it: 6 standard deviations at least
        x[i, t] = max(15, round(size * expected + 6 * np.sqrt(expected))) + rng.poisson(expected)
        injected.add((f"Name {i}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(t))))
    found = score_cells(cells_of(x, totals), BASELINE, "person")
    hits = set(zip(found["name"], found["period"], strict=True))
    assert injected <= hits, f"missed {injected - hits}"
    assert len(hits - injected) <= 2, f"false alerts {hits - injected}"
    assert set(found["direction"]) <= {"up"} and (found["metric"] == "volume").all()


@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), before=st.integers(0, 1), per_period=st.sampled_from([1, 2]))
def test_one_to_three_is_not_a_spike(seed: int, before: int, per_period: int) -> None:
    """A name at 0 or 1 article a day (or every other day) rising to 3: improbable, but not news."""
    rng = np.random.default_rng(seed)
    totals = rng.integers(100, 400, 30).astype("float64")
    x = np.zeros((1, 30), dtype="int64")
    x[0, ::per_period] = before
    x[0, 25] = 3
    assert score_cells(cells_of(x, totals), BASELINE, "person").empty
    x[0, 25] = 12  # the same name at 12: an alert (the test can fail)
    assert len(score_cells(cells_of(x, totals), BASELINE, "person")) == 1


@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), names=st.integers(10, 40), factor=st.sampled_from([2.0, 3.0]))
def test_a_day_when_the_corpus_grew_is_not_a_spike_of_everyone(seed: int, names: int, factor: float) -> None:
    rng, rates, totals, _ = background(seed, names, 40)
    rates[0] = 0.08  # one big name, some 8 to 30 articles a day
    totals[30] *= factor  # twice (three times) the articles that day, each name at its usual rate
    x = rng.poisson(rates[:, None] * totals[None, :])
    found = score_cells(cells_of(x, totals), BASELINE, "person")
    assert found[found["period"] == pd.Timestamp("2024-01-31")].empty


@pytest.mark.parametrize("seed", range(5))
def test_without_the_exposure_a_grown_corpus_would_read_as_spikes(seed: int) -> None:
    """The counts of a day with three times the articles, tested as if the day were like the others: the big
    name alerts (what the exposure prevents above, so that test can fail)."""
    rng = np.random.default_rng(seed)
    totals = np.full(40, 250.0)
    totals[30] *= 3
    x = rng.poisson(np.array([0.08, 0.01])[:, None] * totals[None, :])
    assert score_cells(cells_of(x, totals), BASELINE, "person").empty
    flat = score_cells(cells_of(x, np.full(40, 250.0)), BASELINE, "person")
    assert ("Name 0", pd.Timestamp("2024-01-31")) in set(zip(flat["name"], flat["period"], strict=True))


def two_outlets(rng: np.random.Generator, totals: np.ndarray, rates: np.ndarray) -> Cells:
    """Return Cells of one name over outlets (rows of `totals`, outlets x periods) covering it at `rates` each."""
    per_outlet = rng.poisson(rates[:, None] * totals)
    x = per_outlet.sum(axis=0)[None, :]
    outlets = Outlets(totals.astype("float64"), np.zeros(len(rates), dtype="int64"), np.arange(len(rates)),
                      per_outlet)
    return replace(cells_of(x, totals.sum(axis=0)), outlets=outlets)


@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), change=st.sampled_from(["grows", "stops", "starts"]))
def test_a_change_in_the_mix_of_outlets_is_not_a_spike(seed: int, change: str) -> None:
    """One outlet covers the name forty times as much as the other; it quintuples its output, stops, or (a third
    outlet, covering the name as a typical outlet does) starts: the name's count moves with it, and no alert
    says so."""
    rng = np.random.default_rng(seed)
    # steady outlets, so that without the outlets the baseline looks steady too (the contrast below)
    totals = np.vstack([rng.integers(190, 210, 40), rng.integers(55, 65, 40), np.zeros(40, dtype="int64")])
    rates = np.array([0.005, 0.2, 0.1])  # the third: a typical outlet's rate (each outlet one vote)
    if change == "grows":
        totals[1, 30] *= 5
    elif change == "stops":
        totals[1, 30] = 0
    else:
        totals[2, 30] = 300
    cells = two_outlets(rng, totals, rates)
    assert score_cells(cells, BASELINE, "person").empty
    if change == "grows":  # the same counts against the day's articles alone: a spike (the test can fail)
        pooled = score_cells(replace(cells, outlets=None), BASELINE, "person")
        assert (pooled["period"] == pd.Timestamp("2024-01-31")).any()


@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1))
def test_a_spike_within_one_outlet_is_still_found(seed: int) -> None:
    rng = np.random.default_rng(seed)
    totals = np.vstack([rng.integers(150, 250, 40), rng.integers(40, 80, 40)])
    cells = two_outlets(rng, totals, np.array([0.005, 0.2]))
    cells.articles[0, 30] += 45
    cells.outlets.articles[1, 30] += 45  # type: ignore[union-attr]
    found = score_cells(cells, BASELINE, "person")
    assert list(found["period"]) == [pd.Timestamp("2024-01-31")]


def test_with_one_outlet_the_exposure_is_the_days_articles() -> None:
    rng = np.random.default_rng(1)
    totals = rng.integers(100, 300, (1, 30))
    cells = two_outlets(rng, totals, np.array([0.05]))
    x, n = cells.articles.astype("float64"), np.broadcast_to(totals.astype("float64"), cells.articles.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.nan_to_num(alerts._trailing(x, BASELINE) / alerts._trailing(n, BASELINE))
    assert alerts.exposure(cells, lam, Settings()) == pytest.approx(n)


def tone_draws(rng: np.random.Generator, n: np.ndarray, mean: np.ndarray, sd: float = 0.35) -> tuple[np.ndarray, ...]:
    """Return (n, sum, sum of squares) of n per-article tones drawn around `mean` per cell, clipped to -1..1."""
    total, squares = np.zeros(n.shape), np.zeros(n.shape)
    for index in np.ndindex(n.shape):
        draws = np.clip(rng.normal(mean[index], sd, int(n[index])), -1, 1)
        total[index], squares[index] = draws.sum(), (draws ** 2).sum()
    return n.astype("float64"), total, squares


@EXAMPLES
@given(seed=st.integers(0, 2**32 - 1), shift=st.sampled_from([-0.7, -0.6, 0.6, 0.7]))
def test_a_tone_shift_is_found_with_its_direction(seed: int, shift: float) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(20, 35, (8, 40))
    totals = np.full(40, 300.0)
    means = np.tile(rng.uniform(-0.2, 0.2, (8, 1)), (1, 40))
    means[2, 33] += shift
    found = score_cells(cells_of(x, totals, tone_draws(rng, x, means)), BASELINE, "person")
    tone = found[found["metric"] == "tone"]
    assert list(zip(tone["name"], tone["period"], strict=True)) == [("Name 2", pd.Timestamp("2024-02-03"))]
    assert tone["direction"].iloc[0] == ("up" if shift > 0 else "down")
    assert tone["change"].iloc[0] == pytest.approx(shift, abs=0.25)


def test_a_small_tone_sample_is_not_tested() -> None:
    """Four articles in a very different tone: below the minimum n, whatever the difference."""
    rng = np.random.default_rng(3)
    x = np.full((1, 30), 12)
    x[0, 25] = 4
    means = np.full((1, 30), 0.3)
    means[0, 25] = -0.9
    assert score_cells(cells_of(x, np.full(30, 300.0), tone_draws(rng, x, means)), BASELINE, "person").empty


def test_a_drop_of_a_big_name_is_an_alert_down() -> None:
    totals = np.full(30, 300.0)
    x = np.full((1, 30), 30)
    x[0, 25] = 2
    found = score_cells(cells_of(x, totals), BASELINE, "org")
    assert found[["direction", "kind", "metric"]].values.tolist() == [["down", "org", "volume"]]


def test_the_frame_meets_its_contract() -> None:
    _, _, totals, x = background(5, 20, 40)
    x[3, 35] = 40
    found = score_cells(cells_of(x, totals), BASELINE, "topic")
    schema.check(found, schema.ALERTS, "alerts")
    row = found.iloc[0]
    assert (row["kind"], row["freq"], row["value"], row["articles"]) == ("topic", "day", 40.0, 40)
    assert row["p_value"] <= Settings().alpha and row["score"] > 0 and row["change"] > Settings().min_ratio
    schema.check(score_cells(cells_of(np.zeros((0, 40), dtype="int64"), totals), BASELINE, "topic"),
                 schema.ALERTS, "alerts")


def test_the_readme_documents_every_column() -> None:
    import re

    from tests.conftest import ROOT

    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### `alerts`", 1)
    assert len(section) == 2, "README has no data dictionary section for alerts"
    documented = re.findall(r"^\| `(\w+)` \|", section[1].split("###", 1)[0].split("\n## ", 1)[0], flags=re.M)
    assert documented == list(schema.ALERTS)
