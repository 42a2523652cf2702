"""Spike alerts: the periods in which a name, topic or saved query is covered far more (or less) than usual, or
in a different tone, against its trailing baseline (the Settings.baseline = 14 periods before it).

**Volume: an exact conditional test of two Poisson rates, with the day's articles as exposure.** A name's
articles in a period, x, out of the N articles of that period, are compared with its Xb articles out of the Nb
articles of the baseline periods. If its rate per article did not change, x given x + Xb is
Binomial(x + Xb, N / (N + Nb)) (Przyborowski & Wilenski's C-test). Why this and not a robust z on median/MAD:

- a minor name's daily counts are mostly zeros; their median and MAD are 0, so a robust z is undefined or
  infinite for any mention. The binomial test reads a baseline of zeros as "little evidence", not as "no spread";
- dividing by the period's articles (exposure) is built in: a day with twice the articles expects twice the
  mentions, so the corpus doubling is not a spike of everyone; nor is a quiet weekend a drop;
- the uncertainty of the baseline itself is counted (a baseline of 3 articles says less than one of 300).

**Outlets.** The exposure weighs each of the period's articles by how much its outlet usually covers the name
(indirect standardisation, `exposure`): when one outlet starts, stops or doubles its output (a corpus gathered
outlet by outlet), the names it covers most do not spike or drop with it. An outlet without a baseline counts at a
typical outlet's rate (each outlet one vote), not at the rate of the articles pooled (mostly the biggest outlet's).

News counts are overdispersed (more variable than Poisson). The dispersion phi (at least 1), the mean squared
Pearson residual of the baseline periods against what each one's own baseline expected, divides the counts before
the test (quasi-Poisson): a name that always comes in bursts needs a bigger burst to alert.

**Minimum volume.** A rise alerts only from Settings.min_articles (5) articles in the period and at least
Settings.min_ratio (2) times the expected count (1 -> 3 articles is not news, however improbable for a name never
seen); a drop only from an expected 5 x 2 articles down to half of it or less.

**Tone.** The period's mean tone toward the name against the baseline's, each article one value (the mean tone
toward it in that article: a long article naming someone twenty times is one voice, and the standard error is
then honest about articles being the independent units): Welch's z = (m - mb) / sqrt(s^2/n + sb^2/nb), each
standard deviation at least Settings.tone_sd_floor, the period's at least the baseline's (a few articles can
look unanimous by chance), the p-value from Student's t with the period's n - 1 degrees of freedom; from
Settings.min_tone_n articles on each side and a shift of at least Settings.min_tone_shift.

**Multiple testing.** Every (name, period, metric) is one test, and there are many (names x days); an alert needs
p <= Settings.alpha = 5e-5, a budget per name: one name tested every day for a year has about a 2% chance of one false
alert, a watch list of 100 names about two false alerts a year. Why a fixed threshold rather than
Benjamini-Hochberg over the view's tests (which on ReCOVery and Reuters-21578 kept p up to about 5e-5 too): a
period's alert then depends on that name's own counts only, not on which other names, dates or filters were
tested with it, so the Overview's markers (the drawn names only, a query as cheap as the chart's), the Alerts
page, the CLI and a watch round all agree, and an alert a watch handed on does not vanish from the list later.

Returns the ALERTS frame (monitor/schema.py; the README's data dictionary). `score_cells` is the test on plain
arrays (the synthetic tests call it); `find_alerts` reads the store.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import special, stats  # type: ignore[import-untyped]  # scipy ships no type information

from monitor import schema
from monitor.read.alert_counts import entity_counts, outlet_totals, query_counts, topic_counts
from monitor.read.compare import base_of
from monitor.read.filters import Filters
from monitor.read.timeseries import FREQS, period_range, trunc_unit
from monitor.schema import ALERTS
from monitor.store import Store

ENTITY_KINDS = ("person", "org", "place", "group")
KINDS = (*ENTITY_KINDS, "topic", "query")
ALERT_FREQS = ("D", "W")  # a spike is a day's (or a week's) news; a month is a trend, not an alert
VOTING_ARTICLES = 10  # an outlet with this many baseline articles says what a typical outlet's rate for a name is


@dataclass(frozen=True)
class Settings:
    """The thresholds of an alert (the module's docstring says why each)."""

    baseline: int = 14             # trailing periods the period is compared with
    min_baseline_periods: int = 7  # of them, at least this many must hold articles (a store's first week: none)
    min_articles: int = 5          # a rise needs this many articles in the period
    min_ratio: float = 2.0         # ... and this many times the expected count (a drop: 1 / this)
    min_tone_n: int = 10           # articles with a tone toward the name, in the period and in the baseline
    min_tone_shift: float = 0.15   # on the -1..1 scale
    tone_sd_floor: float = 0.1
    alpha: float = 5e-5            # two-sided p an alert needs (the module's docstring: a budget per name)
    outlet_prior: float = 50.0     # articles: an outlet's own rate for a name counts from about this many of its
                                   # baseline articles on (fewer: shrunk toward a typical outlet's rate)


@dataclass(frozen=True)
class Cells:
    """One kind's counts on a dense grid: a row per name, a column per period (the baseline window first).

    articles, mentions: per name and period; tone_n, tone_sum, tone_sq: the count, sum and sum of squares of
    the per-article mean tones; totals: all articles per period (the exposure), one row.
    """

    names: list[str]
    periods: pd.DatetimeIndex
    articles: np.ndarray
    mentions: np.ndarray
    tone_n: np.ndarray
    tone_sum: np.ndarray
    tone_sq: np.ndarray
    totals: np.ndarray
    outlets: Outlets | None = None  # the counts per outlet, for the outlet-weighted exposure (None: one pool)


@dataclass(frozen=True)
class Outlets:
    """The counts per outlet behind Cells: each outlet's articles per period (outlets x periods), and each
    (name, outlet) pair that has articles: its name's row, its outlet's row and its articles per period."""

    totals: np.ndarray
    name_of: np.ndarray
    outlet_of: np.ndarray
    articles: np.ndarray


def _trailing(a: np.ndarray, k: int) -> np.ndarray:
    """Return, per column t, the sum of columns t-k .. t-1 (fewer at the start): the trailing baseline."""
    c = np.concatenate([np.zeros((*a.shape[:-1], 1)), np.cumsum(a, axis=-1, dtype="float64")], axis=-1)
    t = np.arange(a.shape[-1])
    return c[..., t] - c[..., np.maximum(t - k, 0)]


def volume_tests(cells: Cells, s: Settings) -> dict[str, np.ndarray]:
    """Return the volume test of every cell: expected count, dispersion, one-sided p up and down, is-a-test."""
    x = cells.articles.astype("float64")
    n_t = np.broadcast_to(cells.totals.astype("float64"), x.shape)
    xb, nb = _trailing(x, s.baseline), _trailing(n_t, s.baseline)
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(nb > 0, xb / nb, 0.0)
        now = exposure(cells, lam, s)
        phi = dispersion(x, lam * now, now, nb, s)
        k = _trailing((n_t > 0).astype("float64"), s.baseline)
        p0 = np.where(now + nb > 0, now / (now + nb), 0.0)
        n = x + xb
        up = np.where(x > 0, special.betainc(np.maximum(x / phi, 1e-12), (n - x) / phi + 1.0, p0), 1.0)
        down = np.where(n - x > 0, special.betainc(np.maximum((n - x) / phi, 1e-12), x / phi + 1.0, 1.0 - p0), 1.0)
    tested = (n >= s.min_articles) & (n_t > 0) & (k >= s.min_baseline_periods)
    return {"expected": lam * now, "phi": phi, "up": np.nan_to_num(up, nan=1.0), "down": np.nan_to_num(down, nan=1.0),
            "tested": tested, "baseline_articles": xb, "baseline_total": nb}


def dispersion(x: np.ndarray, expected: np.ndarray, now: np.ndarray, nb: np.ndarray, s: Settings) -> np.ndarray:
    """Return each cell's overdispersion (at least 1): the mean squared Pearson residual of its baseline periods,
    each period's count against what its own baseline expected (so a change in the mix of outlets the
    exposure explains is not counted as noise), the variance of that prediction included (1 + N / Nb).
    1 with fewer than two such periods."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (expected > 0) & (nb > 0)
        residual = np.where(ok, (x - expected) ** 2 / (expected * (1.0 + now / np.where(nb > 0, nb, 1.0))), 0.0)
        count = _trailing(ok.astype("float64"), s.baseline)
        return np.maximum(1.0, np.where(count >= 2, _trailing(residual, s.baseline) / count, 1.0))


def exposure(cells: Cells, lam: np.ndarray, s: Settings) -> np.ndarray:
    """Return each cell's exposure: the period's articles, each weighted by how much its outlet usually covers the
    name (indirect standardisation). Why: when the mix of outlets changes (one starts or stops publishing, a
    corpus gathered outlet by outlet), a name one outlet covers most must not spike or drop with that outlet.

    The expected count is the sum over outlets of rate_o x articles_o: rate_o the name's rate in that outlet over
    the baseline, shrunk by s.outlet_prior articles toward a typical outlet's rate (the mean over the outlets with
    at least VOTING_ARTICLES baseline articles, each outlet one vote: an outlet new in the period is a new
    outlet, not more of the biggest one). Returned as expected / lam (lam: the name's rate over all outlets;
    the period's articles when lam is 0, or without per-outlet counts): with one outlet, exactly the articles.
    """
    n_t = np.broadcast_to(cells.totals.astype("float64"), cells.articles.shape)
    o = cells.outlets
    if o is None:
        return n_t
    outlet_b = _trailing(o.totals.astype("float64"), s.baseline)                    # outlets x periods
    own_b = _trailing(o.articles.astype("float64"), s.baseline)                      # pairs x periods
    voting = outlet_b >= VOTING_ARTICLES
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = np.where(voting[o.outlet_of], own_b / np.where(outlet_b > 0, outlet_b, 1.0)[o.outlet_of], 0.0)
    typical = _per_name(cells, o, rates)
    voters = voting.sum(axis=0)
    typical = np.where(voters > 0, typical / np.maximum(voters, 1), lam)
    weight = o.totals / (outlet_b + s.outlet_prior)                                  # outlets x periods
    expected = _per_name(cells, o, own_b * weight[o.outlet_of]) + s.outlet_prior * typical * weight.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(lam > 0, expected / np.where(lam > 0, lam, 1.0), n_t)


def _per_name(cells: Cells, o: Outlets, pairs: np.ndarray) -> np.ndarray:
    """Return the per-pair rows summed per name (names x periods)."""
    out = np.zeros(cells.articles.shape)
    np.add.at(out, o.name_of, pairs)
    return out


def tone_tests(cells: Cells, s: Settings) -> dict[str, np.ndarray]:
    """Return the tone test of every cell: the period's and the baseline's mean, their n, Welch's z, p, is-a-test."""
    n, total, sq = cells.tone_n.astype("float64"), cells.tone_sum, cells.tone_sq
    nb, total_b, sq_b = (_trailing(a, s.baseline) for a in (n, total, sq))
    with np.errstate(divide="ignore", invalid="ignore"):
        mean, mean_b = total / n, total_b / nb
        var_b = np.maximum((sq_b - nb * mean_b ** 2) / (nb - 1), s.tone_sd_floor ** 2)
        # the period's few articles can look tight by chance; under "no change" the baseline's spread is theirs
        var = np.maximum((sq - n * mean ** 2) / (n - 1), var_b)
        z = (mean - mean_b) / np.sqrt(var / n + var_b / nb)
    tested = (n >= s.min_tone_n) & (nb >= s.min_tone_n)
    z = np.where(tested, z, 0.0)
    # Student's t with the period's n - 1 degrees of freedom: a normal p would overstate 10 articles' certainty
    p = 2.0 * stats.t.sf(np.abs(z), np.maximum(n - 1, 1))
    return {"value": mean, "baseline": mean_b, "n": n, "baseline_n": nb, "z": z, "p": p, "tested": tested}


def score_cells(cells: Cells, tested_from: int, kind: str, s: Settings = Settings(),
                freq: str = "D") -> pd.DataFrame:
    """Return ALERTS: the alerts of one kind among the periods `tested_from` onwards (earlier ones: baseline only).

    Each cell tested there (volume and tone) is decided on its own: p <= s.alpha, and the minimum volume or shift.
    """
    vol, tone = volume_tests(cells, s), tone_tests(cells, s)
    window = np.zeros(cells.articles.shape, dtype=bool)
    window[:, tested_from:] = True
    v_cells = np.nonzero(vol["tested"] & window)
    t_cells = np.nonzero(tone["tested"] & window)
    up = vol["up"][v_cells] <= vol["down"][v_cells]
    p_vol = np.minimum(1.0, 2.0 * np.minimum(vol["up"][v_cells], vol["down"][v_cells]))  # two-sided
    if not (p_vol <= s.alpha).any() and not (tone["p"][t_cells] <= s.alpha).any():
        return schema.empty(ALERTS)  # the usual answer for a chart's few names: no frame to build
    volume = _volume_rows(cells, vol, v_cells, p_vol, up, s)
    toned = _tone_rows(cells, tone, t_cells, s)
    out = pd.concat([volume, toned], ignore_index=True) if len(volume) or len(toned) else schema.empty(ALERTS)
    return _finish(out.assign(kind=kind, freq=FREQS[freq]) if len(out) else out)


def _common(cells: Cells, rows: np.ndarray, cols: np.ndarray) -> dict[str, object]:
    """Return the columns every alert row has: name, period, its articles, mentions and the period's total."""
    return {"name": [cells.names[i] for i in rows], "period": cells.periods[cols],
            "articles": cells.articles[rows, cols], "mentions": cells.mentions[rows, cols],
            "total_articles": np.broadcast_to(cells.totals, cells.articles.shape)[rows, cols]}


def _volume_rows(cells: Cells, vol: dict[str, np.ndarray], at: tuple[np.ndarray, ...], p: np.ndarray,
                 up: np.ndarray, s: Settings) -> pd.DataFrame:
    """Return the volume alerts among the tested cells `at`: significant, and past the minimum volume."""
    x, expected = cells.articles[at].astype("float64"), vol["expected"][at]
    rises = up & (x >= s.min_articles) & (x >= s.min_ratio * expected)
    drops = ~up & (expected >= s.min_articles * s.min_ratio) & (x * s.min_ratio <= expected)
    keep = (p <= s.alpha) & (rises | drops)
    rows, cols = at[0][keep], at[1][keep]
    one_sided = np.where(up, vol["up"][at], vol["down"][at])[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(expected[keep] > 0, x[keep] / expected[keep], np.inf)
    return pd.DataFrame({
        **_common(cells, rows, cols), "metric": "volume", "value": x[keep], "baseline": expected[keep],
        "change": change, "score": np.where(up[keep], 1.0, -1.0) * stats.norm.isf(np.maximum(one_sided, 1e-300)),
        "p_value": p[keep], "direction": np.where(up[keep], "up", "down"),
        "n": cells.articles[rows, cols], "baseline_n": vol["baseline_articles"][rows, cols],
        "baseline_total": vol["baseline_total"][rows, cols], "dispersion": vol["phi"][rows, cols]})


def _tone_rows(cells: Cells, tone: dict[str, np.ndarray], at: tuple[np.ndarray, ...], s: Settings) -> pd.DataFrame:
    """Return the tone alerts among the tested cells `at`: significant, and shifted by at least the minimum."""
    shift = tone["value"][at] - tone["baseline"][at]
    keep = (tone["p"][at] <= s.alpha) & (np.abs(shift) >= s.min_tone_shift)
    rows, cols = at[0][keep], at[1][keep]
    return pd.DataFrame({
        **_common(cells, rows, cols), "metric": "tone", "value": tone["value"][rows, cols],
        "baseline": tone["baseline"][rows, cols], "change": shift[keep], "score": tone["z"][rows, cols],
        "p_value": tone["p"][rows, cols], "direction": np.where(shift[keep] > 0, "up", "down"),
        "n": tone["n"][rows, cols], "baseline_n": tone["baseline_n"][rows, cols],
        "baseline_total": np.nan, "dispersion": np.nan})


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ALERTS: the rows with every column, newest period first, then the strongest."""
    if frame.empty:
        return schema.empty(ALERTS)
    if "query" not in frame:
        frame = frame.assign(query=pd.Series(pd.NA, index=frame.index, dtype="string"))
    order = frame.assign(_strength=-frame["score"].abs()).sort_values(["period", "_strength", "kind", "name"],
                                                                     ascending=[False, True, True, True])
    return schema.conform(order, ALERTS, "alerts")


# ---- the store: counts per name and period, on the dense grid the tests read ---------------------------------
def window_start(since: pd.Timestamp, freq: str, baseline: int) -> pd.Timestamp:
    """Return the first day of the baseline of the period holding `since`: `baseline` periods before it."""
    first = period_range(since, since, freq)[0]
    step = {"D": pd.Timedelta(days=1), "W": pd.Timedelta(weeks=1)}[freq]
    return first - baseline * step


def _grid(raw: pd.DataFrame, totals: pd.DataFrame, periods: pd.DatetimeIndex) -> Cells:
    """Return the Cells of raw counts per name, outlet and period (name, source, period, articles, mentions,
    tone_n, tone_sum, tone_sq) and the articles per outlet and period (source, period, total_articles).

    numpy on codes rather than pandas group-bys: the Overview's markers read a few names on every filter change."""
    index = pd.DatetimeIndex(periods.astype("datetime64[us]"))
    col = index.get_indexer(pd.DatetimeIndex(pd.to_datetime(raw["period"]).astype("datetime64[us]")))
    raw = raw[col >= 0]
    col = col[col >= 0]
    t_col = index.get_indexer(pd.DatetimeIndex(pd.to_datetime(totals["period"]).astype("datetime64[us]")))
    totals = totals[t_col >= 0]
    t_col = t_col[t_col >= 0]
    name_code, names = pd.factorize(raw["name"].astype(str).to_numpy(), sort=True)
    outlet_code, outlet_names = pd.factorize(totals["source"].astype(str).to_numpy(), sort=True)
    by_outlet = _dense(outlet_code, len(outlet_names), t_col, totals["total_articles"], len(index))
    dense = {c: _dense(name_code, len(names), col, raw[c], len(index))
             for c in ("articles", "mentions", "tone_n", "tone_sum", "tone_sq")}
    # each (name, outlet) pair with articles: its code, its name's row and its outlet's row
    row_outlet = pd.Index(outlet_names).get_indexer(pd.Index(raw["source"].astype(str)))
    pair_code, pairs = pd.factorize(name_code * max(len(outlet_names), 1) + row_outlet, sort=True)
    pairs = np.asarray(pairs, dtype="int64")
    outlets = Outlets(by_outlet, pairs // max(len(outlet_names), 1), pairs % max(len(outlet_names), 1),
                      _dense(pair_code, len(pairs), col, raw["articles"], len(index)))
    return Cells(list(map(str, names)), periods, dense["articles"].astype("int64"), dense["mentions"].astype("int64"),
                 dense["tone_n"], dense["tone_sum"], dense["tone_sq"], by_outlet.sum(axis=0), outlets)


def _dense(rows: np.ndarray, n: int, cols: np.ndarray, values: pd.Series, periods: int) -> np.ndarray:
    """Return `values` summed into an n x periods array at (rows, cols)."""
    out = np.zeros((n, periods))
    np.add.at(out, (rows, cols), values.fillna(0).to_numpy(dtype="float64"))
    return out


def find_alerts(store: Store, f: Filters, freq: str = "D", kinds: Sequence[str] = KINDS,
                queries: Sequence[tuple[str, str]] = (), s: Settings = Settings(),
                names: Sequence[str] | None = None) -> pd.DataFrame:
    """Return ALERTS: the spikes and tone shifts of the periods in f.since .. f.until (the store's span when None).

    `kinds`: which of KINDS to test; `queries`: (name, text query) pairs, tested when "query" is in `kinds`
    (a QueryError for one that cannot be read). The baselines reach back s.baseline periods before f.since,
    whatever the filters' dates. Entity alerts cover every entity of the kind the filters keep (f.entities
    aside), a topic's the articles of f.entities; `names` keeps only those entities and topics (a chart's: the
    same rows as without it, each alert being decided on its name's counts alone, and far cheaper).
    """
    if freq not in ALERT_FREQS:
        raise ValueError(f"alerts are per day or week (freq D or W), not {freq!r}")
    span = _span(store, f)
    if span is None:
        return schema.empty(ALERTS)
    since, until = span
    start = window_start(since, freq, s.baseline)
    periods = period_range(start, until, freq)
    tested_from = int(periods.searchsorted(period_range(since, since, freq)[0]))
    wide = replace(f, since=start.date(), until=until.date())
    unit, found = trunc_unit(freq), []
    totals = outlet_totals(store, wide, freq)
    for kind in (k for k in kinds if k in ENTITY_KINDS):
        raw = entity_counts(store, wide, unit, kind, s.min_articles, names)
        found.append(score_cells(_grid(raw, totals, periods), tested_from, kind, s, freq))
    if "topic" in kinds:
        raw = topic_counts(store, wide, unit, s.min_articles, names)
        found.append(score_cells(_grid(raw, totals, periods), tested_from, "topic", s, freq))
    if "query" in kinds and queries:
        found.append(_query_alerts(store, wide, queries, periods, tested_from, s, freq))
    kept = [frame for frame in found if len(frame)]
    if len(kept) <= 1:  # one kind's frame is in order already
        return kept[0] if kept else schema.empty(ALERTS)
    return _finish(pd.concat(kept, ignore_index=True))


def _query_alerts(store: Store, wide: Filters, queries: Sequence[tuple[str, str]], periods: pd.DatetimeIndex,
                  tested_from: int, s: Settings, freq: str) -> pd.DataFrame:
    """Return the saved queries' alerts: one family, each query against all articles under its base filters."""
    unit = trunc_unit(freq)
    raw = pd.concat([query_counts(store, replace(wide, query=text), name, unit) for name, text in queries],
                    ignore_index=True)
    totals = outlet_totals(store, base_of(wide), freq)
    out = score_cells(_grid(raw, totals, periods), tested_from, "query", s, freq)
    return out.assign(query=out["name"].map(dict(queries)).astype("string"))


def _span(store: Store, f: Filters) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Return the first and last day tested: the filters' dates, else the store's first and last article."""
    if f.since is not None and f.until is not None:  # no query needed (the dashboard knows its span)
        since, until = pd.Timestamp(f.since), pd.Timestamp(f.until)
        return (since, until) if since <= until else None
    row = store.query("SELECT min(date) AS first, max(date) AS last FROM articles").iloc[0]
    if pd.isna(row["first"]):
        return None
    since = pd.Timestamp(f.since) if f.since is not None else pd.Timestamp(row["first"]).normalize()
    until = pd.Timestamp(f.until) if f.until is not None else pd.Timestamp(row["last"]).normalize()
    return (since, until) if since <= until else None
