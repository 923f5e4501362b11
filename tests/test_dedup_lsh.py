import numpy as np
import pytest

from tamis.dedup import NearDupConfig, candidate_pairs, candidate_probability, lsh_threshold
from tamis.dedup.lsh import RECORD


def test_default_s_curve_catches_pairs_above_0_8_and_rarely_pairs_below_0_3():
    cfg = NearDupConfig()
    assert cfg.num_perm == 100
    assert lsh_threshold(cfg.bands, cfg.rows) == pytest.approx(0.549, abs=1e-3)
    assert candidate_probability(0.8, cfg.bands, cfg.rows) > 0.999
    assert candidate_probability(0.3, cfg.bands, cfg.rows) < 0.05


def _records(buckets):
    recs = np.zeros(sum(len(b) for b in buckets), dtype=RECORD)
    i = 0
    for key, docs in enumerate(buckets):
        for d in docs:
            recs[i] = (key, d)
            i += 1
    return recs


def test_small_buckets_give_all_pairs_large_ones_a_star_and_a_chain():
    pairs = candidate_pairs(_records([[1, 2, 3], [9]]), all_pairs_up_to=4)
    assert pairs.tolist() == [[1, 2], [1, 3], [2, 3]]
    big = candidate_pairs(_records([list(range(10))]), all_pairs_up_to=4)
    assert len(big) == 17  # 9 to the first + 8 more to the predecessor
    assert {tuple(p) for p in big} >= {(0, 9), (8, 9)}


def test_incremental_pairs_need_a_new_document():
    pairs = candidate_pairs(_records([[1, 2, 5]]), first_new=5)
    assert pairs.tolist() == [[1, 5], [2, 5]]
