"""Scoring the lines of a whole batch at once gives every document exactly what it gets alone.

`Cleaner.process` computes the first pass of line features and scores for all documents of a batch
in one go (`line_features_many`, `LineModel.score(..., sizes)`). Output must not depend on which
documents share a batch, so the batched values are compared for exact equality with one call per
document, on the bundled sample corpus and on generated documents.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tamis.pipeline as pipeline
from tamis.config import load_config
from tamis.document import Document
from tamis.pipeline import Cleaner
from tamis.segment.lines import split_lines
from tamis.signals.line_features import FEATURE_NAMES, line_features, line_features_many
from tamis.signals.line_model import LineModel

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample" / "docs"
F = {name: i for i, name in enumerate(FEATURE_NAMES)}


def _sample_docs() -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(SAMPLE.glob("*.txt"))]


def _lines(text: str) -> list[str]:
    return split_lines(text)[0]


def _singles(docs: list[list[str]], lang: str | None) -> np.ndarray:
    parts = [line_features(d, lang) for d in docs]
    return np.concatenate(parts) if parts else np.zeros((0, len(FEATURE_NAMES)), dtype=np.float32)


@pytest.mark.parametrize("lang", ["vi", "ar", "en", "zh", None])
def test_features_of_the_sample_corpus_batched_equal_one_by_one(lang: str | None) -> None:
    docs = [_lines(text) for _, text in _sample_docs()]
    assert len(docs) >= 12 and all(len(d) > 3 for d in docs)
    np.testing.assert_array_equal(line_features_many(docs, lang), _singles(docs, lang))
    # Any grouping, including a document alone and documents with blank or no lines between others.
    mixed = [docs[0], [], ["", "   "], docs[1][:1], docs[2] + ["", ""] + docs[3], docs[4]]
    np.testing.assert_array_equal(line_features_many(mixed, lang), _singles(mixed, lang))


def test_context_never_crosses_a_document_boundary() -> None:
    menu = ["Trang chủ", "Thời sự", "Thế giới"]
    body = ["Chiều qua, hàng nghìn người dân đã đổ về quảng trường trung tâm để xem pháo hoa rất đẹp."] * 2
    X = line_features_many([menu, body, menu], "vi")
    # The same menu line in two documents is not a repeat; the body line repeated in its own is.
    assert X[0, F["log_dup"]] == 0 and X[5, F["log_dup"]] == 0
    assert X[3, F["log_dup"]] > 0 and X[4, F["dup_later"]] == 1
    # Neighbours beyond a document's edge are missing, as at a page's edge; runs of short lines stop there.
    assert X[2, F["log_chars@+1"]] == -1.0 and X[5, F["log_chars@-1"]] == -1.0
    assert X[2, F["short_run"]] == X[5, F["short_run"]] == pytest.approx(np.log1p(3))
    assert X[3, F["rel_index"]] == 0 and X[4, F["rel_index"]] == 1


# Characters, and whole phrases the features look for (a credit, an image label, a UI phrase, a
# character whose lower case is two characters), in any order.
_piece = st.one_of(st.sampled_from("ab ÁẢ.,:|–\u0130\u4e2d\u6587\u0627\u0644 0123\t"),
                   st.sampled_from(["ảnh:", "photo 1", "İstanbul", "share", "Trang chủ", "(AFP)", " ", "摄"]))
_line = st.lists(_piece, max_size=12).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_line, max_size=8), max_size=6), st.sampled_from(["vi", "en", "zh", None]))
def test_features_batched_equal_one_by_one_for_any_lines(docs: list[list[str]], lang: str | None) -> None:
    docs = [[x.replace("\n", " ") for x in d] for d in docs]
    np.testing.assert_array_equal(line_features_many(docs, lang), _singles(docs, lang))


def test_scores_batched_equal_one_by_one() -> None:
    model = LineModel.load()
    docs = [_lines(text) for _, text in _sample_docs()]
    # Short texts that skip the second stage, and longer ones that use it, in one batch.
    docs += [docs[0][:1], [], docs[1][:2], [""] + docs[2][:5], []]
    sizes = [len(d) for d in docs]
    batched = model.score(line_features_many(docs, "vi"), sizes)
    alone = np.concatenate([model.score(line_features(d, "vi")) for d in docs])
    np.testing.assert_array_equal(batched, alone)
    with pytest.raises(ValueError, match="add up"):
        model.score(line_features_many(docs, "vi"), sizes[1:])


def _results(cleaner: Cleaner, docs: list[Document]) -> list[tuple]:
    return [(r.kind, r.record, r.signals) for r in cleaner.process(docs)]


def test_a_batch_is_cleaned_as_its_documents_are_alone(monkeypatch) -> None:
    cleaner = Cleaner(load_config())
    docs = [Document(id=name, text=text) for name, text in _sample_docs()]
    docs.insert(3, Document(id="empty", text=""))
    # The batched pass does run: every document with a line gets its first scores from it.
    first = cleaner._first_pass(docs)
    assert sorted(first) == list(range(len(docs)))
    assert all((p.first_scores is not None) == bool(p.nonblank) for p in first.values())
    batched = _results(cleaner, docs)
    alone = [_results(cleaner, [d])[0] for d in docs]
    assert batched == alone
    assert {kind for kind, _, _ in batched} >= {"kept"}

    # If the batched pass fails, every document is cleaned on its own: the same results.
    def broken(*args, **kwargs):
        raise MemoryError("no room for the batch")

    monkeypatch.setattr(pipeline, "line_features_many", broken)
    assert _results(cleaner, docs) == batched
