"""Script-aware word tokens: spaced scripts split into words, unspaced scripts into characters.

A word is a run of characters that are neither white space, punctuation nor symbols; an
apostrophe or hyphen between two such characters stays inside it ("don't", "Al-Riyadh",
"a-lô"). This is right for every script written with spaces: Vietnamese gives one token per
syllable (the unit its stop-word lists and n-gram statistics use), Arabic splits on its own
punctuation (، ؛ ؟ are punctuation), Latin, Cyrillic, Greek, Hangul and Indic text split on
spaces and punctuation. Scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar,
Tibetan) give one token per character, with its combining marks: no segmentation model runs per
document, and counts stay comparable across languages (a Chinese "word count" is a character
count, so its thresholds are set per language). Mixed text works character by character: "用
Python 写" is 用, python, 写.

Two implementations of the same rule: a stdlib `re` pattern for short strings (`count_words` per
line) and a numpy one over code points for whole documents (`tokenize`), which also yields what
the document signals need (character classes, lower-cased code points, word spans). Tests check
that they agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import regex

# Scripts written without spaces between words: each character is a token.
UNSPACED_SCRIPTS = ("Han", "Hiragana", "Katakana", "Thai", "Lao", "Khmer", "Myanmar", "Tibetan")
_UNSPACED = "".join(rf"\p{{{s}}}" for s in UNSPACED_SCRIPTS)
JOINERS = "'’-"  # inside a word when a word character is on both sides

# Character classes, one per code point of the BMP; every astral code point (emoji, rare Han)
# shares the last slot. Mutually exclusive, so counting is one bincount.
(OTHER, SPACE, NEWLINE, PUNCT, SYMBOL, JOINER, UPPER, LOWER, LETTER, UNSPACED, MARK, DIGIT,
 NUMBER) = range(13)
N_CLASSES = 13
BEYOND_BMP = 0x10000

# Scripts counted for the script mix. Japanese kana and Bopomofo count as Han: a Japanese or
# Chinese text is one script family, not a mix.
SCRIPTS = (
    "Latin", "Cyrillic", "Arabic", "Han", "Hangul", "Devanagari", "Thai", "Hebrew", "Greek",
    "Bengali", "Tamil", "Telugu", "Gujarati", "Gurmukhi", "Kannada", "Malayalam", "Oriya",
    "Sinhala", "Armenian", "Georgian", "Ethiopic", "Khmer", "Lao", "Myanmar", "Tibetan", "Thaana",
    "Syriac", "Mongolian",
)
_SCRIPT_ALIASES = {"Hiragana": "Han", "Katakana": "Han", "Bopomofo": "Han"}
OTHER_SCRIPT = len(SCRIPTS) + 1  # a letter of a script not listed; 0 = not a letter


@dataclass(frozen=True, slots=True)
class _Tables:
    cls: np.ndarray  # uint8 [0x10001] class of each code point
    script: np.ndarray  # uint8 [0x10001] 0 for non-letters, else 1 + index in SCRIPTS (or OTHER_SCRIPT)
    lower: np.ndarray  # uint32 [0x10001] simple lower-case mapping (identity where it is not 1:1)
    pattern: re.Pattern[str]  # the same tokenisation as a stdlib regex


@lru_cache(maxsize=1)
def tables() -> _Tables:
    """Built once per process (0.2-0.5 s) from the Unicode database of this Python and `regex`."""
    # Every BMP character in order; surrogates (not text) become NUL so the string can be encoded.
    chars = "".join(map(chr, range(0xD800))) + "\0" * 0x800 + "".join(map(chr, range(0xE000, BEYOND_BMP)))
    by_cat = {"Lu": UPPER, "Lt": UPPER, "Ll": LOWER, "Lm": LETTER, "Lo": LETTER, "Nd": DIGIT,
              "Nl": NUMBER, "No": NUMBER, "Mn": MARK, "Mc": MARK, "Me": MARK}
    by_cat.update({c: PUNCT for c in ("Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po")})
    by_cat.update({c: SYMBOL for c in ("Sm", "Sc", "Sk", "So")})
    get = by_cat.get
    cls = np.empty(BEYOND_BMP + 1, dtype=np.uint8)
    cls[:BEYOND_BMP] = np.fromiter((get(c, OTHER) for c in map(unicodedata.category, chars)),
                                   dtype=np.uint8, count=BEYOND_BMP)
    cls[_positions(r"\s", chars)] = SPACE  # Unicode White_Space, as regex's \s
    cls[ord("\n")] = NEWLINE
    unspaced = _positions(rf"[{_UNSPACED}]", chars)
    cls[unspaced[cls[unspaced] != MARK]] = UNSPACED  # Thai vowel signs etc. stay marks
    for c in JOINERS:
        cls[ord(c)] = JOINER
    cls[BEYOND_BMP] = SYMBOL

    script = np.zeros(BEYOND_BMP + 1, dtype=np.uint8)
    ids = {s: i + 1 for i, s in enumerate(SCRIPTS)}
    for name in list(SCRIPTS) + list(_SCRIPT_ALIASES):
        script[_positions(rf"\p{{Script={name}}}", chars)] = ids[_SCRIPT_ALIASES.get(name, name)]
    letter = np.isin(cls, (UPPER, LOWER, LETTER, UNSPACED))
    script[letter & (script == 0)] = OTHER_SCRIPT
    script[~letter] = 0

    lower = np.arange(BEYOND_BMP + 1, dtype=np.uint32)
    for cp in np.flatnonzero(cls == UPPER).tolist():
        lo = chr(cp).lower()
        if len(lo) == 1:
            lower[cp] = ord(lo)
    return _Tables(cls, script, lower, _build_pattern(cls))


def _positions(pattern: str, chars: str) -> np.ndarray:
    """Indices of the BMP characters (`chars`, surrogates blanked) matching a one-character `pattern`."""
    after = np.frombuffer(regex.sub(pattern, "\x01", chars).encode("utf-32-le"), dtype=np.uint32)
    hit = after == 1  # same length: every match is one character
    hit[1] = regex.fullmatch(pattern, "\x01") is not None
    return np.flatnonzero(hit)


def _char_class(mask: np.ndarray) -> str:
    """A regex character class for the code points where `mask` is true (as ranges)."""
    idx = np.flatnonzero(mask)
    breaks = np.flatnonzero(np.diff(idx) != 1)
    starts = np.concatenate([idx[:1], idx[breaks + 1]])
    ends = np.concatenate([idx[breaks], idx[-1:]])
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in zip(starts, ends))


def _build_pattern(cls: np.ndarray) -> re.Pattern[str]:
    bmp = cls[:BEYOND_BMP]
    # Word characters: everything but space, punctuation, symbols and unspaced scripts (so letters,
    # digits, marks, format characters such as ZWNJ). Astral code points count as symbols.
    word = _char_class(~np.isin(bmp, (SPACE, NEWLINE, PUNCT, SYMBOL, JOINER, UNSPACED)))
    unspaced = _char_class(bmp == UNSPACED)
    marks = _char_class(bmp == MARK)
    joiners = re.escape(JOINERS)
    return re.compile(f"[{unspaced}][{marks}]*|[{word}]+(?:[{joiners}][{word}]+)*")


@dataclass(slots=True)
class Tokens:
    """A text as code points with classes, and its word tokens as [start, end) offsets."""

    cps: np.ndarray  # int64 code point of each character, astral ones folded to 0x10000 (table index)
    cls: np.ndarray  # uint8 class of each character
    starts: np.ndarray  # int64 offset of each word's first character
    ends: np.ndarray  # int64 offset after each word's last character

    def __len__(self) -> int:
        return len(self.starts)


_SEPARATES = np.zeros(N_CLASSES, dtype=bool)  # never inside a word of a spaced script
_SEPARATES[[SPACE, NEWLINE, PUNCT, SYMBOL, JOINER, UNSPACED]] = True


# The last text tokenized and its tokens (arrays made read-only): a document's normalized text is
# tokenized for its line word counts, and most documents come out of cleaning unchanged. One
# tuple, read and replaced whole, so that threads never pair a text with another's tokens.
_last: tuple[str, "Tokens"] | None = None


def tokenize(text: str) -> Tokens:
    """Word spans of `text` (the same tokens as `words`), computed over numpy code points."""
    global _last
    last = _last
    if last is not None and last[0] == text:
        return last[1]
    tok = _tokenize(text)
    for a in (tok.cps, tok.cls, tok.starts, tok.ends):
        a.flags.writeable = False
    _last = (text, tok)
    return tok


def line_word_counts(text: str, line_starts: list[int]) -> list[int]:
    """count_words of each line of `text`, the lines starting at `line_starts` (ascending, the
    first 0): one tokenization of the whole text instead of a regex pass per line."""
    bounds = np.searchsorted(tokenize(text).starts, line_starts + [len(text) + 1])
    return np.diff(bounds).tolist()


def _tokenize(text: str) -> Tokens:
    t = tables()
    cps = np.minimum(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32), BEYOND_BMP).astype(np.intp)
    cls = t.cls.take(cps)  # gathers with intp indices: no conversion per lookup
    n = len(cls)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Tokens(cps, cls, empty, empty)
    word = ~_SEPARATES[cls]
    unspaced = cls == UNSPACED
    is_mark = cls == MARK
    if unspaced.any() and is_mark.any():
        # A mark belongs to the character before it: to an unspaced token after one, else to a word.
        last = np.where(is_mark, 0, np.arange(n))
        np.maximum.accumulate(last, out=last)
        after_unspaced = is_mark & unspaced[last] & ~is_mark[last]
        word &= ~after_unspaced
        in_token = word | unspaced | after_unspaced
    else:
        after_unspaced = None
        in_token = word | unspaced
    if n > 2:
        joined = cls[1:-1] == JOINER
        if joined.any():
            joined &= word[:-2] & word[2:]
            word[1:-1] |= joined
            in_token[1:-1] |= joined
    # A character continues the token before it when both are word characters, or when it is a
    # mark after an unspaced character.
    cont = np.empty(n, dtype=bool)
    cont[0] = False
    np.logical_and(word[1:], word[:-1], out=cont[1:])
    if after_unspaced is not None:
        cont[1:] |= after_unspaced[1:]
    starts = np.flatnonzero(in_token & ~cont)
    last_of = in_token.copy()
    last_of[:-1] &= ~cont[1:]
    ends = np.flatnonzero(last_of) + 1
    return Tokens(cps, cls, starts, ends)


# Word identity for counting (stop words, repeated n-grams) without making Python strings: a
# polynomial hash of the lower-cased code points, mod 2**64, from prefix sums (numpy wraps uint64).
_HASH_BASE = 0x100000001B3  # odd, so invertible mod 2**64
_powers: list[np.ndarray] = []  # [B**k, B**-k] for k < their length


def _hash_powers(n: int) -> tuple[np.ndarray, np.ndarray]:
    if not _powers or len(_powers[0]) < n + 1:
        size = max(4096, 1 << (n + 1).bit_length())
        inv = pow(_HASH_BASE, -1, 1 << 64)
        with np.errstate(over="ignore"):
            up = np.cumprod(np.full(size, _HASH_BASE, dtype=np.uint64))
            down = np.cumprod(np.full(size, inv, dtype=np.uint64))
        _powers[:] = [np.concatenate([[np.uint64(1)], up[:-1]]), np.concatenate([[np.uint64(1)], down[:-1]])]
    return _powers[0], _powers[1]


def word_hashes(tok: Tokens) -> np.ndarray:
    """uint64 hash of each word of `tok`, lower-cased: equal words (up to case) hash equal."""
    n = len(tok.cps)
    up, down = _hash_powers(n)
    lc = tables().lower.take(tok.cps).astype(np.uint64)
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(lc * down[:n], out=prefix[1:])
    return (prefix[tok.ends] - prefix[tok.starts]) * up[tok.starts]


def words(text: str) -> list[str]:
    return tables().pattern.findall(text)


def count_words(text: str) -> int:
    return len(tables().pattern.findall(text))
