import pytest

from tamis.config import ConfigError, load_config, merge, default_config
from tamis.policy.lines import LineSignals, decide_lines, removal_spans
from tamis.policy.rules import check_document, rules_for, validate_policy

LINE_CFG = default_config()["policy"]["lines"]


def _sig(scores, lang=None, prob=None, words=None):
    n = len(scores)
    return LineSignals(scores, lang or [""] * n, prob or [0.0] * n, words or [10] * n)


def test_lines_below_threshold_go_with_block_names():
    lines = ["Trang chủ | Thời sự", "Giá xăng tăng mạnh từ chiều nay.", "Tin cùng chuyên mục"]
    out = decide_lines(lines, _sig([0.1, 0.9, 0.2]), "vi", LINE_CFG, 0.5)
    assert [d and d[0] for d in out] == ["leading-block", None, "trailing-block"]
    assert out[0][1] == {"score": 0.1, "min": 0.5}


def test_repeated_body_keeps_its_first_copy():
    body = ["Đoạn một của bài viết khá dài.", "Đoạn hai của bài viết cũng dài."]
    out = decide_lines(body + body, _sig([0.9] * 4), "vi", LINE_CFG, 0.5)
    assert [d and d[0] for d in out] == [None, None, "duplicate-line", "duplicate-line"]
    assert out[2][1] == {"first_line": 0, "run": 2}


def test_repeat_whose_first_copy_was_boilerplate_stays():
    lines = ["Bão số 3 đổ bộ vào miền Bắc", "Nội dung bài viết rất dài ở đây.", "Bão số 3 đổ bộ vào miền Bắc"]
    out = decide_lines(lines, _sig([0.2, 0.9, 0.9]), "vi", LINE_CFG, 0.5)
    assert [d and d[0] for d in out] == ["leading-block", None, None]


def test_other_language_needs_confidence_and_length():
    lines = ["النص العربي الطويل هنا في المقال.", "This English paragraph was left untranslated here.", "BBC News"]
    sig = _sig([0.9, 0.9, 0.9], ["ar", "en", "en"], [0.99, 0.97, 0.95], [7, 7, 2])
    out = decide_lines(lines, sig, "ar", LINE_CFG, 0.5)
    assert [d and d[0] for d in out] == [None, "other-language", None]
    assert out[1][1]["lang"] == "en"


def test_removal_spans_leave_no_dangling_newline():
    lines = ["keep me", "drop me"]
    spans = removal_spans(lines, [0, 8], [None, ("trailing-block", {})])
    assert spans == [(7, 15, "trailing-block", {})]


def test_every_failing_rule_is_recorded():
    policy = merge(default_config(), {"policy": {"documents": {"default": {
        "min_words": {"signal": "words", "min": 50},
        "max_removed_char_frac": {"signal": "removed_char_frac", "max": 0.5}}}}})["policy"]
    validate_policy(policy)
    failures = check_document(rules_for(policy, "vi"), {"chars": 10, "words": 3, "removed_char_frac": 0.9})
    assert [f["rule"] for f in failures] == ["min_words", "max_removed_char_frac"]
    assert failures[0] == {"rule": "min_words", "signal": "words", "value": 3, "min": 50.0}


def test_language_section_overrides_and_null_disables():
    defaults = default_config()["policy"]
    policy = merge(defaults, {"documents": {
        "default": {"min_words": {"signal": "words", "min": 50}}, "zh": {"min_words": None}}})
    zh = [r.name for r in rules_for(policy, "zh")]
    assert "min_words" not in zh and "min_chars" in zh
    vi = {r.name: r for r in rules_for(policy, "vi")}  # vi keeps the default's min_words
    assert vi["min_words"].threshold == 50.0 and list(vi) == [r.name for r in rules_for(defaults, "vi")]


@pytest.mark.parametrize("override, message", [
    ({"policy": {"lines": {"min_content_scor": 0.3}}}, "policy.lines.min_content_scor"),
    ({"policy": {"documents": {"default": {"max_words": {"signal": "words", "min": 3}}}}}, "must be named 'min_"),
    ({"policy": {"documents": {"vi": {"min_words": {"signal": "words", "min": "ten"}}}}}, "policy.documents.vi.min_words.min"),
    ({"normalize": {"nfkc": True}}, "normalize.nfkc"),
])
def test_invalid_config_names_the_key(tmp_path, override, message):
    import yaml

    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(override))
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("(", r"\(")):
        load_config(path)


def test_toml_config_is_read(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[policy.lines]\nmin_content_score = 0.7\n')
    assert load_config(path)["policy"]["lines"]["min_content_score"] == 0.7


def test_rules_for_answers_again_from_memory_but_sees_a_changed_policy():
    from tamis.config import ConfigError
    from tamis.policy.rules import rules_for

    policy = {"documents": {"default": {"min_words": {"signal": "words", "min": 20}}, "vi": {}}}
    first = rules_for(policy, "vi")
    assert rules_for(policy, "vi") == first and rules_for(policy, "vi") is not first
    policy["documents"]["vi"]["min_words"] = {"signal": "words", "min": 50}  # changed in place
    assert [r.threshold for r in rules_for(policy, "vi")] == [50.0]
    policy["documents"]["vi"]["min_words"] = {"signal": "words", "min": True}  # True == 1, yet not a number
    with pytest.raises(ConfigError):
        rules_for(policy, "vi")
