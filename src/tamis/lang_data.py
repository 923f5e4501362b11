"""Per-language knowledge (sentence punctuation, stop words), loaded from one place.

`data/lang/<code>.yaml` holds what tamis knows about a language, `data/lang/default.yaml` what
applies to the others and the keys a language file leaves out (the files say what each key
means). Stop word lists come from the stopwords-iso package (`stopwordsiso`), corrected per
language in its file. Codes are the ones language identification produces (ISO 639-1 where the
language has one: `vi`, `ar`, `zh`; else ISO 639-3).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from tamis.config import load_yaml
from tamis.segment.words import BEYOND_BMP, tokenize, word_hashes

_KEYS = {"name", "sentence_end", "stopwords", "stopwords_add", "stopwords_remove"}


class LangDataError(ValueError):
    """A language file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class LangData:
    code: str
    name: str
    sentence_end: str | None  # characters ending a sentence; None: the language marks none
    stopwords: frozenset[str] | None  # single tokens, lower-cased; None: no list for the language
    stop_hashes: np.ndarray  # sorted uint64 hashes of `stopwords` (as `word_hashes` computes them)
    sentence_end_table: np.ndarray | None  # bool [0x10001]: does this code point end a sentence


def _read(name: str) -> dict[str, Any] | None:
    path = resources.files("tamis").joinpath(f"data/lang/{name}.yaml")
    if not path.is_file():
        return None
    data = load_yaml(path.read_text("utf-8")) or {}
    if not isinstance(data, dict) or set(data) - _KEYS:
        raise LangDataError(f"data/lang/{name}.yaml: unknown keys {sorted(set(data) - _KEYS)} (known: {sorted(_KEYS)})")
    return data


def available() -> list[str]:
    """Codes of the languages with a file of their own."""
    folder = resources.files("tamis").joinpath("data/lang")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml") and p.name != "default.yaml")


@lru_cache(maxsize=256)
def lang_data(code: str | None) -> LangData:
    """What tamis knows about language `code` (the defaults for an unknown or missing code)."""
    code = (code or "und").strip().lower()
    merged = dict(_read("default") or {})
    own = _read(code) if code.replace("-", "").isalnum() else None
    if own is None:
        merged["name"] = code
    else:
        merged.update(own)
    where = f"data/lang/{code if own is not None else 'default'}.yaml"
    sentence_end = merged.get("sentence_end")
    if sentence_end == "unicode":
        sentence_end = _unicode_sentence_terminals()
    elif sentence_end is not None and (not isinstance(sentence_end, str) or not sentence_end):
        raise LangDataError(f"{where}: sentence_end: a string of characters, `unicode`, or null")
    stop = _stopwords(code, merged, where)
    if stop is None:
        hashes = np.zeros(0, dtype=np.uint64)
    else:
        hashes = np.unique(np.fromiter((_hash_one(w) for w in stop), dtype=np.uint64, count=len(stop)))
    table = None
    if sentence_end is not None:
        table = np.zeros(BEYOND_BMP + 1, dtype=bool)
        table[[ord(c) for c in sentence_end if ord(c) < BEYOND_BMP]] = True
    return LangData(code, str(merged.get("name") or code), sentence_end, stop, hashes, table)


@lru_cache(maxsize=1)
def _unicode_sentence_terminals() -> str:
    import regex

    bmp = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x10000)))  # no surrogates
    return "".join(regex.findall(r"\p{Sentence_Terminal}", bmp))


def _stopwords(code: str, spec: dict[str, Any], where: str) -> frozenset[str] | None:
    source = spec.get("stopwords")
    if source is None:
        return None
    if source == "stopwordsiso":
        import stopwordsiso

        words = set(stopwordsiso.stopwords(code)) if stopwordsiso.has_lang(code) else set()
    elif isinstance(source, list) and all(isinstance(w, str) for w in source):
        words = set(source)
    else:
        raise LangDataError(f"{where}: stopwords: 'stopwordsiso', a list of words, or null")
    for key in ("stopwords_add", "stopwords_remove"):
        value = spec.get(key) or []
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            raise LangDataError(f"{where}: {key}: a list of words")
    words |= set(spec.get("stopwords_add") or [])
    words -= set(spec.get("stopwords_remove") or [])
    single = {w.lower() for w in words if _is_single_token(w)}
    return frozenset(single) or None


def _is_single_token(word: str) -> bool:
    tok = tokenize(word)
    return len(tok) == 1 and tok.starts[0] == 0 and tok.ends[0] == len(word)


def _hash_one(word: str) -> int:
    return int(word_hashes(tokenize(word))[0])
