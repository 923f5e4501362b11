"""Synthetic line-labelled news pages in Vietnamese and Arabic, for training the line model only.

The labelled development pages hold almost no Vietnamese or Arabic, and their silver labels follow
WCXB's idea of main content (captions and in-body ads often count as content there). This builds
pages the way the noisy vi/ar pages we studied look (see issue 2): a real article body from
../shared/data/news-vi / news-ar cut into paragraphs, wrapped in noise of the kinds listed there —
site header and slogan, a date crumb glued to the paper's name, menus, breadcrumbs, date and byline
lines, captions and diacritic-free alt text, ad blocks with a phone number, a lead or a whole body
pasted twice, share prompts, comment counters, related-article blocks under a heading, tags,
footers — and encyclopedia pages (table of contents, infobox labels glued to values, image file
names, "see also", `^` references with URLs, dot leaders, categories).

The noise vocabulary below is generic interface wording written for this script (no site's text);
teasers are titles of *other* articles of the same corpus. Nothing generated here is written into
the repository: pages exist only in memory while training (the model file carries weights only).
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

VOCAB = {
    "vi": {
        "site": ["Báo {n}", "Tin Nhanh {n}", "{n} Online", "Thời báo {n}", "Cổng thông tin {n}", "Tạp chí {n}"],
        "names": ["Phương Nam", "Ánh Dương", "Đất Việt", "Bình Minh", "Sông Hồng", "Người Thời Đại", "Nhịp Sống", "Miền Trung"],
        "slogan": ["Tin tức cập nhật 24/7", "Thông tin nhanh và chính xác", "Tiếng nói của bạn đọc",
                   "Kênh tin tức tổng hợp hàng đầu", "Đọc nhanh, hiểu đúng"],
        "menu": ["Thời sự", "Thế giới", "Kinh tế", "Xã hội", "Pháp luật", "Văn hóa", "Giải trí", "Thể thao",
                 "Giáo dục", "Sức khỏe", "Đời sống", "Du lịch", "Công nghệ", "Xe", "Bất động sản", "Video",
                 "Ảnh", "Podcast", "Bạn đọc", "Tuyển sinh", "Quân sự", "Chính trị"],
        "account": ["Đăng nhập", "Đăng ký", "Tìm kiếm", "English", "RSS", "Liên hệ quảng cáo"],
        "home": "Trang chủ",
        "weekday": ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"],
        "dateline": ["{wd}, {d}/{m}/{y} {H}:{M} GMT+7", "Cập nhật lúc {H}:{M}, {d}/{m}/{y}", "{d}/{m}/{y} {H}:{M}",
                     "Đăng lúc {H}:{M} ngày {d}/{m}/{y}", "{wd}, ngày {d}/{m}/{y} - {H}:{M}"],
        "byline": ["Tác giả: {p}", "{p}", "Bài và ảnh: {p}", "Theo {p}"],
        "people": ["Minh Anh", "Hoàng Long", "Thu Trang", "Quốc Bảo", "Lan Hương", "Đức Huy", "Ngọc Mai", "Văn Tùng",
                   "Thanh Hà", "Hải Yến", "Trần Nam", "Phạm Hùng"],
        "caption_credit": ["Ảnh: {p}.", "Ảnh: {p}", "(Ảnh: {p})", "Ảnh: Reuters.", "Ảnh: AFP.", "Ảnh: TTXVN", "Ảnh minh họa.",
                           "Ảnh: KCNA.", "(Nguồn: AFP)", "Ảnh: Internet"],
        "alt_suffix": ["anh 1", "anh 2", "anh 3"],
        "ad_label": ["QUẢNG CÁO", "Quảng cáo", "Tài trợ", "Nội dung tài trợ"],
        "ad_offer": ["Ưu đãi đặc biệt: giảm ngay {k}% cho khách hàng đặt mua trong tuần này",
                     "Căn hộ ven sông chỉ từ {k}0 triệu, nhận nhà ngay, hỗ trợ vay {k}%",
                     "Khóa học tiếng Anh trực tuyến miễn phí {k} buổi đầu tiên",
                     "Thanh lý kho cuối năm - đồng giá {k}9.000đ toàn bộ sản phẩm"],
        "ad_call": ["Gọi ngay hotline {tel} để được tư vấn miễn phí!", "Liên hệ {tel} hoặc nhắn Zalo {tel2} để đặt hàng",
                    "Đăng ký ngay hôm nay, hotline: {tel}", "Chi tiết liên hệ: {tel}"],
        "tel": ["1900 {a}{b}", "0{c}{a} {b} {a}", "(028) 38{a} {b}", "09{a} {b} {a}"],
        "signature": ["{p}", "{p} (tổng hợp)", "{p} (theo {src})", "Theo {src}", "PV", "{p} - {p2}", "Nhóm phóng viên"],
        "sources": ["VnExpress", "Tuổi Trẻ", "Thanh Niên", "Dân trí", "Reuters", "AFP", "BBC", "Zing"],
        "share": ["Chia sẻ", "Facebook", "Zalo", "Twitter", "In bài", "Gửi bài", "Lưu bài", "Sao chép link",
                  "Mời bạn chia sẻ bài viết này lên Facebook:", "Bạn thấy bài viết này thế nào?", "Thích", "Chia sẻ bài viết"],
        "comments": ["Bình luận ({k})", "Bình luận", "Ý kiến bạn đọc ({k})", "Gửi bình luận",
                     "Chưa có bình luận nào cho bài viết này", "Viết bình luận của bạn...", "Xem thêm bình luận",
                     "{k} bình luận", "Đăng nhập để bình luận"],
        "related_head": ["Tin liên quan", "Bài liên quan", "Cùng chủ đề", "Cùng tác giả", "Tin khác", "Đọc thêm",
                         "Tin mới nhất", "Đọc nhiều nhất", "Có thể bạn quan tâm", "Tin cùng chuyên mục", "Tin nổi bật"],
        "more": ["Xem thêm", "Xem tiếp", "Tải thêm", "Xem tất cả", "Trở lại đầu trang"],
        "tags": ["Từ khóa: {t}", "Tags: {t}", "Chủ đề: {t}", "Thẻ: {t}"],
        "empty": ["No data", "No videos available", "Đang tải...", "Không có dữ liệu"],
        "syndication": ["Bài viết được đăng lại từ {src}", "Nguồn: {src}", "Original source can be found here: https://{dom}/{k}{k2}.html",
                        "Article sourced from {src}"],
        "footer": ["Cơ quan chủ quản: {site}", "Tổng biên tập: {p}", "Địa chỉ: {k} {street}, quận {k2}, TP Hồ Chí Minh. Điện thoại: {tel}",
                   "Giấy phép hoạt động số {k}{k2}/GP-BTTTT", "© {y} {site}. Bảo lưu mọi quyền.",
                   "Bản quyền thuộc về {site}. Cấm sao chép dưới mọi hình thức.", "Ghi rõ nguồn \"{site}\" khi phát hành lại thông tin",
                   "Liên hệ", "Giới thiệu", "Quảng cáo", "Điều khoản sử dụng", "Chính sách bảo mật"],
        "streets": ["Nguyễn Huệ", "Lê Duẩn", "Trần Hưng Đạo", "Hai Bà Trưng", "Điện Biên Phủ"],
        "cookie": ["Chúng tôi sử dụng cookie để cải thiện trải nghiệm của bạn trên trang web.", "Đồng ý", "Tìm hiểu thêm"],
        "wiki_site": ["Từ điển Mở - bách khoa toàn thư tự do", "Bách khoa Việt - kho tri thức chung"],
        "wiki_nav": ["Bước tới nội dung", "Trình đơn chính", "Trang Chính", "Thay đổi gần đây", "Bài viết ngẫu nhiên",
                     "Trợ giúp", "Tìm kiếm", "Quyên góp", "Lịch sử", "Sửa đổi", "Thảo luận"],
        "toc": "Mục lục",
        "see_also": "Xem thêm",
        "refs": "Tham khảo",
        "categories": "Thể loại",
        "hatnote": ["Bài này cần thêm chú thích nguồn gốc để kiểm chứng thông tin.", "Đối với các định nghĩa khác, xem {t} (định hướng)."],
        "last_edit": "Trang này được sửa đổi lần cuối vào ngày {d} tháng {m} năm {y}, lúc {H}:{M}.",
        "licence": "Văn bản được phát hành theo Giấy phép Creative Commons Ghi công – Chia sẻ tương tự.",
        "infobox": ["Vị trí", "Diện tích", "Dân số", "Thành lập", "Quốc gia", "Độ cao", "Múi giờ", "Mã bưu chính", "Loại"],
        "wiki_footer": ["Quy định quyền riêng tư", "Giới thiệu", "Lời phủ nhận", "Phiên bản di động"],
        "page_no": "tr.",
    },
    "ar": {
        "site": ["صحيفة {n}", "{n} اليوم", "بوابة {n}", "جريدة {n}", "{n} نيوز", "موقع {n} الإخباري"],
        "names": ["الوطن الجديد", "الأفق", "المدينة", "النهار", "الشرق", "الرائد", "الخليج", "المستقبل"],
        "slogan": ["أخبار محلية وعالمية على مدار الساعة", "صوت الحقيقة", "الخبر كما هو", "منبر القارئ العربي",
                   "أول صحيفة إلكترونية"],
        "menu": ["محليات", "سياسة", "اقتصاد", "رياضة", "ثقافة", "فنون", "منوعات", "تقنية", "صحة", "تعليم", "دولي",
                 "عقارات", "مقالات", "آراء", "فيديو", "صور", "حوادث", "الخليج", "العالم", "سياحة"],
        "account": ["تسجيل الدخول", "اشترك", "بحث", "English", "النسخة الورقية", "اتصل بنا"],
        "home": "الرئيسية",
        "weekday": ["الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"],
        "dateline": ["نشر في: {d}/{m}/{y} - {H}:{M}", "{wd} {d}/{m}/{y}", "تاريخ النشر: {d}-{m}-{y}", "آخر تحديث: {H}:{M} {d}/{m}/{y}",
                     "{d}/{m}/{y} {H}:{M}"],
        "byline": ["كتب: {p}", "{p}", "بقلم: {p}", "{p} - الرياض", "الرياض: {p}"],
        "people": ["سامي العتيبي", "ريم الدوسري", "عبدالله الحارثي", "محمد القحطاني", "فهد الشمري", "نورة السبيعي",
                   "خالد الزهراني", "سارة المطيري", "أحمد الغامدي", "ماجد العنزي"],
        "caption_credit": ["(تصوير: {p})", "(صورة: رويترز)", "(أ ف ب)", "تصوير: {p}", "(الصورة من المصدر)", "(واس)",
                           "(Source: AFP)", "(أرشيفية)"],
        "alt_suffix": ["1", "2"],
        "ad_label": ["إعلان", "اعلان", "محتوى مدفوع", "برعاية"],
        "ad_offer": ["امتلك شقتك الآن بدفعة أولى {k}% فقط وأقساط ميسرة", "خصم {k}% على جميع المنتجات لفترة محدودة",
                     "دورة تدريبية مجانية في التسويق الرقمي - سجل الآن", "عروض الصيف: سافر إلى {k} وجهات بأسعار مخفضة"],
        "ad_call": ["اتصل الآن على {tel}", "للحجز والاستفسار: {tel}", "اتصل بنا على {tel} أو واتساب {tel2}",
                    "سارع بالحجز عبر الرقم {tel}"],
        "tel": ["9200{a}{b}", "05{a} {b} {a}", "+966 1{a} {b}", "800 {a}{b}"],
        "signature": ["{p}", "{p} - جدة", "{p} - الدمام", "المصدر: {src}", "({src})"],
        "sources": ["واس", "رويترز", "فرانس برس", "الأناضول", "سبق", "العربية نت"],
        "share": ["شارك", "شارك هذا المقال", "فيسبوك", "تويتر", "واتساب", "طباعة", "نسخ الرابط", "أرسل لصديق", "حفظ",
                  "شارك الخبر عبر:"],
        "comments": ["التعليقات ({k})", "أضف تعليقك", "لا توجد تعليقات", "اكتب تعليقك هنا...", "{k} تعليق",
                     "التعليقات", "سجل دخولك للتعليق", "الاسم", "البريد الإلكتروني", "إرسال"],
        "related_head": ["اقرأ أيضا", "اقرأ أيضاً", "أخبار ذات صلة", "مقالات ذات صلة", "الأكثر قراءة", "آخر الأخبار",
                         "قد يهمك أيضا", "المزيد من الأخبار", "مواضيع ذات علاقة", "الأكثر مشاهدة"],
        "more": ["المزيد", "عرض المزيد", "التالي", "السابق", "العودة للأعلى"],
        "tags": ["الكلمات الدالة: {t}", "الوسوم: {t}", "كلمات مفتاحية: {t}"],
        "empty": ["لا توجد بيانات", "جاري التحميل...", "No data", "No videos available"],
        "syndication": ["المصدر: {src}", "نقلا عن {src}", "Original source can be found here: https://{dom}/{k}{k2}",
                        "Article sourced from {src}"],
        "footer": ["جميع الحقوق محفوظة © {y} {site}", "حقوق النشر © {y} {site}", "رئيس التحرير: {p}",
                   "العنوان: {k} شارع {street}، الرياض. هاتف: {tel}", "من نحن", "اتصل بنا", "سياسة الخصوصية",
                   "شروط الاستخدام", "أعلن معنا"],
        "streets": ["الملك فهد", "العليا", "التحلية", "الأمير سلطان", "الستين"],
        "cookie": ["يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربتك.", "موافق", "اعرف المزيد"],
        "wiki_site": ["موسوعة المعرفة الحرة - الموسوعة التي يكتبها الجميع", "دائرة المعارف المفتوحة"],
        "wiki_nav": ["انتقل إلى المحتوى", "القائمة الرئيسية", "الصفحة الرئيسية", "أحدث التغييرات", "مقالة عشوائية",
                     "تبرع", "بحث", "تعديل", "تاريخ", "نقاش"],
        "toc": "المحتويات",
        "see_also": "انظر أيضاً",
        "refs": "المراجع",
        "categories": "تصنيفات",
        "hatnote": ["هذه المقالة بحاجة لمصادر إضافية لتحسين وثوقيتها.", "لمعان أخرى، طالع {t} (توضيح)."],
        "last_edit": "آخر تعديل لهذه الصفحة كان يوم {d} {m} {y}، الساعة {H}:{M}.",
        "licence": "النصوص منشورة برخصة المشاع الإبداعي: نسب المصنف - الترخيص بالمثل.",
        "infobox": ["الموقع", "المساحة", "السكان", "التأسيس", "الدولة", "الارتفاع", "المنطقة الزمنية", "العاصمة", "النوع"],
        "wiki_footer": ["سياسة الخصوصية", "حول الموسوعة", "إخلاء مسؤولية", "نسخة المحمول"],
        "page_no": "ص.",
    },
}

_SENT = re.compile(r"(?<=[.!?؟…])\s+|(?<=[.!?؟])(?=[A-ZÀ-Ỹ\u0600-\u06ff])")


@dataclass
class SynthPage:
    id: str
    lang: str
    lines: list[str]
    labels: list[int]  # 1 content, 0 boilerplate


def load_articles(path: Path, limit: int, seed: int) -> list[dict]:
    from tamis.io import read_records

    out = []
    for rec in read_records(str(path)):
        text = (rec.get("text") or "").strip()
        if len(text) >= 400 and rec.get("title"):
            out.append({"title": rec["title"].strip(), "text": text})
    random.Random(seed).shuffle(out)
    return out[:limit]


def paragraphs(text: str, rng: random.Random) -> list[str]:
    sents = [s.strip() for part in text.split("\n") for s in _SENT.split(part) if s.strip()]
    out, cur = [], []
    target = rng.choice((1, 2, 2, 3, 3, 4))
    for s in sents:
        cur.append(s)
        if len(cur) >= target:
            out.append(" ".join(cur))
            cur, target = [], rng.choice((1, 2, 2, 3, 3, 4))
    if cur:
        out.append(" ".join(cur))
    return [p for p in out if len(p) > 1]


def strip_marks(s: str) -> str:
    s = unicodedata.normalize("NFD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in s if not unicodedata.combining(c)).lower()


class Builder:
    def __init__(self, lang: str, rng: random.Random, titles: list[str]):
        self.v, self.lang, self.rng, self.titles = VOCAB[lang], lang, rng, titles
        self.lines: list[str] = []
        self.labels: list[int] = []

    def add(self, line: str, label: int) -> None:
        line = " ".join(line.split())
        if line:
            self.lines.append(line)
            self.labels.append(label)

    def pick(self, key: str) -> str:
        return self.rng.choice(self.v[key])

    def fill(self, template: str, **extra) -> str:
        r = self.rng
        d = dict(n=self.site_name, p=self.pick("people"), p2=self.pick("people"), src=self.pick("sources"),
                 k=r.randint(1, 99), k2=r.randint(100, 999), y=r.randint(2014, 2025), d=f"{r.randint(1, 28):02d}",
                 m=f"{r.randint(1, 12):02d}", H=f"{r.randint(0, 23):02d}", M=f"{r.randint(0, 59):02d}",
                 wd=self.pick("weekday"), site=self.site, street=self.pick("streets"),
                 dom=strip_marks(self.site_name).replace(" ", "") + ".vn", tel=self.tel(), tel2=self.tel(),
                 t=", ".join(self.rng.sample(self.v["menu"], 3)))
        d.update(extra)
        return template.format(**d)

    def tel(self) -> str:
        r = self.rng
        return r.choice(self.v["tel"]).format(a=r.randint(100, 999), b=r.randint(1000, 9999), c=r.randint(1, 9))

    def teaser(self) -> str:
        return self.rng.choice(self.titles)

    # --- blocks -----------------------------------------------------------------------------------
    def header(self) -> None:
        r = self.rng
        self.site_name = self.pick("names")
        self.site = self.pick("site").format(n=self.site_name)
        if r.random() < 0.3:
            for line in self.v["cookie"]:
                self.add(line, 0)
        if r.random() < 0.8:
            self.add(f"{self.site}{r.choice([' - ', ' | ', ' – ', ': '])}{self.pick('slogan')}", 0)
        if r.random() < 0.5:
            self.add(self.fill(self.site * r.choice((1, 2)) + "{d}/{m}/{y}"), 0)
        for item in r.sample(self.v["menu"], r.randint(3, 12)):
            self.add(item, 0)
        if r.random() < 0.5:
            for item in r.sample(self.v["account"], r.randint(1, 3)):
                self.add(item, 0)
        if r.random() < 0.7:
            sep = r.choice((" » ", " > ", " / ", " › "))
            self.add(sep.join([self.v["home"]] + r.sample(self.v["menu"], r.randint(1, 2))), 0)

    def meta(self) -> None:
        r = self.rng
        if r.random() < 0.8:
            self.add(self.fill(self.pick("dateline")), 0)
        if r.random() < 0.4:
            self.add(self.fill(self.pick("byline")), 0)

    def caption(self, title: str) -> None:
        r = self.rng
        if self.lang == "vi" and r.random() < 0.5:
            self.add(strip_marks(" ".join(title.split()[: r.randint(3, 6)])) + " " + self.pick("alt_suffix"), 0)
        base = r.choice((title, self.teaser(), self.teaser()))
        words = base.split()
        text = " ".join(words[: max(4, len(words) - r.randint(0, 4))]).rstrip(".")
        self.add(self.fill(f"{text}. {self.pick('caption_credit')}" if r.random() < 0.8 else f"{text} {self.pick('caption_credit')}"), 0)

    def ad(self) -> None:
        if self.rng.random() < 0.8:
            self.add(self.pick("ad_label"), 0)
        self.add(self.fill(self.pick("ad_offer")), 0)
        if self.rng.random() < 0.8:
            self.add(self.fill(self.pick("ad_call")), 0)

    def related(self) -> None:
        r = self.rng
        self.add(self.pick("related_head"), 0)
        twice = r.random() < 0.4
        for _ in range(r.randint(2, 6)):
            t = self.teaser()
            self.add(t, 0)
            if twice:
                self.add(t, 0)
        if r.random() < 0.5:
            self.add(self.pick("more"), 0)

    def tail(self) -> None:
        r = self.rng
        blocks = ["share", "comments", "related", "tags", "related", "empty", "syndication"]
        r.shuffle(blocks)
        for b in blocks[: r.randint(2, 5)]:
            if b == "share":
                for s in r.sample(self.v["share"], r.randint(1, 4)):
                    self.add(s, 0)
            elif b == "comments":
                for s in r.sample(self.v["comments"], r.randint(1, 3)):
                    self.add(self.fill(s), 0)
            elif b == "related":
                self.related()
            elif b == "tags":
                self.add(self.fill(self.pick("tags")), 0)
            elif b == "empty":
                self.add(self.pick("empty"), 0)
            elif b == "syndication":
                self.add(self.fill(self.pick("syndication")), 0)
        for s in r.sample(self.v["footer"], r.randint(1, 5)):
            self.add(self.fill(s), 0)

    def news(self, art: dict) -> None:
        r = self.rng
        paras = paragraphs(art["text"], r)
        self.header()
        if r.random() < 0.5:
            self.meta()
        self.add(art["title"], 1)
        if r.random() < 0.5:
            self.meta()
        if r.random() < 0.15:
            self.add(art["title"], 0)  # the title again under the byline
        cap_at = r.randint(1, max(1, len(paras) - 1)) if r.random() < 0.6 else -1
        ad_at = r.randint(1, max(1, len(paras) - 1)) if r.random() < 0.3 else -1
        sub_at = r.randint(2, len(paras) - 1) if len(paras) > 3 and r.random() < 0.4 else -1
        for i, p in enumerate(paras):
            if i == cap_at:
                self.caption(art["title"])
            if i == ad_at:
                self.ad()
            if i == sub_at:
                words = self.teaser().split()
                self.add(" ".join(words[: r.randint(3, 7)]).rstrip(".:"), 1)  # an in-body subheading
            self.add(p, 1)
        if r.random() < 0.15:
            for p in paras:
                self.add(p, 0)  # the whole body pasted twice: the second copy goes
        elif r.random() < 0.15 and paras:
            self.add(paras[0], 0)  # the lead repeated after the body
        if r.random() < 0.6:
            self.add(self.fill(self.pick("signature")), 0)
        self.tail()

    def wiki(self, art: dict) -> None:
        r = self.rng
        paras = paragraphs(art["text"], r)
        self.site_name = self.pick("names")
        self.site = self.pick("wiki_site")
        self.add(self.site, 0)
        for s in r.sample(self.v["wiki_nav"], r.randint(3, 8)):
            self.add(s, 0)
        heads = [" ".join(self.teaser().split()[: r.randint(2, 5)]).rstrip(".:") for _ in range(r.randint(1, 3))]
        if r.random() < 0.7:
            self.add(self.v["toc"], 0)
            for k, h in enumerate(heads + [self.v["see_also"], self.v["refs"]], 1):
                self.add(f"{k} {h}", 0)
        title = " ".join(art["title"].split()[: r.randint(2, 5)])
        self.add(title, 1)
        if r.random() < 0.6:
            self.add(self.fill(self.pick("hatnote"), t=title), 0)
        if r.random() < 0.7:  # infobox
            self.add(title, 0)
            self.add(strip_marks(title).replace(" ", "_") + r.choice((".jpg", ".svg", ".png", "_2019.jpg")), 0)
            for label in r.sample(self.v["infobox"], r.randint(3, 7)):
                self.add(label + r.choice((self.pick("menu"), str(r.randint(10, 99999)), self.pick("names"))), 0)
        chunks = [paras[i::len(heads) + 1] for i in range(len(heads) + 1)]
        for k, chunk in enumerate(chunks):
            if k:
                self.add(heads[k - 1], 1)
            for p in chunk:
                self.add(p, 1)
        self.add(self.v["see_also"], 0)
        for _ in range(r.randint(2, 4)):
            self.add(" ".join(self.teaser().split()[: r.randint(2, 6)]), 0)
        self.add(self.v["refs"], 0)
        for _ in range(r.randint(2, 6)):
            ref = self.fill("{p} ({y}). " + self.teaser().rstrip(".") + ". {site}. " + self.v["page_no"] + " {k}.")
            if r.random() < 0.5:
                ref += self.fill(" https://{dom}/{k2}/{k}")
            self.add(r.choice(("^ ", "^ ", "↑ ", "")) + ref, 0)
        if r.random() < 0.6:
            self.add(" ".join(["."] * r.randint(8, 20)), 0)
        self.add(self.v["categories"] + ": " + " | ".join(r.sample(self.v["menu"], 3)), 0)
        self.add(self.fill(self.v["last_edit"]), 0)
        self.add(self.v["licence"], 0)
        for s in r.sample(self.v["wiki_footer"], r.randint(1, 4)):
            self.add(s, 0)


def synth_pages(shared: Path, per_lang: int = 300, seed: int = 7, wiki_share: float = 0.2,
                clean_share: float = 0.3) -> list[SynthPage]:
    """`per_lang` noisy pages per language (vi, ar), plus for a `clean_share` of them the article alone
    (a text that is already clean must come out unchanged, and cleaning runs again on what it kept).
    Deterministic for a seed."""
    out = []
    for lang, name in (("vi", "data/news-vi.jsonl.zst"), ("ar", "data/news-ar.jsonl.zst")):
        arts = load_articles(shared / name, per_lang * 3, seed)
        titles = [a["title"] for a in arts[per_lang:]]
        for i, art in enumerate(arts[:per_lang]):
            rng = random.Random(f"{seed}:{lang}:{i}")
            b = Builder(lang, rng, titles)
            if rng.random() < wiki_share:
                b.wiki(art)
            else:
                b.news(art)
            out.append(SynthPage(f"synth-{lang}-{i}", lang, b.lines, b.labels))
            if rng.random() < clean_share:  # the same article already clean: all of it stays
                b = Builder(lang, rng, titles)
                if rng.random() < 0.7:
                    b.add(art["title"], 1)
                for p in paragraphs(art["text"], rng):
                    b.add(p, 1)
                out.append(SynthPage(f"synth-{lang}-{i}-clean", lang, b.lines, b.labels))
    return out


if __name__ == "__main__":  # print one page of each kind, to read what the generator makes
    import sys

    pages = synth_pages(Path(__file__).resolve().parents[1].parent / "shared", per_lang=int(sys.argv[1]) if len(sys.argv) > 1 else 3)
    for p in pages:
        print(f"=== {p.id}")
        for line, lab in zip(p.lines, p.labels):
            print(f"{'K' if lab else '-'} {line[:110]}")
