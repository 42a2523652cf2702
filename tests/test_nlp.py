"""The NLP step: only the components it needs, and the same output as the model with more of them."""
from __future__ import annotations

from monitor import nlp
from tests.conftest import SEEDS


def test_pipeline_runs_only_the_sentence_splitter_and_ner():
    assert nlp.load_model().pipe_names == ["senter", "ner"]


def test_leaving_out_the_shared_tok2vec_changes_nothing():
    # senter and ner embed their own tok2vec in this model: the shared one only feeds tagger and parser
    import spacy

    text = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    with_shared = spacy.load(nlp.MODEL, exclude=[p for p in nlp.EXCLUDE if p != "tok2vec"])
    with_shared.enable_pipe("senter")
    assert with_shared.pipe_names == ["tok2vec", "senter", "ner"]
    ours, theirs = nlp.load_model()(text), with_shared(text)
    assert [(e.start_char, e.end_char, e.label_) for e in ours.ents] == \
           [(e.start_char, e.end_char, e.label_) for e in theirs.ents]
    assert [s.start_char for s in ours.sents] == [s.start_char for s in theirs.sents]
    assert len(ours.ents) > 20


def test_analyse_keeps_order_and_gives_empty_texts_no_sentences():
    out = list(nlp.analyse(["Mara Velloso praised the plan.", "", "Tomas Brandt attacked it. Voters were angry."]))
    assert [len(s) for s in out] == [1, 0, 2]
    assert out[1] == [] and out[2][1].tone < 0
    assert any(e.label == "PERSON" and e.text == "Mara Velloso" for e in out[0][0].entities)
