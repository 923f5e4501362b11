import pytest

from test_dedup_neardup import ONE_SENTENCE_CHANGED, OTHER, REPRINT, STORY
from tamis.dedup import NearDupConfig, NearDupIndex


def test_saved_index_loads_and_deduplicates_a_new_batch_against_the_old_one(tmp_path):
    first = NearDupIndex(tmp_path / "idx")
    first.add_batch(["old-story", "old-chess"], [STORY, OTHER])
    assert len(first.finalize()) == 0
    first.save()
    sig_bytes = (tmp_path / "idx" / "signatures.u32").read_bytes()

    again = NearDupIndex.load(tmp_path / "idx")
    assert again.num_docs == 2 and again.cfg == NearDupConfig()
    again.add_batch(["new-reprint", "new-edit"], [REPRINT, ONE_SENTENCE_CHANGED])
    found = {d.id: d for d in again.finalize()}
    # earlier signatures are reused as they are, not recomputed
    assert (tmp_path / "idx" / "signatures.u32").read_bytes()[: len(sig_bytes)] == sig_bytes
    # the published document stays kept even though the reprint is longer
    assert found["old-story"].keep and not found["old-story"].new
    assert found["new-reprint"].duplicate_of == "old-story"
    assert found["new-edit"].duplicate_of == "old-story"
    assert found["old-story"].cluster_size == 3


def test_a_second_incremental_batch_only_reports_clusters_it_touches(tmp_path):
    index = NearDupIndex(tmp_path / "idx")
    index.add_batch(["a", "b"], [STORY, REPRINT])
    index.finalize()
    index.save()
    index = NearDupIndex.load(tmp_path / "idx")
    index.add_batch(["chess"], [OTHER])
    assert len(index.finalize()) == 0
    index.add_batch(["chess-copy"], [OTHER + " Photos by the club."])
    assert sorted(d.id for d in index.finalize()) == ["chess", "chess-copy"]


def test_save_copies_a_temporary_index(tmp_path):
    index = NearDupIndex()
    index.add_batch(["a", "b"], [STORY, REPRINT])
    index.finalize()
    target = index.save(tmp_path / "copy")
    loaded = NearDupIndex.load(target)
    loaded.add_batch(["c"], [ONE_SENTENCE_CHANGED])
    found = {d.id: d for d in loaded.finalize()}
    assert found["c"].duplicate_of == "b"  # the copy kept by the first run (the longer one)
    assert not found["a"].new and found["a"].duplicate_of == "b"


def test_loading_with_another_configuration_is_refused(tmp_path):
    NearDupIndex(tmp_path / "idx").save()
    with pytest.raises(ValueError):
        NearDupIndex(tmp_path / "idx", NearDupConfig(bands=10, rows=10))
