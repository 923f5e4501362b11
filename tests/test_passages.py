"""Repeated passages inside lines (`duplicate-passage`): the later copy goes, the document stays.

Every text here was written for these tests; nothing is copied from ../shared.
"""

from __future__ import annotations

import copy

import pytest

from tamis.config import load_config
from tamis.document import Document, Edit
from tamis.edits import rebuild_original
from tamis.pipeline import Cleaner
from tamis.policy.passages import repeated_passages
from tamis.segment.lines import split_lines
from tamis.segment.words import count_words

LEAD = ("Hơn 27 năm kể từ khi thành lập, APEC tiếp tục khẳng định vị thế là diễn đàn hợp tác kinh tế "
        "hàng đầu ở khu vực châu Á - Thái Bình Dương.")
BODY = [
    "Năm nay, Việt Nam đăng cai tổ chức Năm APEC lần thứ hai, với hàng trăm hội nghị và sự kiện diễn ra tại nhiều địa phương.",
    "Các nhà lãnh đạo sẽ gặp nhau tại Đà Nẵng vào tháng 11, sau một năm chuẩn bị kỹ lưỡng của các bộ, ngành.",
    "Theo Bộ Ngoại giao, chủ đề năm nay tập trung vào tăng trưởng bền vững, đổi mới sáng tạo và hội nhập kinh tế khu vực.",
    "Ngoài các phiên họp chính thức, hàng nghìn doanh nghiệp sẽ tham dự hội nghị thượng đỉnh doanh nghiệp bên lề.",
    "Thành phố Đà Nẵng đã chỉnh trang nhiều tuyến đường, bờ biển và trung tâm hội nghị để đón tiếp các đoàn khách quốc tế.",
    "Giới chuyên gia đánh giá đây là cơ hội lớn để quảng bá hình ảnh đất nước và thu hút thêm vốn đầu tư nước ngoài.",
    "Trong tuần lễ cấp cao, lực lượng an ninh sẽ được tăng cường tại sân bay, khách sạn và các địa điểm tổ chức sự kiện.",
    "Người dân được khuyến cáo theo dõi thông báo phân luồng giao thông để chủ động lựa chọn lộ trình di chuyển phù hợp.",
    "Ban tổ chức cho biết công tác chuẩn bị cơ bản đã hoàn tất và sẵn sàng cho các hoạt động trong thời gian tới.",
]

def _passages(text: str, min_line_chars: int = 1000, min_chars: int = 50):
    lines, starts = split_lines(text)
    return repeated_passages(text, starts, lines, [True] * len(lines), ".!?…", min_chars, min_line_chars)


def _spans(text: str, **kw):
    spans, whole = _passages(text, **kw)
    assert not whole
    return spans


def _removed(text: str, **kw) -> list[str]:
    return [text[s:e] for s, e, _, _ in _spans(text, **kw)]


def test_a_lead_repeated_inside_the_body_line_goes_and_the_rest_stays():
    body = "(Nhấp chuột để xem ảnh cỡ lớn) " + LEAD + " " + " ".join(BODY)
    assert len(body) >= 1000
    text = LEAD + "\n" + body
    spans = _spans(text)
    assert [text[s:e] for s, e, _, _ in spans] == [LEAD + " "]
    s, e, reason, values = spans[0]
    assert reason == "duplicate-passage" and values == {"first_line": 0, "words": count_words(LEAD)}
    assert text[:s].endswith("(Nhấp chuột để xem ảnh cỡ lớn) ") and text[e:] == " ".join(BODY)


def test_a_body_pasted_twice_in_one_line_keeps_one_copy():
    once = " ".join(BODY)
    text = "Tin trong nước\n" + once + " " + once
    assert _removed(text) == [" " + once]


def test_only_whole_sentences_go():
    once = " ".join(BODY)
    # The second copy starts inside a sentence ("Theo báo cáo, Năm nay, ..."): its first sentence
    # stays, the following whole sentences go. A repeat shorter than the minimum stays.
    text = once + " Theo báo cáo, " + once
    assert _removed(text) == [" " + " ".join(BODY[1:])]
    assert _removed(once + " " + BODY[0], min_chars=200) == []


def test_a_quoted_word_is_not_a_sentence_end():
    said = 'Một số nhà bình luận nói rằng từ "tự do" xuất hiện trong hiến pháp nhiều hơn bất kỳ danh từ nào khác.'
    again = 'Các nhà phê bình cho rằng từ "tự do" xuất hiện trong hiến pháp nhiều hơn bất kỳ danh từ nào khác.'
    assert _removed(said + " " + " ".join(BODY) + " " + again + " Hết.") == []


def test_a_number_is_not_a_sentence_end():
    first = "Giá xăng RON 95 tăng thêm 3.5 nghìn đồng mỗi lít từ chiều nay theo quyết định của liên bộ Công Thương và Tài chính"
    text = first + ". " + " ".join(BODY) + " Theo thông báo, giá xăng RON 95 tăng thêm 3.5 nghìn đồng mỗi lít từ chiều nay theo quyết định của liên bộ Công Thương và Tài chính. Hết."
    # The repeat starts mid-sentence ("Theo thông báo, giá ..."): nothing is a whole repeated sentence.
    assert _removed(text) == []


def test_short_lines_keep_their_repeats_and_lines_filled_with_copies_go_whole():
    once = " ".join(BODY)
    # In an ordinary paragraph a repeat is as often a pull quote as a copy: lines under the bound keep it.
    short = BODY[0] + " " + BODY[1] + " " + BODY[0]
    assert len(short) < 1000 and _removed(short) == []
    assert _removed(short, min_line_chars=100) == [" " + BODY[0]]
    # A line that copies fill entirely (here from two places of the text) goes whole, as a line.
    spans, whole = _passages(once + "\n" + BODY[2] + " " + BODY[3], min_line_chars=0)
    assert spans == [] and whole == {1: {"first_line": 0, "words": count_words(BODY[2] + " " + BODY[3])}}


@pytest.fixture(scope="module")
def cleaner() -> Cleaner:
    return Cleaner(load_config())


def test_the_document_is_kept_and_rebuilt_byte_for_byte(cleaner):
    once = " ".join(BODY)
    original = "Tin trong nước\n" + once + "  " + once + "\n"
    [res] = cleaner.process([Document(id="twice", text=original)])
    assert res.kind == "kept", res.record.get("reasons")
    assert res.record["text"].count(BODY[4]) == 1
    edits = [Edit.from_json(e) for e in res.record["edits"]]
    assert "duplicate-passage" in {e.reason for e in edits}
    assert rebuild_original(res.record["text"], edits) == original
    # Cleaning the cleaned text changes nothing.
    [again] = cleaner.process([Document(id="again", text=res.record["text"])])
    assert again.record["text"] == res.record["text"]
    assert not [e for e in again.record["edits"] if e["reason"] == "duplicate-passage"]


def test_a_body_pasted_again_as_one_line_goes_whole_without_a_blank_line(cleaner):
    # The body with its paragraph breaks and a caption between them, then pasted again as one line.
    p1, p2 = " ".join(BODY[:5]), " ".join(BODY[5:])
    original = "\n".join(["Tin trong nước", p1, "", p2, "", p1 + " " + p2, "", "Hết."])
    assert len(p1 + " " + p2) >= 1000
    [res] = cleaner.process([Document(id="again", text=original)])
    assert res.kind == "kept"
    assert res.record["text"].count(BODY[6]) == 1 and "\n\n\n" not in res.record["text"]
    edits = [Edit.from_json(e) for e in res.record["edits"]]
    assert [e.reason for e in edits if e.reason == "duplicate-passage"] == ["duplicate-passage"]
    assert rebuild_original(res.record["text"], edits) == original
    [again] = cleaner.process([Document(id="again2", text=res.record["text"])])
    assert again.record["text"] == res.record["text"]


def test_without_repair_the_repetition_rules_reject_it():
    once = " ".join(BODY)
    config = load_config()
    config["policy"] = copy.deepcopy(config["policy"])
    config["policy"]["lines"]["remove_duplicate_passages"] = False
    [res] = Cleaner(config).process([Document(id="twice", text="Tin trong nước\n" + once + " " + once)])
    assert res.kind == "rejected"
    assert any(r["rule"].startswith("max_dup_") for r in res.record["reasons"])
