"""Settings of the three deduplication passes, with their defaults and why.

Near-duplicates: documents are sets of shingles (word 5-grams, or character n-grams for scripts
written without spaces); MinHash estimates the Jaccard similarity of two such sets and LSH with
`bands` bands of `rows` rows makes a pair a *candidate* with probability

    P(candidate | J) = 1 - (1 - J**rows) ** bands            (the S-curve)

whose steepest point is near J = (1 / bands) ** (1 / rows). Defaults 20 x 5 (100 permutations):
the curve's midpoint is 0.55, a pair with J = 0.8 is a candidate with probability 0.9997, J = 0.7
with 0.97, J = 0.5 with 0.47 and J = 0.3 with 0.05. Every candidate is then *verified*: its
estimated similarity (share of equal MinHash values, standard error about 0.045 near J = 0.75)
must reach `min_similarity` (0.7) before the two documents are merged, so what decides a
near-duplicate is the similarity, not an accident of banding. `candidate_probability` and
`lsh_threshold` compute the curve for other settings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

KEEP_KEYS = ("quality", "length", "priority", "id", "index")
DEFAULT_KEEP_ORDER = ("-quality", "-length", "priority", "id")


@dataclass(frozen=True, slots=True)
class ShingleConfig:
    """How a document becomes a set of shingles.

    Text is NFKC-normalised and casefolded; nonspacing marks (Arabic harakat, Hebrew points), format
    characters (zero-width joiners and spaces) and the Arabic tatweel are ignored, so vocalised and
    plain copies match. A *word* is a run of letters and digits; each Han, kana or Bopomofo character
    is a token of its own (`ideograph_ngram`), as is each Thai, Lao, Khmer or Myanmar character
    (`sea_ngram`, longer because those characters are letters, not syllables). A document uses the
    n-gram size of the kind of token it mostly has.
    """

    word_ngram: int = 5  # words per shingle where words are spaced (silver pairs use the same)
    ideograph_ngram: int = 5  # Han / kana characters per shingle (about 2-3 words)
    sea_ngram: int = 8  # Thai / Lao / Khmer / Myanmar characters per shingle (about 2 words)
    min_tokens: int = 5  # documents with fewer tokens get no signature: exact dedup handles them


@dataclass(frozen=True, slots=True)
class NearDupConfig:
    """MinHash LSH near-duplicate detection; see the module docstring for the S-curve."""

    shingles: ShingleConfig = field(default_factory=ShingleConfig)
    bands: int = 20
    rows: int = 5
    min_similarity: float = 0.7  # estimated Jaccard a candidate pair needs to be merged
    seed: int = 1  # derives the permutations; indexes built with different seeds don't mix
    num_partitions: int = 16  # band-key shards on disk; finalize holds one shard in memory at a time
    all_pairs_bucket_size: int = 16  # buckets up to this size verify every pair, larger ones a star + chain
    # Which copy of a cluster is kept: keys compared in order, "-" = larger first. "quality" (a score
    # the caller passes, missing = worst), "length" (characters), "priority" (source priority the
    # caller passes, smaller first, missing = last), "id" (smallest string), "index" (added first).
    keep_order: tuple[str, ...] = DEFAULT_KEEP_ORDER
    # Incremental runs: documents of earlier runs are kept over new ones (their decisions are published).
    prefer_existing: bool = True

    def __post_init__(self) -> None:
        if self.bands < 1 or self.rows < 1:
            raise ValueError("bands and rows must be >= 1")
        if not 0.0 <= self.min_similarity <= 1.0:
            raise ValueError("min_similarity is a Jaccard similarity in [0, 1]")
        if self.num_partitions < 1:
            raise ValueError("num_partitions must be >= 1")
        for key in self.keep_order:
            if key.lstrip("-") not in KEEP_KEYS:
                raise ValueError(f"unknown keep_order key {key!r}; use {KEEP_KEYS}")

    @property
    def num_perm(self) -> int:
        return self.bands * self.rows

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["keep_order"] = list(self.keep_order)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "NearDupConfig":
        d = dict(d)
        d["shingles"] = ShingleConfig(**d.get("shingles", {}))
        d["keep_order"] = tuple(d.get("keep_order", DEFAULT_KEEP_ORDER))
        return cls(**d)


@dataclass(frozen=True, slots=True)
class ExactConfig:
    """What two texts may differ in and still be exact duplicates."""

    unicode_form: Literal["NFKC", "NFC", "none"] = "NFKC"
    casefold: bool = True
    strip_marks: bool = True  # ignore nonspacing marks, zero-width characters and tatweel
    strip_punctuation: bool = True  # punctuation and symbols count as whitespace
    fold_whitespace: bool = True  # runs of whitespace become one space; ends are trimmed
    digits: Literal["keep", "zero", "drop"] = "keep"  # "zero": every decimal digit counts as 0
    hash_bits: Literal[64, 128] = 128


@dataclass(frozen=True, slots=True)
class LineConfig:
    """Cross-document repeated lines and line-end segments (boilerplate learnt from the corpus).

    Each line (split on "\\n") is a candidate when it has at most `max_line_words` words. A longer
    line is also split at sentence ends, and its first and last `edge_segments` sentences are
    candidates when they have at most `max_segment_words` words: that catches a credit or source
    glued to the end of a one-line article body ("... Theo VTC14") while a real sentence repeated by
    wire copies stays out of reach (it is long, or in the middle). Candidates are normalised
    (NFKC, casefold, each run of digits as 0, whitespace folded, punctuation at the ends trimmed) and counted
    once per document, per site when the caller gives one and across the corpus otherwise.
    """

    min_docs: int = 10  # a candidate seen in at least this many documents (of its site) is repeated
    max_line_words: int = 40  # longer lines are paragraphs: near-dup detection's job, not this one's
    max_segment_words: int = 12  # an edge sentence of a long line must be this short to count
    edge_segments: int = 2  # sentences taken from each end of a long line
    fold_digits: bool = True  # "Ảnh: 12/3" and "Ảnh: 14/5" are the same line
    num_partitions: int = 8  # count shards on disk
    max_samples: int = 200_000  # texts remembered for reporting frequent candidates (bounded memory)
