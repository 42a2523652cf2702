"""Who said what in the dashboard (Streamlit's AppTest) on a store of fictional quotations (tests/quoted_corpus.py):
the Quotes page (most quoted, quoted beside mentioned, a speaker's quotations, the speaker in the URL, the
sidebar's filters), the Profile page's "Quoted" section, and the drill-down's quotations behind a point."""
from __future__ import annotations

import html

import pytest

from tests import quoted_corpus

QUOTES = {"page": "Quotes"}


@pytest.fixture(scope="module")
def quoted(tmp_path_factory):
    return quoted_corpus.build(tmp_path_factory.mktemp("quoted_page"))


def cards(at) -> list[str]:
    """The quotation cards on the page, as their HTML."""
    return [part for m in at.markdown if "quote-card" in m.value for part in m.value.split("\n")]


def quoted_words(at) -> set[str]:
    return {q.text for q in quoted_corpus.QUOTED if any(f"“{html.escape(q.text)}”" in c for c in cards(at))}


def said_by(name: str, where: str | None = None) -> set[str]:
    """The words QUOTED attributes to `name` (in the outlet `where`), from the corpus's own list."""
    outlet = {a[2]: a[1] for a in quoted_corpus.ARTICLES}
    speakers = {"Velloso": "Mara Velloso", "Brandt": "Tomas Brandt", "Marsh": None}
    out = set()
    for q in quoted_corpus.QUOTED:
        who = q.named or speakers.get(str(q.surface), q.surface)
        if q.surface == "Marsh":
            who = "Lena Marsh" if q.title == "Minister sets budget" else "Owen Marsh"
        if who == name and (where is None or outlet[q.title] == where):
            out.add(q.text)
    return out


def test_the_quotes_page_ranks_speakers_quoted_beside_mentioned(app, quoted):
    at = app(quoted.path, QUOTES)
    assert not at.exception
    assert "Who said what" in [h.value for h in at.header]
    top = next(d.value for d in at.dataframe if "quotes" in d.value.columns)
    assert dict(zip(top["name"], top["quotes"], strict=True)) == quoted_corpus.SPEAKERS
    assert {"mentions", "quote_tone", "tone_toward", "profile"} <= set(top.columns)
    assert top.set_index("name").loc["Tomas Brandt", "mentions"] == 7  # named in 7 sentences
    # no speaker chosen: every quotation, with its speaker, a description kept as written
    assert quoted_words(at) == {q.text for q in quoted_corpus.QUOTED}
    assert any("A council spokesman" in c and "described" in c for c in cards(at))
    assert any("10 direct quotations" in c.value for c in at.caption)


@pytest.mark.parametrize("speaker", ["Tomas Brandt", "Lena Marsh", "Ines Okafor"])
def test_a_chosen_speaker_shows_their_quotations_and_goes_into_the_url(app, quoted, speaker):
    at = app(quoted.path, QUOTES)
    at.selectbox(key="quote_speaker").set_value(speaker).run()
    assert not at.exception
    assert at.query_params["speaker"] in (speaker, [speaker])
    assert quoted_words(at) == said_by(speaker)
    again = app(quoted.path, {**QUOTES, "speaker": speaker})  # the link opens the same
    assert quoted_words(again) == said_by(speaker) and again.selectbox(key="quote_speaker").value == speaker


def test_the_sidebar_filters_apply(app, quoted):
    at = app(quoted.path, {**QUOTES, "source": "The Northbridge Courier"})
    top = next(d.value for d in at.dataframe if "quotes" in d.value.columns)
    assert dict(zip(top["name"], top["quotes"], strict=True)) == {"Mara Velloso": 2, "Tomas Brandt": 1}
    assert quoted_words(at) == said_by("Mara Velloso") | said_by("Tomas Brandt", "The Northbridge Courier")


def test_no_quotations_says_so(app, quoted):
    at = app(quoted.path, {**QUOTES, "q": "nosuchwordanywhere"})
    assert not at.exception
    assert any("No quotations" in i.value for i in at.info) and not cards(at)


def test_the_profile_shows_quoted_beside_mentioned_and_two_tones(app, quoted):
    at = app(quoted.path, {"page": "Profile", "profile": "Tomas Brandt", "profile_kind": "person"})
    assert not at.exception and "Quoted" in [s.value for s in at.subheader]
    shown = {m.label: m.value for m in at.metric}
    assert (shown["Quoted"], shown["Mentioned"]) == ("3", "7")
    assert shown["Tone of what they say"].startswith("-0.5") and shown["Tone toward them"] != shown[
        "Tone of what they say"]
    assert any("Quoted 3 times in 2 articles; mentioned 7 times" in c.value for c in at.caption)
    assert quoted_words(at) == said_by("Tomas Brandt")


def test_a_profile_never_quoted_and_a_topic(app, quoted):
    at = app(quoted.path, {"page": "Profile", "profile": "Northbridge"})
    assert not at.exception and {m.label: m.value for m in at.metric}["Quoted"] == "0"
    assert any("No quotation is attributed" in c.value for c in at.caption) and not cards(at)
    topic = quoted.query("SELECT min(topic) AS t FROM topic_hits")["t"].iloc[0]
    at = app(quoted.path, {"page": "Profile", "profile": topic, "profile_kind": "topic"})
    assert not at.exception and "Quoted" not in [s.value for s in at.subheader]


def test_the_drill_down_shows_the_quotations_behind_the_point(app, quoted):
    at = app(quoted.path, {"entity": ["Tomas Brandt", "Mara Velloso"], "freq": "Month"})
    at.selectbox(key="drill_name").set_value("Tomas Brandt").run()
    assert not at.exception
    assert "Quotations of Tomas Brandt" in [s.value for s in at.subheader]
    assert quoted_words(at) == said_by("Tomas Brandt")  # every period
    june = next(p for p in at.selectbox(key="drill_period").options if "Jun" in str(p))
    at.selectbox(key="drill_period").set_value(june).run()
    assert not cards(at) and any("No quotation is attributed" in c.value for c in at.caption)
    may = next(p for p in at.selectbox(key="drill_period").options if "May" in str(p))
    at.selectbox(key="drill_period").set_value(may).run()
    assert quoted_words(at) == said_by("Tomas Brandt")  # all three are of May


def test_the_page_shows_a_few_and_says_how_many_there_are(app, quoted, monkeypatch):
    import dashboard_quote_cards

    monkeypatch.setattr(dashboard_quote_cards, "CARDS", 2)
    at = app(quoted.path, QUOTES)
    assert not at.exception and len(cards(at)) == 2
    assert any("2 of 10 quotations shown" in c.value and "the CSV holds all 10" in c.value for c in at.caption)
    at.selectbox(key="quote_speaker").set_value("Tomas Brandt").run()
    assert len(cards(at)) == 2 and any("2 of 3 quotations shown" in c.value for c in at.caption)
    at = app(quoted.path, {"page": "Profile", "profile": "Tomas Brandt"})
    assert any("2 of 3 quotations shown" in c.value for c in at.caption)


def test_the_quotation_cards_show_article_text_as_text():
    """A quotation, title or outlet holding HTML is shown as written (article text is the web's), and only an
    http(s) address becomes a link."""
    import pandas as pd

    from dashboard_quote_cards import quote_card

    row = pd.DataFrame([{"text": '<img src=x onerror="alert(1)">', "speaker": "<b>Mara</b>", "surface": "Mara",
                         "attribution": "named", "title": "<script>t</script>", "url": "javascript:alert(1)",
                         "source": "<i>Ledger</i>", "date": pd.Timestamp("2021-05-03"), "tone": -0.4}]).iloc[0]
    card = quote_card(row)
    assert "<img" not in card and "<script>" not in card and "<b>Mara" not in card and "<i>" not in card
    assert "javascript:" not in card and "&lt;img" in card and "negative" in card


def test_a_speaker_in_the_url_beyond_the_most_quoted_is_offered(app, quoted, monkeypatch):
    import dashboard_quotes

    monkeypatch.setattr(dashboard_quotes, "TOP", 2)
    at = app(quoted.path, {**QUOTES, "speaker": "Owen Marsh"})
    assert not at.exception
    assert at.selectbox(key="quote_speaker").options == ["Anyone", "Tomas Brandt", "Mara Velloso", "Owen Marsh"]
    assert quoted_words(at) == said_by("Owen Marsh")
    at.selectbox(key="quote_speaker").set_value("").run()  # back to anyone: the URL forgets the speaker
    assert "speaker" not in at.query_params and len(quoted_words(at)) == len(quoted_corpus.QUOTED)
