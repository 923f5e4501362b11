"""`tamis inspect OUT`: browse a run's documents in the browser, with every removal shown in place.

The first start indexes the run into OUT/_inspect.sqlite (streaming; about 2,000 documents a second
on one core), later starts reuse the index while the run's shards are unchanged. Then a local web
server (standard library) serves the document list (filters by language, decision, reason, signal
range, full-text search over the original text) and each document's original text with the removed
spans struck through and labelled.

Exit codes: 0 stopped with Ctrl-C; 2 the command cannot run (no run folder, port taken, bad policy).
"""

from __future__ import annotations

import argparse
import os
import sys

from tamis.commands import RunFolderError, load_policy


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "inspect",
        help="browse a run's documents in a local web app: filters, search, removed spans with their reasons",
        description=(
            "Start a local web app over the output folder OUT of a tamis run: list and filter documents by "
            "language, decision, reason and signal range, search their original text, and open a document to "
            "see its original text with every removed span struck through and labelled with its reason and "
            "values. Indexes the run into OUT/_inspect.sqlite first (reused while the run is unchanged). Binds "
            "to 127.0.0.1 unless --host says otherwise."
        ),
    )
    p.add_argument("run", metavar="OUT", help="output folder of a tamis run")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument("--index", metavar="FILE", help="index file (default OUT/_inspect.sqlite)")
    p.add_argument("--reindex", action="store_true", help="build the index again even if it is current")
    p.add_argument("--index-only", action="store_true", help="build the index and exit")
    p.add_argument("-c", "--config", metavar="FILE", help="the config the run was cleaned with (thresholds shown)")
    p.add_argument("--policy", metavar="FILE", help="a policy file whose thresholds to show")
    p.set_defaults(func=_cmd_inspect)


def _cmd_inspect(args: argparse.Namespace) -> int:
    from tamis.report.index import build_index, index_path, is_current
    from tamis.report.server import InspectServer, Inspector
    from tamis.report.stats import require_run

    require_run(args.run)
    cfg = load_policy(args.policy, args.config)
    path = args.index or index_path(args.run)
    if not args.index and not os.access(args.run, os.W_OK):  # a read-only run: index elsewhere
        import hashlib
        import tempfile

        digest = hashlib.sha1(os.path.realpath(args.run).encode()).hexdigest()[:16]
        path = os.path.join(tempfile.gettempdir(), f"tamis-inspect-{digest}.sqlite")
    if args.reindex or not is_current(path, args.run):
        print(f"indexing {args.run} into {path} ...", file=sys.stderr, flush=True)
        info = build_index(args.run, path, log=lambda m: print(m, file=sys.stderr, flush=True))
        print(f"indexed {info['documents']:,} documents in {info['seconds']:.1f} s", file=sys.stderr, flush=True)
    if args.index_only:
        return 0
    app = Inspector(args.run, path, cfg["policy"])
    try:
        server = InspectServer(app, args.host, args.port)
    except OSError as exc:
        raise RunFolderError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from exc
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: listening on {args.host}: anyone who can reach this machine can read the documents",
              file=sys.stderr)
    print(f"tamis inspect: {app.total:,} documents of {args.run} at {server.url}  (Ctrl-C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0
