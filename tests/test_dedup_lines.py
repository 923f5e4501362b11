from tamis.dedup import LineConfig, LineCounter, RepeatedSpan, candidate_segments, site_of
from tamis.dedup.lines import edge_spans

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


def _segments_scanning_whole_lines(lines, cfg):
    """candidate_segments as first written: every sentence end of a long line found, every line split
    whole to count its words (the reference the faster version must match)."""
    import regex

    from tamis.dedup.lines import Segment, _words, normalize_segment

    end = regex.compile(r"(?<=[.!?…؟。！？])\s+")
    has_letter = regex.compile(r"\p{L}")
    out = []
    for no, line in enumerate(lines):
        if not line or line.isspace():
            continue
        words = _words(line)
        if words <= cfg.max_line_words and has_letter.search(line):
            lo = len(line) - len(line.lstrip())
            out.append(Segment(no, lo, len(line.rstrip()), "line", normalize_segment(line, cfg.fold_digits)))
        if words <= cfg.max_segment_words:
            continue
        bounds = [0] + [m.end() for m in end.finditer(line)]
        if len(bounds) < 2:
            continue
        spans = [(bounds[i], bounds[i + 1] if i + 1 < len(bounds) else len(line)) for i in range(len(bounds))]
        k = cfg.edge_segments
        for i in sorted(set(range(min(k, len(spans)))) | set(range(max(len(spans) - k, 0), len(spans)))):
            s, e = spans[i]
            piece = line[s:e]
            if _words(piece) <= cfg.max_segment_words and has_letter.search(piece):
                s += len(piece) - len(piece.lstrip())
                e -= len(piece) - len(piece.rstrip())
                out.append(Segment(no, s, e, "sentence", normalize_segment(piece, cfg.fold_digits)))
    return out


def test_candidate_segments_match_a_whole_line_scan():
    import random

    rng = random.Random(7)
    alphabet = list("ab .!?…؟。 \t\u00a0xyz中文0") + ["word ", "مرحبا ", ". ", "!! ", "...  "]
    docs = [[BODY, BODY + " Theo VTC14", "Short line.", "  ", "x" * 50]]
    for _ in range(1500):
        docs.append(["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300))) for _ in range(3)])
    for cfg in (LineConfig(), LineConfig(edge_segments=1), LineConfig(edge_segments=3, max_segment_words=4)):
        for lines in docs:
            assert candidate_segments(lines, cfg) == _segments_scanning_whole_lines(lines, cfg), lines


def test_pass_two_reuses_the_segments_of_pass_one_with_the_same_result():
    docs = [[f"Story {w}.", BODY + f" {w} Theo VTC14", "Contact the newsroom: 555 0100"] for w in ("a", "b", "c", "d")]
    fresh, memo = LineCounter(CFG), LineCounter(CFG)
    for n, d in enumerate(docs):
        fresh.add(d, site="a.example")
        memo.add(d, site="a.example", remember=n)
    for n, d in enumerate(docs):
        assert memo.annotate(d, site="a.example", remember=n) == fresh.annotate(d, site="a.example")
    # a document that is not the one added under that key is looked at afresh
    memo.add(docs[0], site="a.example", remember="x")
    fresh.add(docs[0], site="a.example")
    assert memo.annotate(docs[1], site="a.example", remember="x") == fresh.annotate(docs[1], site="a.example")
    assert memo._memo == {} and memo._memo_segments == 0


def test_edge_spans_are_the_leading_and_trailing_runs_of_repeated_lines():
    lines = ["Site name", "", "Home | News", "Prices rose again in March, the office said. Photo: AFP", "Pros",
             "Cheap and light.", "Conclusion", "It is a good buy overall. Source: Example Wire", "", "Share", "Top"]

    def line(i):
        return RepeatedSpan(i, 0, len(lines[i]), 12, "line", i)

    lead = RepeatedSpan(3, 0, 11, 12, "sentence", 30)  # the start of the first line that stays: an edge
    credit = RepeatedSpan(3, 45, 56, 12, "sentence", 31)  # the end of that line: inside the text
    source = RepeatedSpan(7, 26, 46, 12, "sentence", 70)  # the end of the last line that stays: an edge
    spans = [line(0), line(2), lead, credit, line(4), line(6), source, line(9), line(10)]
    assert edge_spans(lines, spans) == [line(0), line(2), lead, source, line(9), line(10)]
    assert edge_spans(lines, [line(4), line(6)]) == []  # headings inside the text
    assert edge_spans(["A", "B"], [line(0), RepeatedSpan(1, 0, 1, 12, "line", 1)]) == \
        [line(0), RepeatedSpan(1, 0, 1, 12, "line", 1)]  # a document of repeated lines only
