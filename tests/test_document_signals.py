"""Document signals and the script-aware word splitter they stand on."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tamis.lang_data import available, lang_data
from tamis.segment.words import count_words, tokenize, word_hashes, words
from tamis.signals import document as D
from tamis.signals.document import SIGNALS, document_signals


def sig(text, lang, kept_lines=None, original_chars=None):
    lines = sum(1 for x in text.split("\n") if x.strip())
    return document_signals(text, original_chars or len(text), kept_lines or lines, lines, 0.97, lang)


# --- words -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("Hà Nội mưa to, ngập nhiều tuyến phố.", ["Hà", "Nội", "mưa", "to", "ngập", "nhiều", "tuyến", "phố"]),
    ("قال الوزير، في مؤتمر صحفي؛ هل ستنخفض الأسعار؟", ["قال", "الوزير", "في", "مؤتمر", "صحفي", "هل", "ستنخفض", "الأسعار"]),
    ("北京今天下雨。", ["北", "京", "今", "天", "下", "雨"]),
    ("用Python写代码", ["用", "Python", "写", "代", "码"]),
    ("don't stop Al-Riyadh's a-lô", ["don't", "stop", "Al-Riyadh's", "a-lô"]),
    ("ที่นี่", ["ที่", "นี่"]),  # Thai vowel and tone marks stay on their consonant
    ("می‌شود", ["می‌شود"]),  # Persian: the zero-width non-joiner is inside the word
    ("-- 'quoted' 2017 6/2", ["quoted", "2017", "6", "2"]),
])
def test_words_per_script(text, expected):
    assert words(text) == expected
    assert count_words(text) == len(expected)


_MIXED = st.text(alphabet=st.sampled_from(list("ab Zé-'’.,!?\n\t0129") + list("中文。ไทย่ال،؟") + ["\u0301", "\u064e", "😀"]),
                 max_size=60)


@given(_MIXED)
@settings(max_examples=300, deadline=None)
def test_numpy_tokenizer_agrees_with_the_regex(text):
    tok = tokenize(text)
    assert [text[a:b] for a, b in zip(tok.starts, tok.ends)] == words(text)


def test_word_hashes_ignore_case_only():
    tok = tokenize("Và và VÀ vá")
    h = word_hashes(tok)
    assert h[0] == h[1] == h[2] != h[3]


# --- language data -------------------------------------------------------------------------------


def test_language_data_files_load():
    for code in available():
        ld = lang_data(code)
        assert ld.name and ld.code == code
    assert {"vi", "ar", "en", "zh"} <= set(available())
    assert "của" in lang_data("vi").stopwords and "في" in lang_data("ar").stopwords
    assert "的" in lang_data("zh").stopwords
    assert lang_data("th").sentence_end is None  # Thai marks no sentence ends
    assert lang_data("xx").stopwords is None  # unknown language: defaults, no list


# --- signals -------------------------------------------------------------------------------------


def test_every_signal_is_documented_and_numeric():
    s = sig("Một câu ngắn.\nHai câu ngắn.\nBa câu ngắn.", "vi")
    assert set(s) == set(SIGNALS)
    assert all(v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in s.values())


def test_empty_document():
    s = document_signals("", 120, 0, 5, 0.0, "vi")
    assert s["chars"] == 0 and s["words"] == 0 and s["removed_char_frac"] == 1.0 and s["removed_line_frac"] == 1.0
    assert s["mean_word_chars"] is None and s["stop_word_frac"] is None


def test_sentences_in_glued_and_abbreviated_text():
    vi = "Giá xăng tăng.Người dân lo lắng về chi phí ở TP.HCM và Hà Nội. Lạm phát 3.5% năm nay!"
    assert sig(vi, "vi")["sentences"] == 3  # "tăng.Người" ends one; "TP.HCM" and "3.5" do not
    assert sig("他来了。我们走吧！好", "zh")["sentences"] == 2
    assert sig("ข่าววันนี้ ฝนตกหนัก", "th")["sentences"] is None


def test_uppercase_ratio_only_where_the_script_has_case():
    assert sig("BREAKING NEWS TODAY", "en")["upper_char_frac"] == 1.0
    assert sig("أعلنت الوزارة اليوم عن خطة جديدة", "ar")["upper_char_frac"] is None


def test_stop_words_per_language():
    s = sig("Đây là một trong những dự án lớn của thành phố và được người dân ủng hộ.", "vi")
    assert s["stop_words"] >= 6 and s["stop_word_frac"] > 0.3
    assert sig("ข่าววันนี้", "th")["stop_word_frac"] is None  # no usable list


def test_line_shape_signals_need_three_lines():
    one_line_body = "Dòng dẫn của bài.\n" + "Thân bài rất dài viết liền một dòng không xuống dòng " * 20
    s = sig(one_line_body, "vi")
    assert s["sentence_end_line_frac"] is None and s["short_line_frac"] is None
    s = sig("Trang chủ\nThời sự\nThế giới\nKinh doanh", "vi")
    assert s["sentence_end_line_frac"] == 0.0 and s["short_line_frac"] == 1.0
    assert s["newline_word_ratio"] == pytest.approx(3 / 8)


def test_bullets_and_ellipses():
    s = sig("• Một\n• Hai\n- Ba\nBốn…\nNăm...", "vi")
    assert s["bullet_line_frac"] == 0.6 and s["ellipsis_line_frac"] == 0.4


def test_repeated_lines_ignore_separators():
    s = sig("Đoạn văn thứ nhất.\n* * *\nĐoạn văn thứ hai.\n* * *\nĐoạn văn thứ nhất.", "vi")
    assert s["dup_line_frac"] == pytest.approx(1 / 3, abs=1e-4)  # "* * *" has no word: not counted


def test_a_body_pasted_twice_is_half_duplicated():
    body = "Hội đồng nhân dân thành phố đã thông qua kế hoạch xây dựng thêm ba cây cầu mới bắc qua sông trong năm tới. "
    s = sig(body + body, "vi")
    for n in D.DUP_NGRAM_SIZES:
        assert s[f"dup_{n}gram_char_frac"] == pytest.approx(0.5, abs=0.01)
    assert sig(body, "vi")["dup_5gram_char_frac"] == 0.0


def test_top_ngram_counts_only_repeats():
    s = sig("mua bán nhà đất giá rẻ " * 10, "vi")
    assert s["top_2gram_char_frac"] > 0.25
    assert sig("một hai ba bốn năm sáu bảy tám", "vi")["top_2gram_char_frac"] == 0.0


@given(st.lists(st.integers(0, 6), max_size=80))
@settings(max_examples=200, deadline=None)
def test_dup_ngram_fast_path_matches_the_sorting_path(seq):
    hashes = np.asarray(seq, dtype=np.uint64) * np.uint64(1000003) + np.uint64(7)
    lengths = np.asarray([1 + s % 3 for s in seq], dtype=np.int64)
    word_chars = int(lengths.sum())
    fast = D._ngram_signals(hashes, lengths, word_chars)
    small = D._SMALL
    try:
        D._SMALL = -1  # force the numpy path
        slow = D._ngram_signals(hashes, lengths, word_chars)
    finally:
        D._SMALL = small
    assert fast == slow


def test_mojibake_and_replacement_characters():
    assert sig("Việt Nam là một quốc gia ở Đông Nam Á.", "vi")["mojibake_char_frac"] == 0.0
    assert sig("Viá»‡t Nam lÃ  má»™t quá»‘c gia", "vi")["mojibake_char_frac"] > 0.2
    assert sig("Vi\ufffdt Nam l\ufffd m\ufffdt qu\ufffdc gia", "vi")["mojibake_char_frac"] > 0.1
    assert sig("São Paulo e Brasília são cidades.", "pt")["mojibake_char_frac"] == 0.0


def test_script_share():
    assert sig("Hà Nội và Sài Gòn", "vi")["script_share"] == 1.0
    assert sig("日本語のテキストです", "ja")["script_share"] == 1.0  # kana count with Han
    assert sig("abc абв αβγ", "en")["script_share"] == pytest.approx(1 / 3, abs=1e-3)


def test_known_signals_are_reused_only_for_the_same_text():
    text = "Một câu ngắn.\nHai câu ngắn.\nBa câu ngắn."
    real = sig(text, "vi")
    fake = {**real, "words": -1}

    def known_sig(t, score=0.97, kept=3):
        return document_signals(t, len(t), kept, 3, score, "vi", known=(text, fake))

    assert known_sig(text)["words"] == -1  # same text, line count and score: reused
    assert known_sig(text + " Bốn.")["words"] == real["words"] + 1  # another text: computed
    assert known_sig(text, score=0.5)["words"] == real["words"]  # another language score: computed
    assert known_sig(text, kept=2)["words"] == real["words"]  # another line count: computed
