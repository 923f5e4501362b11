"""datatrove's FineWeb-2 per-language filter chain, run as one task on one worker.

    python -m bench.scoreboard.peer_datatrove INPUT.jsonl.zst --config vie_Latn.yml --lang vie_Latn \
        --kept-ids KEPT.txt --work-dir DIR

The chain and the mapping of the published YAML keys to filter arguments follow step 5 of
huggingface/fineweb-2 `fineweb-2-pipeline.py`:
  GopherRepetitionFilter(dup_line_frac, top_n_grams, dup_n_grams; dup_para_frac, dup_line_char_frac
      and dup_para_char_frac disabled (0))
  FineWebQualityFilter(line_punct_thr, new_line_ratio; short_line_thr=999 (disabled),
      char_duplicates_ratio=0.1)
  GopherQualityFilter(min/max_avg_word_length, max_non_alpha_words_ratio, stop_words=stopwords,
      min_stop_words=2; other arguments at their defaults, e.g. min_doc_words=50)
Input: each line's leading/trailing whitespace is stripped by the reader's adapter (--raw-lines turns
this off). FineWeb-2 runs these filters on trafilatura output, whose lines carry no such spaces; the
news as published often end lines with a space, which FineWebQualityFilter's line_punct_ratio
(`line.endswith(stop_chars)`) would read as "no terminal punctuation".
`language_score` is applied in FineWeb-2 by an earlier LambdaFilter over GlotLID scores
(LanguageFilter(backend="glotlid")): the model is a download, so that step is not run here.
Run in the scoreboard's venv; the process's peak RSS and CPU time are measured by the parent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def build_filters(cfg: dict, lang: str) -> list:
    from datatrove.pipeline.filters import FineWebQualityFilter, GopherQualityFilter, GopherRepetitionFilter

    return [
        GopherRepetitionFilter(
            language=lang,
            dup_para_frac=0,
            dup_line_char_frac=0,
            dup_para_char_frac=0,
            dup_line_frac=cfg["dup_line_frac"],
            top_n_grams=[tuple(x) for x in cfg["top_n_grams"]],
            dup_n_grams=[tuple(x) for x in cfg["dup_n_grams"]],
        ),
        FineWebQualityFilter(
            language=lang,
            short_line_thr=999,
            char_duplicates_ratio=0.1,
            line_punct_thr=cfg["line_punct_thr"],
            new_line_ratio=cfg["new_line_ratio"],
        ),
        GopherQualityFilter(
            language=lang,
            max_avg_word_length=cfg["max_avg_word_length"],
            min_avg_word_length=cfg["min_avg_word_length"],
            stop_words=cfg["stopwords"],
            max_non_alpha_words_ratio=cfg["max_non_alpha_words_ratio"],
            min_stop_words=2,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input", type=Path)
    ap.add_argument("--config", type=Path, required=True)
    ap.add_argument("--lang", required=True, help="FineWeb-2 language_script, e.g. vie_Latn")
    ap.add_argument("--kept-ids", type=Path, required=True)
    ap.add_argument("--work-dir", type=Path, required=True)
    ap.add_argument("--raw-lines", action="store_true", help="do not strip the lines' outer whitespace")
    args = ap.parse_args(argv)

    t_start = time.perf_counter()
    import yaml
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.base import PipelineStep
    from datatrove.pipeline.readers import JsonlReader

    cfg = yaml.safe_load(args.config.read_text(encoding="utf-8"))
    kept_path = args.kept_ids

    class RecordKept(PipelineStep):
        """The end of the chain: write the id of every surviving document."""

        name = "record kept ids"

        def run(self, data, rank: int = 0, world_size: int = 1):
            with open(kept_path, "w", encoding="utf-8") as fh:
                for doc in data:
                    fh.write(doc.id + "\n")
                    yield doc

    def strip_lines(self, data: dict, path: str, id_in_file):
        doc = self._default_adapter(data, path, id_in_file)
        doc["text"] = "\n".join(line.strip() for line in doc["text"].split("\n"))
        return doc

    pipeline = [
        JsonlReader(str(args.input.parent), glob_pattern=args.input.name, compression="zstd", recursive=False,
                    adapter=None if args.raw_lines else strip_lines),
        *build_filters(cfg, args.lang),
        RecordKept(),
    ]
    executor = LocalPipelineExecutor(pipeline=pipeline, tasks=1, workers=1,
                                     logging_dir=str(args.work_dir / "logs"), skip_completed=False)
    t_run, c_run = time.perf_counter(), time.process_time()
    executor.run()
    t_end, c_end = time.perf_counter(), time.process_time()
    stats = {}
    stats_file = args.work_dir / "logs" / "stats.json"
    if stats_file.exists():
        for step in json.loads(stats_file.read_text()):
            stats[step.get("name", "?")] = step.get("stats", {})
    json.dump({"seconds_total": t_end - t_start, "seconds_run": t_end - t_run, "cpu_s_run": c_end - c_run,
               "strip_lines": not args.raw_lines, "stats": stats},
              sys.stdout, ensure_ascii=False, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
