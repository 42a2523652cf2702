"""Frames to files: CSV, Parquet and JSON bytes, and file names that say what they hold."""
from __future__ import annotations

import io
import re

import pandas as pd

FORMATS = ("csv", "parquet", "json")
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot run as spreadsheet formulas (prefixed with ')."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_string_dtype(out[column]) and not pd.api.types.is_numeric_dtype(out[column]):
            values = out[column]
            risky = values.str.startswith(_FORMULA_START, na=False)
            out[column] = values.where(~risky, "'" + values)
    return out


def to_bytes(frame: pd.DataFrame, fmt: str = "csv") -> bytes:
    """Return the frame encoded as CSV (UTF-8, formulas neutralised), Parquet or JSON records."""
    if fmt == "csv":
        return neutralise(frame).to_csv(index=False, date_format="%Y-%m-%dT%H:%M:%S").encode("utf-8")
    if fmt == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False)
        return buffer.getvalue()
    if fmt == "json":
        return frame.to_json(orient="records", date_format="iso", force_ascii=False, indent=1).encode("utf-8")
    raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")


def slug(text: str) -> str:
    """Return a file-name-safe, lower-case version of a label ("Donald Trump" -> "donald-trump")."""
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60] or "all"


def file_name(what: str, fmt: str, **filters: object) -> str:
    """Return a file name naming the content and the filters, e.g. "mentions_donald-trump_2024-08.csv"."""
    parts = [slug(what)]
    for value in filters.values():
        if value in (None, "", (), []):
            continue
        if isinstance(value, (list, tuple)):
            value = "+".join(str(v) for v in value)
        parts.append(slug(str(value)))
    return "_".join(parts) + f".{fmt}"
