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
