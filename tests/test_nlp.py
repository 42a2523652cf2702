"""The NLP step: only the components it needs, and the same output as the model with more of them."""
from __future__ import annotations

from monitor.ingest import nlp
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


def _sentences_by_spans(doc) -> list[tuple]:
    """What _sentences must return, built the plain way: Span.text and Span.ents per sentence."""
    out = []
    for sent in doc.sents:
        text = sent.text.strip()
        if text:
            offset = sent.start_char + len(sent.text) - len(sent.text.lstrip())
            out.append((text, [(e.start_char - offset, e.end_char - offset, e.text, e.label_)
                               for e in sent.ents if e.label_ in nlp.ENTITY_LABELS]))
    return out


def test_sentences_sliced_from_the_doc_match_the_spans():
    # Built by hand to hold what a model rarely gives: an entity across a sentence end, a label
    # not kept (DATE), a whitespace token leading a sentence and a whitespace-only sentence.
    from spacy.tokens import Doc, Span

    model = nlp.load_model()
    words = ["Mara", "Velloso", "met", "Kestrel", "Bank", ".", " ", "Tomas", "Brandt", "left", "on", "Monday",
             ".", "Port", "Avery", "agreed", ".", " "]
    spaces = [True, True, True, True, False, True, False, True, True, True, True, False, True, True, True, False,
              False, False]
    starts = [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]
    doc = Doc(model.vocab, words=words, spaces=spaces, sent_starts=starts)
    doc.ents = [Span(doc, 0, 2, "PERSON"), Span(doc, 3, 5, "ORG"), Span(doc, 11, 14, "GPE"),
                Span(doc, 14, 15, "DATE")]
    got = [(s.text, [(e.start, e.end, e.text, e.label) for e in s.entities]) for s in nlp._sentences(doc)]
    assert got == _sentences_by_spans(doc)
    assert got[0][1] == [(0, 12, "Mara Velloso", "PERSON"), (17, 29, "Kestrel Bank", "ORG")]
    assert got[1][1] == []  # "Monday. Port" crosses the sentence end: in neither sentence, as with Span.ents


def test_sentences_match_the_spans_on_the_seed():
    text = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    for paragraph in nlp.paragraphs(text):
        doc = nlp.load_model()(paragraph)
        assert [(s.text, [(e.start, e.end, e.text, e.label) for e in s.entities]) for s in nlp._sentences(doc)] \
            == _sentences_by_spans(doc)
