"""Export bytes and file names."""
import io
import json

import pandas as pd

from monitor import export


def test_csv_neutralises_formulas_but_not_numbers():
    frame = pd.DataFrame({"title": ["=HYPERLINK(\"x\")", "+1 555", "-cmd", "@SUM(A1)", "plain"],
                          "tone": [-0.5, 0.1, 0.0, 0.2, 0.3]}).astype({"title": "string"})
    text = export.to_bytes(frame, "csv").decode()
    back = pd.read_csv(io.StringIO(text))
    assert back["title"].tolist() == ["'=HYPERLINK(\"x\")", "'+1 555", "'-cmd", "'@SUM(A1)", "plain"]
    assert back["tone"].tolist() == [-0.5, 0.1, 0.0, 0.2, 0.3]


def test_parquet_and_json_round_trip():
    frame = pd.DataFrame({"entity": ["Mara Velloso"], "date": [pd.Timestamp("2031-05-06")]})
    assert pd.read_parquet(io.BytesIO(export.to_bytes(frame, "parquet"))).equals(frame)
    assert json.loads(export.to_bytes(frame, "json"))[0]["entity"] == "Mara Velloso"


def test_file_names_say_what_and_which_filter():
    assert export.file_name("mentions", "csv", person=["Mara Velloso", "Tomas Brandt"], since="2031-05-01") == \
        "mentions_mara-velloso-tomas-brandt_2031-05-01.csv"
    assert export.file_name("Tone over time", "svg", topic=None) == "tone-over-time.svg"
