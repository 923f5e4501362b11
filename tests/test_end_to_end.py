"""The bundled sample corpus, cleaned by the real CLI, matches its hand-written expected text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tamis.cli import main
from tamis.edits import rebuild_original
from tamis.document import Edit
from tamis.commands import iter_records

SAMPLE = Path(__file__).resolve().parent.parent / "examples" / "sample"


def _records(out: Path, kind: str) -> list[dict]:
    return list(iter_records(str(out), kind))


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "out"
    assert main(["clean", str(SAMPLE / "docs"), "-o", str(out), "--no-progress"]) == 0
    return out


def _line_f1(expected: list[str], raw: list[str], cleaned: list[str]) -> float:
    """F1 of kept lines (content positive) for one document, by line text with multiplicity."""
    from collections import Counter

    exp, got = Counter(expected), Counter(cleaned)
    tp = sum((exp & got).values())
    p = tp / max(1, sum(got.values()))
    r = tp / max(1, sum(exp.values()))
    return 2 * p * r / max(p + r, 1e-9)


def test_every_sample_document_is_accounted_for(sample_run):
    summary = json.loads((sample_run / "summary.json").read_text())
    n = len(list((SAMPLE / "docs").glob("*.txt")))
    d = summary["documents"]
    assert d["read"] == n == d["kept"] + d["rejected"] + d["quarantined"]
    assert d["quarantined"] == 0


def test_sample_languages_are_right(sample_run):
    for r in _records(sample_run, "kept") + _records(sample_run, "rejected"):
        assert r["lang"] == r["id"].split("-")[0], r["id"]


def test_edits_rebuild_every_original(sample_run):
    for r in _records(sample_run, "kept") + _records(sample_run, "rejected"):
        original = (SAMPLE / "docs" / f"{r['id']}.txt").read_text(encoding="utf-8")
        assert rebuild_original(r["text"], [Edit.from_json(e) for e in r["edits"]]) == original


def test_clean_text_matches_expected(sample_run):
    kept = {r["id"]: r for r in _records(sample_run, "kept")}
    scores = {}
    for path in sorted((SAMPLE / "expected").glob("*.txt")):
        doc_id = path.stem
        assert doc_id in kept, f"{doc_id} was rejected"
        expected = path.read_text(encoding="utf-8").split("\n")
        cleaned = kept[doc_id]["text"].split("\n")
        scores[doc_id] = _line_f1(expected, [], cleaned)
    exact = [d for d, f in scores.items() if f == 1.0]
    mean = sum(scores.values()) / len(scores)
    # The goal (issue 2) is a mean of 0.95 on held-out pages. This guards the level reached so far
    # (mean 0.942, 10 of 18 exact, the Vietnamese wiki page's infobox kept: 0.64) against regressions.
    assert mean >= 0.93, scores
    assert len(exact) >= 0.5 * len(scores), scores
    assert min(scores.values()) >= 0.6, scores


def test_repeated_body_is_kept_once(sample_run):
    kept = {r["id"]: r for r in _records(sample_run, "kept")}
    doc = kept["vi-04-the-thao"]
    lines = [x for x in doc["text"].split("\n") if len(x) > 40]
    assert len(lines) == len(set(lines))
    assert any(e["reason"] == "duplicate-line" for e in doc["edits"])


def test_english_paragraph_in_arabic_article_is_removed(sample_run):
    kept = {r["id"]: r for r in _records(sample_run, "kept")}
    edits = kept["ar-02-thaqafa"]["edits"]
    other = [e for e in edits if e["reason"] == "other-language"]
    assert other and other[0]["values"]["lang"] == "en"
