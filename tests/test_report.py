"""`tamis report`: a self-contained page whose charts and samples answer "what was removed, and why"."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("matplotlib", reason="the report needs matplotlib (pip install matplotlib)")

from tamis.cli import main  # noqa: E402


def test_report_is_self_contained(web_report):
    page = web_report.read_text("utf-8")
    # Nothing is loaded from elsewhere: no external script, stylesheet, image, font or frame.
    assert not re.search(r"<(script|link|iframe|img)\b", page)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//(?!127\.0\.0\.1:8765/)""", page)
    assert "@import" not in page and not re.search(r"url\((?!#)", page)  # only in-page references
    assert page.count("<svg") >= 6


def test_report_shows_counts_reasons_rules_and_thresholds(web_report, web_run):
    import json

    page = web_report.read_text("utf-8")
    s = json.loads((web_run / "summary.json").read_text())
    assert f"<b>{s['documents']['read']:,}</b><span>documents read" in page
    for reason in ("leading-block", "trailing-block", "boilerplate-line"):
        assert f">{reason}</a>" in page  # in the removals table, linking to the inspector's filter
    assert "min_words" in page and "duplicate" in page
    # Thresholds of the default policy drawn on the signal charts, per language.
    assert "min 0.08" in page  # vi min_stop_word_frac
    assert "min 0.01" in page  # ar min_stop_word_frac
    assert 'href="http://127.0.0.1:8765/doc?id=hostile-short"' in page


def test_report_escapes_document_text(web_report):
    page = web_report.read_text("utf-8")
    assert "<script>window" not in page
    assert "&lt;script&gt;window.__pwned = 3&lt;/script&gt;" in page


@pytest.mark.parametrize("command", ["report", "inspect"])
@pytest.mark.parametrize("folder", ["nope", "empty"])
def test_report_or_inspect_of_a_missing_run_is_a_usage_error(tmp_path, capsys, command, folder):
    (tmp_path / "empty").mkdir()  # a folder with no shards is no run either
    assert main([command, str(tmp_path / folder)]) == 2
    assert "output folder" in capsys.readouterr().err


def test_without_matplotlib_the_report_says_how_to_install_it(web_run, monkeypatch, capsys):
    import sys

    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith(("matplotlib.", "tamis.report.charts", "tamis.report.html"))]:
        monkeypatch.delitem(sys.modules, name)
    import tamis.report

    for name in ("charts", "html"):  # `from tamis.report import charts` must import it again too
        monkeypatch.delattr(tamis.report, name, raising=False)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib raises ImportError
    assert main(["report", str(web_run), "-o", str(web_run / "never.html")]) == 2
    assert "pip install matplotlib" in capsys.readouterr().err
