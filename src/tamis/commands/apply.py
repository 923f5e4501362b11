"""`tamis apply OUT --policy FILE -o OUT2`: re-decide a finished run with another policy.

Nothing is recomputed but the decision: each document's original text is rebuilt from its output
record (cleaned text + edits), its stored signals (normalization edits, language, per-line scores)
are read from OUT/signals/, and `tamis.pipeline.decide` applies the policy to them, exactly as
`tamis clean` did. The document signals stored in the record are reused when the line removals
come out the same (the cleaned text is then the same); only documents whose cleaned text changes
get theirs computed again. So with the policy of the run, OUT2 reproduces OUT's kept/ and rejected/ shards
byte for byte; with another policy, only the decisions differ. Language identification and line
scoring, the expensive part of cleaning, are not run again.

Runs with the corpus stage (`tamis clean` with `dedup:` on, or `tamis dedup`) have OUT/dedup/, one
record per document saying what that stage decided: dropped as a copy of another document, cluster
fields, lines removed as repeated across the site. Those decisions are replayed on top of the new
per-document decision, as the stage made them: a copy stays dropped, the repeated lines are removed
again (and the document's signals and rules checked again when its text changes). The stage is
not re-run: a document the run rejected and the new policy keeps was never compared with the others
(run `tamis dedup` on OUT2 for that).

Exit codes: 0 done; 2 the command cannot run (bad arguments, policy file or run folder: nothing was
written); 1 an unexpected internal error.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from tamis.commands import RunFolderError, check_run_folder, copy_shards, iter_records, iter_run, load_policy, read_summary, run_format, shard_paths

# Keys of an output record that `decide` writes itself; every other key is passed-through metadata.
RECORD_KEYS = frozenset({"id", "text", "lang", "lang_score", "edits", "signals", "reasons"})
NOT_LINE_EDITS = frozenset({"unicode-repair"})


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "apply",
        help="re-decide a finished run with another policy, from its stored signals (fast)",
        description=(
            "Re-apply a policy to the output folder OUT of `tamis clean`: keep/reject decisions and line "
            "removals are made again from the stored signals (OUT/signals/) and the records in OUT/kept/ "
            "and OUT/rejected/, without recomputing language ID or line scores, and written to OUT2 in the "
            "same layout (kept/, rejected/, quarantine/ copied, signals/, summary.json). With the run's own "
            "policy, OUT2 reproduces OUT's shards byte for byte. --dry-run writes nothing and prints, per "
            "language and rule, how many documents would change decision and how many line edits change."
        ),
    )
    p.add_argument("run", metavar="OUT", help="output folder of `tamis clean`")
    p.add_argument("--policy", metavar="FILE",
                   help="policy file (YAML or TOML, e.g. written by `tamis calibrate`); default: the packaged policy")
    p.add_argument("-c", "--config", metavar="FILE",
                   help="the config file the run was cleaned with, if any (its lines.model sets the line threshold)")
    p.add_argument("-o", "--output", metavar="OUT2", help="new output folder (required unless --dry-run)")
    p.add_argument("--dry-run", action="store_true",
                   help="write nothing; print how many decisions and line edits the policy would change")
    p.set_defaults(func=_cmd_apply)


@dataclass
class ApplyReport:
    """What re-deciding changed, per language."""

    docs: int = 0
    kinds: Counter[str] = field(default_factory=Counter)  # new decision -> documents
    to_rejected: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # lang -> rule -> docs
    to_kept: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # lang -> old rule -> docs
    docs_to_rejected: Counter[str] = field(default_factory=Counter)  # lang -> docs kept before, rejected now
    docs_to_kept: Counter[str] = field(default_factory=Counter)
    edits_added: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # lang -> reason -> n
    edits_dropped: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    docs_edits_changed: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    summary: dict[str, Any] | None = None

    def compare(self, lang: str, old: dict[str, Any], old_kind: str, new: dict[str, Any], new_kind: str) -> None:
        self.docs += 1
        self.kinds[new_kind] += 1
        if old_kind == "kept" and new_kind == "rejected":
            self.docs_to_rejected[lang] += 1
            for f in new.get("reasons", []):
                self.to_rejected[lang][f["rule"]] += 1
        elif old_kind == "rejected" and new_kind == "kept":
            self.docs_to_kept[lang] += 1
            for f in old.get("reasons", []):
                self.to_kept[lang][f["rule"]] += 1
        if old["edits"] != new["edits"]:
            before = {_edit_key(e) for e in old["edits"] if e["reason"] not in NOT_LINE_EDITS}
            after = {_edit_key(e) for e in new["edits"] if e["reason"] not in NOT_LINE_EDITS}
            if before != after:
                self.docs_edits_changed[lang] += 1
                for _, _, reason in after - before:
                    self.edits_added[lang][reason] += 1
                for _, _, reason in before - after:
                    self.edits_dropped[lang][reason] += 1

    def table(self) -> str:
        """The changes as a plain-text table, one row per language and rule."""
        langs = sorted(set(self.docs_to_rejected) | set(self.docs_to_kept) | set(self.docs_edits_changed))
        rows = [("language", "rule / edit reason", "kept→rejected", "rejected→kept", "edits +", "edits −")]
        for lang in langs:
            rows.append((lang, "(documents)", str(self.docs_to_rejected[lang]), str(self.docs_to_kept[lang]),
                         str(sum(self.edits_added[lang].values())), str(sum(self.edits_dropped[lang].values()))))
            for rule in sorted(set(self.to_rejected[lang]) | set(self.to_kept[lang])):
                rows.append((lang, rule, str(self.to_rejected[lang][rule]), str(self.to_kept[lang][rule]), "", ""))
            for reason in sorted(set(self.edits_added[lang]) | set(self.edits_dropped[lang])):
                rows.append((lang, reason, "", "", str(self.edits_added[lang][reason]),
                             str(self.edits_dropped[lang][reason])))
        if len(rows) == 1:
            return "no decision and no line edit changes"
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = []
        for k, r in enumerate(rows):
            lines.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip())
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)


def _edit_key(e: dict[str, Any]) -> tuple[int, int, str]:
    return (e["start"], e["end"], e["reason"])


def run_apply(run_dir: str, out_dir: str | None, config: dict[str, Any], *, dry_run: bool = False,
              policy_label: str | None = None) -> ApplyReport:
    """Re-decide every document of `run_dir` with `config["policy"]`; write `out_dir` unless `dry_run`."""
    from tamis.document import Document, Edit
    from tamis.edits import apply_edits, rebuild_original
    from tamis.io.writers import ShardWriter
    from tamis.pipeline import Result, Signals, decide
    from tamis.signals.line_model import LineModel
    from tamis.summary import Summary

    check_run_folder(run_dir)
    if not dry_run:
        if not out_dir:
            raise RunFolderError("give an output folder (-o OUT2), or --dry-run")
        if os.path.realpath(out_dir) == os.path.realpath(run_dir):
            raise RunFolderError("the output folder must differ from the run folder (its shards are being read)")
    policy = config["policy"]
    threshold = LineModel.load(config["lines"]["model"]).threshold
    fmt = run_format(run_dir)
    report = ApplyReport()
    summary = Summary()
    writers: dict[str, Any] = {}
    start = time.perf_counter()
    if not dry_run:
        assert out_dir is not None
        os.makedirs(out_dir, exist_ok=True)
        writers = {k: ShardWriter(out_dir, k, fmt=fmt) for k in ("kept", "rejected", "signals")}
    notes = iter_records(run_dir, "dedup") if shard_paths(run_dir, "dedup") else None
    if writers and notes is not None:
        writers["dedup"] = ShardWriter(out_dir, "dedup", fmt=fmt)
    ok = False
    try:
        for sig_rec, rec in iter_run(run_dir):
            edits = [Edit.from_json(e) for e in rec["edits"]]
            original = rebuild_original(rec["text"], edits)
            meta = {k: v for k, v in rec.items() if k not in RECORD_KEYS and not (notes and k in STAGE_FIELDS)}
            doc = Document(rec["id"], original, meta)
            sig = Signals.from_json(sig_rec)
            note = None
            if notes is not None:
                note = next(notes, None)
                if note is None or note.get("id") != rec["id"]:
                    raise RunFolderError(f"{run_dir}/dedup: no record for document {rec['id']!r} where signals/ has it")
            # Unless the corpus stage changed the text, the stored signals hold for the same removals.
            known = (rec["text"], rec["signals"]) if rec.get("signals") and not (note or {}).get("edits") else None
            result = decide(doc, apply_edits(original, sig.norm_edits), sig, policy, threshold, known)
            if note is not None:
                result, note = replay_corpus_stage(result, note, original, policy, stored=rec)
            report.compare(result.lang, rec, sig_rec["kind"], result.record, result.kind)
            summary.add(result)
            if writers:
                writers[result.kind].write(result.record)
                writers["signals"].write({"kind": result.kind, **(result.signals or {})})
                if note is not None:
                    writers["dedup"].write(note)
        for q in iter_records(run_dir, "quarantine"):
            summary.add(Result(kind="quarantined", record=q))
        ok = True
    finally:
        for w in writers.values():
            w.close() if ok else w.abort()
    report.seconds = time.perf_counter() - start
    old = read_summary(run_dir)
    if old is not None:  # bytes read of quarantined input are only in the run's summary
        summary.bytes["in"] += max(0, old.get("bytes", {}).get("in", 0) - summary.bytes["in"])
    extra = {"throughput": {"seconds": round(report.seconds, 3),
                            "docs_per_s": round(report.docs / max(report.seconds, 1e-9), 1)},
             "applied": {"run": run_dir, "policy": policy_label}}
    if old is not None and "dedup" in old:
        extra["dedup"] = old["dedup"]  # the corpus stage's own figures, from the run
    report.summary = summary.to_json(extra)
    if not dry_run:
        assert out_dir is not None
        copy_shards(run_dir, out_dir, "quarantine")  # never decided: copied as they are
        summary.write(os.path.join(out_dir, "summary.json"), extra)
    return report


# Output fields the corpus stage adds to a kept record (they are not the input's metadata).
STAGE_FIELDS = frozenset({"cluster_id", "cluster_size"})


def replay_corpus_stage(result: Any, note: dict[str, Any], original: str, policy: dict[str, Any],
                        stored: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
    """Apply what the corpus stage decided for a document (its OUT/dedup/ record, `note`) to the
    new per-document `result`, as `tamis.run.dedup` does in its second pass; returns the final
    result and the updated note. Reproduces the stage's output exactly when `result` is the run's.
    `stored`: the run's record of the document, whose signals are reused if the text comes out
    the same."""
    from tamis.document import Edit
    from tamis.edits import apply_edits
    from tamis.run.dedup import recheck_document, with_cluster

    if note.get("stage") != "kept" or result.kind != "kept":
        # The stage only saw the documents the run kept, and passes a rejected one through.
        return result, {**note, "kind": result.kind} if note.get("kind") != result.kind else note
    rec = result.record
    if note.get("duplicate"):  # a copy of another document: rejected, its text untouched
        out = dict(rec)
        out["reasons"] = list(rec.get("reasons") or []) + [note["duplicate"]]
        return _result_as(result, "rejected", out), {**note, "kind": "rejected"}
    cluster = {"cluster_size": note.get("cluster_size", 1)}
    if "cluster_id" in note:
        cluster = {"cluster_id": note["cluster_id"], **cluster}
    out = with_cluster(rec, cluster)
    kind = "kept"
    new_note = dict(note)
    if new_note.get("reasons") is not None:
        del new_note["reasons"]  # set again below if the rules still fail
    added = note.get("edits") or []
    if added:
        # The stage's removals (repeated lines) replace the document's edits they overlap: the
        # Unicode repairs they absorbed. Where the new line decisions already removed that text,
        # the stage's removal is dropped.
        spans = [(e["start"], e["end"]) for e in added]
        own = [e for e in rec["edits"] if not any(a < e["end"] and e["start"] < b for a, b in spans)]
        taken = [(e["start"], e["end"]) for e in own if not e.get("repl")]
        added = [e for e in added if not any(a < e["end"] and e["start"] < b for a, b in taken)]
        new_note["edits"] = added
        edits_json = sorted(own + added, key=lambda e: (e["start"], e["end"]))
        edits = [Edit.from_json(e) for e in edits_json]
        text = apply_edits(original, edits)
        if text != rec["text"]:
            out["text"] = text
            out["edits"] = edits_json
            known = (stored["text"], stored["signals"]) if stored is not None and stored.get("signals") else None
            failures = recheck_document(out, original, edits, result.lang, rec, policy, known)
            if failures:  # rejected records carry no cluster fields (a duplicate's reason holds them)
                for k in STAGE_FIELDS:
                    out.pop(k, None)
                out["reasons"] = failures
                new_note["reasons"] = failures
                kind = "rejected"
    new_note["kind"] = kind
    if new_note == note:
        new_note = note
    return _result_as(result, kind, out), new_note


def _result_as(result: Any, kind: str, record: dict[str, Any]) -> Any:
    from dataclasses import replace

    removed: dict[str, list[int]] = {}
    for e in record["edits"]:
        r = removed.setdefault(e["reason"], [0, 0])
        r[0] += 1 if e["reason"] != "unicode-repair" else 0
        r[1] += len(e["text"]) - len(e.get("repl", ""))
    return replace(result, kind=kind, record=record, bytes_out=len(record["text"].encode("utf-8")), removed=removed)


def _cmd_apply(args: argparse.Namespace) -> int:
    from tamis.cli import EXIT_OK

    cfg = load_policy(args.policy, args.config)
    report = run_apply(args.run, args.output, cfg, dry_run=args.dry_run,
                       policy_label=args.policy or "(packaged default policy)")
    k = report.kinds
    rate = report.docs / max(report.seconds, 1e-9)
    changed = sum(report.docs_to_rejected.values()) + sum(report.docs_to_kept.values())
    where = "(dry run, nothing written)" if args.dry_run else f" ->  {args.output}"
    print(f"re-decided {report.docs} documents: kept {k['kept']}, rejected {k['rejected']} {where}")
    print(f"{changed} decisions change: {sum(report.docs_to_rejected.values())} kept→rejected, "
          f"{sum(report.docs_to_kept.values())} rejected→kept; line edits change in "
          f"{sum(report.docs_edits_changed.values())} documents")
    print(f"{report.seconds:.1f} s, {rate:.0f} docs/s")
    if args.dry_run or changed:
        print()
        print(report.table())
    return EXIT_OK
