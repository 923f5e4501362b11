"""Lines and words: the per-line word counts the pipeline uses agree with counting line by line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from tamis.segment.lines import line_key, split_lines
from tamis.segment.words import count_words, line_word_counts, tokenize

TEXTS = [
    "",
    "\n",
    "Hà Nội mở ba tuyến xe buýt.\n\nGiá vé 9.000 đồng - a-lô!\n",
    "أعلنت الوزارة، اليوم؛ عن خطة\nجديدة؟ نعم\n",
    "用Python写\n日本語のテキスト\u0301です\n",
    "don't stop\n-start- 'quoted'\n\u0301mark first\n😀 emoji\n",
]


@pytest.mark.parametrize("text", TEXTS)
def test_line_word_counts_match_count_words(text):
    lines, starts = split_lines(text)
    assert line_word_counts(text, starts) == [count_words(x) for x in lines]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab é\n-'’.,،日本\u0301\u0e01 \t😀")), max_size=60))
def test_line_word_counts_match_count_words_on_any_text(text):
    lines, starts = split_lines(text)
    assert line_word_counts(text, starts) == [count_words(x) for x in lines]


def test_tokens_of_the_same_text_are_shared_and_read_only():
    text = "Một câu ngắn. Hai câu ngắn."
    tok = tokenize(text)
    assert tokenize("".join([text])) is tok
    with pytest.raises(ValueError):
        tok.cls[0] = 0
    assert tokenize("khác") is not tok


@pytest.mark.parametrize("line, key", [("  Hà  Nội\t", "hà nội"), ("A\u00a0B", "a b"), ("x\x1cy", "x\x1cy"),
                                       ("\x1c x \x1f", "x"), ("ẞtraße", "sstrasse"), ("", "")])
def test_line_key_collapses_white_space_and_casefolds(line, key):
    import regex

    assert line_key(line) == key == regex.sub(r"\s+", " ", line).strip().casefold()
