"""Document-level signals of the cleaned text (numbers, stored with the record).

Computed once per document, after line cleaning, and stored in the record's `signals`, so that a
policy can be re-applied (`tamis apply`) or calibrated (`tamis calibrate`) without recomputing
them. Every value is a number, or None where the signal does not apply to the document (an
uppercase ratio in a script without case, a line ratio of a text with too few lines to have a
distribution, a stop-word ratio of a language without a list): document rules skip None.
`SIGNALS` describes each one; docs/policy.md explains the choices.

The signals are the field's usual ones (Gopher quality and repetition, C4, FineWeb) with three
differences that keep them fair across languages:
- words are script-aware tokens (`tamis.segment.words`): Vietnamese syllables, Arabic words split
  on Arabic punctuation too, one token per character in Chinese, Japanese and Thai; punctuation is
  never a word (so `alpha_word_frac` does not fall because a language punctuates more);
- stop words and sentence punctuation are the language's own (`tamis.lang_data`);
- line-shape ratios need `MIN_LINES` lines: a news body scraped onto one line is not a "text whose
  lines do not end in punctuation".
Repetition fractions count the characters of words (not spaces or punctuation), lower-cased.

Speed: one pass of numpy over the code points gives character classes, word spans and word
hashes; n-gram statistics work on the hash array. Only the lines are looped over in Python.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from tamis.lang_data import LangData, lang_data
from tamis.segment.words import (
    BEYOND_BMP, DIGIT, JOINER, LETTER, LOWER, NEWLINE, N_CLASSES, PUNCT, SPACE, SYMBOL, UNSPACED,
    UPPER, tables, tokenize, word_hashes,
)

MIN_LINES = 3  # line-shape ratios (sentence ends, short, bullet, ellipsis lines) need this many lines
SHORT_LINE_CHARS = 30  # a line shorter than this (an unspaced-script character counts 2) is short
DUP_NGRAM_SIZES = (5, 6, 7, 8, 9, 10)
TOP_NGRAM_SIZES = (2, 3, 4)
MIN_CASED_SHARE = 0.5  # below this share of cased letters the uppercase ratio is None
ROUND = 4

# A line opening with one of these is a list item.
BULLETS = "•‣◦⁃∙●○◘◙▪▫■□►▶▸▹◆◇★☆✓✔✗✘☐☑➢➤➔→"
BULLET_PREFIXES = ("- ", "* ", "+ ", "– ", "— ", "· ", "> ")
# Closing quotes and brackets after a sentence's last punctuation ('He said "yes."').
_CLOSERS = "\"'”’»›)]}」』）】》〉〕\u00a0 \t"

_WORDED = re.compile(r"[^\W_]")  # a letter or digit
_LETTERS = np.zeros(N_CLASSES, dtype=np.int32)
_LETTERS[[UPPER, LOWER, LETTER, UNSPACED]] = 1
_NOT_UPPER_LETTER = np.zeros(N_CLASSES, dtype=bool)
_NOT_UPPER_LETTER[[LOWER, LETTER, UNSPACED]] = True
_NOT_LOWER_LETTER = np.zeros(N_CLASSES, dtype=bool)
_NOT_LOWER_LETTER[[UPPER, LETTER, UNSPACED]] = True
_BOUNDARY = np.zeros(N_CLASSES, dtype=bool)
_BOUNDARY[[SPACE, NEWLINE, PUNCT, SYMBOL, JOINER]] = True


def _bad_char_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Characters that signal broken encoding: the replacement character, private-use and
    surrogate code points, C1 controls; and the two halves of UTF-8 read as Latin-1/cp1252
    ("Ã©", "Ä‘", "á»‡"): a lead byte's character followed by continuation bytes' characters."""
    bad = np.zeros(BEYOND_BMP + 1, dtype=bool)
    bad[0xFFFD] = True
    bad[0xE000:0xF900] = True  # private use
    bad[0xD800:0xE000] = True
    bad[0x80:0xA0] = True  # C1 controls
    cont = np.zeros(BEYOND_BMP + 1, dtype=bool)
    for b in range(0x80, 0xC0):
        cont[ord(bytes([b]).decode("cp1252", errors="ignore") or chr(b))] = True
        cont[b] = True
    lead = np.zeros(BEYOND_BMP + 1, dtype=np.uint8)  # continuation characters the lead byte needs
    for b in range(0xC2, 0xF5):
        lead[b] = 1 if b < 0xE0 else 2 if b < 0xF0 else 3
    return bad, lead, cont


_BAD, _MOJI_LEAD, _MOJI_CONT = _bad_char_table()
_MOJIBAKE = (_BAD.astype(np.uint8) | (_MOJI_LEAD << 1)).astype(np.uint8)

# name -> what it measures (docs/policy.md has the table; tests check every key is documented)
SIGNALS: dict[str, str] = {
    "chars": "characters of the cleaned text",
    "words": "word tokens (tamis.segment.words: syllables in Vietnamese, characters in Chinese/Japanese/Thai)",
    "lines": "non-blank lines kept by line cleaning",
    "lang_score": "language-ID probability of the document's language",
    "removed_char_frac": "share of the original characters that cleaning removed",
    "removed_line_frac": "share of the original non-blank lines that cleaning removed",
    "sentences": "sentence-ending punctuation marks (runs count once); None if the language marks no sentence ends",
    "words_per_sentence": "words / max(sentences, 1); None if the language marks no sentence ends",
    "mean_word_chars": "mean word length in characters",
    "alpha_word_frac": "share of words with at least one letter (Gopher)",
    "stop_words": "stop words of the document's language; None without a list",
    "stop_word_frac": "share of words that are stop words; None without a list",
    "symbol_word_ratio": "'#' and ellipses ('…', '...') per word (Gopher)",
    "symbol_char_frac": "share of non-space characters that are symbols (emoji, ©, |, arrows, ...)",
    "digit_char_frac": "share of non-space characters that are digits",
    "upper_char_frac": "share of cased letters that are uppercase; None when under half the letters have case",
    "script_share": "share of letters in the most frequent script (kana count as Han)",
    "mojibake_char_frac": "share of characters that signal broken encoding (U+FFFD, private use, UTF-8 read as cp1252)",
    "newline_word_ratio": "line breaks between non-blank lines per word (FineWeb's list ratio)",
    "sentence_end_line_frac": f"share of lines ending in sentence punctuation (C4, FineWeb); None under {MIN_LINES} lines",
    "short_line_frac": f"share of lines under {SHORT_LINE_CHARS} characters (FineWeb); None under {MIN_LINES} lines",
    "bullet_line_frac": f"share of lines starting with a bullet (Gopher); None under {MIN_LINES} lines",
    "ellipsis_line_frac": f"share of lines ending with an ellipsis (Gopher); None under {MIN_LINES} lines",
    "dup_line_frac": "share of lines with a letter or digit that repeat an earlier line (Gopher)",
    "dup_line_char_frac": "share of characters in lines that repeat an earlier line (Gopher)",
    **{f"dup_{n}gram_char_frac": f"share of word characters in {n}-grams that repeat an earlier {n}-gram (Gopher)"
       for n in DUP_NGRAM_SIZES},
    **{f"top_{n}gram_char_frac": f"share of word characters covered by the most frequent repeated {n}-gram (Gopher)"
       for n in TOP_NGRAM_SIZES},
}


_NO_LANGUAGE = LangData("", "no language given", None, None, np.zeros(0, dtype=np.uint64), None)
Known = tuple[str, dict[str, Any]]  # a cleaned text and the signals stored for it by an earlier run


def document_signals(cleaned: str, original_chars: int, kept_lines: int, total_lines: int,
                     lang_score: float, lang: str | None = None, known: Known | None = None) -> dict[str, Any]:
    """The signals of one cleaned document (see `SIGNALS`), rounded to 4 decimals.

    `lang` selects the stop words and sentence punctuation (`tamis.lang_data`); without it the
    signals that need them are None ("und", language ID's "no idea", uses the defaults).
    `known`: signals stored earlier (`tamis apply` passes the run's); they are returned as they are
    when the text, line count and language score are the same, so re-deciding a run with new
    document thresholds computes nothing, while a document whose line removals change is computed
    afresh."""
    if known is not None:
        text, stored = known
        if (text == cleaned and stored.get("lines") == kept_lines and stored.get("chars") == len(cleaned)
                and stored.get("lang_score") == round(lang_score, ROUND)):
            return dict(stored)
    ld = lang_data(lang) if lang is not None else _NO_LANGUAGE
    chars = len(cleaned)
    tok = tokenize(cleaned)
    cls = tok.cls
    n_words = len(tok)
    counts = np.bincount(cls, minlength=N_CLASSES)
    nonspace = chars - int(counts[SPACE]) - int(counts[NEWLINE])
    letters = int(counts[UPPER] + counts[LOWER] + counts[LETTER] + counts[UNSPACED])
    cased = int(counts[UPPER] + counts[LOWER])

    out: dict[str, Any] = {
        "chars": chars,
        "words": n_words,
        "lines": kept_lines,
        "lang_score": round(lang_score, ROUND),
        "removed_char_frac": _r(1 - chars / original_chars) if original_chars else 0.0,
        "removed_line_frac": _r(1 - kept_lines / total_lines) if total_lines else 0.0,
    }
    sentences = _sentences(tok.cps, cls, ld)
    out["sentences"] = sentences
    out["words_per_sentence"] = None if sentences is None else _r(n_words / max(sentences, 1))

    lengths = tok.ends - tok.starts
    word_chars = int(lengths.sum())
    hashes = word_hashes(tok) if n_words else np.zeros(0, dtype=np.uint64)
    if n_words:
        # Letters from each word's start to the next word's: every letter is inside some word.
        alpha_words = int(np.count_nonzero(np.add.reduceat(_LETTERS.take(cls), tok.starts)))
        out["mean_word_chars"] = _r(word_chars / n_words)
        out["alpha_word_frac"] = _r(alpha_words / n_words)
    else:
        out["mean_word_chars"] = out["alpha_word_frac"] = None
    if ld.stopwords is None:
        out["stop_words"] = out["stop_word_frac"] = None
    else:
        stop = _count_in(hashes, ld.stop_hashes)
        out["stop_words"] = stop
        out["stop_word_frac"] = _r(stop / n_words) if n_words else None
    gopher_symbols = cleaned.count("#") + cleaned.count("…") + cleaned.count("...")
    out["symbol_word_ratio"] = _r(gopher_symbols / n_words) if n_words else None
    out["symbol_char_frac"] = _r(int(counts[SYMBOL]) / nonspace) if nonspace else None
    out["digit_char_frac"] = _r(int(counts[DIGIT]) / nonspace) if nonspace else None
    out["upper_char_frac"] = (_r(int(counts[UPPER]) / cased)
                              if cased and cased >= MIN_CASED_SHARE * letters else None)
    out["script_share"] = _script_share(tok.cps) if letters else None
    out["mojibake_char_frac"] = _r(_mojibake_chars(tok.cps) / chars) if chars else 0.0
    out.update(_line_signals(cleaned, cls, counts, ld, n_words))
    out.update(_ngram_signals(hashes, lengths, word_chars))
    return out


def _r(x: float) -> float:
    return round(float(x), ROUND)


def _sentences(cps: np.ndarray, cls: np.ndarray, ld: LangData) -> int | None:
    """Sentence ends: the last of a run of terminators, followed by a space, punctuation or the end
    of the text, or glued to the next sentence ("thuốc.Thật", "السابقة.وأضاف") where a letter that
    is not uppercase precedes it and one that is not lowercase follows ("TP.HCM" and "3.5" are not
    ends). A full-width terminator ("。") always ends one."""
    table = ld.sentence_end_table
    if table is None:
        return None
    n = len(cps)
    if n == 0:
        return 0
    term = table.take(cps)
    idx = np.flatnonzero(term)
    if len(idx) == 0:
        return 0
    nxt = idx + 1
    at_end = nxt >= n
    nxt_c = np.minimum(nxt, n - 1)
    last_of_run = at_end | ~term[nxt_c]
    next_cls = cls[nxt_c]
    prev_cls = cls[np.maximum(idx - 1, 0)]
    ends = at_end | _BOUNDARY[next_cls] | (cps[idx] >= 0x3000) | (
        _NOT_UPPER_LETTER[prev_cls] & _NOT_LOWER_LETTER[next_cls] & (idx > 0))
    return int(np.count_nonzero(last_of_run & ends))


def _count_in(values: np.ndarray, sorted_set: np.ndarray) -> int:
    """How many of `values` are in `sorted_set` (a sorted array)."""
    if not len(values) or not len(sorted_set):
        return 0
    pos = np.searchsorted(sorted_set, values)
    np.minimum(pos, len(sorted_set) - 1, out=pos)
    return int(np.count_nonzero(sorted_set[pos] == values))


def _script_share(cps: np.ndarray) -> float:
    counts = np.bincount(tables().script.take(cps))
    counts[0] = 0  # not letters
    total = counts.sum()
    return _r(counts.max() / total) if total else 1.0


def _mojibake_chars(c: np.ndarray) -> int:
    moji = _MOJIBAKE.take(c)  # bit 0: a bad character; bits 1-2: continuation characters a lead needs
    bad = (moji & 1).astype(bool)
    idx = np.flatnonzero(moji[:-1] > 1)  # a lead needs at least one character after it
    if len(idx):
        cont = _MOJI_CONT.take(c)
        idx = idx[cont[idx + 1]]  # most leads are ordinary letters ("á", "é"): no continuation
        if len(idx):
            n = len(c)
            need = moji[idx] >> 1
            ok = np.ones(len(idx), dtype=bool)
            for k in (2, 3):
                pos = np.minimum(idx + k, n - 1)
                ok &= (need < k) | ((idx + k < n) & cont[pos])
            idx, need = idx[ok], need[ok]
            for k in (0, 1, 2, 3):
                bad[idx[need >= k] + k] = True
    return int(np.count_nonzero(bad))


def _line_signals(cleaned: str, cls: np.ndarray, counts: np.ndarray, ld: LangData, n_words: int) -> dict[str, Any]:
    raw = cleaned.split("\n")
    stripped = [x.strip() for x in raw]
    lines = [x for x in stripped if x]
    n = len(lines)
    out: dict[str, Any] = {"newline_word_ratio": _r(max(n - 1, 0) / n_words) if n_words else None}
    # Repeated lines: only lines with a word count (separator lines such as "* * *" or "." repeat
    # in ordinary articles).
    seen: set[str] = set()
    dup = dup_chars = worded = 0
    for x in lines:
        if x.isalnum() or _WORDED.search(x):
            worded += 1
            if x in seen:
                dup += 1
                dup_chars += len(x)
            else:
                seen.add(x)
    total_chars = sum(map(len, lines))
    if n < MIN_LINES:
        out.update(sentence_end_line_frac=None, short_line_frac=None, bullet_line_frac=None,
                   ellipsis_line_frac=None)
    else:
        if counts[UNSPACED]:  # an unspaced character counts twice towards a line's length
            line_of = np.cumsum(cls == NEWLINE)
            extra = np.bincount(line_of[cls == UNSPACED], minlength=len(raw))
            widths = [len(x) + int(e) for x, e in zip(stripped, extra) if x]
        else:
            widths = [len(x) for x in lines]
        ends = ld.sentence_end
        sentence_end = ellipsis = bullet = 0
        for x in lines:
            t = x.rstrip(_CLOSERS)
            if t:
                last = t[-1]
                if last == "…" or t.endswith("..."):
                    ellipsis += 1
                elif ends is not None and last in ends:
                    sentence_end += 1
            if x[0] in BULLETS or x.startswith(BULLET_PREFIXES):
                bullet += 1
        out["sentence_end_line_frac"] = _r(sentence_end / n) if ends is not None else None
        out["short_line_frac"] = _r(sum(1 for w in widths if w < SHORT_LINE_CHARS) / n)
        out["bullet_line_frac"] = _r(bullet / n)
        out["ellipsis_line_frac"] = _r(ellipsis / n)
    out["dup_line_frac"] = _r(dup / worded) if worded else 0.0
    out["dup_line_char_frac"] = _r(dup_chars / total_chars) if total_chars else 0.0
    return out


_NGRAM_MIX = np.uint64(0x9E3779B97F4A7C15)  # combines word hashes into n-gram hashes (uint64 wraps)
_SMALL = 256  # candidate positions below this are followed in Python (cheaper than numpy calls)


def _ngram_signals(hashes: np.ndarray, lengths: np.ndarray, word_chars: int) -> dict[str, Any]:
    out = dict.fromkeys(_NGRAM_KEYS, 0.0)
    m = len(hashes)
    if m < 2 or not word_chars:
        return out
    ngram: dict[int, np.ndarray] = {1: hashes}  # longer ones are built when needed (_ngrams)
    _ngrams(ngram, max(max(TOP_NGRAM_SIZES), DUP_NGRAM_SIZES[0]))
    # Top n-grams: the most frequent n-gram occurring at least twice (ties: any of them), its words'
    # characters times its count (capped at 1: overlapping occurrences, as in "a a a a", count their
    # words again).
    for n in TOP_NGRAM_SIZES:
        g = ngram.get(n)
        if g is None or len(g) < 2:
            break
        s = np.sort(g)
        same = s[1:] == s[:-1]
        # Length of the run of equal values ending at each position: a cumulative count of
        # "same as the previous" that restarts at every change.
        c = np.cumsum(same)
        run = c - np.maximum.accumulate(np.where(same, 0, c))
        i = int(run.argmax())
        count = int(run[i]) + 1
        if count < 2:
            break  # no repeated n-gram: no repeated longer one either
        first = int((g == s[i + 1]).argmax())
        frac = int(lengths[first:first + n].sum()) * count / word_chars
        out[f"top_{n}gram_char_frac"] = _r(min(1.0, frac))
    # Duplicated n-grams: characters of the words covered by an n-gram seen earlier in the text.
    g = ngram.get(DUP_NGRAM_SIZES[0])
    if g is None:
        return out
    order = np.argsort(g, kind="stable")  # stable: a first occurrence sorts before its repeats
    s = g[order]
    same = s[1:] == s[:-1]
    later = order[1:][same]
    if not len(later):
        return out
    prefix = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(lengths, out=prefix[1:])
    if len(later) <= _SMALL:
        _dup_ngrams_few(out, hashes, order[:-1][same].tolist(), later.tolist(), prefix, m, word_chars)
    else:
        _dup_ngrams_many(out, ngram, order, same, prefix, m, word_chars)
    return out


def _dup_ngrams_few(out: dict[str, Any], hashes: np.ndarray, prev: list[int], later: list[int],
                    prefix: np.ndarray, m: int, word_chars: int) -> None:
    """Few repeated shortest n-grams (ordinary text): for each repeat, the longest match with an
    earlier occurrence (up to the largest size) gives every size at once."""
    n0, n_max = DUP_NGRAM_SIZES[0], DUP_NGRAM_SIZES[-1]
    h = hashes.tolist()  # Python ints compare much faster than numpy scalars
    group: dict[int, list[int]] = {}  # position -> the positions of its n0-gram so far
    longest: list[tuple[int, int]] = []  # (position, longest earlier match in words)
    for p, c in zip(prev, later):  # consecutive members of a group, in text order
        members = group.get(p)
        if members is None:
            members = group[p] = [p]
        best = n0
        for j in members:
            k = n0
            while k < n_max and c + k < m and h[j + k] == h[c + k]:
                k += 1
            if k > best:
                best = k
                if k == n_max:
                    break
        members.append(c)
        group[c] = members
        longest.append((c, best))
    pre = prefix.tolist()
    for n in DUP_NGRAM_SIZES:
        starts = sorted(c for c, k in longest if k >= n)
        if not starts:
            break
        total = 0
        a = b = -1
        for x in starts:  # union of the spans [x, x + n)
            if x > b:
                if b > a:
                    total += int(pre[b] - pre[a])
                a = x
            b = max(b, x + n)
        total += int(pre[b] - pre[a])
        out[f"dup_{n}gram_char_frac"] = _r(total / word_chars)


def _dup_ngrams_many(out: dict[str, Any], ngram: dict[int, np.ndarray], order: np.ndarray, same: np.ndarray,
                     prefix: np.ndarray, m: int, word_chars: int) -> None:
    """Many repeats (a repetitive text): sort each size, looking only at positions whose shorter
    n-gram belongs to a repeated group."""
    cand: np.ndarray | None = None
    _ngrams(ngram, DUP_NGRAM_SIZES[-1])
    for n in DUP_NGRAM_SIZES:
        g = ngram.get(n)
        if g is None:
            break
        if cand is not None:
            cand = cand[cand < len(g)]
            gc = g[cand]
            order = np.argsort(gc, kind="stable")
            s = gc[order]
            same = s[1:] == s[:-1]
        later = order[1:][same]
        # The sorted union of positions, by mask: np.union1d grows super-linearly on repetitive text.
        mask = np.zeros(len(gc) if cand is not None else len(g), dtype=bool)
        mask[later] = True
        mask[order[:-1][same]] = True
        members = np.flatnonzero(mask)
        if cand is not None:
            later, members = cand[later], cand[members]
        if not len(later):
            break
        edge = np.bincount(later, minlength=m + 1) - np.bincount(later + n, minlength=m + 1)
        covered = np.cumsum(edge[:m]) > 0
        out[f"dup_{n}gram_char_frac"] = _r(int(prefix[1:][covered].sum() - prefix[:-1][covered].sum()) / word_chars)
        cand = members


def _ngrams(ngram: dict[int, np.ndarray], upto: int) -> None:
    """Extend `ngram` (n -> hash of the n-gram starting at each position) up to n = `upto`."""
    hashes = ngram[1]
    n = max(ngram)
    g = ngram[n]
    while n < upto and n < len(hashes):
        n += 1
        g = g[:-1] * _NGRAM_MIX + hashes[n - 1:]
        ngram[n] = g


_NGRAM_KEYS = [f"top_{n}gram_char_frac" for n in TOP_NGRAM_SIZES] + [f"dup_{n}gram_char_frac" for n in DUP_NGRAM_SIZES]
