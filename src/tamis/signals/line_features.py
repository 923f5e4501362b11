"""Per-line features for the content/boilerplate line scorer.

Plain text only (no markup, so no link density): the signals are the ones a reader sees. How long a
line is, whether it reads like prose (sentence punctuation, stop words, commas), whether it looks like
interface text (separators, counters, dates, URLs, a known UI phrase), whether it repeats, where it
sits in the page and what its neighbours look like. Everything is language-agnostic or looked up per
language (stop words, word counting per script), so languages with few labelled pages borrow what the
model learned on the others.

Speed (the scorer runs on every document): the document becomes one numpy array of code points, a
lookup table gives every character a class, and one `bincount` over (line, class) and (line,
character-pair "atom") yields every per-line character count and small pattern (word starts, "://",
"12/05", "(3)", dot leaders, ...) without a regex. The only per-token Python is the stop-word lookup;
one trie regex finds UI phrases at line starts. Context features are array shifts and cumulative sums.

Language-specific data (stop words from stopwordsiso, the UI phrase table below) is read here; the
feature *values* are what the model was trained on, so changing either means retraining the model
(tools/train_line_model.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

import numpy as np
import regex

__all__ = ["FEATURE_NAMES", "BLANK_FEATURE", "MISSING", "line_features", "line_features_many", "normalize_lang"]

# --- character classes (mutually exclusive) -------------------------------------------------------
(OTHER, LOWER, UPPER, LETTER, UNSPACED, DIGIT, SPACE, TERM, DOT, COMMA, COLON, OPEN, CLOSE, DASH, SLASH,
 SEP, AT, SYMBOL, COPY, ELLIPSIS, NEWLINE, PUNCT) = range(22)
_C = 22
_ASTRAL = 0x10000  # one table slot for every code point beyond the BMP (mostly emoji)

# Scripts written without spaces between words: there one character counts as one word.
_UNSPACED_RX = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Tibetan}]"
_CHAR_GROUPS = (  # applied in order, later groups win
    (_UNSPACED_RX, UNSPACED),
    (r"\p{Sentence_Terminal}", TERM),
    (r"\p{Pd}", DASH),
)
_LITERAL_GROUPS = (
    (".", DOT), (",،、，;؛；", COMMA), (":：", COLON), ("\"'", CLOSE), ("/\\", SLASH),
    ("|¦‖»«›‹•·∙►▶▸◄◀→←><~", SEP), ("@#", AT), ("©®™", COPY), ("…", ELLIPSIS), ("\t", SPACE), ("\n", NEWLINE),
)


def _build_class_table() -> np.ndarray:
    by_category = {"Ll": LOWER, "Lu": UPPER, "Lt": UPPER, "Nd": DIGIT, "Nl": DIGIT, "No": DIGIT, "Zs": SPACE,
                   "Ps": OPEN, "Pi": OPEN, "Pe": CLOSE, "Pf": CLOSE}
    by_major = {"L": LETTER, "M": LETTER, "P": PUNCT, "S": SYMBOL}
    chars = "".join(map(chr, range(_ASTRAL)))
    table = np.fromiter(
        (by_category.get(cat, by_major.get(cat[0], OTHER)) for cat in map(unicodedata.category, chars)),
        dtype=np.uint8, count=_ASTRAL,
    )
    table = np.append(table, np.uint8(SYMBOL))
    for pattern, cls in _CHAR_GROUPS:
        table[[m.start() for m in regex.finditer(pattern, chars)]] = cls
    for group, cls in _LITERAL_GROUPS:
        table[[ord(c) for c in group]] = cls
    return table


_CLASS = _build_class_table()


def _class_set(*classes: int) -> np.ndarray:
    mask = np.zeros(_C, dtype=bool)
    mask[list(classes)] = True
    return mask


_PUNCTS = [TERM, DOT, COMMA, COLON, OPEN, CLOSE, DASH, PUNCT, ELLIPSIS]

# Character-pair "atoms": every (previous class, class) pair falls in at most one, so one bincount over
# (line, atom) counts them all. Word starts are split by what precedes them to double as patterns.
(A_NONE, A_WS_UPPER, A_WS_LOWER, A_WS_LOWER_AFTER_DOT, A_WS_LETTER, A_WS_DIGIT, A_WS_DIGIT_AFTER_SEP,
 A_WS_DIGIT_AFTER_COLON, A_WS_DIGIT_AFTER_OPEN, A_URL, A_HANDLE, A_EMAIL, A_REPEAT) = range(13)
_N_ATOMS = 13
_WORDISH = _class_set(LOWER, UPPER, LETTER, DIGIT)


def _atom_table() -> np.ndarray:
    t = np.zeros((_C, _C), dtype=np.int64)  # [previous class, class]
    starts = ~_WORDISH
    t[starts, UPPER] = A_WS_UPPER
    t[starts, LOWER] = A_WS_LOWER
    t[DOT, LOWER] = A_WS_LOWER_AFTER_DOT  # "example.com", "photo.jpg"
    t[starts, LETTER] = A_WS_LETTER
    t[starts, DIGIT] = A_WS_DIGIT
    t[[DOT, SLASH, DASH], DIGIT] = A_WS_DIGIT_AFTER_SEP  # dates "12.05.2023", "3/4", "2020-01"
    t[COLON, DIGIT] = A_WS_DIGIT_AFTER_COLON  # times "10:30"
    t[OPEN, DIGIT] = A_WS_DIGIT_AFTER_OPEN  # counters "(3)", references "[12]"
    t[COLON, SLASH] = A_URL  # "://"
    t[starts, AT] = A_HANDLE  # "@name", "#tag"
    t[_WORDISH, AT] = A_EMAIL  # "name@host"
    for c in (DOT, DASH, ELLIPSIS, PUNCT, SYMBOL, SEP):  # "....", "----", "!!!", "****": leaders, rulers
        t[c, c] = A_REPEAT
    return (t + _C).ravel()  # atom ids follow the class ids in the per-line count matrix


_ATOM = _atom_table()
_K = _C + _N_ATOMS  # columns of the per-line count matrix: class counts, then atom counts
# (previous class, class) -> class * _N_ATOMS + atom: one bincount code per character gives both counts.
_JOINT = (np.repeat(np.arange(_C), _C).reshape(_C, _C).T.ravel() * _N_ATOMS + (_ATOM - _C)).astype(np.int32)
_NJ = _C * _N_ATOMS


# Interface phrases that open (or make up) a boilerplate line, in many languages. One shared feature
# ("the line starts with a UI phrase, and this much of it is that phrase") lets the weight learned
# on English/German pages carry over to languages with few labelled pages. Generic vocabulary only,
# nothing about particular sites.
_UI_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        "home", "menu", "search", "skip to content", "skip to main content", "main menu", "navigation",
        "share", "share this", "share on", "tweet", "print", "email", "comments", "comment", "leave a comment",
        "leave a reply", "reply", "related", "related articles", "related posts", "related stories",
        "read more", "read also", "see also", "more from", "you may also like", "recommended", "most read",
        "most popular", "trending", "latest news", "top stories", "next", "previous", "next article",
        "previous article", "back to top", "tags", "tagged", "categories", "category", "filed under",
        "posted in", "posted by", "published", "updated", "by", "written by", "photo", "image", "credit",
        "source", "advertisement", "sponsored", "subscribe", "sign up", "sign in", "log in", "login",
        "register", "newsletter", "follow us", "contact us", "about us", "privacy policy", "terms of use",
        "terms of service", "cookie", "cookies", "we use cookies", "accept", "all rights reserved",
        "copyright", "loading", "click here", "view all", "show more", "load more", "watch", "listen",
        "download", "references", "external links", "notes", "footnotes", "sources", "bibliography",
        "table of contents", "contents", "jump to", "page", "rss", "sitemap", "help", "faq",
    ),
    "de": (
        "startseite", "suche", "menü", "teilen", "drucken", "kommentare", "kommentar", "weiterlesen",
        "mehr zum thema", "mehr dazu", "lesen sie auch", "auch interessant", "verwandte artikel",
        "ähnliche artikel", "schlagworte", "stichworte", "kategorie", "veröffentlicht", "aktualisiert",
        "von", "foto", "bild", "quelle", "anzeige", "werbung", "abonnieren", "anmelden", "registrieren",
        "kontakt", "impressum", "datenschutz", "datenschutzerklärung", "nutzungsbedingungen", "agb",
        "alle rechte vorbehalten", "nach oben", "zurück", "weiter", "mehr", "einzelnachweise", "literatur",
        "inhaltsverzeichnis", "folgen sie uns", "newsletter",
    ),
    "fr": (
        "accueil", "rechercher", "partager", "imprimer", "commentaires", "lire aussi", "lire la suite",
        "à lire aussi", "voir aussi", "articles similaires", "publié", "mis à jour", "publicité",
        "s'abonner", "connexion", "se connecter", "mentions légales", "politique de confidentialité",
        "tous droits réservés", "suivez-nous", "retour en haut", "sommaire",
    ),
    "es": (
        "inicio", "buscar", "compartir", "imprimir", "comentarios", "leer más", "lee también",
        "ver también", "noticias relacionadas", "publicado", "actualizado", "publicidad", "suscríbete",
        "iniciar sesión", "contacto", "aviso legal", "política de privacidad", "todos los derechos reservados",
        "síguenos", "volver arriba", "etiquetas",
    ),
    "pt": ("início", "pesquisar", "compartilhar", "comentários", "leia também", "leia mais", "publicidade", "todos os direitos reservados"),
    "it": ("condividi", "commenti", "leggi anche", "leggi di più", "pubblicità", "tutti i diritti riservati"),
    "nl": ("delen", "reacties", "lees ook", "lees meer", "advertentie", "alle rechten voorbehouden"),
    "pl": ("strona główna", "udostępnij", "komentarze", "czytaj także", "czytaj więcej", "reklama", "wszelkie prawa zastrzeżone"),
    "ru": (
        "главная", "поиск", "меню", "поделиться", "комментарии", "комментарий", "читайте также",
        "читать далее", "подробнее", "похожие новости", "похожие статьи", "новости по теме", "теги",
        "метки", "рубрика", "опубликовано", "обновлено", "фото", "источник", "реклама", "подписаться",
        "войти", "регистрация", "контакты", "о нас", "все права защищены", "версия для печати",
        "наверх", "далее", "популярное", "последние новости", "архив",
    ),
    "zh": (
        "首页", "主页", "搜索", "导航", "分享", "分享到", "打印", "评论", "发表评论", "网友评论", "相关新闻",
        "相关文章", "相关阅读", "延伸阅读", "推荐阅读", "热门", "热点", "阅读", "更多", "查看更多", "上一篇",
        "下一篇", "上一页", "下一页", "标签", "关键词", "来源", "责任编辑", "编辑", "作者", "发布时间",
        "广告", "订阅", "登录", "注册", "联系我们", "关于我们", "版权所有", "版权声明", "免责声明",
        "网站地图", "返回顶部", "返回首页", "点击", "收藏", "图片", "图",
    ),
    "ja": ("ホーム", "検索", "シェア", "コメント", "関連記事", "続きを読む", "もっと見る", "広告", "ログイン", "お問い合わせ", "著作権"),
    "vi": (
        "trang chủ", "tìm kiếm", "chia sẻ", "bình luận", "ý kiến", "gửi bình luận", "tin liên quan",
        "bài liên quan", "tin cùng chuyên mục", "cùng chuyên mục", "tin khác", "tin mới", "tin mới nhất",
        "tin nổi bật", "đọc nhiều", "xem nhiều", "xem thêm", "đọc thêm", "xem tiếp", "tin tức",
        "từ khóa", "từ khoá", "thẻ", "chuyên mục", "danh mục", "ảnh", "video", "nguồn", "theo",
        "tác giả", "cập nhật", "đăng lúc", "quảng cáo", "đăng nhập", "đăng ký", "theo dõi", "liên hệ",
        "giới thiệu", "bản quyền", "ghi rõ nguồn", "điều khoản", "chính sách bảo mật", "trở lại",
        "quay lại", "lên đầu trang", "in bài", "gửi bài", "thích", "tải về",
    ),
    "ar": (
        "الرئيسية", "الصفحة الرئيسية", "بحث", "القائمة", "شارك", "مشاركة", "شارك هذا الخبر", "طباعة",
        "تعليقات", "التعليقات", "تعليق", "أضف تعليق", "اقرأ أيضا", "اقرأ أيضاً", "اقرأ المزيد", "المزيد",
        "أخبار ذات صلة", "مقالات ذات صلة", "مواضيع ذات علاقة", "ذات صلة", "الأكثر قراءة", "الأكثر مشاهدة",
        "آخر الأخبار", "اخر الأخبار", "الكلمات الدالة", "كلمات مفتاحية", "الوسوم", "وسوم", "تصنيف",
        "نشر في", "تم نشره", "بتاريخ", "تاريخ النشر", "تحديث", "بواسطة", "صورة", "المصدر", "إعلان",
        "اعلان", "اشترك", "اشترك الآن", "تسجيل الدخول", "تابعونا", "تابعنا", "اتصل بنا", "من نحن",
        "سياسة الخصوصية", "شروط الاستخدام", "جميع الحقوق محفوظة", "حقوق النشر", "التالي", "السابق",
        "فيديو", "تغريد",
    ),
    "fa": (
        "صفحه اصلی", "خانه", "جستجو", "اشتراک گذاری", "نظرات", "دیدگاه", "بیشتر بخوانید", "اخبار مرتبط",
        "مطالب مرتبط", "برچسب ها", "کلیدواژه", "منبع", "تبلیغات", "ورود", "ثبت نام", "تماس با ما",
        "درباره ما", "کلیه حقوق", "پربازدید", "آخرین اخبار",
    ),
    "ur": ("صفحہ اول", "تلاش", "شیئر", "تبصرے", "مزید پڑھیں", "متعلقہ خبریں", "اشتہار", "رابطہ", "جملہ حقوق"),
    "hi": (
        "होम", "मुख्य पृष्ठ", "खोजें", "शेयर", "शेयर करें", "टिप्पणी", "टिप्पणियां", "यह भी पढ़ें", "और पढ़ें",
        "संबंधित खबरें", "संबंधित", "विज्ञापन", "लॉग इन", "सब्सक्राइब", "संपर्क करें", "हमारे बारे में",
        "सर्वाधिकार सुरक्षित", "टैग", "ताज़ा खबरें",
    ),
    "tr": ("ana sayfa", "paylaş", "yorumlar", "ilgili haberler", "devamını oku", "reklam", "tüm hakları saklıdır"),
    "id": ("beranda", "bagikan", "komentar", "baca juga", "berita terkait", "iklan", "hak cipta"),
}



_WORD_END = r"(?=[\s\d!-/:-@\[-`{-~\u00a0-\u00bf\u2000-\u206f\u3000-\u303f\uff01-\uff0f،؛؟۔]|$)"


def _trie(phrases: list[str]) -> str:
    """A regex alternation of literal phrases as a trie: one character test per branch point instead
    of one attempt per phrase (a longer phrase is tried before its own prefix)."""
    root: dict = {}
    for p in phrases:
        node = root
        for c in p:
            node = node.setdefault(c, {})
        node[""] = True

    def emit(node: dict) -> str:
        alts = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if "" in node:
            alts.append("")
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return emit(root)


def _phrase_trie_regex(phrases: set[str]) -> re.Pattern[str]:
    """One regex matching any phrase right after a newline; a trie, so a line start costs one pass."""
    # Phrases of spaced scripts end at a word boundary, checked once after their trie (backtracking to a
    # shorter phrase when a longer one fails it), not at every leaf: compiling is then several times faster.
    spaced = sorted(p for p in phrases if _CLASS[min(ord(p[-1]), _ASTRAL)] != UNSPACED)
    unspaced = sorted(p for p in phrases if _CLASS[min(ord(p[-1]), _ASTRAL)] == UNSPACED)
    # stdlib `re`, not `regex`: with a literal "\n" prefix it skips to line starts several times faster.
    # Leading bullets, digits and punctuation are allowed ("• Share", "12 comments").
    return re.compile(rf"\n[^\w\n]*(?:\d+[^\w\n]*)?(?:{_trie(spaced)}{_WORD_END}|{_trie(unspaced)})")


_UI_START = _phrase_trie_regex({p.lower() for ps in _UI_PHRASES.values() for p in ps})

# Photo credits and image labels that end a caption ("… Ảnh: Hoàng Long.", "… (Source: AFP)", "记者 X 摄",
# alt text "… anh 1"), in many languages: generic wording, looked for in a line's last characters only.
_CREDITS: dict[str, tuple[str, ...]] = {
    "en": ("photo:", "photo by", "(photo", "photograph:", "image:", "(image", "credit:", "credits:", "(source:",
           "source:", "getty images", "(ap)", "(afp)", "(reuters)", "/ afp", "/ reuters", "file photo"),
    "vi": ("ảnh:", "(ảnh", "ảnh minh họa", "ảnh minh hoạ", "nguồn:", "(nguồn", "ảnh internet", "ảnh chụp màn hình"),
    "ar": ("تصوير", "(صورة", "صورة:", "الصورة:", "(أ ف ب)", "(أ.ف.ب)", "(رويترز)", "(واس)", "المصدر:", "(أرشيفية)"),
    "zh": ("图片来源", "图/", "供图", "资料图", "图源"),  # and "摄" as the last character, below
    "ja": ("撮影", "写真:", "写真＝"),
    "th": ("ภาพ:", "(ภาพ", "ภาพจาก", "ที่มา:"),
    "de": ("foto:", "(foto", "bild:", "quelle:", "fotos:"),
    "fr": ("photo :", "crédit :", "crédits :", "source :", "(photo"),
    "es": ("foto:", "(foto", "fuente:", "imagen:"),
    "pt": ("foto:", "(foto", "fonte:", "imagem:"),
    "it": ("foto:", "(foto", "fonte:"),
    "ru": ("фото:", "фото ", "(фото", "источник:"),
    "fa": ("عکس:", "(عکس", "منبع:"),
    "hi": ("फोटो:", "(फोटो", "चित्र:", "स्रोत:"),
    "tr": ("fotoğraf:", "(fotoğraf", "kaynak:"),
    "id": ("foto:", "(foto", "sumber:"),
}
_CREDIT_TAIL = 48  # characters at the end of a line where a credit counts
_CREDIT = re.compile(
    _trie(sorted({c for cs in _CREDITS.values() for c in cs})) + r"|摄\W*$|\b(?:anh|hinh|image|photo|img)[ _-]?\d{1,2}\s*$",
    re.M,
)

# --- stop words -----------------------------------------------------------------------------------
_LANG_ALIASES = {
    "vie": "vi", "arb": "ar", "ara": "ar", "zho": "zh", "cmn": "zh", "rus": "ru", "pes": "fa", "fas": "fa",
    "prs": "fa", "urd": "ur", "hin": "hi", "eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr",
    "spa": "es", "por": "pt", "ita": "it", "nld": "nl", "pol": "pl", "jpn": "ja", "tha": "th", "tur": "tr",
    "ind": "id", "kor": "ko", "ukr": "uk", "ces": "cs", "swe": "sv", "fin": "fi", "nob": "no", "nno": "no",
    "nb": "no",
}
_LEADING = "([{\"'«“‘„¿¡"
_TRAILING = ".,;:!?)]}\"'»”’،؛؟…"


def normalize_lang(lang: str | None) -> str | None:
    """'vie_Latn', 'zh-Hans', 'EN' -> 'vi', 'zh', 'en'; None stays None."""
    if not lang:
        return None
    base = re.split(r"[-_]", lang.strip().lower(), maxsplit=1)[0]
    return _LANG_ALIASES.get(base, base)


@lru_cache(maxsize=64)
def _stopwords(lang: str | None) -> frozenset[str] | np.ndarray | None:
    """Stop words of `lang` in the form the counter uses, or None when the language has no list.

    Spaced scripts: the single-word stop words plus their forms with punctuation attached ("the,",
    "(and"), so `str.split()` tokens can be looked up as they are. Unspaced scripts (zh, ja, th ...):
    a boolean table over code points of the one-character stop words.
    """
    if lang is None:
        return None
    try:
        import stopwordsiso
    except ImportError:  # optional at run time: the model copes with "unknown" (MISSING)
        return None
    if not stopwordsiso.has_lang(lang):
        return None
    words = {w.lower() for w in stopwordsiso.stopwords(lang) if w and not any(c.isspace() for c in w)}
    single = [w for w in words if len(w) == 1 and _CLASS[min(ord(w), _ASTRAL)] == UNSPACED]
    if len(single) >= 10:
        table = np.zeros(_ASTRAL + 1, dtype=bool)
        table[[ord(w) for w in single]] = True
        return table
    forms = set(words)
    forms.update(w + p for w in words for p in _TRAILING)
    forms.update(p + w for w in words for p in _LEADING)
    return frozenset(forms)


# --- feature layout -------------------------------------------------------------------------------
_CHAR_FEATURES = (
    "log_chars", "log_words", "frac_letter", "frac_digit", "frac_space", "frac_punct", "frac_symbol",
    "frac_sep", "frac_upper", "frac_unspaced", "mean_word_len", "cap_word_frac", "digit_word_frac",
    "terms_per_word", "commas_per_word",
    "n_url", "n_domain", "n_handle", "n_email", "n_digit_sep", "n_digit_colon", "n_paren_num", "n_copyright",
    "n_repeat",
)
_COUNT_FEATURES = _CHAR_FEATURES[15:]
_EDGE_FEATURES = (
    "ends_term", "ends_colon", "ends_ellipsis", "ends_comma", "ends_digit", "ends_close",
    "starts_upper", "starts_lower", "starts_digit", "starts_symbol", "starts_open", "ref_start",
)
_OTHER_FEATURES = ("stop_frac", "log_stop", "ui_phrase", "log_dup", "dup_later", "short_run", "rel_len",
                   "credit_end")
_POSITION = (
    "rel_index", "rel_char_pos", "log_index", "log_from_end", "log_lines", "log_doc_chars",
    "prose_before", "prose_after", "log_dist_prose_up", "log_dist_prose_down", "doc_prose_frac",
    "doc_stop_frac",
)
_NEIGHBOUR_BASE = ("log_chars", "ends_term", "stop_frac", "ui_phrase", "log_dup", "cap_word_frac", "frac_punct")
_OFFSETS = (-3, -2, -1, 1, 2, 3)
_WINDOW_BASE = ("log_chars", "ends_term", "stop_frac", "prose")
_WINDOWS = (2, 6)
_LOCAL = _CHAR_FEATURES + _EDGE_FEATURES + _OTHER_FEATURES

FEATURE_NAMES: tuple[str, ...] = (
    _LOCAL
    + _POSITION
    + tuple(f"{b}@{o:+d}" for o in _OFFSETS for b in _NEIGHBOUR_BASE)
    + tuple(f"{b}~{w}" for w in _WINDOWS for b in _WINDOW_BASE)
    + ("prose",)
)
_IDX = {name: i for i, name in enumerate(FEATURE_NAMES)}
_NEIGHBOUR_COLS = [_IDX[b] for b in _NEIGHBOUR_BASE]
_WINDOW_COLS = [_IDX[b] for b in _WINDOW_BASE]
BLANK_FEATURE = _IDX["log_chars"]  # 0 exactly on blank lines; the scorer gives those a neutral score
MISSING = -1.0  # a value that cannot be computed: stop words of an unknown language, beyond the page edge
_PROSE_MIN_WORDS = 10  # a "prose" line: at least this many words and sentence-final punctuation
_STOP_SAMPLE = 60  # stop words are counted on a line's first words only: the share is what matters

# How a line ends / starts, looked up by the class of its last / first character.
_END_TABLE = np.zeros((_C, 5), dtype=np.float32)  # ends_term, ends_colon, ends_ellipsis, ends_comma, ends_digit
for _j, _classes in enumerate(((TERM, DOT), (COLON,), (ELLIPSIS,), (COMMA,), (DIGIT,))):
    _END_TABLE[list(_classes), _j] = 1
_START_TABLE = np.zeros((_C, 5), dtype=np.float32)  # upper, lower, digit, symbol/bullet, opening bracket
for _j, _classes in enumerate(((UPPER,), (LOWER,), (DIGIT,), (SEP, SYMBOL, PUNCT, DASH, AT, COPY), (OPEN,))):
    _START_TABLE[list(_classes), _j] = 1


def line_features(lines: list[str], lang: str | None) -> np.ndarray:
    """Feature matrix, float32 [len(lines), len(FEATURE_NAMES)]; blank lines get an all-zero row."""
    return line_features_many([lines], lang)


def line_features_many(docs: list[list[str]], lang: str | None) -> np.ndarray:
    """line_features of several documents in one language, stacked in order: the same values as
    one call per document, for a fraction of the numpy calls (the per-character work runs once over
    the whole batch; only what depends on a document's other lines is computed per document)."""
    lang = normalize_lang(lang)
    total = sum(len(lines) for lines in docs)
    kept: list[list[str]] = []
    rows: list[int] = []  # output row of every non-blank line
    at = 0
    for lines in docs:
        if lines and all(lines) and not any(map(str.isspace, lines)):
            kept.append(lines)
            rows.extend(range(at, at + len(lines)))
        else:  # context is computed over the non-blank lines only, as if the blanks were absent
            keep = [i for i, line in enumerate(lines) if line and not line.isspace()]
            if keep:
                kept.append([lines[i] for i in keep])
                rows.extend(at + i for i in keep)
        at += len(lines)
    if kept and len(rows) == total:
        return _features(kept, lang)
    out = np.zeros((total, len(FEATURE_NAMES)), dtype=np.float32)
    if kept:
        out[rows] = _features(kept, lang)
    return out


def _features(docs: list[list[str]], lang: str | None) -> np.ndarray:
    """Features of the lines of documents (each at least one line, none blank), stacked. What
    depends on a document's other lines is computed per document (`_Segments`), with the
    arithmetic a document alone gets, so batching never changes a value."""
    lines = [line for doc in docs for line in doc]
    n = len(lines)
    text = "\n".join(lines)
    X = np.empty((n, len(FEATURE_NAMES)), dtype=np.float32)
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    cls = _CLASS.take(np.minimum(cps, _ASTRAL))
    lengths = np.fromiter(map(len, lines), dtype=np.int64, count=n)
    ends = np.cumsum(lengths + 1) - 1  # offset of each line's newline (one past the text for the last)
    starts = ends - lengths
    bounds = np.cumsum([0] + [len(doc) for doc in docs])  # first line of each document, and n
    # A newline belongs to the line it ends (no feature counts newlines: the one after a document's
    # last line, which a document alone lacks, changes nothing; tests compare batched and alone).
    line_of = np.repeat(np.arange(n, dtype=np.int32), lengths + 1)[: len(cps)]
    nchars = lengths.astype(np.float32)

    words = _char_features(X, cls, line_of, nchars, n)
    _edge_features(X, cps, cls, starts, ends)
    low = text.lower()
    stop = _stop_counts(low, cps, line_of, lang, n, words)
    if stop is None:
        X[:, _IDX["stop_frac"]] = X[:, _IDX["log_stop"]] = MISSING
    else:
        X[:, _IDX["stop_frac"]] = np.minimum(stop / np.maximum(words, 1), 1)
        X[:, _IDX["log_stop"]] = np.log1p(stop)
    X[:, _IDX["ui_phrase"]] = _ui_phrase(low, starts if len(low) == len(text) else None, nchars, n)
    X[:, _IDX["credit_end"]] = _credit_end(lines, n)
    seg = _Segments(bounds)
    _repetition_features(X, low.split("\n"), seg)
    short = words <= 3
    X[:, _IDX["short_run"]] = np.log1p(_run_lengths(short, bounds[:-1])) * short
    prose = (words >= _PROSE_MIN_WORDS) & (X[:, _IDX["ends_term"]] > 0)
    X[:, _IDX["prose"]] = prose
    _position_features(X, nchars, prose, seg)
    _context_features(X, seg)
    return X


class _Segments:
    """Where each line sits in its document, for a batch of documents whose lines are stacked."""

    def __init__(self, bounds: np.ndarray) -> None:
        self.bounds = bounds  # first line of each document, then the number of lines
        sizes = np.diff(bounds)
        doc = np.repeat(np.arange(len(sizes)), sizes)
        self.first = bounds[doc]  # per line: the document's first line, its end, its line count
        self.end = bounds[doc + 1]
        self.size = sizes[doc]
        self.local = np.arange(bounds[-1]) - self.first  # the line's index in its document
        self.doc = doc

    def spans(self) -> zip:
        return zip(self.bounds[:-1].tolist(), self.bounds[1:].tolist())


def _char_features(X: np.ndarray, cls: np.ndarray, line_of: np.ndarray, nchars: np.ndarray, n: int) -> np.ndarray:
    """Length, character make-up and small character patterns; returns the script-aware word count."""
    pair = np.empty(len(cls), dtype=np.int32)
    pair[0] = NEWLINE * _C
    np.multiply(cls[:-1], _C, out=pair[1:], dtype=np.int32)
    pair += cls
    codes = _JOINT.take(pair)
    codes += line_of * _NJ
    joint = np.bincount(codes, minlength=n * _NJ).reshape(n, _C, _N_ATOMS)
    k = joint.sum(axis=2, dtype=np.float32)
    a = joint.sum(axis=1, dtype=np.float32)
    unspaced = k[:, UNSPACED]
    ws_lower = a[:, A_WS_LOWER] + a[:, A_WS_LOWER_AFTER_DOT]
    ws_digit = a[:, A_WS_DIGIT] + a[:, A_WS_DIGIT_AFTER_SEP] + a[:, A_WS_DIGIT_AFTER_COLON] + a[:, A_WS_DIGIT_AFTER_OPEN]
    words = a[:, A_WS_UPPER] + ws_lower + a[:, A_WS_LETTER] + ws_digit + unspaced
    letters = k[:, LOWER] + k[:, UPPER] + k[:, LETTER] + unspaced
    per_char = 1.0 / np.maximum(nchars, 1)
    per_word = 1.0 / np.maximum(words, 1)
    i = _IDX["log_chars"]
    X[:, i] = np.log1p(nchars)
    X[:, i + 1] = np.log1p(words)
    X[:, i + 2] = letters * per_char
    X[:, i + 3] = k[:, DIGIT] * per_char
    X[:, i + 4] = k[:, SPACE] * per_char
    X[:, i + 5] = k[:, _PUNCTS].sum(axis=1) * per_char
    X[:, i + 6] = (k[:, SYMBOL] + k[:, AT] + k[:, COPY]) * per_char
    X[:, i + 7] = (k[:, SEP] + k[:, SLASH]) * per_char
    X[:, i + 8] = k[:, UPPER] / np.maximum(k[:, UPPER] + k[:, LOWER], 1)
    X[:, i + 9] = unspaced / np.maximum(letters, 1)
    X[:, i + 10] = (letters + k[:, DIGIT]) * per_word
    X[:, i + 11] = a[:, A_WS_UPPER] / np.maximum(a[:, A_WS_UPPER] + ws_lower, 1)  # Title Case Menu Items
    X[:, i + 12] = ws_digit * per_word
    X[:, i + 13] = (k[:, TERM] + k[:, DOT]) * per_word
    X[:, i + 14] = k[:, COMMA] * per_word
    X[:, i + 15] = a[:, A_URL]
    X[:, i + 16] = a[:, A_WS_LOWER_AFTER_DOT]
    X[:, i + 17] = a[:, A_HANDLE]
    X[:, i + 18] = a[:, A_EMAIL]
    X[:, i + 19] = a[:, A_WS_DIGIT_AFTER_SEP]
    X[:, i + 20] = a[:, A_WS_DIGIT_AFTER_COLON]
    X[:, i + 21] = a[:, A_WS_DIGIT_AFTER_OPEN]
    X[:, i + 22] = k[:, COPY]
    X[:, i + 23] = a[:, A_REPEAT]
    return words


def _edge_features(X: np.ndarray, cps: np.ndarray, cls: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> None:
    """How a line starts and ends: sentence punctuation, a trailing colon, a teaser's ellipsis, ..."""
    last = ends - 1
    through = (cls[last] == CLOSE) & (last > starts)  # look through a closing quote: `He said "yes."`
    last = last - through
    dots = (cps[last] == 0x2E) & (cps[np.maximum(last - 1, starts)] == 0x2E) & (last > starts)
    i = _IDX["ends_term"]
    X[:, i : i + 5] = _END_TABLE[cls[last]]
    X[:, i] *= ~dots  # "..." reads as a cut-off teaser, not the end of a sentence
    X[:, i + 2] += dots
    X[:, i + 5] = through
    i = _IDX["starts_upper"]
    X[:, i : i + 5] = _START_TABLE[cls[starts]]
    first = cps[starts]
    second = cls[np.minimum(starts + 1, ends - 1)]
    X[:, i + 5] = (first == 0x5E) | (first == 0x2191) | (first == 0x5B) & (second == DIGIT)  # "^", "↑", "[12]"


def _stop_counts(low: str, cps: np.ndarray, line_of: np.ndarray, lang: str | None, n: int,
                 words: np.ndarray) -> np.ndarray | None:
    """Stop words of the page language per line, or None when the language has no list."""
    stop = _stopwords(lang)
    if stop is None:
        return None
    if isinstance(stop, np.ndarray):  # unspaced script: one-character stop words
        return np.bincount(line_of[stop.take(np.minimum(cps, _ASTRAL))], minlength=n).astype(np.float32)
    is_stop = stop.__contains__
    out = np.empty(n, dtype=np.float32)
    for i, line in enumerate(low.split("\n")):
        tokens = line.split(None, _STOP_SAMPLE)
        if len(tokens) > _STOP_SAMPLE:  # a long paragraph: its first words estimate the share (speed)
            out[i] = sum(map(is_stop, tokens[:_STOP_SAMPLE])) * words[i] / _STOP_SAMPLE
        else:
            out[i] = sum(map(is_stop, tokens))
    return out


def _ui_phrase(low: str, starts: np.ndarray | None, nchars: np.ndarray, n: int) -> np.ndarray:
    """Share of the line taken by a UI phrase it starts with (1.0: the line is just "Share")."""
    out = np.zeros(n, dtype=np.float32)
    spans = [m.span() for m in _UI_START.finditer("\n" + low)]
    if spans:
        if starts is None:  # lower-casing changed the length (rare): find the line starts again
            starts = np.array([0] + [m.end() for m in re.finditer("\n", low)])
        pos = np.array(spans, dtype=np.int64)
        line = np.searchsorted(starts, pos[:, 0], side="right") - 1
        out[line] = np.minimum((pos[:, 1] - pos[:, 0] - 1) / np.maximum(nchars[line], 1), 1)
    return out


def _credit_end(lines: list[str], n: int) -> np.ndarray:
    """1 where a photo credit or an image label sits in the line's last characters (a caption)."""
    out = np.zeros(n, dtype=np.float32)
    tails = [line[-_CREDIT_TAIL:].lower() for line in lines]  # lowered one by one: "İ" becomes two
    hits = [m.start() for m in _CREDIT.finditer("\n".join(tails))]
    if hits:
        line_starts = np.cumsum([0] + [len(t) + 1 for t in tails[:-1]])
        out[np.searchsorted(line_starts, hits, side="right") - 1] = 1
    return out


def _repetition_features(X: np.ndarray, keys: list[str], seg: _Segments) -> None:
    """Lines repeated within the page (menus rendered twice, teasers repeating a heading)."""
    n = len(keys)
    if len(seg.bounds) > 2:
        keys = list(zip(seg.doc.tolist(), keys))  # a line repeats only within its own document
    counts = Counter(keys)
    if len(counts) == n:
        X[:, _IDX["log_dup"]] = X[:, _IDX["dup_later"]] = 0
        return
    X[:, _IDX["log_dup"]] = np.log(np.fromiter(map(counts.__getitem__, keys), dtype=np.float32, count=n))
    seen: set = set()
    later = X[:, _IDX["dup_later"]]
    for i, k in enumerate(keys):
        later[i] = k in seen
        seen.add(k)


def _position_features(X: np.ndarray, nchars: np.ndarray, prose: np.ndarray, seg: _Segments) -> None:
    # Per document, with the arithmetic (and float32 rounding) of a document on its own: character
    # offsets are whole numbers, exact in float32 and in int64 alike.
    starts = seg.bounds[:-1]
    lengths = nchars.astype(np.int64)
    prose_len = lengths * prose
    total = np.add.reduceat(lengths, starts)[seg.doc]  # per line, its document's
    prose_total = np.add.reduceat(prose_len, starts)[seg.doc]
    cum = np.cumsum(lengths)
    cum = (cum - lengths - (cum - lengths)[seg.first]).astype(np.float32)
    pcum = np.cumsum(prose_len)
    before = (pcum - prose_len - (pcum - prose_len)[seg.first]).astype(np.float32)
    total32, prose_total32 = total.astype(np.float32), prose_total.astype(np.float32)
    with np.errstate(divide="ignore"):
        scale = np.where(prose_total > 0, 1.0 / prose_total, 0.0).astype(np.float32)
    up, down = _distance_to_flag(prose, seg)
    idx = seg.local.astype(np.float32)
    size = seg.size
    i = _IDX["rel_index"]
    X[:, i] = idx / np.maximum(size - 1, 1).astype(np.float32)
    X[:, i + 1] = cum / total32
    X[:, i + 2] = np.log1p(idx)
    X[:, i + 3] = np.log1p((size - 1).astype(np.float32) - idx)
    X[:, i + 4] = np.log1p(size.astype(np.float64))
    X[:, i + 5] = np.log1p(total.astype(np.float64))
    # Share of the page's prose above / below the line: 0 in a header, 1 in a footer.
    X[:, i + 6] = before * scale
    X[:, i + 7] = (prose_total32 - before - prose_len.astype(np.float32)) * scale
    X[:, i + 8] = np.log1p(up)
    X[:, i + 9] = np.log1p(down)
    X[:, i + 10] = prose_total / total
    stop = X[:, _IDX["stop_frac"]]
    log_chars = X[:, _IDX["log_chars"]]
    rel_len = X[:, _IDX["rel_len"]]
    doc_stop = X[:, i + 11]
    for a, b in seg.spans():  # means and dot products: per document, in the order numpy sums one
        rel_len[a:b] = log_chars[a:b] - log_chars[a:b].mean()
        doc_stop[a:b] = float(np.dot(stop[a:b], nchars[a:b]) / float(total[a])) if stop[a] != MISSING else MISSING


def _context_features(X: np.ndarray, seg: _Segments) -> None:
    """Neighbours' features at fixed offsets (MISSING beyond the page) and window means around a line."""
    n = len(X)
    base = X[:, _NEIGHBOUR_COLS]
    at = _IDX[f"{_NEIGHBOUR_BASE[0]}@{_OFFSETS[0]:+d}"]
    k = len(_NEIGHBOUR_BASE)
    rows = np.arange(n)
    for o in _OFFSETS:
        vals = base.take(np.clip(rows + o, 0, n - 1), axis=0)
        vals[(seg.local + o < 0) | (seg.local + o >= seg.size)] = MISSING
        X[:, at : at + k] = vals
        at += k
    win = X[:, _WINDOW_COLS].astype(np.float64)
    cs = np.zeros((n + 1, win.shape[1]))  # cs[first + j]: sum of a document's first j rows (j >= 1)
    for a, b in seg.spans():  # cumulative sums per document, as for a document on its own
        np.cumsum(win[a:b], axis=0, out=cs[a + 1 : b + 1])
    for w in _WINDOWS:
        lo = np.maximum(seg.local - w, 0)
        hi = np.minimum(seg.local + w + 1, seg.size)
        below = np.where((lo > 0)[:, None], cs[seg.first + lo], 0.0)
        X[:, at : at + win.shape[1]] = (cs[seg.first + hi] - below) / (hi - lo)[:, None]
        at += win.shape[1]


def _distance_to_flag(flag: np.ndarray, seg: _Segments, cap: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Lines to the nearest flagged line above / below in the same document (0 on a flagged line,
    `cap` when none)."""
    idx = np.arange(len(flag))
    last = np.maximum.accumulate(np.where(flag, idx, -1))
    up = np.where(last >= seg.first, idx - last, cap)
    nxt = np.minimum.accumulate(np.where(flag, idx, len(flag) + cap)[::-1])[::-1]
    down = np.where(nxt < seg.end, nxt - idx, cap)
    return up, np.minimum(down, cap)


def _run_lengths(flag: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Length of the run of equal `flag` values each element belongs to; a run also ends where a
    document starts (`starts`: the first element of each)."""
    change = np.empty(len(flag), dtype=bool)
    change[1:] = flag[1:] != flag[:-1]
    change[starts] = True
    run_id = np.cumsum(change) - 1
    return np.bincount(run_id)[run_id]
