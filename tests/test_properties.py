"""Properties over arbitrary text: edits rebuild the original; cleaning a cleaned text changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tamis.config import default_config
from tamis.document import Document, Edit
from tamis.edits import rebuild_original
from tamis.pipeline import Cleaner

# Realistic line material mixed with arbitrary Unicode, so both the model and the edge cases run.
_LINES = st.sampled_from([
    "Trang chủ", "Thời sự", "Bình luận (0)", "Chia sẻ", "© 2024 Báo Mới", "Tin cùng chuyên mục",
    "Giá xăng tăng mạnh từ chiều nay sau phiên điều chỉnh của liên bộ Công Thương - Tài chính.",
    "قال الوزير في بيان صحفي إن الحكومة ستواصل دعم المشاريع الصغيرة والمتوسطة خلال العام المقبل.",
    "The council approved the new budget on Tuesday after a long debate about school funding.",
    "今天上午，市政府召开新闻发布会，介绍了今年上半年经济运行情况。", "Home | News | Sport", "", "   ",
    "cafÃ© â€” menu", "e\u0301te\u0301\r", "\x00\x1f\ufeff",
])
_DOC = st.lists(st.one_of(_LINES, st.text(max_size=80)), max_size=25).map("\n".join)


@pytest.fixture(scope="module")
def cleaner():
    return Cleaner(default_config())


def _clean(cleaner: Cleaner, text: str):
    return cleaner.process_one(Document(id="d", text=text)).record


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_DOC)
def test_original_is_rebuilt_exactly(cleaner, text):
    rec = _clean(cleaner, text)
    assert rebuild_original(rec["text"], [Edit.from_json(e) for e in rec["edits"]]) == text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_DOC)
def test_cleaning_is_idempotent(cleaner, text):
    once = _clean(cleaner, text)["text"]
    assert _clean(cleaner, once)["text"] == once
