from tamis.dedup import LineConfig, LineCounter, candidate_segments, site_of

CFG = LineConfig(min_docs=3)
BODY = (
    "The council approved the budget after a long debate about road repairs and school buses. "
    "Members agreed to review the spending plan again in the autumn when the new figures arrive. "
    "The mayor thanked the residents who came to the meeting and answered their questions."
)


def test_a_line_repeated_across_one_sites_documents_is_boilerplate_for_that_site_only():
    counter = LineCounter(CFG)
    for w in ("north", "south", "old"):
        counter.add([f"Story about the {w} harbour.", "Contact the newsroom: 555 0100"], site="a.example")
    counter.add(["Another story.", "Contact the newsroom: 555 0199"], site="b.example")
    top = counter.frequent()
    assert [(r.site, r.count) for r in top] == [("a.example", 3)]
    assert top[0].text == "Contact the newsroom: 555 0100"
    spans = counter.annotate(["Story about the new harbour.", "Contact the newsroom: 555 0123"], site="a.example")
    assert [(s.line, s.count, s.kind) for s in spans] == [(1, 3, "line")]
    assert counter.annotate(["Contact the newsroom: 555 0100"], site="b.example") == []


def test_a_short_sentence_glued_to_the_end_of_a_one_line_body_is_found():
    counter = LineCounter(CFG)
    docs = [BODY.replace("budget", f"budget {w}") + " Theo VTC14" for w in ("one", "two", "three", "four")]
    for d in docs:
        counter.add([f"Title {d[:10]}", d])
    line = docs[0]
    spans = counter.annotate(["A new title", line])
    assert len(spans) == 1 and spans[0].kind == "sentence"
    assert line[spans[0].start : spans[0].end] == "Theo VTC14"
    assert spans[0].count == 4


def test_a_long_sentence_shared_by_wire_copies_is_not_boilerplate():
    counter = LineCounter(CFG)
    for i in range(5):
        counter.add([f"Intro {i} with its own words here and there.", BODY + f" Extra closing remark number {i}."])
    spans = counter.annotate([BODY + " Something else at the end."])
    assert spans == []  # the repeated sentences are long; the first ones are over 12 words


def test_segments_of_a_long_line_are_its_edge_sentences():
    segs = candidate_segments([BODY + " Ảnh minh họa."], LineConfig())
    assert [s.kind for s in segs] == ["sentence"]
    assert segs[0].norm == "ảnh minh họa"


def test_site_of_url():
    assert site_of("https://www.Example.com/news/1") == "example.com"
    assert site_of(None) is None
