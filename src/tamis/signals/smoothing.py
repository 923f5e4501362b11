"""Optional block smoothing of line scores: a two-state Viterbi path over the log-odds.

Each line votes keep/drop with its log-odds relative to the threshold; every switch between keeping
and dropping costs `switch_cost` (in log-odds units). A lone short line inside an article survives,
a lone prose-like teaser inside a block of navigation goes. With `switch_cost=0` the result is the
plain threshold decision. Blank lines (NEUTRAL_SCORE from the scorer, or flagged in `blank`) vote 0.

Cross-validated effect on the development pages (see the line model's report): a cost of 0.5-1.0
costs ~0.3 F1 points overall and gains a few points on the small Arabic/Vietnamese sample, so it is
off by default; the policy layer decides.
"""

from __future__ import annotations

import numpy as np

__all__ = ["smooth_keep"]


def smooth_keep(scores: np.ndarray, threshold: float, switch_cost: float = 0.0,
                blank: np.ndarray | None = None) -> np.ndarray:
    """Keep mask (bool per line) of the best keep/drop path; `scores` are content probabilities."""
    p = np.clip(np.asarray(scores, dtype=np.float64), 1e-6, 1 - 1e-6)
    t = min(max(threshold, 1e-6), 1 - 1e-6)
    votes = np.log(p / (1 - p)) - np.log(t / (1 - t))
    if blank is not None:
        votes[blank] = 0.0
    if switch_cost <= 0 or len(votes) < 2:
        return votes >= 0
    return _viterbi(votes.tolist(), float(switch_cost))


def _viterbi(votes: list[float], cost: float) -> np.ndarray:
    n = len(votes)
    drop, keep = 0.0, votes[0]  # best path score ending in each state
    from_keep = [False] * n  # best predecessor of "drop" at i was "keep"
    from_drop = [False] * n  # best predecessor of "keep" at i was "drop"
    for i in range(1, n):
        switch_in_drop = keep - cost > drop
        switch_in_keep = drop - cost > keep
        from_keep[i], from_drop[i] = switch_in_drop, switch_in_keep
        drop, keep = (keep - cost if switch_in_drop else drop), (drop - cost if switch_in_keep else keep) + votes[i]
    out = np.zeros(n, dtype=bool)
    state = keep >= drop
    for i in range(n - 1, -1, -1):
        out[i] = state
        state = (not from_drop[i]) if state else from_keep[i]
    return out
