import random

import numpy as np

from tamis.dedup import NearDupConfig, NearDupIndex, compute_signatures, estimated_similarity

# A made-up wire story (about 200 words) and variations of it.
STORY = (
    "The regional water authority said on Tuesday that the new reservoir north of the city will open "
    "in the spring after three years of construction. Engineers finished filling the basin last month "
    "and tested the pumps, the valves and the treatment plant that will serve about forty thousand homes. "
    "The project cost more than the original estimate because the contractor had to rebuild a section of "
    "the dam after heavy rain damaged the foundations in the first winter. Local farmers welcomed the news "
    "and said that a reliable supply would let them plan their planting without worrying about dry summers. "
    "The authority also plans to open a walking trail around the shore, with picnic areas, a small museum "
    "about the valley and a car park near the old mill. Officials asked residents to keep away from the "
    "water until the safety fences are finished and the lifeguard station has been staffed. A public "
    "meeting about fishing permits will be held at the town hall next week, and the schedule of guided "
    "tours will be published on the council notice board before the opening ceremony."
)
ONE_SENTENCE_CHANGED = STORY.replace(
    "Local farmers welcomed the news and said that a reliable supply would let them plan their planting "
    "without worrying about dry summers.",
    "Several shop owners in the market square said they expected more visitors once the lake opens.",
)
REPRINT = "Riverside Daily - " + STORY + " Reporting by the staff desk."
OTHER = (
    "The chess club of the eastern district celebrated its fiftieth anniversary with a tournament that "
    "drew players from six countries. The youngest participant was nine years old and won three of her "
    "five games, while the oldest, a retired teacher, shared second place with a university student. "
    "Organisers served soup and bread in the library hall and thanked the volunteers who set up the boards, "
    "kept the clocks running and recorded every move for the club archive. Next year the club hopes to "
    "host a junior championship and to open a second room for beginners on Saturday mornings."
)


def _cluster_of(clusters):
    return {d.id: d for d in clusters}


def test_a_copy_with_one_sentence_changed_is_a_near_duplicate():
    sigs = compute_signatures([STORY, ONE_SENTENCE_CHANGED, OTHER])
    assert sigs.shape == (3, NearDupConfig().num_perm) and sigs.dtype == np.uint32
    assert estimated_similarity(sigs[0], sigs[1]) > 0.75
    assert estimated_similarity(sigs[0], sigs[2]) < 0.1
    index = NearDupIndex()
    index.add_batch(["story", "edited", "chess"], [STORY, ONE_SENTENCE_CHANGED, OTHER])
    found = _cluster_of(index.finalize())
    assert set(found) == {"story", "edited"}
    assert found["story"].cluster_id == found["edited"].cluster_id
    assert found["story"].cluster_size == found["edited"].cluster_size == 2


def test_unrelated_documents_stay_apart():
    index = NearDupIndex()
    index.add_batch(["story", "chess"], [STORY, OTHER])
    assert len(index.finalize()) == 0


def test_dropped_copies_record_what_they_duplicate_and_how_closely():
    index = NearDupIndex()
    index.add_batch(["a", "b", "c"], [STORY, REPRINT, ONE_SENTENCE_CHANGED], quality=[0.5, 0.9, 0.1])
    found = _cluster_of(index.finalize())
    kept = found["b"]  # the highest quality score wins
    assert kept.keep and kept.duplicate_of is None and kept.cluster_size == 3
    for dropped in (found["a"], found["c"]):
        assert not dropped.keep
        assert dropped.duplicate_of == "b"
        assert dropped.cluster_id == kept.cluster_id
        assert 0.7 <= dropped.similarity <= 1.0
        assert dropped.to_json()["duplicate_of"] == "b"


def test_keeper_is_the_same_whatever_the_input_order():
    docs = {"a": STORY, "b": REPRINT, "c": ONE_SENTENCE_CHANGED, "d": OTHER, "e": STORY}
    results = []
    for seed in range(4):
        ids = list(docs)
        random.Random(seed).shuffle(ids)
        index = NearDupIndex()
        for half in (ids[:2], ids[2:]):
            index.add_batch(half, [docs[i] for i in half])
        results.append(sorted((d.id, d.keep, d.duplicate_of, d.cluster_id, d.cluster_size) for d in index.finalize()))
    assert all(r == results[0] for r in results)
    kept = [r for r in results[0] if r[1]]
    assert [k[0] for k in kept] == ["b"]  # no quality given: the longest copy


def test_priority_then_id_break_ties():
    cfg = NearDupConfig(keep_order=("priority", "id"))
    index = NearDupIndex(cfg=cfg)
    index.add_batch(["z", "y", "x"], [STORY, STORY, STORY], priority=[1, 2, 1])
    found = _cluster_of(index.finalize())
    assert found["x"].keep  # priority 1 like "z", and "x" < "z"


def test_short_documents_are_left_to_exact_dedup():
    sigs = compute_signatures(["too short", "", "one two three four five six"])
    assert (sigs[0] == 0xFFFFFFFF).all() and (sigs[1] == 0xFFFFFFFF).all()
    assert not (sigs[2] == 0xFFFFFFFF).all()
