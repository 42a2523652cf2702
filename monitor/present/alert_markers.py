"""The markers of spike alerts on a coverage chart (monitor/read/alerts.py decides them; charts.mentions_chart
draws them over its lines): one triangle per volume alert, pointing up or down, on the point of its name and period.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from monitor.present.figure_base import plot_text
from monitor.schema import require

ALERT_TRACE = "Alerts"  # the markers' trace name (its legend entry)


def alert_markers(series: pd.DataFrame, alerts: pd.DataFrame, normalised: bool) -> list[dict]:
    """Return the trace of markers on the series' points that have a volume alert (none: an empty list).

    Each marker's customdata starts with [name, period ISO date], as the lines' points do, so a click on
    a marker opens the same sentences.
    """
    require(alerts, ("name", "period", "metric", "direction", "value", "baseline", "p_value"), "alerts")
    volume = alerts[alerts["metric"] == "volume"][["name", "period", "direction", "value", "baseline", "p_value"]]
    points = series.merge(volume.astype({"name": "string"}), on=["name", "period"], how="inner")
    if points.empty:
        return []
    y = points["share"] * 100.0 if normalised else points["mentions"]
    custom = np.column_stack([points["name"].astype(str).map(plot_text).to_numpy(dtype=object),
                              points["period"].dt.strftime("%Y-%m-%d").to_numpy(dtype=object),
                              points["direction"].to_numpy(dtype=object), points["value"].to_numpy(dtype=object),
                              points["baseline"].to_numpy(dtype=object), points["p_value"].to_numpy(dtype=object)])
    return [{"type": "scatter", "x": custom[:, 1].tolist(), "y": y.to_numpy(), "name": ALERT_TRACE,
             "mode": "markers", "customdata": custom, "legendrank": 2000,
             "marker": {"size": 15, "color": "rgba(0,0,0,0)", "line": {"width": 2, "color": "#000000"},
                        "symbol": np.where(points["direction"] == "up", "triangle-up", "triangle-down").tolist()},
             "hovertemplate": "<b>Alert: %{customdata[0]}</b><br>%{customdata[1]}<br>"
                              "Coverage %{customdata[2]}: %{customdata[3]:,.0f} articles where "
                              "%{customdata[4]:,.1f} were expected<br>p = %{customdata[5]:.1e}<extra></extra>"}]
