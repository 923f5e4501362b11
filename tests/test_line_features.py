"""Per-line features of the content/boilerplate scorer, on hand-written lines.

Every line here was written for these tests; nothing is copied from ../shared.
"""

from __future__ import annotations

import numpy as np
import pytest

from tamis.signals.line_features import BLANK_FEATURE, FEATURE_NAMES, MISSING, line_features, normalize_lang

F = {name: i for i, name in enumerate(FEATURE_NAMES)}

VI_NAV = "Trang chủ | Thời sự | Thế giới | Kinh doanh"
VI_BODY = ("Chiều qua, hàng nghìn người dân đã đổ về quảng trường trung tâm để xem màn trình diễn pháo hoa, "
           "khiến nhiều tuyến đường quanh khu vực bị ùn tắc kéo dài hơn hai giờ.")
VI_BYLINE = "Thứ hai, 3/6/2024, 08:15 (GMT+7)"
VI_COMMENTS = "Bình luận (0)"
AR_BODY = ("أعلنت وزارة التعليم اليوم عن خطة جديدة لتطوير المناهج الدراسية في المدارس الحكومية، "
           "على أن يبدأ تطبيقها مع بداية العام الدراسي المقبل.")
AR_SHARE = "شارك هذا الخبر"
ZH_BODY = "我们明天早上八点在学校门口集合，然后一起坐公共汽车去博物馆参观。"
EN_BODY = ("The council voted on Tuesday to extend the bicycle lane along the river, a project that residents "
           "have requested for almost a decade.")


def row(lines: list[str], lang: str | None, i: int) -> dict[str, float]:
    X = line_features(lines, lang)
    return {name: float(X[i, j]) for name, j in F.items()}


def test_shape_dtype_and_names() -> None:
    X = line_features([VI_NAV, VI_BODY, VI_COMMENTS], "vi")
    assert X.shape == (3, len(FEATURE_NAMES))
    assert X.dtype == np.float32
    assert len(set(FEATURE_NAMES)) == len(FEATURE_NAMES)
    assert np.isfinite(X).all()


def test_empty_document_and_blank_lines() -> None:
    assert line_features([], "en").shape == (0, len(FEATURE_NAMES))
    X = line_features(["", "   ", ""], "en")
    assert not X.any()
    X = line_features([EN_BODY, "", "Share"], "en")
    assert not X[1].any() and X[0, BLANK_FEATURE] > 0


def test_blank_lines_do_not_change_context() -> None:
    lines = [VI_NAV, VI_BYLINE, VI_BODY, VI_BODY + " Thêm một câu.", VI_COMMENTS]
    with_blanks = [lines[0], "", lines[1], lines[2], "", "", lines[3], lines[4]]
    dense = line_features(lines, "vi")
    sparse = line_features(with_blanks, "vi")
    np.testing.assert_array_equal(sparse[[0, 2, 3, 6, 7]], dense)


def test_navigation_line_looks_like_interface_text() -> None:
    nav = row([VI_NAV, VI_BODY], "vi", 0)
    body = row([VI_NAV, VI_BODY], "vi", 1)
    assert nav["frac_sep"] > 0 and body["frac_sep"] == 0
    assert nav["ui_phrase"] > 0  # opens with "Trang chủ" (home)
    assert nav["ends_term"] == 0 and body["ends_term"] == 1
    assert body["log_words"] > nav["log_words"]
    assert body["stop_frac"] > 0.1
    assert body["commas_per_word"] > 0


def test_counters_dates_and_teasers() -> None:
    lines = [VI_BYLINE, VI_COMMENTS, "Xem thêm...", "Giá vàng hôm nay tăng mạnh…"]
    X = line_features(lines, "vi")
    byline, comments, more, teaser = (dict(zip(FEATURE_NAMES, X[i])) for i in range(4))
    assert byline["n_digit_sep"] >= 2 and byline["n_digit_colon"] >= 1
    assert comments["n_paren_num"] == 1 and comments["ends_digit"] == 1 and comments["ends_close"] == 1
    assert comments["ui_phrase"] > 0.5
    assert more["ends_ellipsis"] == 1 and more["ends_term"] == 0
    assert teaser["ends_ellipsis"] == 1


def test_arabic_sentence_and_share_prompt() -> None:
    body = row([AR_SHARE, AR_BODY], "ar", 1)
    share = row([AR_SHARE, AR_BODY], "ar", 0)
    assert body["ends_term"] == 1 and body["stop_frac"] > 0.05
    assert body["commas_per_word"] > 0  # the Arabic comma counts
    assert share["ui_phrase"] == pytest.approx(1.0)
    assert row(["ما رأيك في هذا الموضوع؟"], "ar", 0)["ends_term"] == 1  # Arabic question mark


def test_chinese_counts_characters_as_words() -> None:
    r = row([ZH_BODY], "zh", 0)
    han = sum(1 for c in ZH_BODY if "\u4e00" <= c <= "\u9fff")
    assert r["log_words"] == pytest.approx(np.log1p(han), rel=1e-5)
    assert r["frac_unspaced"] == pytest.approx(1.0)
    assert r["ends_term"] == 1  # 。
    assert r["stop_frac"] > 0  # 在, 然后 ... one-character stop words


def test_unknown_language_has_missing_stop_words() -> None:
    for lang in (None, "xx"):
        r = row([EN_BODY], lang, 0)
        assert r["stop_frac"] == MISSING and r["doc_stop_frac"] == MISSING
    assert row([EN_BODY], "en", 0)["stop_frac"] > 0.2


def test_english_patterns() -> None:
    lines = ["By Jane Doe | March 3, 2024", "Copyright © 2024 Example Media. All rights reserved.",
             "Contact: news@example.com or visit https://example.com/about", "Title Case Menu Item Here",
             "^ Smith, J. (2019). A study of rivers.", "Chapter one.......... 12"]
    X = line_features(lines, "en")
    r = [dict(zip(FEATURE_NAMES, x)) for x in X]
    assert r[0]["ui_phrase"] > 0 and r[0]["frac_sep"] > 0
    assert r[1]["n_copyright"] == 1 and r[1]["ui_phrase"] > 0
    assert r[2]["n_email"] == 1 and r[2]["n_url"] == 1 and r[2]["n_domain"] >= 2
    assert r[3]["cap_word_frac"] == 1.0
    assert r[4]["ref_start"] == 1
    assert r[5]["n_repeat"] >= 8


def test_repetition_and_position() -> None:
    lines = ["Menu", EN_BODY, "Share", EN_BODY + " Again.", "Share"]
    X = line_features(lines, "en")
    assert X[2, F["log_dup"]] > 0 and X[2, F["dup_later"]] == 0 and X[4, F["dup_later"]] == 1
    assert X[0, F["prose_before"]] == 0 and X[0, F["prose_after"]] == 1
    assert X[4, F["prose_before"]] == 1 and X[4, F["prose_after"]] == 0
    assert X[1, F["log_dist_prose_up"]] == 0
    assert X[0, F["log_chars@-1"]] == MISSING and X[4, F["log_chars@+1"]] == MISSING
    assert X[1, F["log_chars@-1"]] == X[0, F["log_chars"]]


def test_odd_characters_do_not_break_it() -> None:
    lines = ["🔥🔥 Hot deals 🔥", "\t tab\tseparated\t", "𠀀𠀁 rare Han", "'", "\u200b", "broken \ud800 surrogate",
             "İSTANBUL Haberleri"]  # lower-casing "İ" makes the text longer
    X = line_features(lines, "tr")
    assert X.shape == (7, len(FEATURE_NAMES)) and np.isfinite(X).all()


@pytest.mark.parametrize(("code", "expected"), [
    ("vi", "vi"), ("vie_Latn", "vi"), ("zh-Hans", "zh"), ("arb", "ar"), ("EN", "en"), (None, None), ("", None),
])
def test_normalize_lang(code: str | None, expected: str | None) -> None:
    assert normalize_lang(code) == expected


def test_long_paragraph_stop_words_are_estimated_from_its_start() -> None:
    sentence = "the cat sat on the mat and the dog lay by the door "
    long = (sentence * 30).strip() + "."
    X = line_features([long, "Home"], "en")
    i = FEATURE_NAMES.index("stop_frac")
    short = line_features([(sentence * 3).strip() + ".", "Home"], "en")
    assert abs(X[0, i] - short[0, i]) < 0.05  # the same share, counted on the first words only


def test_caption_credits_and_alt_text_are_marked() -> None:
    lines = [
        "Xe buýt điện chạy thử trên đường ven biển sáng 18/7. Ảnh: Minh Quân.",
        "xe buyt dien chay thu anh 1",
        "A heron waits for fish at dawn on the lake shore. (Source: AFP)",
        "志愿者为老人送餐上门。记者 王明 摄",
        "Photography is a hobby that many people in the town share with their friends.",
        "摄影",
    ]
    X = line_features(lines, None)
    assert X[:, FEATURE_NAMES.index("credit_end")].tolist() == [1, 1, 1, 1, 0, 0]
