"""Command line: `tamis clean INPUT... -o OUT`.

Exit codes: 0 the run finished (every document is in kept/, rejected/ or quarantine/);
2 the command cannot run (bad arguments, config or input path: nothing was written);
1 an unexpected internal error.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

from tamis import __version__

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _add_clean(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "clean",
        help="clean raw documents: repair text, remove boilerplate lines, tag language",
        description=(
            "Clean raw web documents. INPUT is a folder of .txt files, or JSONL (.jsonl, .jsonl.gz, "
            ".jsonl.zst), Parquet, or Common Crawl WET (.warc.wet.gz) files, local or any fsspec URL. "
            "Writes OUT/kept/ and OUT/rejected/ (one record per document with its edits and signals), "
            "OUT/quarantine/ (input that could not be read, with the error), OUT/signals/ (what "
            "`tamis apply` needs to re-decide) and OUT/summary.json."
        ),
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="input files or folders (local paths or URLs)")
    p.add_argument("-o", "--output", required=True, metavar="OUT", help="output folder (created if missing)")
    p.add_argument("-w", "--workers", type=int, default=_usable_cores(), metavar="N",
                   help="worker processes (default: the cores this process may use, here %(default)s)")
    p.add_argument("-c", "--config", metavar="FILE", help="YAML or TOML file overriding the default config")
    p.add_argument("--format", choices=["jsonl.zst", "jsonl.gz", "jsonl", "parquet"], default="jsonl.zst",
                   help="output shard format (default jsonl.zst)")
    p.add_argument("--text-field", default="text", help="field holding the text in JSONL/Parquet input")
    p.add_argument("--id-field", default="id", help="field holding the document id in JSONL/Parquet input")
    p.add_argument("--batch-size", type=int, default=64, metavar="DOCS", help="documents per work unit")
    p.add_argument("--no-progress", action="store_true", help="plain log lines instead of a progress bar")
    p.add_argument("--no-dedup", action="store_true",
                   help="skip the corpus stage (duplicate documents, repeated lines; config section dedup:)")
    p.add_argument("--restart", action="store_true",
                   help="start over, ignoring the checkpoint an interrupted run of this command left in OUT "
                        "(by default the run resumes from it)")
    p.set_defaults(func=_cmd_clean)


def _cmd_clean(args: argparse.Namespace) -> int:
    from tamis.config import load_config
    from tamis.run.local import RunOptions, run_clean

    if args.workers < 1:
        raise _Usage("--workers must be at least 1")
    cfg = load_config(args.config)
    if args.no_dedup:
        from tamis.run.dedup import disable_dedup

        cfg = disable_dedup(cfg)
    opts = RunOptions(workers=args.workers, fmt=args.format, batch_docs=args.batch_size,
                      text_field=args.text_field, id_field=args.id_field,
                      progress=False if args.no_progress else None, resume=not args.restart)
    s = run_clean(args.inputs, args.output, cfg, opts)
    d, t = s["documents"], s["throughput"]
    print(f"read {d['read']} documents: kept {d['kept']}, rejected {d['rejected']}, "
          f"quarantined {d['quarantined']}  ->  {args.output}")
    print(f"{t['seconds']:.1f} s, {t['docs_per_s']:.0f} docs/s, {t['mb_per_s']:.2f} MB/s "
          f"({t['docs_per_s_per_core']:.0f} docs/s and {t['mb_per_s_per_core']:.2f} MB/s per core, "
          f"{t['workers']} worker{'s' if t['workers'] > 1 else ''})")
    if "dedup" in s:
        x = s["dedup"]
        print(f"dedup: dropped {x['duplicates']['exact']} exact and {x['duplicates']['near']} near copies; removed "
              f"{x['repeated_lines']['lines']} repeated lines from {x['repeated_lines']['documents']} documents "
              f"({x['throughput']['seconds']:.1f} s)")
    if d["quarantined"]:
        print(f"warning: {d['quarantined']} input records quarantined, see {args.output}/quarantine/",
              file=sys.stderr)
        _show_quarantined(args.output)
    return EXIT_OK


def _show_quarantined(out: str, limit: int = 5) -> None:
    """The first quarantined records as `file:position: error`, so that the cause is seen at once."""
    import itertools

    from tamis.commands import iter_records

    for r in itertools.islice(iter_records(out, "quarantine"), limit):
        print(f"  {r.get('source')}:{r.get('position')}: {r.get('error')}", file=sys.stderr)


class _Usage(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tamis",
        description="tamis: repair, explain and filter raw multilingual web text for training corpora.",
    )
    parser.add_argument("--version", action="version", version=f"tamis {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_clean(sub)
    from tamis.commands import apply, calibrate, dedup  # tamis apply, tamis calibrate, tamis dedup
    apply.add_parser(sub)
    calibrate.add_parser(sub)
    dedup.add_parser(sub)
    from tamis.commands import inspect, report  # tamis report, tamis inspect
    report.add_parser(sub)
    inspect.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from tamis.config import ConfigError
    from tamis.io.readers import InputError

    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s",
                        stream=sys.stderr)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.func(args)
    except (ConfigError, InputError, _Usage) as exc:
        print(f"tamis {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
