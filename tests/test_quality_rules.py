"""The packaged document policy on documents written for these tests (vi, ar, en, zh).

Each document is what reaches the document rules: text after line cleaning. Real content must be
kept (articles, three-sentence briefs, a news body on one line, a poem, a recipe list), junk must be
rejected for a stated reason (navigation, keyword spam, product lists, number tables, repeated
filler, mojibake, near-empty pages, a language the policy does not want).
"""

import pytest

from tamis.config import default_config, merge
from tamis.policy.rules import check_document, rules_for, validate_policy
from tamis.signals.document import document_signals

POLICY = default_config()["policy"]


def failures(text, lang, policy=POLICY, lang_score=0.95, original_chars=None):
    lines = sum(1 for x in text.split("\n") if x.strip())
    sig = document_signals(text, original_chars or len(text), lines, lines, lang_score, lang)
    return [f["rule"] for f in check_document(rules_for(policy, lang), sig)]


KEEP = {
    "vi-article": ("vi", """Hà Nội khởi công cầu vượt sông Hồng thứ bảy
Sáng nay, UBND thành phố Hà Nội tổ chức lễ khởi công cây cầu vượt sông Hồng nối quận Long Biên với huyện Đông Anh, dự kiến hoàn thành sau 30 tháng thi công.
Theo ban quản lý dự án, cây cầu dài hơn 2,5 km, có sáu làn xe cơ giới và hai làn dành cho xe thô sơ. Tổng mức đầu tư khoảng 9.000 tỷ đồng, lấy từ ngân sách thành phố.
Ông Trần Văn Bình, Phó giám đốc Sở Giao thông vận tải, cho biết khi đi vào hoạt động, cầu sẽ giảm tải cho cầu Chương Dương và cầu Long Biên vốn thường xuyên ùn tắc vào giờ cao điểm.
Người dân ở hai bên bờ sông bày tỏ mong muốn công trình sớm hoàn thành. "Mỗi sáng tôi mất gần một tiếng để qua sông đi làm", chị Lan, một nhân viên văn phòng ở Đông Anh, chia sẻ.
Trước đó, thành phố đã hoàn tất giải phóng mặt bằng cho hơn 400 hộ dân bị ảnh hưởng bởi dự án."""),
    "vi-brief": ("vi", """Đà Nẵng mở thêm hai tuyến xe buýt ra sân bay
Từ ngày 1/7, Đà Nẵng đưa vào khai thác hai tuyến xe buýt nối trung tâm thành phố với sân bay quốc tế. Mỗi tuyến có tám xe chạy từ 5 giờ sáng đến 22 giờ, giá vé 8.000 đồng một lượt. Sở Giao thông vận tải cho biết sẽ đánh giá hiệu quả sau ba tháng để điều chỉnh lộ trình."""),
    # A news body scraped onto one line: line-shape rules must not see "one line without punctuation".
    "vi-one-line-body": ("vi", "Giá lúa tại Đồng bằng sông Cửu Long tăng mạnh trong tuần qua nhờ nhu cầu xuất khẩu.\n"
                         + "Theo các thương lái ở Cần Thơ, giá lúa tươi đã tăng thêm 300 đồng mỗi kg so với tuần trước. "
                           "Nhiều nông dân phấn khởi vì vụ đông xuân năm nay được mùa và được giá. "
                           "Ông Năm, một nông dân ở huyện Cờ Đỏ, cho biết gia đình ông thu hoạch được hơn bảy tấn mỗi hécta. "
                           "Các doanh nghiệp xuất khẩu gạo dự báo giá sẽ còn ổn định đến cuối quý. "
                           "Bộ Nông nghiệp khuyến cáo nông dân không nên ồ ạt mở rộng diện tích khi thị trường còn nhiều biến động "
                           "Thanh Tùng (TTXVN)"),
    "vi-poem": ("vi", """Chiều quê
Chiều buông khói tỏa lưng đồi
Con trâu thong thả về nơi chuồng làng
Bờ tre gió thổi nhẹ nhàng
Mẹ ngồi nhặt lúa bên hàng cau xanh
Đường quê cỏ mọc quẩn quanh
Tiếng chim ríu rít trên cành gọi nhau
Ngày mai con bước đi đâu
Vẫn mang theo cả nhịp cầu quê hương"""),
    "ar-article": ("ar", """افتتاح أكبر مكتبة عامة في المنطقة الشرقية
افتتح أمير المنطقة الشرقية مساء أمس المكتبة العامة الجديدة في الدمام، والتي تعد الأكبر من نوعها في المنطقة بمساحة تتجاوز عشرة آلاف متر مربع.
وتضم المكتبة أكثر من مئتي ألف كتاب باللغتين العربية والإنجليزية، إضافة إلى قاعات للقراءة ومعامل للحاسب الآلي وركن خاص بالأطفال.
وقال مدير المكتبة إن المشروع يهدف إلى تشجيع القراءة بين الشباب، مشيراً إلى أن المكتبة ستفتح أبوابها للزوار طوال أيام الأسبوع من التاسعة صباحاً حتى العاشرة مساءً.
وأضاف أن إدارة المكتبة تعمل على تنظيم برامج ثقافية شهرية تشمل محاضرات وورش عمل في الكتابة والترجمة."""),
    "ar-brief": ("ar", """أعلنت هيئة الأرصاد الجوية عن توقعات بهطول أمطار رعدية على عدد من مناطق المملكة خلال الأيام الثلاثة المقبلة. ودعت الهيئة المواطنين إلى الابتعاد عن مجاري السيول والأودية. كما أكدت أنها ستصدر تحديثات دورية عبر موقعها الرسمي."""),
    # Arabic news often marks every paragraph with "-" or "*": a list of paragraphs is still an article.
    "ar-dashed-paragraphs": ("ar", """- أكد مدرب الفريق أن اللاعبين في حالة جيدة قبل المباراة النهائية، وأن الجهاز الفني أنهى استعداداته بشكل كامل.
- وأشار إلى أن الفريق سيفتقد جهود المدافع الأساسي بسبب الإصابة، لكنه يثق في قدرة البدلاء على تعويض غيابه.
- وختم حديثه بتوجيه الشكر للجماهير على دعمها المتواصل طوال الموسم، متمنياً أن يحقق الفريق اللقب."""),
    "en-article": ("en", """City council approves new cycling lanes
The city council voted on Tuesday to build twelve kilometres of protected cycling lanes along the river, the largest expansion of the network in a decade.
Supporters said the lanes would make it safer for children to cycle to school and would cut traffic in the centre. Opponents argued that removing parking spaces would hurt small shops on the main road.
The first section is expected to open next spring. The council said it would publish a detailed timetable for the remaining work after a public consultation in the autumn."""),
    "en-brief": ("en", """A water main burst on Elm Street early on Sunday morning, flooding several basements. Engineers repaired the pipe by midday and the water supply has been restored. The council has asked residents to report any damage to its helpline."""),
    "en-recipe": ("en", """Simple tomato soup
A quick soup for cold evenings that uses tinned tomatoes and a few things from the cupboard.
Ingredients
2 tablespoons olive oil
1 onion, chopped
2 cloves garlic, sliced
2 tins chopped tomatoes
500 ml vegetable stock
1 teaspoon sugar
Salt and pepper
Method
1. Warm the oil in a large pan and soften the onion for eight minutes without letting it brown.
2. Add the garlic and cook for one minute, then add the tomatoes, stock and sugar.
3. Simmer for twenty minutes, blend until smooth and season to taste."""),
    "zh-article": ("zh", """城市公园改造工程完工
经过八个月的施工，市中心公园改造工程于本周正式完工并重新向市民开放。改造后的公园新增了两条健身步道和一个儿童游乐区，绿化面积扩大了三成。
公园管理处负责人表示，此次改造充分听取了周边居民的意见，保留了原有的老树和湖面，同时增加了无障碍通道和休息座椅。
不少市民一早就来到公园散步。家住附近的王女士说：“以前这里设施比较旧，现在环境好多了，带孩子来玩也更放心。”"""),
    "zh-brief": ("zh", """本市今年将新建三所公立幼儿园，预计新增学位一千二百个。新建幼儿园将于明年秋季开学前投入使用。教育局表示，将优先满足新建小区适龄儿童的入园需求。"""),
}


@pytest.mark.parametrize("name", sorted(KEEP))
def test_real_content_is_kept(name):
    lang, text = KEEP[name]
    assert failures(text, lang) == []


REJECT = {
    "vi-navigation": ("vi", "Trang chủ\nThời sự\nThế giới\nKinh doanh\nGiải trí\nThể thao\nPháp luật\nGiáo dục\nSức khỏe\n"
                      "Đời sống\nDu lịch\nSố hóa\nXe\nÝ kiến\nTâm sự\nLiên hệ\nQuảng cáo",
                      {"max_newline_word_ratio"}),
    "vi-keyword-spam": ("vi", "mua bán nhà đất giá rẻ, nhà đất quận 9 giá rẻ, bán đất nền giá rẻ, đất nền quận 9, "
                        "nhà đất giá rẻ quận 9, bán nhà giá rẻ, mua nhà giá rẻ, đất nền giá rẻ quận 9, nhà đất giá rẻ, "
                        "mua bán nhà đất quận 9, bán đất giá rẻ, nhà đất quận 9 giá rẻ nhất",
                        {"max_top_2gram_char_frac"}),
    "vi-product-list": ("vi", "Điện thoại Samsung Galaxy A52 128GB\nĐiện thoại iPhone 12 Pro Max 256GB\nĐiện thoại Xiaomi Redmi Note 10\n"
                        "Điện thoại OPPO Reno5 5G\nĐiện thoại Vivo Y21s 64GB\nĐiện thoại Realme C25\nĐiện thoại Nokia G10\n"
                        "Máy tính bảng iPad Air 4 Wifi\nTai nghe Bluetooth AirPods Pro\nĐồng hồ thông minh Apple Watch SE",
                        {"min_stop_word_frac"}),
    "vi-repeated-filler": ("vi", " ".join(f"Giá vàng hôm nay ngày {d}/3 tại Hà Nội được niêm yết ở mức cao, giá vàng hôm nay ngày {d}/3 "
                                          f"tại TP.HCM cũng tăng." for d in range(1, 13)),
                           {"max_dup_5gram_char_frac"}),
    "vi-near-empty": ("vi", "Đang tải dữ liệu...", {"min_words"}),
    "vi-lost-encoding": ("vi", "Th\ufffdnh ph\ufffd H\ufffd Ch\ufffd Minh \ufffd\ufffd ho\ufffdn th\ufffdnh vi\ufffdc n\ufffdng c\ufffdp "
                         "tuy\ufffdn \ufffd\ufffdng n\ufffdy tr\ufffdc th\ufffdi h\ufffdn hai th\ufffdng, gi\ufffdp gi\ufffdm "
                         "\ufffdn t\ufffdc giao th\ufffdng v\ufffdo gi\ufffd cao \ufffdi\ufffdm.",
                         {"max_mojibake_char_frac"}),
    "ar-navigation": ("ar", "الرئيسية\nأخبار محلية\nاقتصاد\nرياضة\nثقافة وفنون\nمنوعات\nكتاب الرأي\nالوفيات\nاتصل بنا\nمن نحن\nسياسة الخصوصية",
                      {"max_newline_word_ratio"}),
    "ar-keyword-spam": ("ar", "شقق للبيع في الرياض، شقق للبيع بالتقسيط، شقق للبيع في جدة، فلل للبيع في الرياض، "
                        "شقق للايجار في الرياض، شقق للبيع شمال الرياض، فلل للبيع بالتقسيط، شقق للبيع في الدمام، "
                        "أراضي للبيع في الرياض، شقق للبيع في مكة",
                        {"max_top_2gram_char_frac"}),
    "en-navigation": ("en", "Home\nNews\nSport\nBusiness\nTechnology\nScience\nHealth\nEntertainment\nTravel\nWeather\n"
                      "Contact us\nAbout us\nPrivacy policy\nTerms of use",
                      {"max_newline_word_ratio"}),
    "en-keyword-spam": ("en", "cheap flights, cheap flights london, cheap flights paris, cheap flights to spain, cheap hotels, "
                        "cheap hotels london, last minute cheap flights, cheap flights deals, best cheap flights, cheap holidays, "
                        "cheap flights new york, cheap car hire",
                        {"max_top_2gram_char_frac"}),
    "en-number-table": ("en", "Team P W D L GF GA Pts\n" + "\n".join(
        f"{t} 38 {w} {d} {38 - w - d} {gf} {ga} {3 * w + d}" for t, w, d, gf, ga in
        [("Arsenal", 26, 6, 88, 43), ("Chelsea", 25, 8, 80, 33), ("Everton", 17, 10, 62, 44), ("Fulham", 15, 7, 51, 52),
         ("Leeds", 14, 9, 50, 55), ("Wolves", 12, 8, 44, 58), ("Burnley", 9, 11, 39, 65)]),
        {"min_alpha_word_frac"}),
    "en-mojibake": ("en", "The cafÃ© reopened on Monday â€” owners said theyâ€™re â€œdelightedâ€ to welcome back "
                    "regulars after the renovation. Ã‰ditions of the menu now include crÃªpes and a piÃ±a colada.",
                    {"max_mojibake_char_frac"}),
    "en-shouting": ("en", "AMAZING OFFER!!! CLICK HERE NOW TO WIN A FREE PHONE. LIMITED TIME ONLY. DO NOT MISS THIS CHANCE. "
                    "ACT NOW AND GET YOUR PRIZE TODAY. ONLY FOR THE FIRST 100 VISITORS.",
                    {"max_upper_char_frac"}),
    "zh-navigation": ("zh", "首页\n新闻\n体育\n财经\n娱乐\n科技\n汽车\n房产\n教育\n旅游\n健康\n关于我们\n联系我们",
                      {"max_newline_word_ratio"}),
    "zh-keyword-spam": ("zh", "手机 手机价格 手机报价 手机大全 手机排行 手机推荐 手机品牌 手机型号 手机壁纸 手机游戏 手机铃声 "
                        "手机主题 手机软件 手机维修 手机回收 手机配件 手机批发",
                        {"min_stop_word_frac"}),
}


@pytest.mark.parametrize("name", sorted(REJECT))
def test_junk_is_rejected_for_its_reason(name):
    lang, text, reasons = REJECT[name]
    failed = failures(text, lang)
    assert reasons <= set(failed), failed


def test_a_language_restricted_policy_rejects_other_languages():
    # Only Vietnamese wanted: a rule every document fails, switched off for Vietnamese.
    policy = merge(default_config(), {"policy": {"documents": {
        "default": {"max_words_unwanted_language": {"signal": "words", "max": 0}},
        "vi": {"max_words_unwanted_language": None}}}})["policy"]
    validate_policy(policy)
    lang, text = KEEP["en-article"]
    assert failures(text, lang, policy) == ["max_words_unwanted_language"]
    lang, text = KEEP["vi-article"]
    assert failures(text, lang, policy) == []


def test_low_language_confidence_is_rejected():
    lang, text = KEEP["vi-brief"]
    assert "min_lang_score" in failures(text, lang, lang_score=0.2)


def test_the_remnant_of_a_page_that_was_all_boilerplate_is_rejected():
    # Line cleaning kept one sentence of a 6,000-character page of menus and teasers.
    text = "Suggestions, trending searches, and preview results will populate after you press the search button."
    assert failures(text, "en", original_chars=6000) == ["max_removed_char_frac"]
    lang, article = KEEP["en-article"]
    assert failures(article, lang, original_chars=4 * len(article)) == []  # a page 75% boilerplate is fine
