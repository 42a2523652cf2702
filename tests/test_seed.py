"""The seed article end to end: the issue's acceptance criteria."""
import pandas as pd

from monitor import schema
from monitor.ingest.names import is_person_shaped, name_key

EXPECTED_PEOPLE = ["Donald Trump", "Elon Musk", "Kamala Harris", "Joe Biden", "Ron DeSantis"]


def test_seed_date_comes_from_its_header(seed_frames):
    (row,) = seed_frames.articles.itertuples()
    assert row.date == pd.Timestamp("2024-08-13") and row.date_origin == "header"
    assert row.n_sentences > 30


def test_each_person_is_exactly_one_entity(seed_frames):
    people = seed_frames.mentions.query("entity_type == 'person'")
    for name in EXPECTED_PEOPLE:
        first, surname = name.split()
        spellings = {name_key(name), name_key(first), name_key(surname)}
        # any entity written as the full name, the first name or the surname alone is a variant
        variants = [e for e in people["entity"].unique() if name_key(e) in spellings]
        assert variants == [name], f"{name}: person entities {variants}"


def test_trump_is_the_most_mentioned(seed_frames):
    counts = seed_frames.mentions.query("entity_type == 'person'")["entity"].value_counts()
    assert counts.index[0] == "Donald Trump"
    assert counts["Donald Trump"] > counts["Elon Musk"] > counts["Kamala Harris"]


def test_no_person_for_platforms_agencies_accounts_or_fragments(seed_frames):
    people = set(seed_frames.mentions.query("entity_type == 'person'")["entity"])
    for junk in ["X", "Twitter", "Truth Social", "Getty Images", "Dan Kitwood", "Kamala HQ", "X. He", "Time"]:
        assert junk not in people
    assert all(is_person_shaped(p) for p in people), people  # no fragments
    platforms = seed_frames.mentions.query("entity in ['X', 'Truth Social']")
    assert set(platforms["entity_type"]) == {"org"}


def test_the_platform_x_is_found_in_every_sentence_naming_it(seed_frames):
    """"X" (the watchlist's platform, aliases Twitter and X Corp) is one letter: it is searched with
    context rules (monitor.ingest.short_names); every seed sentence naming it has a mention of it."""
    sentences = seed_frames.sentences
    naming = set(sentences[sentences["text"].str.contains(r"(?<![\w-])X(?![\w-])", regex=True)]["sentence_id"])
    found = set(seed_frames.mentions.query("entity == 'X'")["sentence_id"])
    assert len(naming) >= 6 and naming <= found, sorted(naming - found)


def test_the_embedded_post_is_the_account_s_mention(seed_frames):
    accounts = seed_frames.mentions.query("entity == 'Kamala HQ'")
    assert len(accounts) == 1 and set(accounts["entity_type"]) == {"org"}


def test_several_topics_are_hit(seed_frames):
    topics = set(seed_frames.topic_hits["topic"])
    assert len(topics) >= 4, topics
    assert seed_frames.articles.loc[0, "topics"].count(";") >= 2


def test_mention_sentence_tone_is_its_sentence_tone(seed_frames):
    merged = seed_frames.mentions.merge(seed_frames.sentences, on=["article_id", "sentence_id"],
                                        suffixes=("", "_sentence"))
    assert len(merged) == len(seed_frames.mentions)
    assert (merged["sentence_tone"] == merged["tone_sentence"]).all()
    # the tone toward a mention is its own: not every mention carries its sentence's compound
    assert merged["tone"].between(-1, 1).all()
    assert (merged["tone"] != merged["tone_sentence"]).any()
    article = seed_frames.articles.iloc[0]
    assert abs(article["tone"] - seed_frames.sentences["tone"].mean()) < 1e-9


def test_frames_meet_the_contract(seed_frames):
    for name in ("articles", "mentions", "topic_hits", "sentences"):
        schema.check(getattr(seed_frames, name), schema.FRAMES[name], name)
    assert set(seed_frames.mentions["tone_label"]) <= set(schema.TONE_LABELS)
