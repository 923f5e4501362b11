"""The line scorer: model file, numpy tree evaluation, and scores on hand-written news pages.

The pages below were written for these tests; nothing is copied from ../shared. The last test reads
../shared when it is there (and skips otherwise) as a sanity check of the packaged model.
"""

from __future__ import annotations

import copy
import importlib.util
import io
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from tamis.signals.line_features import FEATURE_NAMES, line_features
from tamis.signals.line_model import NEUTRAL_SCORE, STACK_NAMES, LineModel, score_lines, stack_features

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# (line, expected) with expected "keep", "drop" or None (either: titles, bylines, teasers).
EN_PAGE = [
    ("Skip to main content", "drop"),
    ("The Riverside Gazette", "drop"),
    ("Home | News | Sport | Business | Culture | Opinion", "drop"),
    ("Subscribe", "drop"),
    ("Sign in", "drop"),
    ("News › Local", "drop"),
    ("City council approves riverside bicycle lane after decade of debate", None),
    ("By Maria Lopez", None),
    ("Published 14 May 2024, 09:30", None),
    ("Share", "drop"),
    ("The city council voted on Tuesday evening to build a protected bicycle lane along the eastern bank of "
     "the river, ending a debate that has divided residents for almost ten years.", "keep"),
    ("The project, which will cost an estimated 4.2 million euros, is expected to begin in the autumn and "
     "should be finished before the end of next year.", "keep"),
    ("Supporters say the lane will make cycling safer for children travelling to the three schools near the "
     "water, while some shop owners worry that removing parking spaces will hurt their business.", "keep"),
    ("\"We listened to every concern and changed the design twice,\" the deputy mayor said after the vote. "
     "\"This is a compromise that gives space to everyone.\"", "keep"),
    ("The council also agreed to plant two hundred new trees along the route and to install benches every "
     "few hundred metres.", "keep"),
    ("A public information evening will be held at the town hall next month, where residents can see the "
     "final plans and ask questions.", "keep"),
    ("Related articles", "drop"),
    ("New bus timetable to start in June", None),
    ("Library reopens after two-year renovation", None),
    ("Council budget: what changes for families", None),
    ("Comments (12)", "drop"),
    ("About us", "drop"),
    ("Contact", "drop"),
    ("Privacy policy", "drop"),
    ("Terms of use", "drop"),
    ("© 2024 The Riverside Gazette. All rights reserved.", "drop"),
]

VI_PAGE = [
    ("Trang chủ | Thời sự | Thế giới | Kinh doanh | Giải trí | Thể thao", "drop"),
    ("Đăng nhập", "drop"),
    ("Thời sự › Giao thông", "drop"),
    ("Thứ hai, 3/6/2024, 08:15 (GMT+7)", None),
    ("Thành phố khởi công cầu đi bộ mới bắc qua sông", None),
    ("Sáng nay, chính quyền thành phố đã chính thức khởi công xây dựng cây cầu đi bộ dài 250 mét bắc qua "
     "sông, nối hai khu dân cư đông đúc ở phía đông và phía tây.", "keep"),
    ("Theo ban quản lý dự án, công trình có tổng vốn đầu tư khoảng 180 tỷ đồng và dự kiến hoàn thành vào "
     "cuối năm sau, trước mùa mưa bão.", "keep"),
    ("Nhiều người dân sống gần khu vực cho biết họ rất mong chờ cây cầu, vì hiện nay phải đi vòng gần ba "
     "cây số mới sang được bờ bên kia để đi làm và đưa con đến trường.", "keep"),
    ("Ông Nguyễn Văn An, một người bán hàng ở chợ gần đó, nói rằng cây cầu sẽ giúp việc buôn bán thuận "
     "lợi hơn và giảm ùn tắc trên cầu chính vào giờ cao điểm.", "keep"),
    ("Minh Anh", None),
    ("Chia sẻ", "drop"),
    ("Bình luận (0)", "drop"),
    ("Tin cùng chuyên mục", "drop"),
    ("Giá xăng giảm nhẹ từ chiều nay", None),
    ("Hà Nội mở thêm hai tuyến xe buýt điện", None),
    ("Liên hệ quảng cáo", "drop"),
    ("Điều khoản sử dụng", "drop"),
    ("© Bản quyền thuộc về Báo Tin Nhanh. Ghi rõ nguồn khi phát hành lại thông tin từ website này.", "drop"),
]

AR_PAGE = [
    ("الرئيسية", "drop"),
    ("أخبار محلية", "drop"),
    ("اقتصاد", "drop"),
    ("رياضة", "drop"),
    ("اتصل بنا", "drop"),
    ("تم نشره الأحد 12 مايو 2024 10:20 صباحاً", None),
    ("افتتاح أكبر مكتبة عامة في المدينة", None),
    ("افتتحت البلدية صباح اليوم أكبر مكتبة عامة في المدينة، وتضم أكثر من مئة ألف كتاب باللغتين العربية "
     "والإنجليزية، إضافة إلى قاعات للقراءة والدراسة مفتوحة للجميع.", "keep"),
    ("وقال رئيس البلدية في كلمة خلال حفل الافتتاح إن المشروع استغرق ثلاث سنوات من العمل، وإنه يهدف إلى "
     "تشجيع الشباب على القراءة وتوفير مكان هادئ للطلاب.", "keep"),
    ("وأضاف أن المكتبة ستفتح أبوابها يومياً من الساعة الثامنة صباحاً حتى العاشرة مساءً، وأن الاشتراك فيها "
     "سيكون مجانياً لجميع سكان المدينة خلال العام الأول.", "keep"),
    ("شارك هذا الخبر", "drop"),
    ("أخبار ذات صلة", "drop"),
    ("ارتفاع أسعار الذهب في السوق المحلية", None),
    ("افتتاح معرض الكتاب الدولي الأسبوع المقبل", None),
    ("من نحن", "drop"),
    ("سياسة الخصوصية", "drop"),
    ("جميع الحقوق محفوظة © 2024", "drop"),
]


@pytest.fixture(scope="module")
def model() -> LineModel:
    return LineModel.load()


def test_packaged_model_loads(model: LineModel) -> None:
    assert 0.0 < model.threshold < 1.0
    assert tuple(model.spec["feature_names"]) == FEATURE_NAMES
    assert model.stage1.n_trees > 0 and model.stage2 is not None
    assert "training" in model.spec and "report" in model.spec


@pytest.mark.parametrize(("page", "lang"), [(EN_PAGE, "en"), (VI_PAGE, "vi"), (AR_PAGE, "ar")], ids=["en", "vi", "ar"])
def test_news_page_body_kept_and_chrome_dropped(model: LineModel, page: list, lang: str) -> None:
    lines = [text for text, _ in page]
    scores = score_lines(lines, lang, model)
    assert scores.shape == (len(lines),) and scores.dtype == np.float32
    keep = [(t[:40], round(float(s), 2)) for (t, want), s in zip(page, scores) if want == "keep" and s < model.threshold]
    drop = [(t[:40], round(float(s), 2)) for (t, want), s in zip(page, scores) if want == "drop" and s >= model.threshold]
    assert not keep, f"body lines scored below the threshold: {keep}"
    assert not drop, f"navigation/footer lines scored above the threshold: {drop}"


def test_page_without_language_still_works(model: LineModel) -> None:
    lines = [text for text, _ in VI_PAGE]
    scores = score_lines(lines, None, model)
    body = [s for (_, want), s in zip(VI_PAGE, scores) if want == "keep"]
    chrome = [s for (_, want), s in zip(VI_PAGE, scores) if want == "drop"]
    assert min(body) > max(chrome[:3])  # the article beats the header navigation


def test_blank_lines_are_neutral_and_do_not_change_other_scores(model: LineModel) -> None:
    lines = [text for text, _ in EN_PAGE]
    spaced = []
    for text in lines:
        spaced += [text, ""]
    scores = score_lines(spaced, "en", model)
    assert np.all(scores[1::2] == NEUTRAL_SCORE)
    np.testing.assert_allclose(scores[0::2], score_lines(lines, "en", model), rtol=1e-6)
    assert score_lines([], "en", model).shape == (0,)
    assert np.all(score_lines(["", " "], "en", model) == NEUTRAL_SCORE)


def test_threshold_is_applied_outside(model: LineModel) -> None:
    X = line_features([text for text, _ in EN_PAGE], "en")
    p = model.score(X)
    assert np.all((p > 0) & (p < 1)) and len(np.unique(p)) > 2  # probabilities, not decisions
    strict = p >= 0.9  # another threshold needs no new scores
    assert 0 < strict.sum() < (p >= model.threshold).sum()  # the page has a line scored in between


def _tiny_spec(stages: list[dict]) -> dict:
    return {"format": "tamis-line-model", "version": 1, "feature_names": list(FEATURE_NAMES),
            "stack_feature_names": list(STACK_NAMES), "threshold": 0.5, "stages": stages}


def test_hand_made_tree_is_evaluated_exactly(tmp_path: Path) -> None:
    chars = FEATURE_NAMES.index("log_chars")
    term = FEATURE_NAMES.index("ends_term")
    # depth 2: root splits log_chars at 3.0; left child is an early leaf (padded), right splits ends_term.
    tree = {"depth": 2, "count": 1, "base_score": 0.25,
            "feature": [chars, 0, term], "threshold": [3.0, 3.0e38, 0.5],
            "leaf_value": [-2.0, -2.0, 0.5, 3.0]}
    path = tmp_path / "m.json"
    path.write_text(json.dumps(_tiny_spec([tree])))
    m = LineModel.load(path)
    X = line_features(["Hi", "A line that is long enough but has no end", "A long enough line that ends here."], "en")
    np.testing.assert_allclose(m.log_odds(X), [-1.75, 0.75, 3.25], rtol=1e-6)
    with pytest.raises(ValueError):
        LineModel({**_tiny_spec([tree]), "feature_names": ["x"]})


def test_lightgbm_export_round_trip(tmp_path: Path) -> None:
    lgb = pytest.importorskip("lightgbm")
    spec = importlib.util.spec_from_file_location("train_line_model", ROOT / "tools/train_line_model.py")
    tool = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = tool  # dataclasses look their module up while the file executes
    try:
        spec.loader.exec_module(tool)
    finally:
        del sys.modules[spec.name]
    rng = np.random.default_rng(7)
    n1, n2 = len(FEATURE_NAMES), len(FEATURE_NAMES) + len(STACK_NAMES)
    X = rng.normal(size=(3000, n2)).astype(np.float32)
    X[:, FEATURE_NAMES.index("log_chars")] = np.abs(X[:, 0]) + 0.1  # no blank rows
    y = ((X[:, 1] + X[:, 2] * X[:, 3] + 0.3 * rng.normal(size=3000)) > 0).astype(float)
    params = {"objective": "binary", "max_depth": 4, "num_leaves": 12, "verbosity": -1, "seed": 1}
    b1 = lgb.train(params, lgb.Dataset(X[:, :n1], y), num_boost_round=15)
    b2 = lgb.train(params, lgb.Dataset(X, y), num_boost_round=15)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(_tiny_spec([tool.export_trees(b1), tool.export_trees(b2)])))
    m = LineModel.load(path)
    np.testing.assert_allclose(m.stage1.log_odds(X[:, :n1]), b1.predict(X[:, :n1], raw_score=True), atol=1e-4)
    np.testing.assert_allclose(m.stage2.log_odds(X), b2.predict(X, raw_score=True), atol=1e-4)
    # The full model: stage 2 sees the features plus the stacked summary of stage-1 scores.
    p1 = 1 / (1 + np.exp(-b1.predict(X[:200, :n1], raw_score=True)))
    expected = b2.predict(np.hstack((X[:200, :n1], stack_features(X[:200, :n1], p1))), raw_score=True)
    np.testing.assert_allclose(m.log_odds(X[:200, :n1]), expected, atol=1e-3)


def test_stack_features_shape_and_edges() -> None:
    X = line_features(["Menu", "Share", "A long line of prose that ends with a full stop here."] * 3, "en")
    S = stack_features(X, np.linspace(0.1, 0.9, len(X)).astype(np.float32))
    assert S.shape == (len(X), len(STACK_NAMES)) and np.isfinite(S).all()
    one = stack_features(X[:1], np.array([0.7], dtype=np.float32))
    assert one.shape == (1, len(STACK_NAMES)) and np.isfinite(one).all()


def _read_pages(name: str, limit: int) -> list[dict]:
    zstandard = pytest.importorskip("zstandard")
    path = SHARED / "data" / name
    if not path.exists():
        pytest.skip(f"{path} not present")
    out = []
    with open(path, "rb") as fh:
        for raw in io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(fh), encoding="utf-8"):
            out.append(json.loads(raw))
            if len(out) >= limit:
                break
    return out


def test_shared_pages_sanity(model: LineModel) -> None:
    """A fixed handful of development pages (seen in training: a sanity bound, not an evaluation)."""
    pages = _read_pages("pages-dev.jsonl.zst", 40) + _read_pages("pages-multi-dev.jsonl.zst", 20)
    tp = fp = fn = 0
    for rec in pages:
        lines = rec["text"].split("\n")
        keep = score_lines(lines, rec["lang"], model) >= model.threshold
        labels = np.array([l["label"] for l in rec["lines"]])
        tp += int(np.sum(keep & (labels == "content")))
        fp += int(np.sum(keep & (labels == "boilerplate")))
        fn += int(np.sum(~keep & (labels == "content")))
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.75, f"F1 {f1:.3f} on the fixed subset"


def test_model_file_is_small_and_has_no_page_text() -> None:
    path = ROOT / "src/tamis/data/line_model.json"
    assert path.stat().st_size < 2_000_000
    spec = json.loads(path.read_text(encoding="utf-8"))
    strings = []

    def walk(v: object) -> None:
        if isinstance(v, str):
            strings.append(v)
        elif isinstance(v, dict):
            for k, x in v.items():
                strings.append(k)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    walk(copy.deepcopy(spec))
    assert max(len(s) for s in strings) < 200  # names and settings only


def test_short_text_keeps_its_first_stage_score(model: LineModel) -> None:
    from tamis.signals.line_model import MIN_CONTEXT_LINES, _sigmoid

    body = [text for text, want in VI_PAGE if want == "keep"][: MIN_CONTEXT_LINES - 1]
    X = line_features(body, "vi")
    np.testing.assert_allclose(model.log_odds(X), model.stage1.log_odds(X), rtol=1e-6)
    assert (model.score(X) == _sigmoid(model.stage1.log_odds(X))).all()
    assert (model.score(X) >= model.threshold).all()  # a bare article body stays


def test_stack_features_see_the_nearest_long_lines() -> None:
    lines = ["A first long line of prose that ends here.", "Short", "Menu", "Another long line of prose, ending too."]
    X = line_features(lines, "en")
    S = stack_features(X, np.array([0.9, 0.2, 0.1, 0.7], dtype=np.float32))
    col = {name: S[:, k] for k, name in enumerate(STACK_NAMES)}
    np.testing.assert_allclose(col["long_p1_up1"], [-1.0, 0.9, 0.9, 0.9])
    np.testing.assert_allclose(col["long_p1_down1"], [0.7, 0.7, 0.7, -1.0])
    np.testing.assert_allclose(col["p1@-1"], [-1.0, 0.9, 0.2, 0.1])


def test_confident_text_skips_the_second_stage(model: LineModel) -> None:
    from tamis.signals.line_model import CONFIDENT_CONTENT, MIN_CONTEXT_LINES, _sigmoid

    body = [text for text, want in VI_PAGE if want == "keep"]
    assert len(body) >= MIN_CONTEXT_LINES
    X = line_features(body, "vi")
    z1 = model.stage1.log_odds(X)
    assert _sigmoid(z1).min() >= CONFIDENT_CONTENT  # hand-written article prose: stage 1 is sure of it
    np.testing.assert_array_equal(model.log_odds(X), z1)
    page = line_features([text for text, _ in VI_PAGE], "vi")  # with its menus and teasers
    assert not np.allclose(model.log_odds(page), model.stage1.log_odds(page))
