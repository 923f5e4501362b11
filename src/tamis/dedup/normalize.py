"""Character classes and text normalisation shared by the deduplication passes.

Everything works on arrays of code points (numpy uint32) so a whole batch of documents is
classified, folded and hashed in a few vectorised steps instead of a Python loop per character.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import numpy as np
import regex
import xxhash

from tamis.dedup.config import ExactConfig

# Character classes (values of `char_classes()`).
SPACE = 0  # whitespace, controls, unassigned: separates tokens
LETTER = 1  # letters, spacing marks, non-decimal numbers: part of a word
IDEOGRAPH = 2  # Han, kana, Bopomofo: one token per character
IGNORABLE = 3  # nonspacing/enclosing marks, format characters, tatweel: dropped before tokenising
SEA = 4  # Thai, Lao, Khmer, Myanmar (written without spaces): one token per character
PUNCT = 5  # punctuation and symbols
DIGIT = 6  # decimal digits: part of a word

# Token kind of each class: 0 = none, 1 = word character, 2 / 4 = a token by itself.
TOKEN_KIND = np.array([0, 1, 2, 0, 4, 0, 1], dtype=np.uint8)

_CLASS_PATTERNS = [  # later patterns override earlier ones
    (LETTER, r"[\p{L}\p{Mc}\p{N}]+"),
    (DIGIT, r"\p{Nd}+"),
    (PUNCT, r"[\p{P}\p{S}]+"),
    (IGNORABLE, r"[\p{Mn}\p{Me}\p{Cf}\u0640]+"),
    (IDEOGRAPH, r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Bopomofo}]+"),
    (SEA, r"[\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]+"),
]


# Planes 4-13 hold no assigned character (Unicode 16) and 15-16 only private use: neither has a class
# other than SPACE nor a mapping. Scanning the rest is four times faster, which matters since every
# process builds the tables at start-up.
_ASSIGNED_PLANES = ((0, 0x40000), (0xE0000, 0xF0000))


def _assigned_planes() -> Iterator[tuple[int, str]]:
    """(first code point, every code point from there as one string) per plane range worth scanning."""
    for lo, hi in _ASSIGNED_PLANES:
        yield lo, np.arange(lo, hi, dtype="<u4").tobytes().decode("utf-32-le", "surrogatepass")


@lru_cache(maxsize=1)
def char_classes() -> np.ndarray:
    """Class of every code point (uint8 array of 0x110000 entries, built once per process)."""
    table = np.zeros(0x110000, dtype=np.uint8)
    for lo, part in _assigned_planes():
        sub = table[lo : lo + len(part)]
        for cls, pattern in _CLASS_PATTERNS:
            for m in regex.finditer(pattern, part):
                seg = sub[m.start() : m.end()]
                if cls in (IDEOGRAPH, SEA):  # scripts also hold marks and punctuation: keep those
                    seg[(seg == LETTER) | (seg == DIGIT)] = cls
                else:
                    seg[:] = cls
    table.setflags(write=False)
    return table


def codepoints(text: str) -> np.ndarray:
    """The code points of `text` as a uint32 array (lone surrogates pass through)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def nfc(text: str) -> str:
    """NFC, skipping the work when the text already is (the common case)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


@lru_cache(maxsize=2)
def fold_table(casefold: bool = True) -> np.ndarray:
    """Code point -> code point map applying NFKC (and casefolding) where the result is one code point.

    Full NFKC is slow on text that is not already in that form (any non-breaking space or ellipsis);
    this table gets the same effect for nearly everything that matters to deduplication (full-width
    forms, compatibility letters, Arabic presentation forms of one letter, case) with one lookup.
    Mappings to several code points (ligatures, "ß" -> "ss") are left alone.
    """
    # Only characters that NFKC changes on their own (Quick_Check No) or that casefolding changes can
    # map to anything else: a few thousand, instead of normalising every assigned code point.
    # Hangul compatibility jamo are left alone: mapped one by one they would not compose into syllables.
    changing = r"\p{NFKC_Quick_Check=No}\p{Changes_When_Casefolded}" if casefold else r"\p{NFKC_Quick_Check=No}"
    candidates = rf"(?V1)[[{changing}]--\p{{Hangul}}]"
    table = np.arange(0x110000, dtype=np.uint32)
    for lo, part in _assigned_planes():
        for m in regex.finditer(candidates, part):
            ch = m.group()
            out = unicodedata.normalize("NFKC", ch)
            if casefold:
                out = unicodedata.normalize("NFKC", out.casefold())
            if len(out) == 1 and out != ch:
                table[lo + m.start()] = ord(out)
    table.setflags(write=False)
    return table


def normalized_codepoints(text: str, cfg: ExactConfig) -> np.ndarray:
    """The text as exact deduplication compares it, as code points."""
    return normalized_codepoints_many([text], cfg)[0]


def normalized_codepoints_many(texts: list[str], cfg: ExactConfig) -> tuple[np.ndarray, np.ndarray]:
    """normalized_codepoints of every text at once: (their code points back to back, the offsets
    of each text's, len(texts) + 1 of them). The same steps over one array instead of a dozen numpy
    calls per text."""
    if cfg.unicode_form == "NFKC":
        parts = [nfc(t) for t in texts]
    else:
        parts = [unicodedata.normalize(cfg.unicode_form, t) if cfg.unicode_form != "none" else t for t in texts]
        if cfg.casefold:
            parts = [t.casefold() for t in parts]
    starts = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in parts], out=starts[1:])
    cp = codepoints("".join(parts))
    if cfg.unicode_form == "NFKC":
        cp = fold_table(cfg.casefold)[cp]
    if cp.size == 0:
        return cp, starts
    cls = char_classes()[cp]
    keep = np.ones(cp.size, dtype=bool)
    if cfg.strip_marks:
        keep &= cls != IGNORABLE
    if cfg.digits == "drop":
        keep &= cls != DIGIT
    elif cfg.digits == "zero":
        cp = np.where(cls == DIGIT, np.uint32(ord("0")), cp)
    if cfg.fold_whitespace:
        is_space = cls == SPACE
        if cfg.strip_punctuation:
            is_space |= cls == PUNCT
        is_space &= keep
        cp = np.where(is_space, np.uint32(ord(" ")), cp)
        prev_space = np.empty_like(is_space)
        prev_space[1:] = is_space[:-1]
        first = starts[:-1]
        prev_space[first[first < cp.size]] = True  # drops each text's leading spaces
        keep &= ~(is_space & prev_space)
    kept = np.zeros(cp.size + 1, dtype=np.int64)
    np.cumsum(keep, out=kept[1:])
    out_starts = kept[starts]
    cp = cp[keep]
    if cfg.fold_whitespace and cp.size:  # and a trailing space (one: a mark between two is dropped after them)
        lo, hi = out_starts[:-1], out_starts[1:]
        trailing = np.flatnonzero((hi > lo) & (cp[np.maximum(hi - 1, 0)] == ord(" ")))
        if trailing.size:
            drop = np.zeros(cp.size, dtype=bool)
            drop[hi[trailing] - 1] = True
            cp = cp[~drop]
            removed = np.zeros(len(texts) + 1, dtype=np.int64)
            removed[trailing + 1] = 1
            out_starts = out_starts - np.cumsum(removed)
    return cp, out_starts


def normalize_text(text: str, cfg: ExactConfig | None = None) -> str:
    """The normalised text that exact deduplication hashes (for display and debugging)."""
    cp = normalized_codepoints(text, cfg or ExactConfig())
    return cp.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")


# --- seeded constants and a vectorised 64-bit mixer -------------------------------------------

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on a uint64 array: spreads every input bit over the output."""
    x = x ^ (x >> np.uint64(30))
    x *= _M1
    x ^= x >> np.uint64(27)
    x *= _M2
    x ^= x >> np.uint64(31)
    return x


@lru_cache(maxsize=64)
def seeded_u64(name: str, count: int, seed: int) -> np.ndarray:
    """`count` pseudo-random uint64 constants named `name`: the same on every machine and numpy version."""
    out = np.array([xxhash.xxh64_intdigest(f"{name}:{i}".encode(), seed=seed) for i in range(count)], dtype=np.uint64)
    out.setflags(write=False)
    return out
