"""Pure functions over the frames: time series of mentions and tone.

Frames in, frames out; no store and no plotting here.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

FREQS = {"D": "day", "W": "week", "M": "month"}
_PERIOD_ALIAS = {"D": "D", "W": "W-SUN", "M": "M"}  # weeks end on Sunday, so start on Monday

TIMELINE = {
    "period": "datetime64[us]", "entity": "string", "mentions": "int64", "articles": "int64",
    "tone": "float64", "tone_low": "float64", "tone_high": "float64",
}


def period_start(dates: pd.Series, freq: str) -> pd.Series:
    """Return the first day of each date's period (day, week starting Monday, or month)."""
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)}, not {freq!r}")
    return dates.dt.to_period(_PERIOD_ALIAS[freq]).dt.start_time.astype("datetime64[us]")


def auto_freq(first: pd.Timestamp, last: pd.Timestamp) -> str:
    """Return the granularity that suits a span: days up to ~2 months, weeks up to ~1 year, else months."""
    days = (last - first).days if pd.notna(first) and pd.notna(last) else 0
    return "D" if days <= 62 else "W" if days <= 400 else "M"


def timeline(mentions: pd.DataFrame, freq: str = "D", by: str = "entity") -> pd.DataFrame:
    """Return mentions, distinct articles and mean tone with a 95% interval per period and entity.

    Undated mentions are left out. The interval is mean ± 1.96 standard errors of the
    sentence tones (zero width for a single mention).
    """
    dated = mentions.dropna(subset=["date"])
    if dated.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in TIMELINE.items()})
    frame = dated.assign(period=period_start(dated["date"], freq))
    grouped = frame.groupby(["period", by], observed=True)
    out = grouped.agg(mentions=("tone", "size"), articles=("article_id", "nunique"),
                      tone=("tone", "mean"), sd=("tone", "std")).reset_index()
    half = 1.96 * out["sd"].fillna(0.0) / np.sqrt(out["mentions"])
    out["tone_low"] = (out["tone"] - half).clip(lower=-1.0)
    out["tone_high"] = (out["tone"] + half).clip(upper=1.0)
    out = out.rename(columns={by: "entity"}).drop(columns="sd")
    return out[list(TIMELINE)].astype(TIMELINE).sort_values(["period", "entity"]).reset_index(drop=True)


def smooth_tone(series: pd.DataFrame, window: int) -> pd.DataFrame:
    """Return SERIES with `tone_smooth` = the mention-weighted rolling mean of tone over `window` periods.

    Weighting by mentions keeps a quiet period (one sentence) from swinging the line.
    """
    out = series.copy()
    if window <= 1 or out.empty:
        out["tone_smooth"] = out["tone"]
        return out
    out = out.sort_values(["name", "period"])
    weighted = (out["tone"] * out["mentions"]).groupby(out["name"]).transform(
        lambda s: s.rolling(window, min_periods=1).sum())
    weights = out["mentions"].groupby(out["name"]).transform(lambda s: s.rolling(window, min_periods=1).sum())
    out["tone_smooth"] = (weighted / weights).astype("float64")
    return out.reset_index(drop=True)
