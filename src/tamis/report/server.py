"""The inspector web app (`tamis inspect OUT`): the standard library's threading HTTP server over the
run's SQLite index (`tamis.report.index`).

Pages are rendered on the server; every value from a document goes through `html.escape`, and the
Content-Security-Policy allows no script but the page's own keyboard shortcuts (by nonce), so a
crawled `<script>` can only ever show as text. The only files served are inside the run folder
(/files/…, resolved and checked against the folder's real path); everything else is a page built
from the index. Bound to loopback, the server also refuses requests whose Host header is not a
loopback name (a web page in the browser cannot reach it through DNS rebinding).
"""

from __future__ import annotations

import html
import json
import os
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from tamis.document import Edit
from tamis.policy.rules import rules_for
from tamis.report.index import SIGNAL_COLUMNS, decode_record, fts_query
from tamis.report.render import render_document
from tamis.report.stats import MAIN_SIGNALS

esc = html.escape
PAGE_SIZE = 50
SELECTIVE = 20_000  # a signal range holding at most this many documents is read through its index
COUNT_CAP = 10_000  # counting stops here: "10,000+" costs the same on any run size
KINDS = ("kept", "rejected", "quarantined")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
TEXT_TYPES = (".json", ".txt", ".md", ".yaml", ".yml", ".toml", ".csv", ".tsv", ".jsonl", ".log")

CSS = """
:root{--kept:#2e7d32;--rej:#c62828;--q:#6d4c41;--mut:#666;--line:#e3e3e3}
*{box-sizing:border-box}
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic","Noto Sans CJK SC",sans-serif;margin:0;color:#222}
header{background:#263238;color:#fff;padding:10px 20px;display:flex;gap:18px;align-items:baseline;flex-wrap:wrap}
header b{font-size:17px} header a{color:#b3e5fc} header .run{color:#b0bec5;font-size:12px}
main{padding:12px 20px 40px;max-width:1300px}
form.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:end;background:#f5f7f8;padding:10px;border-radius:6px;border:1px solid var(--line)}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--mut)}
form.filters input,form.filters select{font-size:14px;padding:3px 5px}
form.filters input[type=number]{width:90px} form.filters input[type=search]{width:240px}
button{font-size:14px;padding:4px 14px;cursor:pointer}
table.list{border-collapse:collapse;width:100%;margin-top:10px;font-size:13px}
table.list th,table.list td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
table.list th{background:#fafafa} td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.snip{max-width:560px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.badge{display:inline-block;border-radius:3px;padding:0 6px;color:#fff;font-size:12px}
.badge.kept{background:var(--kept)} .badge.rejected{background:var(--rej)} .badge.quarantined{background:var(--q)}
.lbl{display:inline-block;background:#eceff1;border-radius:3px;padding:0 4px;margin:1px;font-size:11px;color:#37474f;text-decoration:none}
.lbl.rule{background:#ffebee;color:#8e0000}
.pager{margin:10px 0;display:flex;gap:14px;align-items:center}
.mut{color:var(--mut)}
.nav{display:flex;gap:14px;align-items:center;margin:4px 0 10px;flex-wrap:wrap}
.nav a.btn,.pager a{border:1px solid #90a4ae;border-radius:4px;padding:2px 10px;text-decoration:none}
.nav .off,.pager .off{color:#aaa;border:1px solid #ddd;border-radius:4px;padding:2px 10px}
h1.title{font-size:18px;margin:6px 0;overflow-wrap:anywhere}
.meta{display:flex;gap:18px;flex-wrap:wrap;font-size:13px;margin-bottom:8px}
.legend{font-size:13px;margin:6px 0 10px}
.legend a{margin-right:10px}
.doc{border:1px solid var(--line);border-radius:6px;padding:10px 14px;font-size:15px;line-height:1.7;
     white-space:pre-wrap;overflow-wrap:anywhere;background:#fff}
.ln{min-height:1.2em;counter-increment:ln}
.ln.gone{background:#fff5f5}
del.rm.nl{color:#d9a0a0;font-size:11px;text-decoration:none}
del.rm{color:#9b2c2c;text-decoration:line-through;text-decoration-color:#e57373;text-decoration-thickness:1.5px}
.tag{font:11px/1.4 system-ui,sans-serif;background:#fdecea;color:#8e0000;border:1px solid #f5c6cb;border-radius:3px;
     padding:0 4px;margin:0 6px;white-space:nowrap;unicode-bidi:isolate}
.tag small{color:#6d4c41;font-size:10px}
.tag[data-reason=unicode-repair]{background:#e3f2fd;color:#0d47a1;border-color:#bbdefb}
.fix del{color:#777} .fix ins{background:#e8f5e9;text-decoration:none}
#hide:checked ~ .doc .ln.gone, #hide:checked ~ .doc del.rm, #hide:checked ~ .doc .tag{display:none}
table.kv{border-collapse:collapse;font-size:13px;margin:6px 0}
table.kv td,table.kv th{border-bottom:1px solid var(--line);padding:2px 8px;text-align:left}
tr.fail td{color:var(--rej);font-weight:600}
details{margin-top:14px} summary{cursor:pointer;font-weight:600}
pre.raw{white-space:pre-wrap;overflow-wrap:anywhere;background:#fafafa;border:1px solid var(--line);padding:8px}
"""


@dataclass
class Filters:
    lang: str = ""
    kind: str = ""
    reason: str = ""
    signal: str = ""
    smin: float | None = None
    smax: float | None = None
    q: str = ""

    @classmethod
    def parse(cls, qs: dict[str, list[str]]) -> "Filters":
        def one(key: str) -> str:
            return (qs.get(key) or [""])[0].strip()[:500]

        def num(key: str) -> float | None:
            try:
                v = float(one(key))
            except ValueError:
                return None
            return v if v == v and abs(v) != float("inf") else None

        signal = one("signal")
        kind = one("kind")
        return cls(lang=one("lang"), kind=kind if kind in KINDS else "", reason=one("reason"),
                   signal=signal if signal in SIGNAL_COLUMNS else "", smin=num("min"), smax=num("max"), q=one("q"))

    def params(self) -> dict[str, str]:
        out = {"lang": self.lang, "kind": self.kind, "reason": self.reason, "signal": self.signal,
               "min": "" if self.smin is None else f"{self.smin:g}", "max": "" if self.smax is None else f"{self.smax:g}",
               "q": self.q}
        return {k: v for k, v in out.items() if v}

    def plan(self, con: sqlite3.Connection) -> "Plan":
        """How to find the matching documents in document order, touching as few rows as the filters allow.

        A search drives the query from the full-text index and a reason from its (reason, n) index,
        both already in document order, so a page reads about one page of matches. A signal range
        uses the signal's index when few documents fall in it (they are then sorted), and is checked
        row by row in document order when many do (the first page comes quickly then)."""
        clauses: list[str] = []
        args: list[Any] = []
        match = fts_query(self.q) if self.q else None
        if match:
            source, key = "fts CROSS JOIN docs ON docs.n = fts.rowid", "fts.rowid"
            clauses.append("fts MATCH ?"), args.append(match)
            if self.reason:
                clauses.append("docs.n IN (SELECT n FROM doc_reasons WHERE reason = ?)"), args.append(self.reason)
        elif self.reason:
            source, key = "doc_reasons CROSS JOIN docs ON docs.n = doc_reasons.n", "doc_reasons.n"
            clauses.append("doc_reasons.reason = ?"), args.append(self.reason)
        else:
            source, key = "docs", "docs.n"
        if self.lang:
            clauses.append("docs.lang = ?"), args.append(self.lang)
        if self.kind:
            clauses.append("docs.kind = ?"), args.append(self.kind)
        if self.signal and (self.smin is not None or self.smax is not None):
            bounds = [(">=", self.smin), ("<=", self.smax)]
            rng = [(op, v) for op, v in bounds if v is not None]
            col = f'docs."{self.signal}"'
            indexed = source == "docs" and self.signal in MAIN_SIGNALS
            if indexed:
                probe = " AND ".join(f'"{self.signal}" {op} ?' for op, _ in rng)
                few = con.execute(f"SELECT count(*) FROM (SELECT 1 FROM docs WHERE {probe} LIMIT ?)",
                                  [*(v for _, v in rng), SELECTIVE + 1]).fetchone()[0]
                indexed = few <= SELECTIVE
            if indexed:
                source = f'docs INDEXED BY "docs_{self.signal}"'
            else:
                col = "+" + col  # no index on the range: keep reading in document order
            for op, v in rng:
                clauses.append(f"{col} {op} ?"), args.append(v)
        return Plan(source, key, clauses, args)


@dataclass
class Plan:
    source: str  # FROM clause
    key: str  # the column holding the document number, in the order the source yields it
    clauses: list[str]
    args: list[Any]

    def where(self, extra: str = "") -> str:
        parts = self.clauses + ([extra] if extra else [])
        return " AND ".join(parts) or "1"


def qs(params: dict[str, Any]) -> str:
    return "?" + urlencode(params) if params else ""


class Inspector:
    """Page rendering over the index; one read-only SQLite connection per server thread."""

    def __init__(self, run: str, index: str, policy: dict[str, Any]) -> None:
        self.run = os.path.realpath(run)
        self.index = index
        self.policy = policy
        self._local = threading.local()
        con = self.db()
        self.facets: dict[str, list[tuple[str, int]]] = {}
        for facet, value, docs in con.execute("SELECT facet, value, docs FROM facets ORDER BY facet, docs DESC, value"):
            self.facets.setdefault(facet, []).append((value, docs))
        self.total = int(con.execute("SELECT value FROM meta WHERE key='documents'").fetchone()[0])

    def db(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.index}?mode=ro", uri=True, check_same_thread=False)
            self._local.con = con
        return con

    # -- pages -------------------------------------------------------------------------------------

    def page(self, title: str, body: str, nonce: str, script: str = "") -> str:
        report = os.path.isfile(os.path.join(self.run, "report.html"))
        links = ['<a href="/">documents</a>']
        if report:
            links.append('<a href="/report">report</a>')
        if os.path.isfile(os.path.join(self.run, "summary.json")):
            links.append('<a href="/files/summary.json">summary.json</a>')
        js = f'<script nonce="{nonce}">{script}</script>' if script else ""
        return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
                f"content='width=device-width, initial-scale=1'><title>{esc(title)} · tamis inspect</title>"
                f"<style>{CSS}</style></head><body><header><b>tamis inspect</b>{' '.join(links)}"
                f"<span class='run'>{esc(self.run)}</span></header><main>{body}</main>{js}</body></html>")

    def list_page(self, query: dict[str, list[str]], nonce: str) -> str:
        f = Filters.parse(query)
        after = _int(query, "after")
        before = _int(query, "before")
        con = self.db()
        cols = "docs.n, docs.id, docs.kind, docs.lang, docs.orig_chars, docs.kept_chars, docs.removed_chars, docs.labels"
        filtered = any(f.params().get(k) for k in ("lang", "kind", "reason", "q")) or (
            f.signal and (f.smin is not None or f.smax is not None))
        try:
            p = f.plan(con)
            k = p.key
            if before is not None:
                rows = con.execute(f"SELECT {cols} FROM {p.source} WHERE {p.where(f'{k} < ?')} ORDER BY {k} DESC LIMIT ?",
                                   [*p.args, before, PAGE_SIZE + 1]).fetchall()
                more_before = len(rows) > PAGE_SIZE
                rows = rows[:PAGE_SIZE][::-1]
                more_after = True
            else:
                start = after if after is not None else 0
                rows = con.execute(f"SELECT {cols} FROM {p.source} WHERE {p.where(f'{k} > ?')} ORDER BY {k} LIMIT ?",
                                   [*p.args, start, PAGE_SIZE + 1]).fetchall()
                more_after = len(rows) > PAGE_SIZE
                rows = rows[:PAGE_SIZE]
                more_before = after is not None and bool(rows) and con.execute(
                    f"SELECT 1 FROM {p.source} WHERE {p.where(f'{k} < ?')} LIMIT 1", [*p.args, rows[0][0]]).fetchone() is not None
            if filtered:
                count = con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {p.source} WHERE {p.where()} LIMIT ?)",
                                    [*p.args, COUNT_CAP + 1]).fetchone()[0]
            else:
                count = self.total
            snippets = dict(con.execute(f"SELECT n, snippet FROM texts WHERE n IN ({','.join('?' * len(rows))})",
                                        [r[0] for r in rows]).fetchall()) if rows else {}
            error = ""
        except sqlite3.OperationalError as exc:  # e.g. a search the full-text index cannot run
            rows, count, more_before, more_after, error, snippets = [], 0, False, False, str(exc), {}

        params = f.params()
        b: list[str] = [self.filter_form(f)]
        shown = f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"
        b.append(f"<div class='pager'><span id='count'><b>{shown}</b> documents match"
                 f"{'' if filtered else ' (all)'}</span>")
        b.append(f"<a href='/{qs({**params, 'before': rows[0][0]})}' id='prev-page'>‹ previous page</a>"
                 if more_before and rows else "<span class='off'>‹ previous page</span>")
        b.append(f"<a href='/{qs({**params, 'after': rows[-1][0]})}' id='next-page'>next page ›</a>"
                 if more_after and rows else "<span class='off'>next page ›</span>")
        b.append("</div>")
        if error:
            b.append(f"<p class='mut'>The search could not run: {esc(error)}</p>")
        b.append("<table class='list' id='docs'><tr><th>#</th><th>id</th><th>lang</th><th>decision</th>"
                 "<th>why</th><th>chars kept / original</th><th>removed</th><th>text</th></tr>")
        for n, doc_id, kind, lang, orig, kept, removed, labels in rows:
            snippet = snippets.get(n, "")
            why = "".join(f"<a class='lbl{' rule' if is_rule else ''}' href='/{esc(qs({**params, 'reason': x}))}'>{esc(x)}</a>"
                          for x, is_rule in json.loads(labels)[:6])
            pct = f"{100 * removed / orig:.0f}%" if orig else "–"
            b.append(f"<tr><td class='n'>{n}</td><td><a class='doc-link' href='/doc/{n}{qs(params)}'>{esc(doc_id)}</a></td>"
                     f"<td>{esc(lang)}</td><td><span class='badge {esc(kind)}'>{esc(kind)}</span></td><td>{why}</td>"
                     f"<td class='n'>{kept:,} / {orig:,}</td><td class='n'>{pct}</td>"
                     f"<td class='snip' dir='auto'>{esc(snippet)}</td></tr>")
        b.append("</table>")
        if not rows:
            b.append("<p class='mut'>No document matches these filters.</p>")
        return self.page("documents", "\n".join(b), nonce)

    def filter_form(self, f: Filters) -> str:
        def select(name: str, label: str, facet: str, current: str, extra: list[tuple[str, int]] | None = None) -> str:
            opts = ["<option value=''>all</option>"]
            for value, docs in (extra if extra is not None else self.facets.get(facet, [])):
                sel = " selected" if value == current else ""
                opts.append(f"<option value='{esc(value)}'{sel}>{esc(value)} ({docs:,})</option>")
            return f"<label>{label}<select name='{name}' id='f-{name}'>{''.join(opts)}</select></label>"

        kinds = dict(self.facets.get("kind", []))
        sig_opts = ["<option value=''>—</option>"] + [
            f"<option value='{s}'{' selected' if s == f.signal else ''}>{s}</option>" for s in SIGNAL_COLUMNS]
        return (
            "<form class='filters' method='get' action='/' id='filters'>"
            f"<label>search (original text)<input type='search' name='q' id='f-q' value='{esc(f.q)}' "
            "placeholder='words or \"a phrase\"'></label>"
            + select("lang", "language", "lang", f.lang)
            + select("kind", "decision", "kind", f.kind, [(k, kinds[k]) for k in KINDS if k in kinds])
            + select("reason", "reason (removal or rule)", "reason", f.reason)
            + f"<label>signal<select name='signal' id='f-signal'>{''.join(sig_opts)}</select></label>"
            f"<label>min<input type='number' step='any' name='min' id='f-min' value='{'' if f.smin is None else f'{f.smin:g}'}'></label>"
            f"<label>max<input type='number' step='any' name='max' id='f-max' value='{'' if f.smax is None else f'{f.smax:g}'}'></label>"
            "<button type='submit' id='apply'>filter</button> <a href='/'>clear</a></form>"
        )

    def doc_page(self, n: int, query: dict[str, list[str]], nonce: str) -> str | None:
        con = self.db()
        row = con.execute("SELECT docs.n, docs.id, docs.kind, docs.lang, texts.record FROM docs JOIN texts "
                          "ON texts.n = docs.n WHERE docs.n = ?", [n]).fetchone()
        if row is None:
            return None
        f = Filters.parse(query)
        p = f.plan(con)
        k = p.key
        prev = con.execute(f"SELECT {k} FROM {p.source} WHERE {p.where(f'{k} < ?')} ORDER BY {k} DESC LIMIT 1",
                           [*p.args, n]).fetchone()
        nxt = con.execute(f"SELECT {k} FROM {p.source} WHERE {p.where(f'{k} > ?')} ORDER BY {k} LIMIT 1",
                          [*p.args, n]).fetchone()
        params = f.params()
        _, doc_id, kind, lang, blob = row
        rec = decode_record(blob)["record"]
        b: list[str] = ["<div class='nav'>", f"<a class='btn' href='/{qs({**params, 'after': n - 1})}' id='back'>↑ list</a>"]
        b.append(f"<a class='btn' href='/doc/{prev[0]}{qs(params)}' id='prev' rel='prev'>‹ previous</a>" if prev
                 else "<span class='off'>‹ previous</span>")
        b.append(f"<a class='btn' href='/doc/{nxt[0]}{qs(params)}' id='next' rel='next'>next ›</a>" if nxt
                 else "<span class='off'>next ›</span>")
        flt = ", ".join(f"{k}={v}" for k, v in params.items())
        b.append(f"<span class='mut'>document {n:,} of {self.total:,}{' · within ' + esc(flt) if flt else ''} · keys ← →</span></div>")
        b.append(f"<h1 class='title' id='doc-id'>{esc(doc_id)}</h1>")
        b.append(f"<div class='meta'><span class='badge {esc(kind)}' id='decision'>{esc(kind)}</span>")
        if kind == "quarantined":
            b.append(f"<span>source {esc(str(rec.get('source')))}, position {esc(str(rec.get('position')))}</span></div>")
            b.append(f"<p><b>error:</b> {esc(str(rec.get('error')))}</p>")
            if rec.get("raw") is not None:
                b.append(f"<pre class='raw' dir='auto'>{esc(str(rec.get('raw')))}</pre>")
            return self.page(doc_id, "\n".join(b), nonce, _KEYS)
        b.append(f"<span>language <b>{esc(lang)}</b> ({esc(str(rec.get('lang_score')))})</span>")
        for key in ("url", "title", "site", "source", "date"):
            if rec.get(key):
                b.append(f"<span dir='auto'>{key}: {esc(str(rec[key]))}</span>")
        if (rec.get("cluster_size") or 1) > 1:
            b.append(f"<span>duplicate cluster of {esc(str(rec['cluster_size']))}</span>")
        b.append("</div>")
        failures = rec.get("reasons") or []
        if failures:
            b.append("<table class='kv' id='reasons'><tr><th>rejected by</th><th>signal</th><th>value</th><th>threshold</th></tr>")
            for x in failures:
                if x.get("rule") == "duplicate":
                    target = x.get("duplicate_of")
                    b.append(f"<tr class='fail'><td>duplicate</td><td colspan='3'>{esc(str(x.get('kind')))} copy of "
                             f"<a href='/doc?{esc(urlencode({'id': str(target)}))}'>{esc(str(target))}</a>, cluster of "
                             f"{esc(str(x.get('cluster_size')))}, similarity {esc(str(x.get('similarity')))}</td></tr>")
                    continue
                bound = "min" if "min" in x else "max"
                b.append(f"<tr class='fail'><td>{esc(str(x.get('rule')))}</td><td>{esc(str(x.get('signal')))}</td>"
                         f"<td>{esc(str(x.get('value')))}</td><td>{bound} {esc(str(x.get(bound)))}</td></tr>")
            b.append("</table>")
        edits = [Edit.from_json(e) for e in rec.get("edits") or []]
        counts: dict[str, list[int]] = {}
        for i, e in enumerate(edits):
            c = counts.setdefault(e.reason, [0, 0, i])
            c[0] += 1
            c[1] += len(e.orig) - len(e.repl)
        text = rec.get("text") or ""
        removed = sum(c[1] for c in counts.values())
        orig_len = len(text) + removed
        b.append(f"<div class='legend' id='legend'><b>{len(edits)} edits</b>, {removed:,} of {orig_len:,} characters removed: "
                 + "".join(f"<a href='#e{c[2]}'><span class='tag' data-reason='{esc(r)}'>{esc(r)}</span>×{c[0]} "
                           f"({c[1]:,} chars)</a>" for r, c in counts.items())
                 + "</div>")
        b.append("<input type='checkbox' id='hide'> <label for='hide'>hide removed text (show the cleaned document)</label>")
        b.append(f"<div class='doc' id='text'>{render_document(text, edits)}</div>")
        b.append(self.signals_table(rec.get("signals") or {}, lang, failures))
        extra = {k: v for k, v in rec.items() if k not in ("text", "edits", "signals", "reasons")}
        b.append(f"<details><summary>record fields</summary><pre class='raw' dir='auto'>"
                 f"{esc(json.dumps(extra, ensure_ascii=False, indent=1))}</pre></details>")
        return self.page(doc_id, "\n".join(b), nonce, _KEYS)

    def signals_table(self, signals: dict[str, Any], lang: str, failures: list[dict[str, Any]]) -> str:
        if not signals:
            return ""
        bounds: dict[str, list[str]] = {}
        for r in rules_for(self.policy, lang):
            bounds.setdefault(r.signal, []).append(f"{r.bound} {r.threshold:g}")
        failed = {x["signal"] for x in failures if x.get("signal")}
        rows = "".join(
            f"<tr{' class=fail' if k in failed else ''}><td>{esc(k)}</td><td>{esc(str(v))}</td>"
            f"<td class='mut'>{esc(', '.join(bounds.get(k, [])))}</td></tr>" for k, v in signals.items())
        return (f"<details{' open' if failed else ''}><summary>document signals and the policy's thresholds for "
                f"{esc(lang)}</summary><table class='kv'><tr><th>signal</th><th>value</th><th>rule</th></tr>{rows}</table></details>")


_KEYS = """document.addEventListener('keydown', e => {
  if (e.target.closest('input,select,textarea') || e.altKey || e.ctrlKey || e.metaKey) return;
  const id = {ArrowLeft: 'prev', ArrowRight: 'next', k: 'prev', j: 'next'}[e.key];
  const a = id && document.getElementById(id);
  if (a) location.href = a.href;
});"""


def _int(query: dict[str, list[str]], key: str) -> int | None:
    try:
        return int((query.get(key) or [""])[0])
    except ValueError:
        return None


def safe_path(root: str, rel: str) -> str | None:
    """The real path of `rel` inside `root`, or None when it is not a regular file inside it."""
    if "\x00" in rel or "\\" in rel:
        return None
    target = os.path.realpath(os.path.join(root, rel.lstrip("/")))
    if os.path.commonpath([root, target]) != root or not os.path.isfile(target):
        return None
    return target


class Handler(BaseHTTPRequestHandler):
    server: "InspectServer"
    protocol_version = "HTTP/1.1"
    server_version = "tamis-inspect"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        if self.server.verbose:
            super().log_message(format, *args)

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        nonce = secrets.token_urlsafe(12)
        if not self.host_ok():
            return self.send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain", b"unknown host\n", nonce, head)
        url = urlsplit(self.path)
        path = url.path
        query = parse_qs(url.query)
        app = self.server.app
        try:
            if path == "/":
                return self.html(app.list_page(query, nonce), nonce, head)
            if path == "/doc":
                doc_id = (query.get("id") or [""])[0]
                row = app.db().execute("SELECT n FROM docs WHERE id = ? ORDER BY n LIMIT 1", [doc_id]).fetchone()
                if row is None:
                    return self.not_found(nonce, head, f"no document with id {doc_id!r}")
                return self.redirect(f"/doc/{row[0]}")
            if path.startswith("/doc/"):
                try:
                    n = int(path[5:])
                except ValueError:
                    return self.not_found(nonce, head)
                page = app.doc_page(n, query, nonce)
                return self.html(page, nonce, head) if page is not None else self.not_found(nonce, head)
            if path == "/report":
                target = safe_path(app.run, "report.html")
                if target is None:
                    return self.not_found(nonce, head, f"no report yet: run `tamis report {app.run}`")
                with open(target, "rb") as fh:
                    body = fh.read()
                # The report links to the inspector at the URL it was written for; here, this server is it.
                body = _relink(body)
                return self.send(HTTPStatus.OK, "text/html; charset=utf-8", body, nonce, head, csp=REPORT_CSP)
            if path.startswith("/files/"):
                target = safe_path(app.run, unquote(path[len("/files/"):]))
                if target is None:
                    return self.not_found(nonce, head)
                return self.file(target, nonce, head)
            return self.not_found(nonce, head)
        except (BrokenPipeError, ConnectionResetError):
            return None

    def host_ok(self) -> bool:
        if not self.server.check_host:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        if host.startswith("["):
            name = host[1:].split("]", 1)[0]
        else:
            name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        return name in LOOPBACK

    def html(self, page: str, nonce: str, head: bool) -> None:
        self.send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode("utf-8", "surrogatepass"), nonce, head)

    def not_found(self, nonce: str, head: bool, why: str = "not found") -> None:
        page = self.server.app.page("not found", f"<h1>Not found</h1><p>{esc(why)}</p><p><a href='/'>documents</a></p>", nonce)
        self.send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", page.encode("utf-8", "surrogatepass"), nonce, head)

    def redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def file(self, target: str, nonce: str, head: bool) -> None:
        with open(target, "rb") as fh:
            body = fh.read()
        if target.endswith(TEXT_TYPES):
            ctype, extra = "text/plain; charset=utf-8", {}
        else:
            ctype = "application/octet-stream"
            extra = {"Content-Disposition": f'attachment; filename="{os.path.basename(target)}"'}
        self.send(HTTPStatus.OK, ctype, body, nonce, head, headers=extra)

    def send(self, status: int, ctype: str, body: bytes, nonce: str, head: bool, *, csp: str | None = None,
             headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", csp or PAGE_CSP.format(nonce=nonce))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)


PAGE_CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; img-src data:; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'"


def _relink(body: bytes) -> bytes:
    import re

    m = re.search(rb"<meta name='tamis-inspect-url' content='([^']*)'>", body)
    if not m or not m.group(1):
        return body
    base = html.unescape(m.group(1).decode()).encode()
    return body.replace(b'href="' + esc(base.decode()).encode(), b'href="/')


class InspectServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: Inspector, host: str, port: int, verbose: bool = False) -> None:
        self.app = app
        self.verbose = verbose
        self.check_host = host in LOOPBACK
        if ":" in host:
            import socket

            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else host
        return f"http://{shown}:{port}/"
