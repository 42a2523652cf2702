"""Page furniture (caption toggles, video rails, ads, share prompts) is never an entity and is stripped from text.

Phrases are varied in case, punctuation and position; the people are fictional.
"""
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.spans import entity_types, people, sentence

# Written as pages print them; each is tried as printed, in capitals and in lower case.
PHRASES = ["Hide Caption", "Hide Caption 3 of 12", "Replay More Videos ...", "Image source,", "Enlarge this image",
           "toggle caption", "Show Caption", "Image caption:", "Photo Illustration by Lumen Pictures."]
WHOLE = ["Advertisement", "Read More", "Click here to read the full story.", "Share this story!",
         "Sign up for our daily newsletter.", "Share this article", "Follow us on Chirper", "2.4K Shares",
         "Related: Northbridge tram opens", "Email", "Subscribe to the Lakeside Ledger."]
CASES = [str, str.upper, str.lower]
# Labels whose following words are a photo credit, not the article ("Image source, Lumen Pictures").
CREDIT_LABELS = {"Image source,", "toggle caption"}


def _spelled(phrase: str, how) -> str:
    return how(phrase)


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(PHRASES), st.sampled_from(CASES), st.sampled_from(["", ".", " |", " —"]),
       st.sampled_from(["before", "after"]))
def test_furniture_glued_to_a_name_leaves_only_the_name(phrase, how, mark, where):
    # A name before "3 OF 12" in capitals reads as a score line to label repair (a team): pages print the
    # counter after a caption, in mixed case; strip_furniture removes it before the model runs.
    assume(not (re.search(r"\d", phrase) and (where == "before" or how is str.upper)))
    assume(not (where == "before" and phrase in CREDIT_LABELS))  # the name after them is a credit
    furniture = _spelled(phrase, how)
    name = "Mara Velloso"
    text = f"{furniture}{mark} {name} waves to the crowd" if where == "before" else \
        f"The crowd cheers {name}{mark} {furniture}"
    glued = f"{furniture}{mark} {name}" if where == "before" else f"{name}{mark} {furniture}"
    article = [sentence(text, (glued, "PERSON"))]
    assert people(article) == {name}
    words = {w.casefold() for w in re.findall(r"\w+", furniture)}
    assert not any(words & {w.casefold() for w in re.findall(r"\w+", e)} for e in entity_types(article))


@pytest.mark.parametrize("line", WHOLE)
@pytest.mark.parametrize("how", [str, str.title])
def test_a_furniture_line_is_no_entity(line, how):
    text = how(line)
    words = re.findall(r"[A-Za-z][\w.]*(?: [A-Z][\w.]*)*", text)
    article = [sentence(text, *[(" ".join(w.split()[:3]), "PERSON") for w in words[:1]]),
               sentence("Tomas Brandt answered.", ("Tomas Brandt", "PERSON"))]
    assert set(entity_types(article)) == {"Tomas Brandt"}


ARTICLE_SENTENCES = ["Mara Velloso opened the tram line on Monday.", "Tomas Brandt called it a waste of money.",
                     "He wanted to read more about it before he would sign up.", "Voters share this view, she said.",
                     "An advertisement for the line ran on the radio.", "Click the map to see the route."]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(ARTICLE_SENTENCES), min_size=1, max_size=5),
       st.lists(st.sampled_from(PHRASES + WHOLE), min_size=1, max_size=3), st.randoms(use_true_random=False))
def test_strip_furniture_keeps_the_article_and_drops_the_furniture(kept, furniture, rnd):
    from monitor.ingest.furniture import strip_furniture

    paragraphs = list(kept)
    for item in furniture:
        paragraphs.insert(rnd.randint(0, len(paragraphs)), item)
    stripped = strip_furniture("\n\n".join(paragraphs))
    assert stripped.split("\n\n") == kept
    assert strip_furniture("\n\n".join(kept)) == "\n\n".join(kept)  # an article without furniture is unchanged


@pytest.mark.parametrize("text, left", [
    ("Mara Velloso waves. Hide Caption 3 of 12", "Mara Velloso waves."),
    ("Enlarge this image toggle caption Ines Okafor for Lakeside Ledger Ines Okafor for Lakeside Ledger", ""),
    ("Replay More Videos ... MUST WATCH Tomas Brandt speaks in Northbridge", "Tomas Brandt speaks in Northbridge"),
    ("It went well. Think your friends would be interested? Share this story!", "It went well."),
    ("Image source, Lumen Pictures\nImage caption, Tomas Brandt at the rally", "Tomas Brandt at the rally"),
])
def test_furniture_inside_a_paragraph_is_cut_out(text, left):
    from monitor.ingest.furniture import strip_furniture

    assert strip_furniture(text) == left
