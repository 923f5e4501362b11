"""The floor: decompress and JSON-parse a .jsonl.zst file, nothing else.

    python -m bench.scoreboard.floor INPUT.jsonl.zst

Prints its own wall and CPU seconds for the loop (interpreter start-up excluded).
"""

from __future__ import annotations

import io
import json
import sys
import time

import zstandard


def main() -> int:
    n = chars = 0
    t0, c0 = time.perf_counter(), time.process_time()
    with open(sys.argv[1], "rb") as fh:
        for line in io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(fh), encoding="utf-8"):
            chars += len(json.loads(line)["text"])
            n += 1
    print(json.dumps({"docs": n, "chars": chars, "seconds_run": time.perf_counter() - t0,
                      "cpu_s_run": time.process_time() - c0}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
