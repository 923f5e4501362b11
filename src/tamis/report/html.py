"""The report page: one HTML file with inline CSS and inline SVG charts, nothing loaded from elsewhere.

Every piece of document text is escaped (`html.escape`): crawled text may hold markup. Links to
documents point into the inspector (`tamis inspect OUT`, at `inspect_url`); the inspector, when it
serves the report itself at /report, rewrites them to its own address.
"""

from __future__ import annotations

import datetime as _dt
import html
import os
from typing import Any
from urllib.parse import urlencode

from tamis import __version__
from tamis.policy.rules import rules_for
from tamis.report import charts
from tamis.report.stats import MAIN_SIGNALS, Example, RunStats

DEFAULT_INSPECT_URL = "http://127.0.0.1:8765/"
MAX_SIGNAL_LANGS = 6

# One line per reason code (docs/reasons.md has the full definitions).
REASONS = {
    "unicode-repair": "mojibake, HTML entities, control characters or non-NFC text, repaired (not removed)",
    "leading-block": "boilerplate before the first kept line: site header, menu, breadcrumbs",
    "trailing-block": "boilerplate after the last kept line: related articles, comments, footer",
    "boilerplate-line": "boilerplate between kept lines: caption, share prompt, ad, byline",
    "duplicate-line": "a later copy of a kept line (body pasted twice, lead repeated)",
    "duplicate-passage": "a later copy of whole sentences inside a long line (lead repeated in the body)",
    "other-language": "a paragraph confidently in another language than the document",
    "blank-line": "blank lines left at the ends or doubled by removals",
    "repeated-line": "a line found in many documents of the same site (credits, bylines, contact boxes)",
    "duplicate": "a copy (exact or near) of another document that was kept",
}

CSS = """
:root{--kept:#2e7d32;--rej:#c62828;--dup:#ef6c00;--mut:#666;--bg:#fafafa;--line:#e3e3e3}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",sans-serif;margin:0;color:#222;background:#fff}
header{background:#263238;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:22px} header .sub{color:#b0bec5;font-size:13px} header code{background:#37474f;color:#eceff1}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);padding:8px 28px;z-index:2}
nav a{margin-right:16px;color:#1565c0;text-decoration:none;font-weight:500}
main{padding:8px 28px 60px;max-width:1180px}
section{margin-top:28px} h2{font-size:18px;border-bottom:2px solid #263238;padding-bottom:4px}
h3{font-size:15px;margin:22px 0 6px}
.cards{display:flex;gap:14px;flex-wrap:wrap;margin:14px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 16px;min-width:150px;background:var(--bg)}
.card b{display:block;font-size:22px} .card span{color:var(--mut);font-size:12px}
.card.kept b{color:var(--kept)} .card.rej b{color:var(--rej)} .card.dup b{color:var(--dup)}
figure{margin:10px 0 18px} figure svg{max-width:100%;height:auto}
figcaption{color:var(--mut);font-size:12px}
table{border-collapse:collapse;margin:8px 0 14px;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:4px 10px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600} td.n{text-align:right;font-variant-numeric:tabular-nums} table.heat td.n{min-width:70px}
.ex{max-width:620px;overflow-wrap:anywhere} .ex del{color:#8a1c1c;text-decoration-color:#c62828}
.mut{color:var(--mut)} code{background:#f1f1f1;padding:0 3px;border-radius:3px}
.sig{display:grid;grid-template-columns:1fr;gap:4px}
a{color:#1565c0}
.hint{background:#fff8e1;border:1px solid #ffe082;border-radius:6px;padding:8px 12px;font-size:13px}
"""


def thresholds_by_lang(policy: dict[str, Any], langs: list[str]) -> dict[str, dict[str, list[tuple[str, str, float]]]]:
    """signal -> lang -> [(rule, bound, threshold)] for the policy's document rules."""
    out: dict[str, dict[str, list[tuple[str, str, float]]]] = {}
    for lang in langs:
        for rule in rules_for(policy, lang):
            out.setdefault(rule.signal, {}).setdefault(lang, []).append((rule.name, rule.bound, rule.threshold))
    return out


def render_report(st: RunStats, policy: dict[str, Any], *, inspect_url: str = DEFAULT_INSPECT_URL,
                  config_note: str = "the packaged default policy") -> str:
    e = html.escape
    langs = st.lang_order()
    total_read = st.documents
    kept = sum(c.kept for c in st.langs.values())
    rejected = sum(c.rejected for c in st.langs.values())
    dups = sum(c.duplicates for c in st.langs.values())
    b_in = sum(c.bytes_in for c in st.langs.values())
    b_kept = sum(c.bytes_kept for c in st.langs.values())

    def link(doc_id: str, label: str | None = None) -> str:
        return f'<a href="{e(inspect_url)}doc?{e(urlencode({"id": doc_id}))}">{e(label or doc_id)}</a>'

    def filter_link(label: str, **params: str) -> str:
        return f'<a href="{e(inspect_url)}?{e(urlencode(params))}">{e(label)}</a>'

    parts: list[str] = []
    w = parts.append
    w("<!doctype html><html lang='en'><head><meta charset='utf-8'>")
    w("<meta name='viewport' content='width=device-width, initial-scale=1'>")
    w(f"<meta name='tamis-inspect-url' content='{e(inspect_url)}'>")
    w(f"<title>tamis report: {e(os.path.basename(st.run.rstrip('/')) or st.run)}</title><style>{CSS}</style></head><body>")
    when = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    w(f"<header><h1>What tamis removed, and why</h1><div class='sub'>run <code>{e(st.run)}</code> · "
      f"policy: {e(config_note)} · tamis {e(__version__)} · {e(when)}</div></header>")
    w("<nav><a href='#documents'>Documents</a><a href='#removed'>Removed lines</a><a href='#rejected'>Rejected documents</a>"
      "<a href='#signals'>Signals</a><a href='#duplicates'>Duplicates</a>"
      f'<a href="{e(inspect_url)}">Inspector ↗</a></nav><main>')
    w("<div class='cards'>")
    w(f"<div class='card'><b>{total_read:,}</b><span>documents read</span></div>")
    w(f"<div class='card kept'><b>{kept:,}</b><span>kept ({_pct(kept, total_read)})</span></div>")
    w(f"<div class='card rej'><b>{rejected - dups:,}</b><span>rejected by rules ({_pct(rejected - dups, total_read)})</span></div>")
    w(f"<div class='card dup'><b>{dups:,}</b><span>rejected as copies ({_pct(dups, total_read)})</span></div>")
    w(f"<div class='card'><b>{st.quarantined:,}</b><span>quarantined (unreadable)</span></div>")
    w(f"<div class='card kept'><b>{_pct(b_kept, b_in)}</b><span>of the bytes kept ({_mb(b_kept)} of {_mb(b_in)})</span></div>")
    w("</div>")
    w(f"<p class='hint'>Document ids link into the inspector: run <code>tamis inspect {e(st.run)}</code> "
      f"(it serves at <code>{e(inspect_url)}</code>) to follow them, browse and search every document.</p>")

    # Documents and bytes.
    w("<section id='documents'><h2>Documents and bytes per language</h2>")
    w(_figure(charts.documents_and_bytes(st), "Each bar is what was read: kept documents / text in green; bytes "
              "that line cleaning removed from documents in grey; rejected documents in red (orange: copies)."))
    w("<table><tr><th>language</th><th>read</th><th>kept</th><th>rejected by rules</th><th>rejected as copies</th>"
      "<th>bytes in</th><th>bytes kept</th><th>bytes kept %</th></tr>")
    for lang in langs:
        c = st.langs[lang]
        w(f"<tr><td>{filter_link(lang, lang=lang)}</td><td class='n'>{c.read:,}</td><td class='n'>{c.kept:,}</td>"
          f"<td class='n'>{filter_link(f'{c.rejected - c.duplicates:,}', lang=lang, kind='rejected')}</td>"
          f"<td class='n'>{c.duplicates:,}</td><td class='n'>{_mb(c.bytes_in)}</td><td class='n'>{_mb(c.bytes_kept)}</td>"
          f"<td class='n'>{_pct(c.bytes_kept, c.bytes_in)}</td></tr>")
    w("</table>")
    if st.quarantined:
        w(f"<p>{st.quarantined:,} input records were quarantined (not readable as documents): "
          + ", ".join(f"{e(k or 'error')} ×{n:,}" for k, n in st.quarantined_by_error.most_common())
          + f" — {filter_link('see them', kind='quarantined')}.</p>")
    w("</section>")

    # Removals.
    w("<section id='removed'><h2>Removed from the documents, by reason</h2>")
    w(_figure(charts.removals_by_reason(st), "Lines and characters taken out of documents by line cleaning and the "
              "corpus stage, kept and rejected documents alike. unicode-repair replaces text rather than removing it."))
    reasons = sorted(st.removed, key=lambda r: -sum(v[1] for v in st.removed[r].values()))
    if reasons:
        w("<table><tr><th>reason</th><th>what</th><th>lines</th><th>characters</th><th>documents</th></tr>")
        for r in reasons:
            lines = sum(v[0] for v in st.removed[r].values())
            chars = sum(v[1] for v in st.removed[r].values())
            docs = sum(v[2] for v in st.removed[r].values())
            w(f"<tr><td>{filter_link(r, reason=r)}</td><td>{e(REASONS.get(r, ''))}</td><td class='n'>{lines:,}</td>"
              f"<td class='n'>{chars:,}</td><td class='n'>{docs:,}</td></tr>")
        w("</table><h3>Share of each language's text removed, by reason</h3>")
        w("<table class='heat'><tr><th>language</th>" + "".join(f"<th>{e(r)}</th>" for r in reasons) + "<th>all</th></tr>")
        for lang in langs[:12]:
            c = st.langs[lang]
            cells = []
            for r in reasons + ["all"]:
                chars = (sum(v.get(lang, [0, 0, 0])[1] for v in st.removed.values()) if r == "all"
                         else st.removed[r].get(lang, [0, 0, 0])[1])
                share = chars / c.chars_in if c.chars_in else 0.0
                alpha = min(1.0, share * 4)  # 25% of the text removed is full colour
                cells.append(f"<td class='n' style='background:rgba(198,40,40,{alpha:.2f});"
                             f"color:{'#fff' if alpha > 0.6 else '#222'}'>{_share(share)}</td>" if chars else "<td class='n mut'>–</td>")
            w(f"<tr><td>{e(lang)}</td>{''.join(cells)}</tr>")
        w("</table><h3>Examples of removed lines</h3>")
        w("<table><tr><th>reason</th><th>lang</th><th>document</th><th>removed text</th><th>values</th></tr>")
        for r in reasons:
            for ex in _round_robin(st.removed_examples.get(r, {}), langs, 4):
                w(f"<tr><td>{e(r)}</td><td>{e(ex.lang)}</td><td>{link(ex.id)}</td>"
                  f"<td class='ex' dir='auto'><del>{e(ex.text)}</del></td><td class='mut'>{e(ex.detail)}</td></tr>")
        w("</table>")
    w("</section>")

    # Rejections.
    w("<section id='rejected'><h2>Rejected documents, by failing rule</h2>")
    chart = charts.rejections_by_rule(st)
    if chart:
        w(_figure(chart, "A rejected document lists every rule it fails, so it may count under several rules."))
        w("<h3>A sample of rejected documents per rule</h3>")
        w("<table><tr><th>rule</th><th>lang</th><th>document</th><th>measured</th><th>text (cleaned)</th></tr>")
        for rule in sorted(st.rejected_by_rule, key=lambda r: -sum(st.rejected_by_rule[r].values())):
            n = sum(st.rejected_by_rule[rule].values())
            first = True
            for ex in _round_robin(st.rejected_examples.get(rule, {}), langs, 5):
                head = (f"<td rowspan='{min(5, _count(st.rejected_examples.get(rule, {})))}'>"
                        f"{filter_link(rule, reason=rule)}<br><span class='mut'>{n:,} documents</span></td>") if first else ""
                first = False
                w(f"<tr>{head}<td>{e(ex.lang)}</td><td>{link(ex.id)}</td><td class='mut'>{e(ex.detail)}</td>"
                  f"<td class='ex' dir='auto'>{e(ex.text) or '<span class=mut>(nothing left after line cleaning)</span>'}</td></tr>")
        w("</table>")
    else:
        w("<p>No document was rejected.</p>")
    w("</section>")

    # Signals.
    w("<section id='signals'><h2>Signals per language, with the policy's thresholds</h2>")
    w(f"<p>Distributions of the document signals (see <code>docs/policy.md</code>) over kept (green) and rejected (red) "
      f"documents; dashed lines are the thresholds of {e(config_note)} for that language: a document beyond a line "
      f"is rejected by that rule. Values outside the axis are counted in the end bins.</p>")
    sig_langs = [lang for lang in langs if lang != "und"][:MAX_SIGNAL_LANGS]  # und: nothing left to identify
    th = thresholds_by_lang(policy, sig_langs)
    from tamis.signals.document import SIGNALS

    for signal in MAIN_SIGNALS:
        svg = charts.signal_distribution(st, signal, th.get(signal, {}), sig_langs)
        if not svg:
            continue
        by_text: dict[str, list[str]] = {}  # languages sharing the same rules are listed together
        for lang, per in th.get(signal, {}).items():
            by_text.setdefault(", ".join(f"{name} ({b} {v:g})" for name, b, v in per), []).append(lang)
        rules = [f"{', '.join(lgs)}: {text}" for text, lgs in by_text.items()]
        w(f"<h3 id='sig-{e(signal)}'>{e(signal)} <span class='mut' style='font-weight:normal'>— {e(SIGNALS.get(signal, ''))}</span></h3>")
        w(_figure(svg, ("rules — " + "; ".join(rules)) if rules else "no rule bounds this signal"))
    if len(langs) > MAX_SIGNAL_LANGS:
        w(f"<p class='mut'>Only the {MAX_SIGNAL_LANGS} most frequent languages are drawn.</p>")
    w("</section>")

    # Duplicates.
    w("<section id='duplicates'><h2>Duplicates</h2>")
    d = (st.summary or {}).get("dedup")
    if d:
        rl = d.get("repeated_lines", {})
        w(f"<p>The corpus stage dropped <b>{d['duplicates'].get('exact', 0):,}</b> exact and "
          f"<b>{d['duplicates'].get('near', 0):,}</b> near copies in {d.get('clusters', 0):,} clusters, and removed "
          f"<b>{rl.get('lines', 0):,}</b> repeated lines ({rl.get('chars', 0):,} characters) from "
          f"{rl.get('documents', 0):,} documents. {filter_link('Browse the copies', reason='duplicate')}.</p>")
    elif not st.cluster_sizes:
        w("<p>This run has no corpus stage (it ran with <code>--no-dedup</code> or before dedup existed).</p>")
    w(_figure(charts.cluster_sizes(st), "Clusters of copies by size; each cluster keeps one document."))
    top = (d or {}).get("top_repeated_lines") or []
    if top:
        w("<h3>Most repeated lines (removed as <code>repeated-line</code>)</h3><table><tr><th>line</th><th>documents</th><th>site</th></tr>")
        for row in top[:20]:
            w(f"<tr><td class='ex' dir='auto'>{e(str(row.get('line', row.get('text', ''))))}</td>"
              f"<td class='n'>{e(str(row.get('docs', '')))}</td><td>{e(str(row.get('site') or ''))}</td></tr>")
        w("</table>")
    w("</section></main></body></html>")
    return "\n".join(parts)


def _figure(svg: str, caption: str) -> str:
    if not svg:
        return ""
    return f"<figure>{svg}<figcaption>{html.escape(caption)}</figcaption></figure>"


def _round_robin(per_lang: dict[str, list[Example]], langs: list[str], limit: int) -> list[Example]:
    """Up to `limit` examples, taking languages in turn so each shows."""
    queues = [list(per_lang.get(lang, [])) for lang in langs if per_lang.get(lang)]
    out: list[Example] = []
    while queues and len(out) < limit:
        for q in list(queues):
            if q and len(out) < limit:
                out.append(q.pop(0))
            if not q:
                queues.remove(q)
    return out


def _count(per_lang: dict[str, list[Example]]) -> int:
    return sum(len(v) for v in per_lang.values())


def _share(x: float) -> str:
    return f"{100 * x:.1f}%" if x >= 0.001 else "<0.1%"


def _pct(a: float, b: float) -> str:
    return f"{100 * a / b:.1f}%" if b else "–"


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.1f} kB"
