"""`tamis dedup RUN_OUT -o OUT2`: drop duplicate documents and site boilerplate lines from a finished run.

The corpus stage of `tamis.run.dedup`, on its own: `tamis clean` runs it at the end unless
`--no-dedup`; this command runs it on the output folder of a run made without it, with other
settings (`--config`), or against the index of earlier runs (`--index DIR --incremental`), so a new
crawl is deduplicated against what was already published without reading it again.

Exit codes: 0 done; 2 the command cannot run (bad arguments, config, run folder or index: nothing
was written to the index); 1 an unexpected internal error.
"""

from __future__ import annotations

import argparse
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "dedup",
        help="drop exact and near-duplicate documents and lines repeated across a site, over a finished run",
        description=(
            "Deduplicate the output folder RUN_OUT of `tamis clean` (its kept/ documents) into OUT2, in the same "
            "layout: copies of a document go to OUT2/rejected/ with the reason `duplicate` (kind exact or near, "
            "the id of the kept copy, the cluster and its size); kept documents get `cluster_size` (and "
            "`cluster_id` in a cluster); lines repeated across many documents of a site are removed from the kept "
            "text as `repeated-line` edits. RUN_OUT's rejected/ and quarantine/ are copied; signals/ is copied "
            "with each document's new kind; OUT2/dedup/ holds what this stage decided, one record per document, "
            "aligned with signals/; summary.json is RUN_OUT's, updated, with a `dedup` section. The index "
            "(signatures, hashes, line counts) is written to --index (default OUT2/_dedup_index). Settings: the "
            "`dedup:` section of the config."
        ),
    )
    p.add_argument("run", metavar="RUN_OUT", help="output folder of `tamis clean`")
    p.add_argument("-o", "--output", required=True, metavar="OUT2", help="new output folder (created if missing)")
    p.add_argument("-c", "--config", metavar="FILE", help="YAML or TOML file overriding the default config (dedup: section)")
    p.add_argument("--index", metavar="DIR",
                   help="index folder (default OUT2/_dedup_index); must be empty or new unless --incremental")
    p.add_argument("--incremental", action="store_true",
                   help="add to the existing index at --index: documents of the runs already in it are kept over "
                        "new copies, and their lines count towards repeated lines; they are not read again")
    p.add_argument("--no-progress", action="store_true", help="no progress log lines")
    p.set_defaults(func=_cmd_dedup)


def _cmd_dedup(args: argparse.Namespace) -> int:
    from tamis.cli import EXIT_OK
    from tamis.config import load_config
    from tamis.run.dedup import dedup_enabled, run_dedup
    from tamis.run.lock import output_lock

    cfg = load_config(args.config)
    if not dedup_enabled(cfg):
        print("warning: dedup.exact, dedup.near and dedup.repeated_lines are all off: documents are copied as they are",
              file=sys.stderr)
    with output_lock(args.output):
        s = run_dedup(args.run, args.output, cfg, index_dir=args.index, incremental=args.incremental,
                      progress=False if args.no_progress else None)
    print(_report(s, args.output))
    return EXIT_OK


def _report(s: dict, out: str) -> str:
    d, x = s["documents"], s["dedup"]
    dup, rl, t = x["duplicates"], x["repeated_lines"], x["throughput"]
    lines = [
        f"deduplicated {x['documents']} documents: dropped {dup['exact'] + dup['near']} copies (exact {dup['exact']}, "
        f"near {dup['near']}) in {x['clusters']} clusters; removed {rl['lines']} repeated lines from {rl['documents']} "
        f"documents",
        f"read {d['read']} documents: kept {d['kept']}, rejected {d['rejected']}, quarantined {d['quarantined']}  ->  {out}",
        f"{t['seconds']:.1f} s, {t['docs_per_s']:.0f} docs/s, {t['mb_per_s']:.2f} MB/s",
    ]
    return "\n".join(lines)
