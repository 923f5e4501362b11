"""The per-code-point tables of tamis.dedup.normalize are built from a shortcut (assigned planes only,
candidate characters only); checked here against the plain definition over every code point."""

import unicodedata

import numpy as np
import pytest
import regex

from tamis.dedup.normalize import _CLASS_PATTERNS, DIGIT, IDEOGRAPH, LETTER, SEA, char_classes, fold_table

EVERYTHING = np.arange(0x110000, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")


def test_character_classes_equal_a_scan_of_every_code_point():
    expected = np.zeros(0x110000, dtype=np.uint8)
    for cls, pattern in _CLASS_PATTERNS:
        for m in regex.finditer(pattern, EVERYTHING):
            seg = expected[m.start() : m.end()]
            if cls in (IDEOGRAPH, SEA):
                seg[(seg == LETTER) | (seg == DIGIT)] = cls
            else:
                seg[:] = cls
    got = char_classes()
    assert np.array_equal(got, expected), [hex(c) for c in np.flatnonzero(got != expected)[:10]]


@pytest.mark.parametrize("casefold", [True, False])
def test_fold_table_equals_nfkc_of_each_code_point(casefold):
    expected = np.arange(0x110000, dtype=np.uint32)
    # every code point but unassigned, private use, surrogates, ideographs (nothing maps) and Hangul (left alone)
    for run in regex.finditer(r"[^\p{Cn}\p{Co}\p{Cs}\p{Unified_Ideograph}\p{Hangul}]+", EVERYTHING):
        for c in range(run.start(), run.end()):
            ch = chr(c)
            out = unicodedata.normalize("NFKC", ch)
            if casefold:
                out = unicodedata.normalize("NFKC", out.casefold())
            if len(out) == 1 and out != ch:
                expected[c] = ord(out)
    got = fold_table(casefold)
    assert np.array_equal(got, expected), [hex(c) for c in np.flatnonzero(got != expected)[:10]]
    assert got[ord("Ａ")] == (ord("a") if casefold else ord("A"))  # full-width letter
    assert got[0xFEF3] == 0x064A  # Arabic presentation form of yeh
