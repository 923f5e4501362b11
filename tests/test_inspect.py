"""The inspector without a browser: its index, its queries, and its security (escaping, path
traversal, host check, loopback by default)."""

from __future__ import annotations

import http.client
import json
import os
import sqlite3
from urllib.parse import urlsplit

import pytest

from tamis.document import Edit
from tamis.report.index import build_index, fts_query, index_path, is_current
from tamis.report.render import render_document
from tests.conftest import HOSTILE_ID


def get(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """A raw request: the path goes to the server exactly as written (no client-side normalisation)."""
    u = urlsplit(base)
    con = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    con.putrequest("GET", path, skip_host=bool(headers and "Host" in headers))
    for k, v in (headers or {}).items():
        con.putheader(k, v)
    con.endheaders()
    r = con.getresponse()
    body = r.read().decode("utf-8", "replace")
    con.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


def doc_n(run, doc_id: str) -> int:
    con = sqlite3.connect(index_path(str(run)))
    try:
        return con.execute("SELECT n FROM docs WHERE id = ?", [doc_id]).fetchone()[0]
    finally:
        con.close()


def test_render_marks_removed_spans_and_keeps_the_rest_plain():
    original = "Menu | Home\nالخبر الأول هنا.\nShare this\n"
    edits = [Edit(0, 12, "Menu | Home\n", "", "leading-block", {"score": 0.01, "min": 0.36}),
             Edit(29, 40, "Share this\n", "", "trailing-block", {"score": 0.02, "min": 0.36})]
    cleaned = "الخبر الأول هنا.\n"
    assert original[0:12] == edits[0].orig and original[29:40] == edits[1].orig
    page = render_document(cleaned, edits)
    assert '<del class="rm" data-reason="leading-block" id="e0">Menu | Home</del>' in page
    assert "score 0.01 &lt; min 0.36" in page
    assert '<div class="ln" dir="auto">الخبر الأول هنا.</div>' in page  # kept text plain, its own direction
    assert page.count('dir="auto"') == 3


def test_render_escapes_markup():
    page = render_document("<script>x()</script>\n", [Edit(0, 6, "<b>hi\n", "", "boilerplate-line", {})])
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page and "&lt;b&gt;hi" in page


@pytest.mark.parametrize("q", ['NEAR( "x AND', 'x OR and', '"x', 'body:x', 'x*', '-x', '^x', '(x', 'x"and"near',
                               "x' near", 'NOT x'])
def test_fts_query_is_always_valid_syntax(q):
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
    con.execute("INSERT INTO t VALUES ('not x or near and body x and near')")
    # FTS syntax in the search is taken as words: no error, and the document holding them is found
    assert con.execute("SELECT rowid FROM t WHERE t MATCH ?", [fts_query(q)]).fetchall() == [(1,)]
    con.close()


def test_fts_query_splits_unspaced_scripts_and_ignores_blank_input():
    assert fts_query("北京 天气") == '"北 京" "天 气"'  # unspaced scripts: one token per character
    assert fts_query("   ") is None


def test_index_counts_and_search(web_run, inspector):
    con = sqlite3.connect(index_path(str(web_run)))
    facets = {(f, v): n for f, v, n in con.execute("SELECT facet, value, docs FROM facets")}
    s = json.loads((web_run / "summary.json").read_text())
    assert facets[("kind", "kept")] == s["documents"]["kept"]
    assert facets[("kind", "rejected")] == s["documents"]["rejected"]
    assert facets[("kind", "quarantined")] == s["documents"]["quarantined"] == 1
    assert facets[("reason", "duplicate")] == sum(s["dedup"]["duplicates"].values()) >= 1
    # Search finds removed text too (the original is indexed), without diacritics in Vietnamese, and
    # inside Chinese text.
    status, _, body = get(inspector, "/?q=pwned")
    assert status == 200 and "hostile-short" in body and "evil&lt;i&gt;id" in body
    status, _, body = get(inspector, '/?q="Da+Nang"&lang=vi')
    assert status == 200 and "vi-01-tin-tuc" in body  # "Đà Nẵng"
    zh = con.execute("SELECT snippet FROM texts JOIN docs USING (n) WHERE lang = 'zh' LIMIT 1").fetchone()[0]
    status, _, body = get(inspector, "/?q=" + "".join(f"%{b:02X}" for b in zh[2:5].encode()))
    assert status == 200 and "zh-0" in body
    con.close()


def test_keyset_pages_cover_every_document_once(web_run, inspector, monkeypatch):
    from tamis.report import server

    monkeypatch.setattr(server, "PAGE_SIZE", 4)
    total = json.loads((web_run / "summary.json").read_text())["documents"]["read"]
    assert walk(inspector, "/") == list(range(1, total + 1))
    _, _, body = get(inspector, "/?kind=rejected&signal=words&max=10")
    assert "hostile-short" in body and "vi-01-tin-tuc" not in body


def test_document_page_escapes_hostile_text(web_run, inspector):
    status, headers, body = get(inspector, f"/doc/{doc_n(web_run, HOSTILE_ID)}")
    assert status == 200
    assert "<script>window" not in body and "<img src=x" not in body
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in body
    assert "evil&lt;i&gt;id&quot;" in body
    csp = headers["content-security-policy"]
    assert "script-src 'nonce-" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", [
    "/files/../secret.txt", "/files/%2e%2e/secret.txt", "/files/..%2fsecret.txt", "/files/..%2F..%2Fetc%2Fpasswd",
    "/files/kept/../../secret.txt", "/files//etc/passwd", "/files/%2Fetc%2Fpasswd", "/files/..\\secret.txt",
    "/files/%252e%252e/secret.txt", "/../secret.txt", "/../../../../etc/passwd", "/files/link-out",
    "/files/kept", "/files/", "/report/../secret.txt", "/doc/../../secret.txt", "/files/summary.json%00.txt",
])
def test_no_file_outside_the_run_is_served(web_run, inspector, path):
    link = web_run / "link-out"
    if not link.exists():
        os.symlink(web_run.parent / "secret.txt", link)
    status, _, body = get(inspector, path)
    assert status == 404
    assert "TOP-SECRET" not in body and "root:" not in body


def test_files_inside_the_run_are_served(inspector):
    status, headers, body = get(inspector, "/files/summary.json")
    assert status == 200 and headers["content-type"].startswith("text/plain") and '"documents"' in body
    status, headers, _ = get(inspector, "/files/kept/00000.jsonl.zst")
    assert status == 200 and headers["content-disposition"].startswith("attachment")


def test_foreign_host_header_is_refused(inspector):
    assert get(inspector, "/", {"Host": "evil.example:80"})[0] == 421
    assert get(inspector, "/", {"Host": "localhost:1"})[0] == 200


def test_loopback_is_the_default():
    from tamis.cli import build_parser

    # (the fixture's server binds where the test tells it; the started command is checked below)
    args = build_parser().parse_args(["inspect", "somewhere"])
    assert args.host == "127.0.0.1"


def test_index_is_rebuilt_when_the_run_changes(web_run, tmp_path):
    import shutil

    run = tmp_path / "run"
    shutil.copytree(web_run, run, ignore=shutil.ignore_patterns("_inspect.sqlite*", "_dedup_index"))
    info = build_index(str(run))
    assert info["documents"] > 0 and is_current(index_path(str(run)), str(run))
    (run / "summary.json").touch()
    assert is_current(index_path(str(run)), str(run))  # only the shards count
    shard = run / "kept" / "00000.jsonl.zst"
    os.utime(shard, ns=(shard.stat().st_atime_ns, shard.stat().st_mtime_ns + 10**9))
    assert not is_current(index_path(str(run)), str(run))


def test_quarantined_input_is_listed_with_its_error(inspector):
    status, _, body = get(inspector, "/?kind=quarantined")
    assert status == 200 and "<b>1</b> documents match" in body
    n = body.split("class='doc-link' href='/doc/")[1].split("?")[0]
    status, _, page = get(inspector, f"/doc/{n}")
    assert status == 200 and "quarantined" in page and "error:" in page and "not json" in page


def test_tamis_inspect_prints_its_url_and_serves(web_run):
    import re
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "tamis", "inspect", str(web_run), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        m = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert m, line + proc.stderr.read() if proc.poll() is not None else line
        status, _, body = get(m.group(1), "/")
        assert status == 200 and "documents match" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def walk(base: str, path: str) -> list[int]:
    """Every document number the list shows for `path`, following "next page" links."""
    seen = []
    while True:
        status, _, body = get(base, path)
        assert status == 200
        seen += [int(x.split("?")[0].split("'")[0]) for x in body.split("class='doc-link' href='/doc/")[1:]]
        if "id='next-page'" not in body:
            return seen
        path = body[body.rindex("href='", 0, body.index("id='next-page'")) + 6: body.index("' id='next-page'")]
        path = path.replace("&amp;", "&")


@pytest.mark.parametrize("selective", [5, 20_000])
@pytest.mark.parametrize("query, naive", [
    ("lang=vi", "lang = 'vi'"),
    ("kind=kept&reason=trailing-block", "kind = 'kept' AND n IN (SELECT n FROM doc_reasons WHERE reason = 'trailing-block')"),
    ("signal=words&min=300", "words >= 300"),
    ("signal=stop_word_frac&min=0.2&max=0.31&lang=vi", "stop_word_frac BETWEEN 0.2 AND 0.31 AND lang = 'vi'"),
    ("reason=leading-block&signal=removed_char_frac&max=0.3", "removed_char_frac <= 0.3 AND n IN (SELECT n FROM doc_reasons WHERE reason = 'leading-block')"),
    ("q=the&reason=trailing-block&kind=kept", "kind = 'kept' AND n IN (SELECT n FROM doc_reasons WHERE reason = 'trailing-block') AND n IN (SELECT rowid FROM fts WHERE fts MATCH 'the')"),
])
def test_every_filter_plan_lists_what_a_plain_query_finds(web_run, inspector, monkeypatch, query, naive, selective):
    from tamis.report import server

    monkeypatch.setattr(server, "PAGE_SIZE", 3)
    monkeypatch.setattr(server, "SELECTIVE", selective)  # index scan of the signal, or reading in order
    con = sqlite3.connect(index_path(str(web_run)))
    expected = [n for (n,) in con.execute(f"SELECT n FROM docs WHERE {naive} ORDER BY n")]
    con.close()
    assert expected, "the fixture run should match each filter"
    assert walk(inspector, "/?" + query) == expected
    # next/previous on a document page stay within the filter
    n = expected[len(expected) // 2]
    _, _, page = get(inspector, f"/doc/{n}?{query}")
    i = expected.index(n)
    assert (f"href='/doc/{expected[i + 1]}?" in page) == (i + 1 < len(expected))
    assert (f"href='/doc/{expected[i - 1]}?" in page) == (i > 0)
