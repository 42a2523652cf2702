"""An embedded post's attribution names the account that said it: a mention of the account, not a person.

Photo credits and bylines stay dropped. Accounts, handles and outlets are fictional.
"""
import pytest

from monitor.ingest.watchlist import Watchlist
from tests.spans import entity_types, mentions_of, sentence

ACCOUNTS = ["Velloso HQ", "Team Brandt", "Northbridge Courier", "Citizens for Harbours", "Lakeside Ledger"]
SHAPES = [
    "We will fix the trams. pic.twitter.com/aBc123 — {a} (@{h}) May 2, 2031",
    "We will fix the trams. https://t.co/xYz — {a} (@{h}) 2 May 2031",
    "We will fix the trams – {a} 🇺🇸🔥 (@{h}) May 2, 2031",
    "We will fix the trams - {a} (@{h}) Mar. 2, 2031",
    "We will fix the trams — {a} (@{h})",
    "A post shared by {a} (@{h}) on May 2, 2031 at 5:04pm PDT",
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("account", ACCOUNTS)
def test_the_account_of_an_embed_is_mentioned_and_is_no_person(shape, account):
    handle = account.replace(" ", "")
    text = shape.format(a=account, h=handle)
    # the model's spans over an attribution: the account as a person, the date
    article = [sentence(text, (account, "PERSON")),
               sentence("Mara Velloso said the trams would run again.", ("Mara Velloso", "PERSON"))]
    types = entity_types(article)
    assert types.get(account) == "org", types
    assert not any(handle in e or "2031" in e for e in types)
    found = [m for m in mentions_of(article, Watchlist()) if m.name == account]
    assert [(m.sentence_id, m.origin) for m in found] == [(0, "embed")]


def test_a_person_named_in_the_article_keeps_her_post():
    article = [sentence("Mara Velloso spoke on Monday.", ("Mara Velloso", "PERSON")),
               sentence("Trams run again. — Mara Velloso (@MaraVelloso) May 2, 2031", ("Mara Velloso", "PERSON"))]
    assert entity_types(article)["Mara Velloso"] == "person"
    assert [m.sentence_id for m in mentions_of(article, Watchlist())] == [0, 1]


@pytest.mark.parametrize("credit, span", [
    ("The crowd cheered. (Ines Okafor/Lumen Pictures)", "Ines Okafor"),
    ("By Ines Okafor and Pavel Ruiz", "Ines Okafor"),
    ("Reporting by Pavel Ruiz; Editing by Ines Okafor", "Pavel Ruiz"),
    ("Photo: Ines Okafor | Lumen Pictures", "Ines Okafor"),
    ("The tram ran again. (Courtesy of Ines Okafor)", "Ines Okafor"),
    ("The tram ran again. (courtesy Pavel Ruiz)", "Pavel Ruiz"),
])
def test_photo_credits_and_bylines_stay_dropped_beside_an_embed(credit, span):
    article = [sentence(credit, (span, "PERSON")),
               sentence("Trams run again. — Velloso HQ (@VellosoHQ) May 2, 2031", ("Velloso HQ", "ORG"))]
    assert set(entity_types(article)) == {"Velloso HQ"}
