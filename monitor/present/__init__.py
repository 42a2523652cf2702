"""Presentation: frames in, figures, files and page text out.

``charts`` (plotly figures, pure functions), ``export`` (CSV / JSON / Parquet bytes, standalone HTML,
PNG / SVG through kaleido, the zip of everything), ``page`` (text made safe for the page) and
``viewstate`` (the dashboard's filters as a URL). Nothing in ``monitor`` imports streamlit.
"""
