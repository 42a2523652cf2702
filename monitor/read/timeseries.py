"""Period arithmetic and tone smoothing for the time series.

The series themselves are counted in SQL, once, by monitor.read.aggregations (entity_series,
topic_series, and timeline for the CLI's export); this module holds what they and the dashboard
share about periods, and the smoothing applied to a series after it leaves the store.
"""
from __future__ import annotations

import pandas as pd

FREQS = {"D": "day", "W": "week", "M": "month"}  # also DuckDB's date_trunc units; its weeks start on Monday (ISO)
# pandas' names for the same periods, each stamped with its first day as date_trunc stamps it
_PANDAS_FREQS = {"D": "D", "W": "W-MON", "M": "MS"}


def trunc_unit(freq: str) -> str:
    """Return DuckDB's date_trunc unit for a period code (D, W, M); ValueError names the codes for another."""
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}, not {freq!r}")
    return FREQS[freq]


def period_range(first: pd.Timestamp, last: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    """Return the first day of every period from FIRST's period to LAST's (both already period starts or not).

    The periods date_trunc makes (weeks from Monday, months from the 1st), with none skipped: the
    frame a time series is zero-filled on.
    """
    start = pd.Timestamp(first).to_period(_period_code(freq)).start_time
    return pd.date_range(start, pd.Timestamp(last), freq=_PANDAS_FREQS[freq], name="period")


def period_end(start: pd.Timestamp, freq: str) -> pd.Timestamp:
    """Return the first day after the period that begins on START."""
    return pd.Timestamp(start).to_period(_period_code(freq)).end_time.normalize() + pd.Timedelta(days=1)


def _period_code(freq: str) -> str:
    """Return pandas' Period code for a period code: weeks that start on Monday end on Sunday."""
    trunc_unit(freq)
    return {"D": "D", "W": "W-SUN", "M": "M"}[freq]


def auto_freq(first: pd.Timestamp, last: pd.Timestamp) -> str:
    """Return the granularity that suits a span: days up to ~2 months, weeks up to ~1 year, else months."""
    days = (last - first).days if pd.notna(first) and pd.notna(last) else 0
    return "D" if days <= 62 else "W" if days <= 400 else "M"


def smooth_tone(series: pd.DataFrame, window: int) -> pd.DataFrame:
    """Return SERIES with `tone_smooth` = the mention-weighted rolling mean of tone over `window` periods.

    Weighting by mentions keeps a quiet period (one sentence) from swinging the line.
    """
    out = series.copy()
    if window <= 1 or out.empty:
        out["tone_smooth"] = out["tone"]
        return out
    out = out.sort_values(["name", "period"])
    # a period without mentions (a zero-filled row, tone NaN) weighs nothing and shows no tone of its own
    weighted = (out["tone"].fillna(0.0) * out["mentions"]).groupby(out["name"]).transform(
        lambda s: s.rolling(window, min_periods=1).sum())
    weights = out["mentions"].groupby(out["name"]).transform(lambda s: s.rolling(window, min_periods=1).sum())
    out["tone_smooth"] = (weighted / weights).where(out["mentions"] > 0).astype("float64")
    return out.reset_index(drop=True)
