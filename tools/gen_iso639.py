"""Generate src/tamis/data/iso639.json, the code table used by tamis.signals.langid.

Run once, in a throwaway environment that has the `iso639-lang` package (it ships the SIL
ISO 639-3 tables); tamis itself only reads the JSON:

    python -m venv /tmp/isovenv && /tmp/isovenv/bin/pip install iso639-lang
    /tmp/isovenv/bin/python tools/gen_iso639.py > src/tamis/data/iso639.json

The table holds
- iso1: every ISO 639-3 (and 639-2/B) code that has an ISO 639-1 code -> that code;
- standard_variety: individual languages that *are* what people mean by a macrolanguage with an
  ISO 639-1 code (GlotLID/OpenLID write `arb_Arab` for Modern Standard Arabic) -> that code. Curated
  here, not derived: a member such as `yue` (Cantonese) or `arz` (Egyptian Arabic) keeps its own code;
- macrolanguage: normalised code of each member of an ISO 639-3 macrolanguage -> normalised code of
  the macrolanguage (`arz` -> `ar`, `nb` -> `no`, `hr` -> `hbs`), used to tell whether two labels
  are "the same language" for a paragraph inside a document;
- deprecated_iso1: withdrawn ISO 639-1 codes still written by older models -> current code;
- lid176: labels of the fastText lid.176 model (Wikipedia language codes) that are not ISO codes
  for the same language -> ISO code;
- scripts: languages written in something other than (or besides) Latin -> Unicode script names
  (every other language is taken to be written in Latin); used to reject a label whose script the
  text does not contain (lid.176 calls short Chinese lines `ja`, `fr` or `pt`);
- script_default: scripts used by one main language -> that language, the answer when the model
  gives no label that fits the text's script at all;
- iso15924: script suffixes of GlotLID/OpenLID labels -> Unicode script names.
"""

from __future__ import annotations

import json
import sys

from iso639 import Lang, iter_langs

# Individual language -> the ISO 639-1 code of the macrolanguage it is the standard form of.
STANDARD_VARIETY = {
    "arb": "ar",  # Modern Standard Arabic
    "cmn": "zh",  # Mandarin
    "pes": "fa",  # Iranian Persian
    "prs": "fa",  # Dari (mutually intelligible standard Persian of Afghanistan)
    "zsm": "ms",  # Standard Malay
    "ekk": "et",  # Standard Estonian
    "lvs": "lv",  # Standard Latvian
    "npi": "ne",  # Nepali
    "swh": "sw",  # Swahili (individual language)
    "uzn": "uz",  # Northern Uzbek
    "azj": "az",  # North Azerbaijani (Latin script; South Azerbaijani azb keeps its code)
    "khk": "mn",  # Khalkha Mongolian
    "plt": "mg",  # Plateau Malagasy
    "ory": "or",  # Odia
    "gaz": "om",  # West Central Oromo
    "pbt": "ps",  # Southern Pashto
    "pbu": "ps",  # Northern Pashto
    "als": "sq",  # Tosk Albanian (standard Albanian; NB lid.176's `als` is Alemannic, see LID176)
    "ydd": "yi",  # Eastern Yiddish
    "kmr": "ku",  # Northern Kurdish (Kurmanji; Central Kurdish ckb keeps its code)
    "gug": "gn",  # Paraguayan Guarani
    "ayr": "ay",  # Central Aymara
    "quy": "qu",  # Ayacucho Quechua (the FLORES/OpenLID Quechua)
    "knc": "kr",  # Central Kanuri
}

DEPRECATED_ISO1 = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "sh": "hbs", "bh": "bih"}

# lid.176 uses Wikipedia codes; these differ from the ISO code of the language they stand for.
LID176 = {"als": "gsw", "sh": "hbs", "bh": "bih"}

_S = {
    "Arabic": "ar arz ary acm apc aeb ajp ars acq afb ayl arq fa ur ps ckb sd ug azb pnb lrc mzn glk ks bal skr bqi",
    "Cyrillic": "ru uk be bg mk sr kk ky tg mn tt ba cv ce os sah tyv udm kv koi mhr mrj myv mdf xal bxr krc av lez "
    "rue ab kbd ady inh lbe dar kum alt kjh cu",
    "Greek": "el grc pnt",
    "Hebrew": "he yi jrb",
    "Devanagari": "hi mr ne sa mai bih new dty gom bho awa mag hne kok doi anp bra mwr raj",
    "Bengali": "bn as bpy mni",
    "Gurmukhi": "pa",
    "Gujarati": "gu",
    "Oriya": "or",
    "Tamil": "ta",
    "Telugu": "te",
    "Kannada": "kn tcy",
    "Malayalam": "ml",
    "Sinhala": "si",
    "Thai": "th",
    "Lao": "lo",
    "Tibetan": "bo dz",
    "Myanmar": "my shn mnw ksw",
    "Khmer": "km",
    "Georgian": "ka xmf",
    "Armenian": "hy",
    "Ethiopic": "am ti tig",
    "Thaana": "dv",
    "Hangul": "ko",
    "Han": "zh wuu yue lzh gan hak ja",
    "Hiragana": "ja",
    "Katakana": "ja",
    "Syriac": "syr aii",
    "Mongolian": "mn",
    "Tifinagh": "zgh tzm",
    "Cherokee": "chr",
    "Canadian_Aboriginal": "iu cr",
    "Yi": "ii",
}
# Languages also commonly written in Latin besides the script(s) above.
_ALSO_LATIN = "ku ms kk ug tt tk uz az sr hbs bs crh tzm gom lad mn"
# ...and Latin languages also written in another script.
_EXTRA = {"uz": ["Cyrillic"], "az": ["Cyrillic"], "tk": ["Cyrillic"], "bs": ["Cyrillic"], "hbs": ["Cyrillic"],
          "crh": ["Cyrillic"], "ku": ["Arabic", "Cyrillic"], "ms": ["Arabic"], "lad": ["Hebrew"],
          "pa": ["Arabic"], "ks": ["Devanagari"], "sd": ["Devanagari"], "sat": ["Ol_Chiki"]}

ISO15924 = {
    "Latn": ["Latin"], "Cyrl": ["Cyrillic"], "Arab": ["Arabic"], "Grek": ["Greek"], "Hebr": ["Hebrew"],
    "Deva": ["Devanagari"], "Beng": ["Bengali"], "Guru": ["Gurmukhi"], "Gujr": ["Gujarati"],
    "Orya": ["Oriya"], "Taml": ["Tamil"], "Telu": ["Telugu"], "Knda": ["Kannada"], "Mlym": ["Malayalam"],
    "Sinh": ["Sinhala"], "Thai": ["Thai"], "Laoo": ["Lao"], "Tibt": ["Tibetan"], "Mymr": ["Myanmar"],
    "Khmr": ["Khmer"], "Geor": ["Georgian"], "Armn": ["Armenian"], "Ethi": ["Ethiopic"], "Thaa": ["Thaana"],
    "Hang": ["Hangul"], "Kore": ["Hangul", "Han"], "Hani": ["Han"], "Hans": ["Han"], "Hant": ["Han"],
    "Jpan": ["Han", "Hiragana", "Katakana"], "Hira": ["Hiragana"], "Kana": ["Katakana"], "Syrc": ["Syriac"],
    "Mong": ["Mongolian"], "Tfng": ["Tifinagh"], "Cher": ["Cherokee"], "Cans": ["Canadian_Aboriginal"],
    "Yiii": ["Yi"], "Bopo": ["Bopomofo"],
}

SCRIPT_DEFAULT = {
    "Han": "zh", "Hiragana": "ja", "Katakana": "ja", "Hangul": "ko", "Thai": "th", "Greek": "el",
    "Georgian": "ka", "Armenian": "hy", "Hebrew": "he", "Lao": "lo", "Khmer": "km", "Myanmar": "my",
    "Sinhala": "si", "Gujarati": "gu", "Gurmukhi": "pa", "Oriya": "or", "Tamil": "ta", "Telugu": "te",
    "Kannada": "kn", "Malayalam": "ml", "Ethiopic": "am", "Thaana": "dv", "Tibetan": "bo",
}


def lang_scripts() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for script, langs in _S.items():
        for lang in langs.split():
            out.setdefault(lang, []).append(script)
    for lang in _ALSO_LATIN.split():
        out.setdefault(lang, []).append("Latin")
    for lang, extra in _EXTRA.items():
        out.setdefault(lang, ["Latin"])
        out[lang] += [s for s in extra if s not in out[lang]]
    return dict(sorted(out.items()))


def main() -> None:
    iso1: dict[str, str] = {}
    for lang in iter_langs():
        if lang.pt1:
            for code in (lang.pt3, lang.pt2b, lang.pt2t):
                if code and code != lang.pt1:
                    iso1[code] = lang.pt1

    def norm(code: str) -> str:
        return STANDARD_VARIETY.get(code) or iso1.get(code) or code

    macro: dict[str, str] = {}
    for lang in iter_langs():
        try:
            members = lang.individuals()
        except Exception:  # not a macrolanguage
            continue
        for member in members:
            m, parent = norm(member.pt3), norm(lang.pt3)
            if m != parent:
                macro[m] = parent
    macro["sh"] = "hbs"  # lid.176 label, normalised to hbs anyway; kept for direct look-ups

    table = {
        "_comment": "Generated by tools/gen_iso639.py from the iso639-lang package (SIL ISO 639-3 tables). Do not edit by hand.",
        "iso1": dict(sorted(iso1.items())),
        "standard_variety": dict(sorted(STANDARD_VARIETY.items())),
        "macrolanguage": dict(sorted(macro.items())),
        "deprecated_iso1": dict(sorted(DEPRECATED_ISO1.items())),
        "lid176": dict(sorted(LID176.items())),
        "scripts": lang_scripts(),
        "script_default": SCRIPT_DEFAULT,
        "iso15924": ISO15924,
    }
    json.dump(table, sys.stdout, ensure_ascii=False, indent=0, sort_keys=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
