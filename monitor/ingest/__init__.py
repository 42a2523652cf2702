"""Everything before the store: articles in, table rows out.

The flow, module by module: ``sources`` (one reader per format, and URLs through ``fetch``) give raw
articles with ``dates``; ``language`` keeps the English ones; ``nlp`` splits sentences, finds entity spans
and scores tone; ``entities`` and ``names`` resolve name variants; ``topics`` tags sentences from the
taxonomy and ``watchlist`` applies the user's names; ``dedupe`` groups copies of a story; ``batch`` turns
one batch of articles into rows; ``runners`` run batches here, in worker processes or on Dask;
``pipeline`` drives an ingest into the store; ``watch`` polls feeds and ingests what is new.

Nothing here imports ``monitor.read`` or ``monitor.present`` (tests/test_layout.py checks it); the
package imports nothing heavy on its own, so ``monitor.read`` can use ``names`` without loading spaCy.
"""
