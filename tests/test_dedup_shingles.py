from tamis.dedup import NearDupIndex, compute_signatures, estimated_similarity, shingles_of
from tamis.dedup.shingles import tokenize

ZH = (
    "市政府今天宣布，新的图书馆将于明年春天开放。图书馆位于河边的老工厂旧址，"
    "建筑面积约两万平方米，设有儿童阅览室、自习区和一个小型展览厅。负责人表示，"
    "图书馆开放后每天将接待约三千名读者，并计划举办讲座和读书会。"
)


def test_words_are_runs_of_letters_and_digits_and_han_characters_are_tokens():
    toks = tokenize(["Hello, world 42!", "图书馆 ok"])
    assert list(toks.starts) == [0, 3, 7]
    assert list(toks.kinds[3:]) == [2, 2, 2, 1]


def test_case_width_and_zero_width_characters_do_not_matter():
    a = tokenize(["Ｃａｆé au lait"]).hashes
    b = tokenize(["cafe\u0301 AU lait"]).hashes  # decomposed accent
    c = tokenize(["ca\u200bfé au lait"]).hashes  # zero-width space inside
    assert list(a) == list(b) == list(c)


def test_chinese_uses_character_ngrams():
    sh = shingles_of([ZH])
    assert sh.ngram[0] == 5
    assert sh.offsets[1] > 80  # one shingle per character position, not per "word"


def test_chinese_near_duplicate_is_found():
    edited = ZH.replace("并计划举办讲座和读书会", "并计划每月举办一次讲座")
    sigs = compute_signatures([ZH, edited, "今天天气很好，我们去公园散步，看到很多人在湖边钓鱼和放风筝。"])
    assert estimated_similarity(sigs[0], sigs[1]) > 0.7
    assert estimated_similarity(sigs[0], sigs[2]) < 0.1
    index = NearDupIndex()
    index.add_batch(["zh1", "zh2"], [ZH, edited], langs=["zh", "zh"])
    assert sorted(d.id for d in index.finalize()) == ["zh1", "zh2"]


def test_thai_is_written_without_spaces_and_gets_longer_character_ngrams():
    sh = shingles_of(["ภาษาไทยเขียนติดกันโดยไม่มีการเว้นวรรคระหว่างคำ"])
    assert sh.ngram[0] == 8
