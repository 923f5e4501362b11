"""decide_lines: how line scores, repeats and blocks become removals (tamis.policy.lines)."""

from __future__ import annotations

from tamis.config import default_config
from tamis.policy.lines import LineSignals, decide_lines

CFG = default_config()["policy"]["lines"]


def _sig(scores: list[float]) -> LineSignals:
    n = len(scores)
    return LineSignals(scores, [""] * n, [0.0] * n, [10] * n)


def _reasons(out: list) -> list:
    return [d and d[0] for d in out]


def test_low_scored_copy_of_a_kept_line_is_named_a_duplicate() -> None:
    lines = ["Thành phố khởi công cầu đi bộ mới bắc qua sông lớn", "Menu",
             "Thành phố khởi công cầu đi bộ mới bắc qua sông lớn"]
    out = decide_lines(lines, _sig([0.9, 0.1, 0.2]), "vi", CFG, 0.5)
    assert _reasons(out) == [None, "trailing-block", "duplicate-line"]
    assert out[2][1] == {"first_line": 0, "run": 1}


def test_text_without_chrome_loses_nothing_to_the_score() -> None:
    verse = ["Chiều về trên cánh đồng xa", "Lúa vàng trải kín đường ra bến đò", "Mẹ về nghiêng nón, câu hò",
             "Vọng sang bờ bãi, cánh cò bay theo", "Sân nhà rơm rạ vàng reo"]
    assert _reasons(decide_lines(verse, _sig([0.3, 0.2, 0.35, 0.6, 0.4]), "vi", CFG, 0.5)) == [None] * 5
    page = ["Trang chủ"] + verse
    assert _reasons(decide_lines(page, _sig([0.01, 0.3, 0.2, 0.35, 0.6, 0.4]), "vi", CFG, 0.5)) == [
        "leading-block", "leading-block", "leading-block", "leading-block", None, "trailing-block"]


def test_body_pasted_twice_keeps_the_first_copy_whole() -> None:
    body = ["Đoạn đầu tiên của bài viết này khá dài, đủ để được coi là một đoạn văn.",
            "Đoạn thứ hai của bài viết cũng dài không kém, kể tiếp câu chuyện ở trên.",
            "Đoạn thứ ba kết thúc bài viết bằng một nhận định của tác giả về sự việc."]
    out = decide_lines(body + body, _sig([0.8, 0.7, 0.9, 0.95, 0.9, 0.6]), "vi", CFG, 0.5)
    assert _reasons(out) == [None, None, None, "duplicate-line", "duplicate-line", "duplicate-line"]
    assert [d[1]["first_line"] for d in out[3:]] == [0, 1, 2]


def test_short_repeats_are_left_to_the_score() -> None:
    lines = ["Giá vàng hôm nay", "Một câu văn dài của bài báo kể lại sự việc xảy ra hôm qua.", "Giá vàng hôm nay"]
    out = decide_lines(lines, _sig([0.9, 0.9, 0.9]), "vi", CFG, 0.5)
    assert len(lines[0]) < CFG["min_duplicate_chars"]
    assert _reasons(out) == [None, None, None]
