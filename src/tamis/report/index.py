"""The inspector's index: one SQLite file next to the run (OUT/_inspect.sqlite), built streaming.

- `docs`: one narrow row per document in the order the run wrote it (n), with what the list page
  filters and shows (id, decision, language, sizes, reasons) and a REAL column per document signal;
  the main signals (`tamis.report.stats.MAIN_SIGNALS`) are indexed;
- `texts`: per document a snippet and the whole record zstd-compressed (the document page decodes
  just that one), apart from `docs` so that scanning `docs` never reads them;
- `doc_reasons`: (reason, n) for every edit reason and failing rule of a document;
- `fts`: a contentless FTS5 table over each document's *original* text, so removed lines are found
  too. Han, kana, Thai, Lao, Khmer and Myanmar characters are indexed one by one (scripts without
  spaces have no words to tokenize), and queries are split the same way;
- `facets`: counts per language, decision and reason, computed once for the filter menus;
- `meta`: the size and modification time of every shard indexed: a changed run is indexed again.

Every page query is keyed on n with LIMIT, so its cost does not grow with the run.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import zstandard

from tamis.commands import iter_records, iter_run, shard_paths
from tamis.document import Edit
from tamis.edits import rebuild_original
from tamis.report.stats import MAIN_SIGNALS
from tamis.signals.document import SIGNALS

INDEX_NAME = "_inspect.sqlite"
INDEX_VERSION = "4"
PARTS = ("kept", "rejected", "quarantine")
SIGNAL_COLUMNS = tuple(s for s in SIGNALS if re.fullmatch(r"[a-z][a-z0-9_]*", s))
SNIPPET_CHARS = 200
BATCH = 500
_UNSPACED = re.compile(r"([\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")


def index_path(run: str) -> str:
    return os.path.join(run, INDEX_NAME)


def fingerprint(run: str) -> str:
    files = []
    for part in PARTS + ("signals",):
        for p in shard_paths(run, part):
            st = os.stat(p)
            files.append([os.path.relpath(p, run), st.st_size, st.st_mtime_ns])
    return json.dumps({"version": INDEX_VERSION, "files": files})


def is_current(path: str, run: str) -> bool:
    if not os.path.exists(path):
        return False
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE key='fingerprint'").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return False
    return bool(row) and row[0] == fingerprint(run)


# unicode61's remove_diacritics folds letters with combining marks, not letters with a stroke:
# "Đà Nẵng" must be found by "Da Nang" too.
_FOLD = str.maketrans({"Đ": "D", "đ": "d"})


def spaced(text: str) -> str:
    """Text as the full-text index sees it: each character of a script written without spaces made
    a word of its own, and đ folded to d."""
    return _UNSPACED.sub(r" \1 ", text.translate(_FOLD))


def fts_query(q: str) -> str | None:
    """A user's search as an FTS5 query: every word (or "quoted phrase") must occur; no FTS syntax
    is interpreted, so any input is a valid query."""
    terms = [m.group(1) or m.group(2) for m in re.finditer(r'"([^"]+)"|(\S+)', q)]
    phrases = []
    for t in terms:
        words = spaced(t).split()
        if words:
            phrases.append('"' + " ".join(w.replace('"', '""') for w in words) + '"')
    return " ".join(phrases) or None


def _records(run: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(kind, record) in the order the run processed the documents, when signals/ allows it."""
    if shard_paths(run, "signals"):
        for sig, rec in iter_run(run):
            yield sig["kind"], rec
    else:
        for kind in ("kept", "rejected"):
            for rec in iter_records(run, kind):
                yield kind, rec
    for rec in iter_records(run, "quarantine"):
        yield "quarantined", rec


def build_index(run: str, path: str | None = None, *, log: Any = None) -> dict[str, Any]:
    """Index the run into `path` (default OUT/_inspect.sqlite), written to a temporary file first."""
    path = path or index_path(run)
    tmp = path + ".tmp"
    if os.path.exists(tmp):
        os.remove(tmp)
    t0 = time.perf_counter()
    fp = fingerprint(run)
    con = sqlite3.connect(tmp)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-262144")  # 256 MB: the full-text index merges in memory
    sig_cols = ", ".join(f'"{s}" REAL' for s in SIGNAL_COLUMNS)
    con.executescript(f"""
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE docs(n INTEGER PRIMARY KEY, id TEXT, kind TEXT, lang TEXT, orig_chars INTEGER,
                          kept_chars INTEGER, removed_chars INTEGER, labels TEXT, {sig_cols});
        CREATE TABLE texts(n INTEGER PRIMARY KEY, snippet TEXT, record BLOB);
        CREATE TABLE doc_reasons(reason TEXT, n INTEGER, PRIMARY KEY(reason, n)) WITHOUT ROWID;
        CREATE VIRTUAL TABLE fts USING fts5(body, content='', tokenize='unicode61 remove_diacritics 2');
        CREATE TABLE facets(facet TEXT, value TEXT, docs INTEGER, PRIMARY KEY(facet, value));
    """)
    cctx = zstandard.ZstdCompressor(level=3)
    facets: Counter[tuple[str, str]] = Counter()
    placeholders = ", ".join("?" * (8 + len(SIGNAL_COLUMNS)))
    docs_rows: list[tuple[Any, ...]] = []
    text_rows: list[tuple[int, str, bytes]] = []
    reason_rows: list[tuple[str, int]] = []
    fts_rows: list[tuple[int, str]] = []

    def flush() -> None:
        con.executemany(f"INSERT INTO docs VALUES ({placeholders})", docs_rows)
        con.executemany("INSERT INTO texts VALUES (?, ?, ?)", text_rows)
        con.executemany("INSERT OR IGNORE INTO doc_reasons VALUES (?, ?)", reason_rows)
        con.executemany("INSERT INTO fts(rowid, body) VALUES (?, ?)", fts_rows)
        docs_rows.clear(), text_rows.clear(), reason_rows.clear(), fts_rows.clear()

    n = 0
    con.execute("BEGIN")
    for n, (kind, rec) in enumerate(_records(run), 1):
        if kind == "quarantined":
            original = str(rec.get("raw") or "")
            error = str(rec.get("error") or "").split(":", 1)[0]
            text, edits, lang, labels = "", [], "", [[error, 1]]
            doc_id = str(rec.get("id") or f"{rec.get('source')}:{rec.get('position')}")
            reasons = {error}
        else:
            text = rec.get("text") or ""
            edits = [Edit.from_json(e) for e in rec.get("edits") or []]
            original = rebuild_original(text, edits)
            lang = rec.get("lang") or "und"
            doc_id = str(rec.get("id"))
            rules = [str(f.get("rule")) for f in rec.get("reasons") or []]
            edit_reasons = list(dict.fromkeys(e.reason for e in edits))
            # What the list shows: the failing rules first, then the reasons of the removals.
            labels = [[r, 1] for r in rules] + [[r, 0] for r in edit_reasons if r != "blank-line"]
            reasons = set(rules) | set(edit_reasons)
        signals = rec.get("signals") or {}
        snippet = " ".join((text or original)[: SNIPPET_CHARS * 2].split())[:SNIPPET_CHARS]
        removed = sum(len(e.orig) - len(e.repl) for e in edits)
        blob = cctx.compress(json.dumps({"kind": kind, "record": rec}, ensure_ascii=False).encode("utf-8", "surrogatepass"))
        docs_rows.append((n, doc_id, kind, lang, len(original), len(text), removed, json.dumps(labels),
                          *[_num(signals.get(s)) for s in SIGNAL_COLUMNS]))
        text_rows.append((n, snippet, blob))
        reason_rows.extend((r, n) for r in reasons)
        fts_rows.append((n, spaced(original)))
        facets["kind", kind] += 1
        if lang:
            facets["lang", lang] += 1
        for r in reasons:
            facets["reason", r] += 1
        if len(docs_rows) >= BATCH:
            flush()
            if log and n % 50_000 == 0:
                log(f"indexed {n:,} documents")
    flush()
    con.executemany("INSERT INTO facets VALUES (?, ?, ?)", [(f, v, c) for (f, v), c in facets.items()])
    con.execute("CREATE INDEX docs_id ON docs(id)")
    # One column each, so that documents of one language or decision come in document order; both
    # together for the two combined.
    con.execute("CREATE INDEX docs_kind ON docs(kind)")
    con.execute("CREATE INDEX docs_lang ON docs(lang)")
    con.execute("CREATE INDEX docs_lang_kind ON docs(lang, kind)")
    for sig in MAIN_SIGNALS:
        if sig in SIGNAL_COLUMNS:
            con.execute(f'CREATE INDEX "docs_{sig}" ON docs("{sig}")')
    con.execute("PRAGMA analysis_limit=2000")
    con.execute("ANALYZE")
    con.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    seconds = time.perf_counter() - t0
    con.executemany("INSERT INTO meta VALUES (?, ?)", [("fingerprint", fp), ("documents", str(n)),
                                                       ("seconds", f"{seconds:.2f}"), ("run", os.path.abspath(run))])
    con.commit()
    con.close()
    os.replace(tmp, path)
    return {"documents": n, "seconds": seconds, "path": path}


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def decode_record(blob: bytes) -> dict[str, Any]:
    return json.loads(zstandard.ZstdDecompressor().decompress(blob).decode("utf-8", "surrogatepass"))
