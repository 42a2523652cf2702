"""The frame contract: conform, check, tone labels, and the README's data dictionary."""
import re

import pandas as pd
import pytest

from monitor import schema
from tests.conftest import ROOT


def test_conform_casts_and_orders_columns():
    raw = pd.DataFrame({"tone": [0.5], "text": ["Hello."], "sentence_id": [3], "article_id": ["a"], "x": [1]})
    out = schema.conform(raw, schema.SENTENCES, "sentences")
    assert list(out.columns) == list(schema.SENTENCES)
    schema.check(out, schema.SENTENCES, "sentences")


def test_errors_name_the_frame_and_column():
    with pytest.raises(schema.FrameError, match="mentions: column 'entity' not in dataframe"):
        schema.conform(schema.empty(schema.MENTIONS).drop(columns="entity"), schema.MENTIONS, "mentions")
    bad = schema.empty(schema.SENTENCES).astype({"tone": "string"})
    with pytest.raises(schema.FrameError, match="column 'tone' has dtype"):
        schema.check(bad, schema.SENTENCES, "sentences")


# The read side's aggregates: typed by the same helpers as the frames.
AGGREGATES = {"series": schema.SERIES, "timeline": schema.TIMELINE, "top": schema.TOP, "matrix": schema.MATRIX,
              "sentences_shown": schema.SENTENCES_SHOWN}


def test_empty_frames_are_typed():
    for name, columns in {**schema.FRAMES, **AGGREGATES}.items():
        frame = schema.empty(columns)
        schema.check(frame, columns, name)
        assert not any(str(t) == "object" for t in frame.dtypes), name
    assert str(schema.tone_labels(pd.Series(dtype="float64")).dtype) == "string"


def test_require_names_the_missing_column_and_allows_others():
    schema.require(schema.empty(schema.TOP).assign(extra=1), schema.TOP, "top")
    with pytest.raises(schema.FrameError, match="series: column 'share' not in dataframe"):
        schema.require(schema.empty(schema.SERIES).drop(columns="share"), schema.SERIES, "series")


@pytest.mark.parametrize("score, label", [(0.05, "positive"), (0.049, "neutral"), (-0.049, "neutral"),
                                          (-0.05, "negative"), (0.0, "neutral")])
def test_tone_labels_use_vader_thresholds(score, label):
    assert schema.tone_label(score) == label


def test_readme_documents_every_column():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    # timeline: the CLI's `export timeline` writes it, so its columns are public too
    for name, columns in {**schema.FRAMES, "timeline": schema.TIMELINE}.items():
        section = readme.split(f"### `{name}`", 1)
        assert len(section) == 2, f"README has no data dictionary section for {name}"
        table = section[1].split("###", 1)[0]
        documented = re.findall(r"^\| `(\w+)` \|", table, flags=re.M)
        assert documented == list(columns), f"{name}: README lists {documented}"


def test_mentions_carry_the_tone_toward_the_entity_and_the_sentences_tone(fiction_store):
    from monitor.read import aggregations, frames

    columns = list(schema.MENTIONS)
    assert columns[columns.index("tone_label") + 1] == "sentence_tone" and schema.MENTIONS["sentence_tone"] == "float64"
    mentions = frames.mentions(fiction_store)
    schema.check(mentions, schema.MENTIONS, "mentions")
    truth = fiction_store.query(
        "SELECT r.article_id, r.sentence_id, r.start_char, r.tone, s.tone AS sentence_tone FROM raw_mentions r "
        "JOIN sentences s USING (article_id, sentence_id)")
    joined = mentions.merge(fiction_store.query("SELECT article_id, sentence_id, entity, start_char FROM mentions"),
                            on=["article_id", "sentence_id", "entity"]).merge(
        truth, on=["article_id", "sentence_id", "start_char"], suffixes=("", "_raw"))
    assert len(joined) == len(mentions)
    assert joined["tone"].tolist() == joined["tone_raw"].tolist()
    assert joined["sentence_tone"].tolist() == joined["sentence_tone_raw"].tolist()
    for name in mentions["entity"].unique()[:4]:
        shown = aggregations.sentences_behind(fiction_store, frames.Filters(), name)
        schema.check(shown, schema.SENTENCES_SHOWN, "sentences_shown")
        mine = mentions[mentions["entity"] == name]
        pairs = sorted(zip(mine["article_id"], mine["sentence_id"], mine["tone"], mine["sentence_tone"], strict=True))
        assert sorted(zip(shown["article_id"], shown["sentence_id"], shown["tone"], shown["sentence_tone"],
                          strict=True)) == pairs
