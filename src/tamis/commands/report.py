"""`tamis report OUT`: a self-contained HTML report of what a run kept, removed and rejected, and why.

Reads the run's records once (streaming; bounded samples), draws the charts with matplotlib
and writes OUT/report.html (or -o FILE): inline CSS and SVG, no
script, nothing fetched from the network. Thresholds drawn on the signal charts are those of the
policy the run used: the packaged one, or give the run's --config / a --policy file.

Exit codes: 0 written; 2 the command cannot run (no run folder, bad config, matplotlib missing).
"""

from __future__ import annotations

import argparse
import os
import time

from tamis.commands import RunFolderError, load_policy


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="write an HTML report of a run: what was kept, removed and rejected, per language, with charts",
        description=(
            "Write a self-contained HTML report (works offline) of the output folder OUT of `tamis clean`, "
            "`tamis apply` or `tamis dedup`: documents and bytes per language, removals by reason, rejections by "
            "rule, signal distributions with the policy's thresholds, duplicate clusters, and samples of "
            "rejected documents and removed lines linking into `tamis inspect`."
        ),
    )
    p.add_argument("run", metavar="OUT", help="output folder of a tamis run")
    p.add_argument("-o", "--output", metavar="FILE", help="report file (default OUT/report.html)")
    p.add_argument("-c", "--config", metavar="FILE", help="the config the run was cleaned with, if any (its thresholds are drawn)")
    p.add_argument("--policy", metavar="FILE", help="a policy file whose thresholds to draw (e.g. from tamis calibrate)")
    p.add_argument("--inspect-url", default="http://127.0.0.1:8765/", metavar="URL",
                   help="where `tamis inspect` serves, for the links to documents (default http://127.0.0.1:8765/)")
    p.add_argument("--sample", type=int, default=20_000, metavar="DOCS",
                   help="documents per language drawn in the signal charts (reservoir sample; default 20000)")
    p.set_defaults(func=_cmd_report)


def _cmd_report(args: argparse.Namespace) -> int:
    from tamis.report.stats import collect, require_run

    require_run(args.run)
    cfg = load_policy(args.policy, args.config)
    try:
        from tamis.report.html import render_report
    except ImportError as exc:
        raise RunFolderError(f"the report needs matplotlib ({exc.name} is missing): pip install matplotlib") from exc
    url = args.inspect_url if args.inspect_url.endswith("/") else args.inspect_url + "/"
    note = "the packaged default policy"
    if args.policy or args.config:
        note = " + ".join(os.path.basename(x) for x in (args.config, args.policy) if x)
    t0 = time.perf_counter()
    st = collect(args.run, max_values=args.sample)
    page = render_report(st, cfg["policy"], inspect_url=url, config_note=note)
    out = args.output or os.path.join(args.run, "report.html")
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(page)
    os.replace(tmp, out)
    print(f"report of {st.documents:,} documents written to {out} ({len(page) / 1e3:.0f} kB, "
          f"{time.perf_counter() - t0:.1f} s); open it in a browser, and run `tamis inspect {args.run}` to follow its links")
    return 0
