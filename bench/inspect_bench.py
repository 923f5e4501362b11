"""How fast is `tamis inspect` on a large run? Index a run, grow the index to N times its documents
(copies with new numbers and ids, full-text rows included), and time the inspector's pages.

    python bench/inspect_bench.py OUT [--scale 250] [--index /tmp/big.sqlite]

Prints the index build time of the run itself, the size of the grown index, and the median and
worst latency of each page over 5 requests to a running inspector (local HTTP, one client).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sqlite3
import sys
import threading
import time
import urllib.request

from tamis.config import load_config
from tamis.document import Edit
from tamis.edits import rebuild_original
from tamis.report.index import build_index, decode_record, spaced
from tamis.report.server import InspectServer, Inspector

PAGES = [
    "/", "/?after={mid}", "/?lang=ar", "/?kind=rejected", "/?lang=vi&kind=rejected&reason=min_words",
    "/?reason=trailing-block", "/?reason=duplicate", "/?signal=stop_word_frac&max=0.1",
    "/?signal=words&min=2000", "/?q=kinh+t%E1%BA%BF", "/?q=%D8%A7%D9%84%D8%B3%D8%B9%D9%88%D8%AF%D9%8A%D8%A9&kind=kept",
    "/?q=%22Th%C3%A0nh+ph%E1%BB%91+H%E1%BB%93+Ch%C3%AD+Minh%22", "/?q=zzzznotthere",
    "/doc/{mid}", "/doc/{mid}?lang=ar&reason=trailing-block", "/doc/{last}?kind=rejected",
]


def grow(path: str, scale: int) -> int:
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-524288")
    # Like build_index: fill the tables first, then build the indexes on docs.
    indexes = con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'docs' "
                          "AND sql IS NOT NULL").fetchall()
    for name, _ in indexes:
        con.execute(f'DROP INDEX "{name}"')
    base = con.execute("SELECT max(n) FROM docs").fetchone()[0]
    cols = [r[1] for r in con.execute("PRAGMA table_info(docs)")]
    rest = ", ".join(f'"{c}"' for c in cols[2:])
    bodies = []
    for n, blob in con.execute("SELECT n, record FROM texts ORDER BY n"):
        rec = decode_record(blob)["record"]
        text = rec.get("text") or rec.get("raw") or ""
        bodies.append((n, spaced(rebuild_original(text, [Edit.from_json(e) for e in rec.get("edits") or []]))))
    con.execute("BEGIN")
    for k in range(1, scale):
        off = k * base
        con.execute(f"INSERT INTO docs SELECT n + ?, id || '~{k}', {rest} FROM docs WHERE n <= ?", [off, base])
        con.execute("INSERT INTO doc_reasons SELECT reason, n + ? FROM doc_reasons WHERE n <= ?", [off, base])
        con.execute("INSERT INTO texts SELECT n + ?, snippet, record FROM texts WHERE n <= ?", [off, base])
        con.executemany("INSERT INTO fts(rowid, body) VALUES (?, ?)", [(n + off, b) for n, b in bodies])
        if k % 25 == 0:
            print(f"  grown to {(k + 1) * base:,} documents", file=sys.stderr, flush=True)
    for _, sql in indexes:
        con.execute(sql)
    con.execute("UPDATE facets SET docs = docs * ?", [scale])
    con.execute("UPDATE meta SET value = ? WHERE key = 'documents'", [str(base * scale)])
    con.commit()
    con.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    con.execute("ANALYZE")
    con.commit()
    con.close()
    return base * scale


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--scale", type=int, default=250)
    ap.add_argument("--index", default="/tmp/tamis-inspect-bench.sqlite")
    args = ap.parse_args()
    info = build_index(args.run, args.index)
    print(f"index of {args.run}: {info['documents']:,} documents in {info['seconds']:.2f} s "
          f"({info['documents'] / info['seconds']:.0f} docs/s), {os.path.getsize(args.index) / 1e6:.1f} MB")
    t0 = time.perf_counter()
    total = grow(args.index, args.scale) if args.scale > 1 else info["documents"]
    print(f"grown to {total:,} documents in {time.perf_counter() - t0:.0f} s, {os.path.getsize(args.index) / 1e9:.2f} GB")
    server = InspectServer(Inspector(args.run, args.index, load_config()["policy"]), "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"{'page':70} {'median ms':>10} {'max ms':>8}")
    for page in PAGES:
        url = server.url.rstrip("/") + page.format(mid=total // 2, last=total)
        times = []
        for _ in range(5):
            t = time.perf_counter()
            with urllib.request.urlopen(url) as r:
                r.read()
            times.append((time.perf_counter() - t) * 1000)
        print(f"{page.format(mid=total // 2, last=total):70} {statistics.median(times):10.1f} {max(times):8.1f}")
    server.shutdown()


if __name__ == "__main__":
    main()
