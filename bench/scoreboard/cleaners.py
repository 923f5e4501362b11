"""Line cleaners scored on the labelled pages: each maps a page's plain text to the text it keeps.

tamis runs through its CLI (see pages.py); the peers run here, in-process:
- keep everything: the text unchanged (precision = the share of content lines, recall 1).
- jusText: each line becomes one `<p>` of a minimal HTML document (text HTML-escaped), classified
  with jusText's default parameters and the stop list of the page's language; the paragraphs not
  classified as boilerplate are kept. Languages without a jusText stop list (zh, ja, and any code
  missing from JUSTEXT_LANGS) run in jusText's language-independent mode (empty stop list,
  stopwords_low = stopwords_high = 0), as jusText documents.
- trafilatura: the same `<p>` document, passed to `trafilatura.extract` (defaults: fallback
  extractors on, comments and tables included, txt output) and to `trafilatura.baseline`.
"""

from __future__ import annotations

import html
from typing import Callable

# ISO 639-1 (or 639-3) -> jusText stop list name, for the languages of the shared data and more.
JUSTEXT_LANGS = {
    "af": "Afrikaans", "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan", "cs": "Czech",
    "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek", "en": "English", "eo": "Esperanto",
    "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "ga": "Irish", "gl": "Galician", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian",
    "hy": "Armenian", "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ka": "Georgian",
    "kk": "Kazakh", "ko": "Korean", "la": "Latin", "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian",
    "ml": "Malayalam", "mr": "Marathi", "ms": "Malay", "nb": "Norwegian_Bokmal", "nl": "Dutch",
    "nn": "Norwegian_Nynorsk", "no": "Norwegian_Bokmal", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish",
    "sw": "Swahili", "ta": "Tamil", "te": "Telugu", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian",
    "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese", "yo": "Yoruba",
}


def lines_as_html(text: str) -> str:
    body = "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in text.split("\n"))
    return f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>{body}</body></html>"


def keep_all(text: str, lang: str) -> str:
    return text


_stoplists: dict[str, frozenset] = {}


def justext_mode(lang: str) -> str:
    """The stop list jusText uses for `lang`, or 'language-independent'."""
    return JUSTEXT_LANGS.get(lang, "language-independent")


def justext_clean(text: str, lang: str) -> str:
    import justext

    name = JUSTEXT_LANGS.get(lang)
    if name is None:
        paragraphs = justext.justext(lines_as_html(text), frozenset(), stopwords_low=0, stopwords_high=0)
    else:
        if name not in _stoplists:
            _stoplists[name] = justext.get_stoplist(name)
        paragraphs = justext.justext(lines_as_html(text), _stoplists[name])
    return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


def trafilatura_extract(text: str, lang: str) -> str:
    import trafilatura

    return trafilatura.extract(lines_as_html(text)) or ""


def trafilatura_baseline(text: str, lang: str) -> str:
    from trafilatura import baseline

    return baseline(lines_as_html(text))[1]


PEERS: dict[str, Callable[[str, str], str]] = {
    "keep everything": keep_all,
    "jusText": justext_clean,
    "trafilatura extract": trafilatura_extract,
    "trafilatura baseline": trafilatura_baseline,
}


def run_peer(args: tuple[str, str, str]) -> tuple[str | None, str]:
    """Pool entry point: (tool, text, lang) -> (output or None, error)."""
    tool, text, lang = args
    try:
        return PEERS[tool](text, lang), ""
    except Exception as exc:  # noqa: BLE001 - one page's failure is counted, not fatal
        return None, f"{type(exc).__name__}: {exc}"
