"""`tamis calibrate`: thresholds from a run's own signals, a readable policy file and report."""

import json
from pathlib import Path

import pytest
import yaml

from tamis.cli import main
from tamis.commands import load_policy
from tamis.commands.calibrate import LIMITS, calibrate, policy_yaml, report
from tamis.run.local import RunOptions, run_clean

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample" / "docs"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("calibrate")
    out = tmp / "out"
    run_clean([str(SAMPLE)], str(out), load_policy(None), RunOptions(progress=False))
    return tmp, out


def test_thresholds_are_percentiles_clamped_to_limits(run):
    tmp, out = run
    base = load_policy(None)["policy"]
    cals = {c.lang: c for c in calibrate(str(out), base, percentile=0, max_removed=1.0, min_docs=3)}
    assert set(cals) >= {"vi", "ar", "en", "zh"}
    vi = cals["vi"]
    assert vi.reference >= 3 and vi.rules
    by_name = {r.name: r for r in vi.rules}
    # percentile 0: a min_ rule's threshold is the smallest reference value (or its limit)
    words = by_name["min_words"]
    assert words.percentile_value is not None
    assert words.threshold == min(words.percentile_value, LIMITS["words"][0])
    # a signal that is 0 everywhere would give max 0; the limit keeps one stray character from failing a text
    assert by_name["max_mojibake_char_frac"].percentile_value == 0
    assert by_name["max_mojibake_char_frac"].threshold == LIMITS["mojibake_char_frac"][1]
    # the poem's short lines set how strict the line ratio may get
    assert by_name["max_newline_word_ratio"].threshold >= LIMITS["newline_word_ratio"][1]
    for r in vi.rules:
        highest_min, lowest_max = LIMITS.get(r.signal, (float("inf"), float("-inf")))
        assert r.threshold <= highest_min if r.bound == "min" else r.threshold >= lowest_max, r.name
    # with percentile 0 and every document in the reference, no rule rejects a reference document
    assert all(r.rejects == 0 for r in vi.rules if r.percentile_value is not None and not r.clamped)


def test_policy_file_loads_and_reports_what_each_rule_rejects(run, tmp_path):
    tmp, out = run
    base = load_policy(None)["policy"]
    base["documents"]["default"]["max_chars"] = {"signal": "chars", "max": 10**9}  # no limit: free to calibrate
    cals = calibrate(str(out), base, percentile=40, max_removed=1.0, min_docs=3)
    text = policy_yaml(cals, base, run_dir=str(out), percentile=40, max_removed=1.0, min_docs=3)
    assert text.startswith("# Document policy calibrated by")
    assert "# p = " in text and "rejects" in text
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    cfg = load_policy(str(path))  # validates: every rule named for its bound, numbers where numbers go
    assert set(cfg["policy"]["documents"]["vi"]) >= {"min_words", "min_stop_word_frac"}
    assert yaml.safe_load(text)["policy"]["documents"]["default"] == base["documents"]["default"]
    table = report(cals, 3)
    assert "vi:" in table and "min_stop_word_frac" in table and "only this rule" in table
    # at the 60th percentile, max_chars rejects the longest 40% or so of each language's documents
    calibrated = [c for c in cals if c.rules]
    assert {c.lang for c in calibrated} >= {"vi"}
    for c in calibrated:
        rule = next(r for r in c.rules if r.name == "max_chars")
        assert 0 < rule.rejects < c.docs and c.rejected >= rule.rejects


def test_cli_writes_the_policy_and_apply_accepts_it(run, tmp_path, capsys):
    tmp, out = run
    policy = tmp_path / "cal.yaml"
    assert main(["calibrate", str(out), "-o", str(policy), "--min-docs", "3", "--max-removed", "1"]) == 0
    printed = capsys.readouterr().out
    assert "min_words" in printed and f"policy written to {policy}" in printed
    assert main(["apply", str(out), "--policy", str(policy), "--dry-run"]) == 0
    assert "re-decided" in capsys.readouterr().out


def test_cli_errors_exit_2(tmp_path, capsys):
    assert main(["calibrate", str(tmp_path / "nothing")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_languages_with_too_few_documents_keep_the_defaults(run):
    tmp, out = run
    base = load_policy(None)["policy"]
    cals = calibrate(str(out), base, min_docs=1000)
    assert all(not c.rules for c in cals)
    text = policy_yaml(cals, base, run_dir=str(out), percentile=0.5, max_removed=0.2, min_docs=1000)
    docs = yaml.safe_load(text)["policy"]["documents"]
    assert docs["zh"] == base["documents"]["zh"]  # copied, not calibrated
    assert json.dumps(docs["default"]) == json.dumps(base["documents"]["default"])
