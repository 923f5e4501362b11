import unicodedata

from tamis.edits import rebuild_original
from tamis.normalize.unicode import NormalizeConfig, normalize_text


def test_mojibake_is_repaired_and_recorded():
    text, edits = normalize_text("The cafÃ© opens at nine â€” come early.")
    assert text == "The café opens at nine — come early."
    assert [e.reason for e in edits] == ["unicode-repair"]
    assert "mojibake" in edits[0].values["fixes"]


def test_decomposed_vietnamese_becomes_nfc_with_a_minimal_edit():
    nfd = unicodedata.normalize("NFD", "Hà Nội mùa thu")
    text, edits = normalize_text(nfd)
    assert text == "Hà Nội mùa thu"
    assert all(len(e.orig) <= len(nfd) for e in edits)
    assert rebuild_original(text, edits) == nfd


def test_control_characters_and_line_ends():
    original = "\ufeffTitle\r\nBody\x00 text\rEnd"
    text, edits = normalize_text(original)
    assert text == "Title\nBody text\nEnd"
    assert rebuild_original(text, edits) == original


def test_legitimate_latin1_text_is_untouched():
    for line in ["Voilà\u00a0! Le café de la gare.", "Thủ tướng Phạm Minh Chính", "Ã là chữ cái tiếng Việt"]:
        assert normalize_text(line) == (line, [])


def test_repairs_can_be_switched_off():
    cfg = NormalizeConfig(repair_mojibake=False, remove_control_chars=False, nfc=False)
    assert normalize_text("cafÃ©\x00", cfg) == ("cafÃ©\x00", [])


def test_arabic_and_bidi_marks_are_kept():
    line = "قال\u200f الوزير\u200c إن"
    assert normalize_text(line) == (line, [])


def test_suspect_check_is_the_pattern():
    from hypothesis import given, settings, strategies as st

    from tamis.normalize.unicode import _SUSPECT, _suspect

    chars = st.sampled_from(list("aàâêô\u00c3\u00e2\u00c2\u00f4\u00f5\u0080\u009f\u00a9\u00bf\u201c\u201d\u2013\u20ac"
                                 "&#x;amp0129[\x1b Đ“"))

    @settings(max_examples=2000, deadline=None)
    @given(st.text(alphabet=chars, max_size=12))
    def same(text):
        assert _suspect(text) == (_SUSPECT.search(text) is not None)

    same()
    assert _suspect("Hà Nội “mở” tuyến") is False  # curly quotes after ordinary letters
    assert _suspect("Ã© cafÃ©") and _suspect("a &amp; b") and _suspect("x\u0085y")
