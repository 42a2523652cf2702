"""The read side: what leaves the store, filtered in SQL.

``filters`` (the Filters and the SQL they become), ``frames`` (the public frames of the data
dictionary), ``aggregations`` (the dashboard's per-chart SQL, and the CLI's timeline from the same
series: only what is drawn leaves the database), ``timeseries`` (period arithmetic and tone smoothing)
and ``attached`` (the dashboard's reader, which never blocks an ingest for long).

Reads never import ``monitor.present``; they may use ``monitor.ingest.names`` (one name key for
"any spelling" everywhere).
"""
