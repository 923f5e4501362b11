from tamis.dedup import ExactConfig, exact_hash, find_exact_duplicates, normalize_text


def test_copies_differing_in_case_spacing_and_punctuation_are_exact_duplicates():
    texts = [
        "The harbour reopened on Monday, officials said.",
        "the harbour   reopened on monday officials said",
        "THE HARBOUR REOPENED ON MONDAY -- OFFICIALS SAID!",
        "The harbour stayed closed on Monday, officials said.",
    ]
    clusters = find_exact_duplicates(["a", "b", "c", "d"], texts)
    assert sorted(clusters.ids) == ["a", "b", "c"]
    assert clusters.num_dropped == 2
    assert "d" not in clusters.ids


def test_digits_are_compared_as_configured():
    a, b = "Match report: 2 - 1 after extra time", "Match report: 3 - 0 after extra time"
    assert exact_hash(a) != exact_hash(b)
    assert exact_hash(a, ExactConfig(digits="zero")) == exact_hash(b, ExactConfig(digits="zero"))


def test_punctuation_can_be_kept():
    cfg = ExactConfig(strip_punctuation=False)
    assert exact_hash("hello, world", cfg) != exact_hash("hello world", cfg)
    assert normalize_text("  Ｈｅｌｌｏ,\u00a0 WORLD  ") == "hello world"


def test_arabic_vowel_marks_and_tatweel_are_ignored():
    assert exact_hash("كَتَبَ الطالبُ الدرس") == exact_hash("كتب الطالـــب الدرس")


def test_kept_copy_follows_the_preference_not_the_input_order():
    texts = ["Same story here.", "same story here", "Same story, here!"]
    first = find_exact_duplicates(["x", "y", "z"], texts, quality=[0.2, 0.9, 0.5])
    assert {d.id: d.keep for d in first} == {"x": False, "y": True, "z": False}
    rev = find_exact_duplicates(["z", "y", "x"], texts[::-1], quality=[0.5, 0.9, 0.2])
    assert [d for d in rev if d.keep][0].id == "y"


def test_hashes_of_a_batch_are_each_texts_own():
    import random

    from tamis.dedup.exact import ExactHashes, exact_hash

    rng = random.Random(5)
    alphabet = list(" \t\n.,!ab12١٢\u0301\u0640\u200bÅﬁＡ中ß-—") + ["  ", " \u0301 "]
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(600)] + ["", " ", "\u0301"]
    for cfg in (ExactConfig(), ExactConfig(hash_bits=64, digits="zero"), ExactConfig(unicode_form="NFC", strip_punctuation=False),
                ExactConfig(unicode_form="none", casefold=False, strip_marks=False, digits="drop"),
                ExactConfig(fold_whitespace=False)):
        h = ExactHashes.of(texts, cfg)
        got = [(int(a) << 64 | int(b)) if cfg.hash_bits == 128 else int(b) for a, b in zip(h.hi, h.lo)]
        assert got == [exact_hash(t, cfg) for t in texts], cfg
