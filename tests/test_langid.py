"""Language identification: labels, documents, paragraphs inside a document, scripts.

The sentences here were written for these tests; nothing is copied from ../shared.
"""

from __future__ import annotations

import io
import json
import pickle
import random
from pathlib import Path

import pytest

from tamis.signals.langid import (
    MIN_OTHER_LANG_PROB,
    LanguageIdentifier,
    bundled_model_path,
    default_identifier,
    dominant_script,
    letter_count,
    macrolanguage,
    normalize_label,
    same_language,
    script_mix,
)

SENTENCES = {
    "vi": "Hôm nay trời mưa to nên chúng tôi quyết định ở nhà đọc sách và nấu một bữa cơm thật ngon.",
    "ar": "ذهبت العائلة إلى السوق صباح يوم الجمعة لشراء الخضروات والفواكه الطازجة قبل بداية الأسبوع.",
    "en": "The library on the corner closes early on Sundays, so we usually study at the café instead.",
    "zh": "我们明天早上八点在学校门口集合，然后一起坐公共汽车去博物馆参观。",
    "ru": "Вчера вечером мы долго гуляли по набережной и обсуждали планы на летний отпуск.",
    "fr": "Le boulanger du quartier prépare chaque matin des croissants encore tièdes pour les voisins.",
    "th": "เมื่อวานนี้ฉันไปตลาดกับแม่เพื่อซื้อผลไม้และผักสดสำหรับทำอาหารเย็น",
    "ja": "昨日は雨が降っていたので、家で映画を見ながらゆっくり過ごしました。",
}


@pytest.fixture(scope="module")
def lid() -> LanguageIdentifier:
    return default_identifier()


@pytest.mark.parametrize("lang", sorted(SENTENCES))
def test_identifies_a_sentence(lid, lang):
    got, prob = lid.identify(SENTENCES[lang])
    assert got == lang
    assert prob >= 0.8


def test_top_k_is_sorted_and_starts_with_identify(lid):
    top = lid.top_k(SENTENCES["fr"], 3)
    assert 1 <= len(top) <= 3
    assert top[0][0] == lid.identify(SENTENCES["fr"])[0]
    assert [p for _, p in top] == sorted((p for _, p in top), reverse=True)


def test_identify_many_matches_identify(lid):
    texts = list(SENTENCES.values()) + [""]
    assert lid.identify_many(texts) == [lid.identify(t) for t in texts]


@pytest.mark.parametrize("text", ["", "   \n\t ", "12345 678", "2024-05-01 12:30", "!!! --- ???"])
def test_no_letters_is_und(lid, text):
    assert lid.identify(text) == ("und", 0.0)
    assert lid.top_k(text, 3) == []


def test_newlines_and_upper_case(lid):
    assert lid.identify(SENTENCES["en"].replace(", ", ",\n"))[0] == "en"
    assert lid.identify(SENTENCES["en"].upper())[0] == "en"


def test_long_text_is_sampled(lid):
    text = " ".join([SENTENCES["vi"]] * 600)  # ~55,000 characters
    assert lid.identify(text)[0] == "vi"


def test_short_chinese_line_is_not_japanese(lid):
    # lid.176 alone calls many short kana-free Han lines Japanese; the script check does not.
    assert lid.identify("学校明天放假一天")[0] == "zh"
    assert lid.identify("東京は今日も雨です")[0] == "ja"


# -- labels --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label, expected",
    [
        ("__label__vi", ("vi", None)),
        ("__label__zh", ("zh", None)),
        ("__label__ceb", ("ceb", None)),
        ("__label__no", ("no", None)),
        ("__label__als", ("gsw", None)),  # lid.176 (Wikipedia) code for Alemannic
        ("__label__sh", ("hbs", None)),
        ("__label__iw", ("he", None)),
    ],
)
def test_lid176_labels(label, expected):
    assert normalize_label(label) == expected


@pytest.mark.parametrize(
    "label, expected",
    [
        ("__label__vie_Latn", ("vi", "Latn")),
        ("__label__eng_Latn", ("en", "Latn")),
        ("__label__arb_Arab", ("ar", "Arab")),
        ("__label__cmn_Hani", ("zh", "Hani")),
        ("__label__zho_Hant", ("zh", "Hant")),
        ("__label__pes_Arab", ("fa", "Arab")),
        ("__label__zsm_Latn", ("ms", "Latn")),
        ("__label__ekk_Latn", ("et", "Latn")),
        ("__label__lvs_Latn", ("lv", "Latn")),
        ("__label__npi_Deva", ("ne", "Deva")),
        ("__label__als_Latn", ("sq", "Latn")),  # ISO: Tosk Albanian
        ("__label__ceb_Latn", ("ceb", "Latn")),
        ("__label__arz_Arab", ("arz", "Arab")),  # a dialect keeps its code...
        ("__label__zxx_Zxxx", ("und", "Zxxx")),
    ],
)
def test_glotlid_style_labels(label, expected):
    assert normalize_label(label) == expected


def test_bare_iso_codes_with_iso_scheme():
    assert normalize_label("als", "iso639-3") == ("sq", None)
    assert normalize_label("fra", "iso639-3") == ("fr", None)


def test_macrolanguage_families():
    assert macrolanguage("arz") == "ar"  # ...but belongs to Arabic
    assert same_language("arz", "ar")
    assert same_language("nb", "no")
    assert same_language("hr", "bs")
    assert same_language("yue", "zh")
    assert not same_language("en", "ar")
    assert not same_language("uk", "ru")


def test_load_model_by_explicit_path():
    lid = LanguageIdentifier(model_path=bundled_model_path(), labels="lid176")
    assert lid.identify(SENTENCES["en"])[0] == "en"
    pred = lid.predict(SENTENCES["vi"], 2)[0]
    assert (pred.lang, pred.script, pred.label) == ("vi", None, "__label__vi")


def test_pickles_and_default_is_cached(lid):
    clone = pickle.loads(pickle.dumps(lid))
    assert clone.identify(SENTENCES["ru"]) == lid.identify(SENTENCES["ru"])
    assert default_identifier() is default_identifier()


# -- paragraphs ----------------------------------------------------------------------------

ARABIC_ARTICLE = [
    "أعلنت وزارة التعليم اليوم عن خطة جديدة لتطوير المناهج الدراسية في المرحلة الابتدائية خلال العام المقبل.",
    "The ministry said the new curriculum would be introduced gradually, starting with mathematics and science classes in the autumn.",
    "Samsung Galaxy S24",
    "Samsung Galaxy S24 Ultra 5G 256GB Titanium Black",
    "2024/05/01",
    "وأكد المتحدث باسم الوزارة أن المعلمين سيحصلون على تدريب خاص قبل بداية الفصل الدراسي الأول.",
]


def test_english_paragraph_in_arabic_article_is_flagged(lid):
    res = lid.identify_paragraphs(ARABIC_ARTICLE, "ar")
    assert res[1][0] == "en" and res[1][1] >= MIN_OTHER_LANG_PROB
    assert res[0][0] == "ar" and res[5][0] == "ar"


def test_brand_names_and_numbers_are_not_confidently_flagged(lid):
    res = lid.identify_paragraphs(ARABIC_ARTICLE, "ar")
    assert res[2] == ("und", 0.0)  # too short to judge
    assert res[4] == ("und", 0.0)
    lang, prob = res[3]  # long enough to be judged, but a product name has no language
    assert lang in ("ar", "und") or prob < MIN_OTHER_LANG_PROB


def test_paragraph_doc_lang_accepts_iso639_3_and_dialects(lid):
    assert lid.identify_paragraphs(ARABIC_ARTICLE[:1], "arb_Arab")[0][0] == "ar"
    assert lid.identify_paragraphs([SENTENCES["en"]], "en")[0][0] == "en"


def test_undetermined_document_flags_nothing(lid):
    assert lid.identify_paragraphs([SENTENCES["en"], SENTENCES["ar"]], "und") == [("und", 0.0), ("und", 0.0)]


def test_foreign_script_paragraph_in_vietnamese_document(lid):
    (lang, prob), = lid.identify_paragraphs([SENTENCES["zh"]], "vi")
    assert lang == "zh" and prob >= MIN_OTHER_LANG_PROB


# -- scripts -------------------------------------------------------------------------------


def test_scripts():
    assert dominant_script(SENTENCES["ar"]) == "Arabic"
    assert dominant_script(SENTENCES["th"]) == "Thai"
    assert dominant_script("1234 !!") == "Unknown"
    assert script_mix("") == {}
    mix = script_mix("قال المدير 안녕하세요 ok")
    assert set(mix) == {"Arabic", "Hangul", "Latin"}
    assert abs(sum(mix.values()) - 1.0) < 1e-9
    ja = script_mix(SENTENCES["ja"])
    assert "Hiragana" in ja and "Han" in ja


def test_letter_count_weighs_cjk():
    assert letter_count("abc 123") == 3
    assert letter_count("学校") == 6
    assert letter_count("مَرْحَبًا") == 5  # harakat are not letters


# -- optional: a sample of the shared evaluation set ---------------------------------------

_SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "lid-sentences.jsonl.zst"


@pytest.mark.skipif(not _SHARED.exists(), reason="shared evaluation data not present")
def test_sentence_accuracy_on_shared_sample(lid):
    zstandard = pytest.importorskip("zstandard")
    langs = {"vi", "ar", "en", "zh", "ru", "fr", "th", "ja", "de", "es"}
    by_lang: dict[str, list[str]] = {lang: [] for lang in langs}
    with open(_SHARED, "rb") as fh:
        for line in io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(fh), encoding="utf-8"):
            rec = json.loads(line)
            if rec["granularity"] == "sentence" and rec["lang"] in langs:
                by_lang[rec["lang"]].append(rec["text"])
    rng = random.Random(0)
    for lang, texts in by_lang.items():
        sample = rng.sample(texts, 30)
        acc = sum(lid.identify(t)[0] == lang for t in sample) / len(sample)
        assert acc >= 0.9, (lang, acc)


# -- documents read off their paragraphs, remembered predictions ----------------------------


def test_remembered_predictions_are_the_models_own(lid):
    fresh = LanguageIdentifier()
    texts = [SENTENCES[k] for k in SENTENCES] + ARABIC_ARTICLE
    first = [fresh.top_k(t, 5) for t in texts]
    assert [fresh.top_k(t, 5) for t in texts] == first  # answered from memory
    assert [fresh.identify(t) for t in texts] == [LanguageIdentifier().identify(t) for t in texts]
    # the top label out of a remembered top 5 is the top 1 the model gives
    assert [fresh.identify(t) for t in texts] == [(p[0][0], p[0][1]) if p else ("und", 0.0) for p in first]


def test_document_language_from_its_paragraphs(lid):
    article = [SENTENCES["vi"], "Ảnh: TTXVN", SENTENCES["vi"].replace("Hôm nay", "Sáng mai")]
    lang, prob = lid.identify_by_paragraphs(article, [article[0], article[2]])
    assert lang == "vi" and prob > 0.9
    arabic = [ARABIC_ARTICLE[0], ARABIC_ARTICLE[5]]
    lang, prob = lid.identify_by_paragraphs(arabic, arabic)
    assert lang == "ar" and prob > 0.9


def test_document_whose_paragraphs_disagree_is_predicted_whole(lid):
    # Arabic with a long English paragraph: no language holds 90% of the weight, so the paragraphs
    # do not decide (a near tie would decide which of them are "other-language")
    assert lid.identify_by_paragraphs(ARABIC_ARTICLE, ARABIC_ARTICLE) == lid.identify("\n".join(ARABIC_ARTICLE))


def test_document_language_falls_back_to_the_whole_text(lid):
    # the judged paragraphs hold too little of the text: the text is predicted whole
    menu = ["Trang chủ", "Thời sự", "Thế giới", "Kinh doanh", "Giải trí", "Thể thao", "Pháp luật"]
    lines = menu + [SENTENCES["vi"][:40]]
    assert lid.identify_by_paragraphs(lines, []) == lid.identify("\n".join(lines))
    assert lid.identify_by_paragraphs(["12345", "2024/05/01"], ["12345"]) == ("und", 0.0)


# -- the paragraph shortcut (identify_by_paragraphs with `assumed`) -------------------------

PERSIAN = "وزارت آموزش و پرورش اعلام کرد که برنامه جدید درسی از سال آینده در همه مدارس کشور اجرا می‌شود."


def _arabic_page() -> list[str]:
    lead = " ".join([ARABIC_ARTICLE[0], ARABIC_ARTICLE[5], SENTENCES["ar"], ARABIC_ARTICLE[0]])  # > 300 chars
    body = [f"{ARABIC_ARTICLE[5]} {SENTENCES['ar']} {ARABIC_ARTICLE[0]} {i}" for i in range(8)]
    return [lead, ARABIC_ARTICLE[5], ARABIC_ARTICLE[1], SENTENCES["ar"], PERSIAN, ARABIC_ARTICLE[2], *body]


def test_shortcut_skips_only_paragraphs_of_the_settled_script(lid):
    page = _arabic_page()
    assumed: dict = {}
    lang, prob = lid.identify_by_paragraphs(page, page, assumed=assumed)
    assert lang == "ar" and prob > 0.9
    # the lead is predicted (it settles the language); the English and Persian paragraphs and the
    # Latin product name are not base-Arabic, so they are predicted too
    assert set(assumed) == {ARABIC_ARTICLE[5], SENTENCES["ar"], *page[6:]}
    assert all(v[0] == "ar" and 0.9 < v[1] <= 1.0 for v in assumed.values())
    res = lid.identify_paragraphs(page, "ar", assumed=assumed)
    assert res[2][0] == "en" and res[2][1] >= MIN_OTHER_LANG_PROB  # still removed as other-language
    assert res[4][0] == "fa"
    assert res[1] == ("ar", assumed[ARABIC_ARTICLE[5]][1]) and res[3] == ("ar", assumed[SENTENCES["ar"]][1])
    # without the shortcut the same languages come out
    assert [x[0] for x in lid.identify_paragraphs(page, "ar")] == [x[0] for x in res]


def test_shortcut_answers_depend_on_the_text_alone(lid):
    page = _arabic_page()
    warm: dict = {}
    lid.identify_paragraphs(page, "ar")  # everything remembered
    first = lid.identify_by_paragraphs(page, page, assumed=warm)
    cold: dict = {}
    assert LanguageIdentifier().identify_by_paragraphs(page, page, assumed=cold) == first
    assert cold == warm


def test_shortcut_needs_the_language_settled_first(lid):
    from tamis.signals.langid import SHORTCUT_MIN_CHARS

    # paragraphs are predicted until SHORTCUT_MIN_CHARS characters of them settle the language
    page = [SENTENCES["ar"], ARABIC_ARTICLE[5]]
    assert len(page[0]) < SHORTCUT_MIN_CHARS
    assumed: dict = {}
    assert lid.identify_by_paragraphs(page, page, assumed=assumed) == lid.identify_by_paragraphs(page, page)
    assert assumed == {}
    # an assumption in another language than the document's is not used
    (lang, _), = lid.identify_paragraphs([SENTENCES["ar"]], "en", assumed={SENTENCES["ar"]: ("ar", 0.99)})
    assert lang == "ar"


def test_shortcut_for_vietnamese_leaves_english_about_vietnam_to_the_model(lid):
    lead = " ".join([SENTENCES["vi"], SENTENCES["vi"].replace("Hôm nay", "Sáng mai")])
    assert len(lead) >= 150
    english = ("The prime minister met the president of the national assembly in Hà Nội on Monday to discuss "
               "the new trade agreement and the budget for the coming year.")
    body = [SENTENCES["vi"].replace("Hôm nay", f"Ngày {i}") for i in range(40)]
    page = [lead, english, *body]
    assumed: dict = {}
    assert lid.identify_by_paragraphs(page, page, assumed=assumed)[0] == "vi"
    assert english not in assumed and set(body) <= set(assumed)
    res = lid.identify_paragraphs(page, "vi", assumed=assumed)
    assert res[1][0] == "en" and res[1][1] >= MIN_OTHER_LANG_PROB
    assert [x[0] for x in res] == [x[0] for x in lid.identify_paragraphs(page, "vi")]
