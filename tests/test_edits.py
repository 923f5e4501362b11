"""Edits rebuild the original exactly, whatever normalization and line removals did."""

from hypothesis import given, settings
from hypothesis import strategies as st

from tamis.document import Edit
from tamis.edits import apply_edits, compose_edits, rebuild_original
from tamis.normalize.unicode import normalize_text

# Pieces that exercise every repair: CRLF/CR line ends, controls, BOM, mojibake, NFD, entities.
_PIECES = st.sampled_from(["a", "b", " ", "\n", "\r", "\r\n", "\t", "\x00", "\x85", "\ufeff", "é", "e\u0301",
                           "Ã©", "cafÃ© ", "â€”", "&amp;", "\x1b[", "ơ\u0300", "中", "ع"])
_TEXT = st.one_of(st.text(max_size=60), st.lists(_PIECES, max_size=40).map("".join))


def _line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.split("\n"):
        spans.append((pos, min(pos + len(line) + 1, len(text))))
        pos += len(line) + 1
    return [s for s in spans if s[1] > s[0]]


def test_apply_and_rebuild_are_inverse():
    original = "Home | News\nThe article.\nShare this"
    edits = [Edit(0, 12, "Home | News\n", "", "leading-block"), Edit(24, 35, "\nShare this", "", "trailing-block")]
    assert apply_edits(original, edits) == "The article."
    assert rebuild_original("The article.", edits) == original


@settings(max_examples=400, deadline=None)
@given(_TEXT, st.randoms(use_true_random=False))
def test_composed_edits_rebuild_the_original(original, rnd):
    normalized, norm_edits = normalize_text(original)
    assert apply_edits(original, norm_edits) == normalized
    assert rebuild_original(normalized, norm_edits) == original
    spans = _line_spans(normalized)
    removed = [(a, b, "boilerplate-line", {}) for a, b in spans if rnd.random() < 0.5]
    edits = compose_edits(norm_edits, removed, original, normalized)
    cleaned = apply_edits(original, edits)
    assert cleaned == "".join(normalized[a:b] for a, b in spans if (a, b, "boilerplate-line", {}) not in removed)
    assert rebuild_original(cleaned, edits) == original
    assert all(x.end <= y.start for x, y in zip(edits, edits[1:]))
