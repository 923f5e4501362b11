"""The scoreboard's scoring rules (bench/scoreboard/metrics.py): line matching and counts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scoreboard.metrics import (  # noqa: E402
    Counts,
    LineScores,
    count_sentences,
    kept_flags,
    kept_shares,
    line_key,
    score_page,
)

C, B, T, U = "content", "boilerplate", "title", "unknown"


def test_keep_everything_has_full_recall_and_content_share_as_precision():
    lines = ["Home", "First paragraph.", "Second paragraph.", "Footer"]
    labels = [B, C, C, B]
    counts, unmatched = score_page(lines, labels, "\n".join(lines))
    assert (counts.tp, counts.fp, counts.fn, counts.tn) == (2, 2, 0, 0)
    assert counts.recall == 1.0
    assert counts.precision == 0.5
    assert counts.f1 == pytest.approx(2 / 3)
    assert unmatched == 0


def test_perfect_cleaner_scores_one():
    lines = ["Menu", "Body one.", "Body two.", "Share"]
    counts, _ = score_page(lines, [B, C, C, B], "Body one.\nBody two.")
    assert counts.precision == counts.recall == counts.f1 == 1.0
    assert counts.tn == 2


def test_rejected_document_counts_every_line_removed():
    counts, unmatched = score_page(["Menu", "Body."], [B, C], None)
    assert (counts.tp, counts.fp, counts.fn, counts.tn) == (0, 0, 1, 1)
    assert counts.precision is None  # nothing kept: undefined, shown as "–"
    assert counts.f1 == 0.0
    assert unmatched == 0


def test_title_and_unknown_lines_are_not_scored():
    counts, _ = score_page(["Title", "?", "Body."], [T, U, C], "Title\n?\nBody.")
    assert counts.lines == 1 and counts.tp == 1


def test_lines_match_after_strip_and_in_any_order():
    flags, unmatched = kept_flags(["  Body one. ", "Body two."], [C, C], "Body two.\n\n   Body one.")
    assert flags == [True, True]
    assert unmatched == 0


def test_invisible_format_characters_and_whitespace_runs_do_not_break_a_match():
    assert line_key("\u200bNot a flagship") == "Not a flagship"
    assert line_key("a \t  b") == "a b"
    assert line_key("Cafe\u0301") == line_key("Café")  # NFC
    flags, _ = kept_flags(["\u200bNot a flagship"], [C], "Not a flagship")
    assert flags == [True]


def test_a_changed_line_counts_as_removed_and_is_reported_unmatched():
    flags, unmatched = kept_flags(["Body one.", "Body two."], [C, C], "Body one!\nBody two.")
    assert flags == [False, True]
    assert unmatched == 1


def test_repeated_line_kept_once_goes_to_the_earliest_content_copy():
    lines = ["Lead paragraph.", "Body.", "Lead paragraph.", "Lead paragraph."]
    labels = [B, C, C, C]
    flags, _ = kept_flags(lines, labels, "Lead paragraph.\nBody.")
    assert flags == [False, True, True, False]


def test_repeated_line_kept_more_often_than_content_copies_then_fills_unscored_before_boilerplate():
    lines = ["Same", "Same", "Same", "Same"]
    labels = [B, U, C, B]
    flags, _ = kept_flags(lines, labels, "Same\nSame")
    assert flags == [False, True, True, False]
    counts, _ = score_page(lines, labels, "Same\nSame")
    assert (counts.tp, counts.fp, counts.tn) == (1, 0, 2)


def test_output_with_more_copies_than_the_page_reports_the_surplus():
    flags, unmatched = kept_flags(["Body."], [C], "Body.\nBody.\nBody.")
    assert flags == [True]
    assert unmatched == 2


def test_counts_are_micro_averaged_over_pages_and_grouped():
    scores = LineScores()
    scores.add("wcxb", "en", Counts(tp=9, fp=1, fn=0, tn=0))
    scores.add("trafilatura", "de", Counts(tp=0, fp=0, fn=10, tn=0))
    all_ = scores.groups[("all",)]
    assert (all_.tp, all_.fp, all_.fn) == (9, 1, 10)
    assert all_.precision == pytest.approx(0.9)
    assert all_.recall == pytest.approx(9 / 19)  # not the mean of the per-page recalls (0.5)
    out = scores.to_json()
    assert out["source/wcxb"]["f1"] == pytest.approx(2 * 9 / (18 + 1), abs=1e-4)  # rounded to 4 places
    assert out["lang/de"]["recall"] == 0.0
    assert out["source/lang/trafilatura/de"]["pages"] == 1


def test_f1_is_undefined_without_content_lines():
    assert Counts(fp=3, tn=2).f1 is None
    assert Counts(fp=3, tn=2).recall is None


def test_sentence_count_splits_on_terminal_punctuation_and_line_breaks():
    assert count_sentences("One two three. Four five six! Seven eight nine?") == 3
    assert count_sentences("Một hai ba bốn. Năm sáu bảy tám.") == 2
    assert count_sentences("قال الوزير اليوم إن المشروع اكتمل؟ وأضاف أن العمل مستمر.") == 2
    assert count_sentences("first line of words\nsecond line of words") == 2


def test_sentence_count_ignores_stubs_and_decimal_points():
    assert count_sentences("Theo VTC14") == 0  # fewer than 3 words
    assert count_sentences("The index fell 1.55 percent today.") == 1
    assert count_sentences("") == 0


def test_kept_shares_over_all_documents_and_real_articles():
    long = "A b c. D e f. G h i."
    docs = [("1", long), ("2", long), ("3", "stub text"), ("4", long)]
    shares = kept_shares(docs, kept_ids={"1", "3"})
    assert shares["all"].to_json() == {"docs": 4, "kept": 2, "share": 0.5}
    assert shares[">=3 sentences"].docs == 3
    assert shares[">=3 sentences"].kept == 1
