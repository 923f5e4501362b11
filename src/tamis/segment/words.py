"""Script-aware word tokens: spaced scripts split into words, unspaced scripts into characters.

One token per Han/kana/Thai-family character (as the shared evaluation data counts them) keeps
counts comparable across languages without a segmentation model per document.
"""

from __future__ import annotations

import regex

# Scripts written without spaces between words: each character is a token.
_UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}"
WORD = regex.compile(
    rf"[{_UNSPACED}]\p{{M}}*|[^\s\p{{P}}\p{{S}}{_UNSPACED}](?:[^\s\p{{P}}\p{{S}}{_UNSPACED}]|['’\-](?=[^\s\p{{P}}\p{{S}}]))*"
)


def words(text: str) -> list[str]:
    return WORD.findall(text)


def count_words(text: str) -> int:
    return sum(1 for _ in WORD.finditer(text))
