"""The corpus stage (tamis.run.dedup) on hand-made run folders: duplicates, repeated lines, edits that
still rebuild the original, reconciled counts, determinism, incremental runs against an earlier index.

The run folders are written with ShardWriter the way `tamis clean` writes them, from originals whose
per-document edits (a removed header, a removed comment line, a Unicode repair) are made here, so
these tests do not depend on the language and line models.
"""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path

import pytest

from tamis.config import ConfigError, load_config
from tamis.document import Edit
from tamis.edits import apply_edits, rebuild_original
from tamis.commands import iter_records
from tamis.io.writers import ShardWriter, list_shards
from tamis.pipeline import Result
from tamis.run.dedup import compose_removals, line_removals, run_dedup
from tamis.summary import Summary

SITE = "baomoi.example"
HEADER = "Báo Mới - Tin tức 24h | Thời sự | Thế giới"
CREDIT = "Theo Báo Mới"
COMMENTS = "Bình luận (0) - Chia sẻ bài viết"

VI_BODIES = [
    "Sáng nay, Sở Giao thông Đà Nẵng cho biết thành phố sẽ mở thêm ba tuyến xe buýt nối trung tâm với các khu "
    "công nghiệp.\nGiá vé dự kiến được giữ ở mức bảy nghìn đồng mỗi lượt.",
    "Hội nông dân tỉnh An Giang tổ chức lớp tập huấn về cách trồng lúa giảm phát thải cho hơn hai trăm hộ dân.\n"
    "Các chuyên gia hướng dẫn bà con tiết kiệm nước và phân bón.",
    "Bệnh viện Nhi Trung ương vừa tiếp nhận một hệ thống máy chụp cộng hưởng từ hiện đại do nhà tài trợ Nhật Bản "
    "trao tặng.\nThiết bị giúp rút ngắn thời gian chờ khám của trẻ em.",
    "Trường đại học Cần Thơ công bố điểm chuẩn năm nay, trong đó ngành công nghệ thông tin có mức điểm cao nhất.\n"
    "Nhiều thí sinh đã đăng ký xét tuyển bằng học bạ.",
    "Mưa lớn kéo dài suốt đêm qua khiến nhiều tuyến phố ở Huế bị ngập sâu, giao thông gần như tê liệt.\n"
    "Chính quyền đã điều động lực lượng cứu hộ hỗ trợ người dân di chuyển đồ đạc.",
    "Đội tuyển bóng đá nữ Việt Nam thắng đối thủ Philippines với tỉ số hai không trong trận giao hữu tối qua.\n"
    "Huấn luyện viên đánh giá cao tinh thần thi đấu của các cầu thủ trẻ.",
    "Giá cà phê nhân xô tại Tây Nguyên tiếp tục tăng mạnh trong tuần này do nguồn cung khan hiếm.\n"
    "Nhiều nông dân cho biết họ chưa vội bán vì kỳ vọng giá còn lên nữa.",
    "Thư viện tỉnh Nghệ An khai trương phòng đọc sách dành riêng cho người khiếm thị với hàng nghìn đầu sách chữ "
    "nổi.\nĐây là mô hình đầu tiên của khu vực miền Trung.",
    "Cảng hàng không Phú Quốc sẽ tạm dừng khai thác đường băng phụ trong hai tuần để sửa chữa mặt đường.\n"
    "Các chuyến bay vẫn hoạt động bình thường trên đường băng chính.",
    "Một nhóm sinh viên ở Hà Nội đã chế tạo thành công robot nhặt rác trên mặt hồ bằng vật liệu tái chế.\n"
    "Sản phẩm của nhóm vừa giành giải nhất cuộc thi sáng tạo dành cho thanh niên.",
    "Lễ hội hoa ban ở Điện Biên năm nay thu hút hàng chục nghìn du khách trong và ngoài nước.\n"
    "Ban tổ chức cho biết các khách sạn trong thành phố gần như kín phòng.",
    "Công ty điện lực miền Nam khuyến cáo người dân sử dụng điện tiết kiệm trong những ngày nắng nóng cao điểm.\n"
    "Nhu cầu tiêu thụ điện đã tăng gần mười phần trăm so với cùng kỳ.",
]

AR_TEXT = ("أعلنت وزارة الصحة اليوم عن افتتاح مستشفى جديد في مدينة جدة يضم ثلاثمائة سرير وأقساما متخصصة لعلاج "
           "الأطفال.\nوقال المتحدث باسم الوزارة إن المستشفى سيبدأ استقبال المرضى مطلع الشهر المقبل، وإن الخدمات "
           "ستقدم مجانا للمواطنين والمقيمين.")
# the same text, spaced and punctuated differently: an exact duplicate after normalisation
AR_COPY = AR_TEXT.replace("الأطفال.", "الأطفال !").replace("، ", " ,  ")

EN_WIRE = [
    "LONDON, March 3 (Wire) - Britain's biggest port operator said on Monday it would invest two billion pounds",
    "in new cranes and automated gates over the next five years, as shipping lines bring ever larger vessels",
    "to the country's east coast. The company said the plan would create about four hundred jobs, most of them",
    "in engineering and logistics, and would let the terminal handle a fifth more containers each year. Unions",
    "welcomed the investment but asked for guarantees that existing dock workers would be retrained rather than",
    "replaced by the new machines. The work is expected to start in the autumn and to be finished by the end of",
    "the decade, subject to planning approval from the local council and the environment agency.",
]
EN_TEXT = "\n".join(EN_WIRE)
EN_COPY = "\n".join(["FELIXSTOWE, England (Wire) - The largest port operator in Britain announced on Monday that it "
                     "would invest two billion pounds"] + EN_WIRE[1:])
ZH_TEXT = ("上海市今天发布新的垃圾分类规定，要求所有小区在年底前完成分类设施的改造。\n"
           "市民如果不按规定投放垃圾，最高可能被罚款两百元，相关部门将加强检查。")


def doc(doc_id: str, body: str, *, site: str | None = None, url: str | None = None, lang: str = "vi",
        header: bool = False, comments: bool = False, credit: bool = False, nfd_credit: bool = False) -> dict:
    """An input document as the reader would give it, with the edits a per-document stage would make."""
    lines = ([HEADER] if header else []) + body.split("\n")
    if credit:
        lines.append(unicodedata.normalize("NFD", CREDIT) if nfd_credit else CREDIT)
    if comments:
        lines.append(COMMENTS)
    original = "\n".join(lines)
    edits: list[Edit] = []
    if header:
        edits.append(Edit(0, len(HEADER) + 1, HEADER + "\n", "", "leading-block", {"score": 0.02, "min": 0.5}))
    if nfd_credit:
        nfd = unicodedata.normalize("NFD", CREDIT)
        at = original.index(nfd)  # one repair edit over the whole decomposed credit line
        edits.append(Edit(at, at + len(nfd), nfd, CREDIT, "unicode-repair", {"fixes": ["nfc"]}))
    if comments:
        at = original.index("\n" + COMMENTS)
        edits.append(Edit(at, len(original), original[at:], "", "trailing-block", {"score": 0.01, "min": 0.5}))
    text = apply_edits(original, edits)
    rec = {"id": doc_id, "text": text, "lang": lang, "lang_score": 0.98}
    if site:
        rec["site"] = site
    if url:
        rec["url"] = url
    rec["edits"] = [e.to_json() for e in edits]
    rec["signals"] = {"chars": len(text), "words": len(text.split())}
    return {"record": rec, "original": original}


def vi_site_docs(numbers, **kw) -> list[dict]:
    out = []
    for i in numbers:
        where = {"site": SITE} if i % 2 else {"url": f"https://www.{SITE}/tin/{i}.html"}
        out.append(doc(f"vi-{i:02d}", VI_BODIES[i - 1], header=True, credit=True, comments=i % 3 == 0,
                       nfd_credit=i == 4, **where, **kw))
    return out


def base_docs() -> list[dict]:
    docs = vi_site_docs(range(1, 13))
    docs += [
        doc("ar-a", AR_TEXT, site="alkhabar.example", lang="ar"),
        doc("ar-b", AR_COPY, site="alkhabar.example", lang="ar"),
        doc("en-wire-1", EN_TEXT, url="https://news.example.com/port", lang="en"),
        doc("en-wire-2", EN_COPY, url="https://other.example.org/port-plan", lang="en", header=True),
        doc("zh-1", ZH_TEXT, site="sh.example", lang="zh"),
    ]
    return docs


def write_run(out: Path, docs: list[dict], rejected_at: tuple[int, ...] = (3,), fmt: str = "jsonl.zst") -> dict:
    """A `tamis clean` output folder: kept/, rejected/, quarantine/, signals/, summary.json. The originals by id."""
    writers = {k: ShardWriter(str(out), k, fmt=fmt) for k in ("kept", "rejected", "quarantine", "signals")}
    summary = Summary()
    originals = {}
    items = list(docs)
    for pos in rejected_at:  # documents the per-document stage rejected, interleaved
        short = {"id": f"short-{pos}", "text": "Đang tải...", "lang": "vi", "lang_score": 0.5, "edits": [],
                 "signals": {"chars": 11, "words": 2}, "reasons": [{"rule": "min_words", "signal": "words",
                                                                    "value": 2, "min": 10}]}
        items.insert(pos, {"record": short, "original": short["text"], "kind": "rejected"})
    for item in items:
        rec, kind = item["record"], item.get("kind", "kept")
        originals[rec["id"]] = item["original"]
        writers[kind].write(rec)
        sig = {"kind": kind, "id": rec["id"], "norm_edits": [], "lang": rec["lang"], "lang_score": rec["lang_score"],
               "lines": {"score": []}, "passes": 1}
        writers["signals"].write(sig)
        removed = {}
        for e in rec["edits"]:
            r = removed.setdefault(e["reason"], [0, 0])
            r[0] += e["reason"] != "unicode-repair"
            r[1] += len(e["text"]) - len(e.get("repl", ""))
        summary.add(Result(kind=kind, record=rec, signals=sig, lang=rec["lang"],
                           bytes_in=len(item["original"].encode()), bytes_out=len(rec["text"].encode()),
                           removed=removed))
    q = {"id": None, "source": "in.jsonl", "position": 7, "error": "JSONDecodeError: not json"}
    writers["quarantine"].write(q)
    summary.add(Result(kind="quarantined", record=q, bytes_in=9))
    for w in writers.values():
        w.close()
    summary.write(str(out / "summary.json"), {"throughput": {"seconds": 1.0}})
    return originals


def read_part(out: Path, part: str) -> list[dict]:
    return list(iter_records(str(out), part))


@pytest.fixture(scope="module")
def cfg():
    return load_config()


@pytest.fixture(scope="module")
def deduped(tmp_path_factory, cfg):
    tmp = tmp_path_factory.mktemp("dedup")
    originals = write_run(tmp / "run", base_docs())
    summary = run_dedup(str(tmp / "run"), str(tmp / "out"), cfg, progress=False)
    return tmp, originals, summary


def by_id(records):
    return {r["id"]: r for r in records}


def test_exact_and_near_duplicates_are_rejected_with_their_cluster(deduped):
    tmp, _, summary = deduped
    kept, rejected = by_id(read_part(tmp / "out", "kept")), by_id(read_part(tmp / "out", "rejected"))
    # the exact copy: the longer text is kept (dedup.keep: -length, id)
    keep_ar, drop_ar = sorted(["ar-a", "ar-b"], key=lambda i: -len(kept.get(i, rejected.get(i))["text"]))
    assert keep_ar in kept and drop_ar in rejected
    (dup,) = [r for r in rejected[drop_ar]["reasons"] if r["rule"] == "duplicate"]
    assert dup["kind"] == "exact" and dup["duplicate_of"] == keep_ar and dup["cluster_size"] == 2
    assert dup["similarity"] == 1.0 and dup["cluster_id"] == kept[keep_ar]["cluster_id"]
    assert kept[keep_ar]["cluster_size"] == 2
    # the wire copy with another first line: a near-duplicate
    assert "en-wire-1" in kept and "en-wire-2" in rejected or "en-wire-2" in kept and "en-wire-1" in rejected
    dropped = "en-wire-1" if "en-wire-1" in rejected else "en-wire-2"
    (near,) = rejected[dropped]["reasons"]
    assert near["kind"] == "near" and 0.7 <= near["similarity"] < 1.0 and near["cluster_size"] == 2
    # distinct documents: kept, cluster of one, no cluster id
    assert kept["zh-1"]["cluster_size"] == 1 and "cluster_id" not in kept["zh-1"]
    assert all(f"vi-{i:02d}" in kept for i in range(1, 13))
    # the copy's record is otherwise untouched
    assert rejected[drop_ar]["text"] == AR_COPY or rejected[drop_ar]["text"] == AR_TEXT
    x = summary["dedup"]
    assert x["duplicates"] == {"exact": 1, "near": 1}
    assert x["duplicates_by_language"] == {"ar": {"exact": 1, "near": 0}, "en": {"exact": 0, "near": 1}}
    assert summary["rejected_by_rule"]["duplicate"] == {"ar": 1, "en": 1}


def test_repeated_site_line_is_removed_with_its_count(deduped):
    tmp, originals, summary = deduped
    kept = by_id(read_part(tmp / "out", "kept"))
    for i in range(1, 13):
        rec = kept[f"vi-{i:02d}"]
        assert CREDIT not in rec["text"] and rec["text"] == VI_BODIES[i - 1]
        (edit,) = [e for e in rec["edits"] if e["reason"] == "repeated-line"]
        assert edit["values"] == {"docs": 12, "site": SITE}
        assert CREDIT in unicodedata.normalize("NFC", edit["text"])
    # the earlier edits keep their own reasons (the comment line right after the credit, the header)
    assert [e["reason"] for e in kept["vi-03"]["edits"]] == ["leading-block", "repeated-line", "trailing-block"]
    assert [e["reason"] for e in kept["vi-04"]["edits"]] == ["leading-block", "repeated-line"]
    rl = summary["dedup"]["repeated_lines"]
    assert rl["lines"] == 12 and rl["documents"] == 12 and rl["chars"] == 12 * (len(CREDIT) + 1)
    assert summary["removed"]["repeated-line"] == rl
    (top,) = summary["dedup"]["top_repeated_lines"]
    assert top == {"text": CREDIT, "site": SITE, "docs": 12, "removed": 12}
    # the other sites' lines are not repeated anywhere
    assert "repeated-line" not in json.dumps(kept["zh-1"]["edits"])


def test_every_original_is_rebuilt_byte_for_byte(deduped):
    tmp, originals, _ = deduped
    records = read_part(tmp / "out", "kept") + read_part(tmp / "out", "rejected")
    assert len(records) == len(originals)
    for rec in records:
        edits = [Edit.from_json(e) for e in rec["edits"]]
        assert rebuild_original(rec["text"], edits) == originals[rec["id"]], rec["id"]
        assert apply_edits(originals[rec["id"]], edits) == rec["text"]
        starts = [(e.start, e.end) for e in edits]
        assert all(a[1] <= b[0] for a, b in zip(starts, starts[1:]))  # sorted, disjoint


def test_counts_reconcile_and_parts_stay_aligned(deduped):
    tmp, originals, summary = deduped
    out = tmp / "out"
    d = summary["documents"]
    kept, rejected = read_part(out, "kept"), read_part(out, "rejected")
    quarantine, signals, notes = read_part(out, "quarantine"), read_part(out, "signals"), read_part(out, "dedup")
    assert d == {"read": len(originals) + 1, "kept": len(kept), "rejected": len(rejected), "quarantined": 1}
    assert d["read"] == d["kept"] + d["rejected"] + d["quarantined"]
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk["documents"] == d and on_disk["dedup"]["duplicates"] == {"exact": 1, "near": 1}
    assert on_disk["bytes"]["kept"] == sum(len(r["text"].encode()) for r in kept)
    assert sum(v.get("kept", 0) for v in on_disk["languages"].values()) == len(kept)
    # signals/: every kept or rejected document in input order, with where it is now
    streams = {"kept": iter(kept), "rejected": iter(rejected)}
    for sig, note in zip(signals, notes, strict=True):
        assert next(streams[sig["kind"]])["id"] == sig["id"] == note["id"]
        assert note["kind"] == sig["kind"]
    assert [r["id"] for r in rejected][0] == "short-3"  # input order: the run's rejection came first
    assert notes[3] == {"id": "short-3", "stage": "rejected", "kind": "rejected"}
    vi = by_id(notes)["vi-05"]
    assert vi["stage"] == "kept" and vi["kind"] == "kept" and vi["cluster_size"] == 1
    assert [e["reason"] for e in vi["edits"]] == ["repeated-line"]
    assert quarantine[0]["error"].startswith("JSONDecodeError")
    # what `tamis apply` reads: signals/ zipped with kept/ and rejected/
    from tamis.commands import iter_run

    assert [rec["id"] for _, rec in iter_run(str(out))] == [x["id"] for x in signals]
    assert not (out / "_stage").exists() and (out / "_dedup_index" / "state.json").exists()


def test_same_input_gives_byte_identical_shards(tmp_path, cfg):
    write_run(tmp_path / "run", base_docs())
    def shards(out: Path) -> dict[str, bytes]:
        return {f"{part}/{Path(p).name}": Path(p).read_bytes()
                for part in ("kept", "rejected", "quarantine", "signals", "dedup") for p in list_shards(str(out / part))}

    outs = []
    for k in range(2):
        run_dedup(str(tmp_path / "run"), str(tmp_path / f"out{k}"), cfg, progress=False)
        outs.append(shards(tmp_path / f"out{k}"))
    assert outs[0] == outs[1] and len(outs[0]) == 5
    # and again into the same folder: its own index is rebuilt, the output is the same
    run_dedup(str(tmp_path / "run"), str(tmp_path / "out0"), cfg, progress=False)
    assert shards(tmp_path / "out0") == outs[0]


def test_incremental_run_against_an_earlier_index(tmp_path, cfg):
    # run 1: eight documents of the site (the credit line is not yet repeated enough) and the Arabic article
    write_run(tmp_path / "run1", vi_site_docs(range(1, 9)) + [doc("ar-a", AR_TEXT, site="alkhabar.example",
                                                                 lang="ar")], rejected_at=())
    s1 = run_dedup(str(tmp_path / "run1"), str(tmp_path / "out1"), cfg, progress=False)
    assert s1["dedup"]["repeated_lines"]["lines"] == 0 and s1["dedup"]["duplicates"] == {"exact": 0, "near": 0}
    index = tmp_path / "out1" / "_dedup_index"
    # run 2: four more documents of the site, a longer copy of run 1's Arabic article, a new document
    longer = doc("ar-new", AR_TEXT + "\nوأضاف أن العمل جار على افتتاح مستشفيين آخرين في المنطقة الشرقية.",
                 site="alkhabar.example", lang="ar")
    write_run(tmp_path / "run2", vi_site_docs(range(9, 13)) + [longer, doc("zh-1", ZH_TEXT, lang="zh")],
              rejected_at=())
    s2 = run_dedup(str(tmp_path / "run2"), str(tmp_path / "out2"), cfg, index_dir=str(index), incremental=True,
                   progress=False)
    kept, rejected = by_id(read_part(tmp_path / "out2", "kept")), by_id(read_part(tmp_path / "out2", "rejected"))
    assert set(kept) == {"vi-09", "vi-10", "vi-11", "vi-12", "zh-1"}
    # run 1 published ar-a: the new copy is the duplicate although it is longer
    (dup,) = rejected["ar-new"]["reasons"]
    assert dup["duplicate_of"] == "ar-a" and dup["kind"] == "near" and dup["cluster_size"] == 2
    # 8 + 4 documents of the site now hold the credit line: removed from the new ones
    for i in range(9, 13):
        (e,) = [e for e in kept[f"vi-{i:02d}"]["edits"] if e["reason"] == "repeated-line"]
        assert e["values"] == {"docs": 12, "site": SITE}
    ix = s2["dedup"]["index"]
    assert ix["earlier_documents"] == 9 and ix["documents"] == 15 and ix["runs"] == 2 and ix["incremental"]
    assert s2["documents"]["read"] == 6 + 1 and s2["documents"]["kept"] == 5


def test_incremental_needs_a_matching_index(tmp_path, cfg):
    from tamis.run.dedup import DedupError

    write_run(tmp_path / "run", vi_site_docs(range(1, 3)))
    with pytest.raises(DedupError, match="no dedup index"):
        run_dedup(str(tmp_path / "run"), str(tmp_path / "out"), cfg, index_dir=str(tmp_path / "none"),
                  incremental=True, progress=False)
    run_dedup(str(tmp_path / "run"), str(tmp_path / "out"), cfg, progress=False)
    other = {**cfg, "dedup": {**cfg["dedup"], "min_similarity": 0.8}}
    with pytest.raises(DedupError, match="dedup.min_similarity"):
        run_dedup(str(tmp_path / "run"), str(tmp_path / "out2"), other, index_dir=str(tmp_path / "out" / "_dedup_index"),
                  incremental=True, progress=False)
    with pytest.raises(DedupError, match="not empty"):  # an explicit index folder is never wiped
        run_dedup(str(tmp_path / "run"), str(tmp_path / "out3"), cfg, index_dir=str(tmp_path / "out" / "_dedup_index"),
                  progress=False)


def test_parts_can_be_switched_off(tmp_path, cfg):
    write_run(tmp_path / "run", base_docs())
    only_lines = {**cfg, "dedup": {**cfg["dedup"], "exact": False, "near": False}}
    s = run_dedup(str(tmp_path / "run"), str(tmp_path / "out"), only_lines, progress=False)
    assert s["dedup"]["duplicates"] == {"exact": 0, "near": 0} and s["dedup"]["repeated_lines"]["lines"] == 12
    only_dups = {**cfg, "dedup": {**cfg["dedup"], "repeated_lines": False}}
    s = run_dedup(str(tmp_path / "run"), str(tmp_path / "out2"), only_dups, progress=False)
    assert s["dedup"]["duplicates"] == {"exact": 1, "near": 1} and s["dedup"]["repeated_lines"]["lines"] == 0
    assert all(CREDIT in r["text"] for r in read_part(tmp_path / "out2", "kept") if r["id"].startswith("vi-"))


def test_without_a_site_only_repeated_lines_at_the_edges_go(tmp_path, cfg):
    heading = "Ưu điểm"  # "Pros": a heading inside each text, shared by many documents of many sites
    docs = []
    for i, body in enumerate(VI_BODIES[:11], 1):
        first, second = body.split("\n")
        docs.append(doc(f"vi-{i:02d}", f"{first}\n{heading}\n{second}", credit=True))  # no site, no url
    write_run(tmp_path / "run", docs, rejected_at=())
    run_dedup(str(tmp_path / "run"), str(tmp_path / "out"), cfg, progress=False)
    kept = read_part(tmp_path / "out", "kept")
    assert len(kept) == 11
    assert all(heading in r["text"] and CREDIT not in r["text"] for r in kept)
    anywhere = {**cfg, "dedup": {**cfg["dedup"], "line_edges_without_site": False}}
    run_dedup(str(tmp_path / "run"), str(tmp_path / "out2"), anywhere, progress=False)
    assert all(heading not in r["text"] and CREDIT not in r["text"] for r in read_part(tmp_path / "out2", "kept"))
    with_site = [doc(f"vi-{i:02d}", f"{b.split(chr(10))[0]}\n{heading}\n{b.split(chr(10))[1]}", site=SITE,
                     credit=True) for i, b in enumerate(VI_BODIES[:11], 1)]
    write_run(tmp_path / "run3", with_site, rejected_at=())
    run_dedup(str(tmp_path / "run3"), str(tmp_path / "out3"), cfg, progress=False)
    assert all(heading not in r["text"] for r in read_part(tmp_path / "out3", "kept"))  # a site's template line


def test_digits_tell_repeated_lines_apart_only_when_configured(tmp_path, cfg):
    docs = [doc(f"vi-{i:02d}", f"{VI_BODIES[i - 1]}\nẢnh: Hoàng Long {i}/3", site=SITE) for i in range(1, 12)]
    write_run(tmp_path / "run", docs, rejected_at=())
    run_dedup(str(tmp_path / "run"), str(tmp_path / "out"), cfg, progress=False)
    assert all("Ảnh:" not in r["text"] for r in read_part(tmp_path / "out", "kept"))
    exact_digits = {**cfg, "dedup": {**cfg["dedup"], "line_fold_digits": False}}
    run_dedup(str(tmp_path / "run"), str(tmp_path / "out2"), exact_digits, progress=False)
    assert all("Ảnh:" in r["text"] for r in read_part(tmp_path / "out2", "kept"))
    # an index written before the setting existed was built with digits folded: it still serves
    state_file = tmp_path / "out" / "_dedup_index" / "state.json"
    state = json.loads(state_file.read_text())
    del state["settings"]["line_fold_digits"]
    state_file.write_text(json.dumps(state))
    write_run(tmp_path / "run2", [doc("vi-12", VI_BODIES[11] + "\nẢnh: Hoàng Long 12/3", site=SITE)], rejected_at=())
    s2 = run_dedup(str(tmp_path / "run2"), str(tmp_path / "out3"), cfg, index_dir=str(tmp_path / "out" / "_dedup_index"),
                   incremental=True, progress=False)
    assert s2["dedup"]["repeated_lines"]["lines"] == 1
    from tamis.run.dedup import DedupError

    with pytest.raises(DedupError, match="line_fold_digits: True there, False now"):
        run_dedup(str(tmp_path / "run2"), str(tmp_path / "out4"), exact_digits,
                  index_dir=str(tmp_path / "out" / "_dedup_index"), incremental=True, progress=False)


def test_a_document_left_empty_is_rejected_by_the_rules(tmp_path, cfg):
    docs = vi_site_docs(range(1, 12))
    docs.append(doc("vi-only-credit", "Xem thêm", site=SITE, credit=True))  # all that stays is boilerplate
    docs[-1]["record"]["text"] = CREDIT
    docs[-1]["original"] = CREDIT
    docs[-1]["record"]["edits"] = []
    write_run(tmp_path / "run", docs, rejected_at=())
    s = run_dedup(str(tmp_path / "run"), str(tmp_path / "out"), cfg, progress=False)
    rejected = by_id(read_part(tmp_path / "out", "rejected"))
    rec = rejected["vi-only-credit"]
    assert rec["text"] == "" and {r["rule"] for r in rec["reasons"]} >= {"min_chars"}
    assert rebuild_original(rec["text"], [Edit.from_json(e) for e in rec["edits"]]) == CREDIT
    assert s["dedup"]["rejected_after_line_removal"] == {"vi": 1}
    assert s["documents"]["read"] == s["documents"]["kept"] + s["documents"]["rejected"] + 1


def test_parquet_runs_keep_one_schema(tmp_path, cfg):
    write_run(tmp_path / "run", base_docs(), fmt="parquet")
    run_dedup(str(tmp_path / "run"), str(tmp_path / "out"), cfg, progress=False)
    for part in ("kept", "rejected", "signals", "dedup", "quarantine"):  # one schema: one shard each
        assert [Path(p).name for p in list_shards(str(tmp_path / "out" / part))] == ["00000.parquet"], part
    kept = by_id(read_part(tmp_path / "out", "kept"))
    assert kept["zh-1"]["cluster_id"] is None and kept["zh-1"]["cluster_size"] == 1


# --- the edit helpers -------------------------------------------------------------------------------


class Span:
    def __init__(self, line, start, end, kind="line", count=10):
        self.line, self.start, self.end, self.kind, self.count = line, start, end, kind, count


def removed(text, spans):
    rem = line_removals(text, spans, lambda s: {"docs": s.count, "site": None})
    out, pos = [], 0
    for a, b, _, _ in rem:
        out.append(text[pos:a])
        pos = b
    return "".join(out) + text[pos:], [r[2] for r in rem]


def test_line_removals_leave_no_doubled_or_dangling_blank_lines():
    assert removed("A\n\nB\n\nC", [Span(2, 0, 1)]) == ("A\n\nC", ["repeated-line", "blank-line"])
    assert removed("A\nB\nC", [Span(1, 0, 1)]) == ("A\nC", ["repeated-line"])
    assert removed("A\n\nB", [Span(2, 0, 1)]) == ("A", ["blank-line", "repeated-line"])
    assert removed("B\n\nA", [Span(0, 0, 1)]) == ("A", ["repeated-line", "blank-line"])
    assert removed("B", [Span(0, 0, 1)]) == ("", ["repeated-line"])
    # an edge sentence goes with the space that joined it to the line
    line = "Giá xăng giảm mạnh từ chiều nay. Theo VTC14"
    assert removed(line, [Span(0, 33, 43, "sentence")])[0] == "Giá xăng giảm mạnh từ chiều nay."
    assert removed("Ảnh: TTXVN. Giá xăng giảm.", [Span(0, 0, 11, "sentence")])[0] == "Giá xăng giảm."


def _random_spans(rng: random.Random, size: int, gap: int, width: int, step: int) -> list[tuple[int, int]]:
    """Sorted, disjoint, non-empty [a, b) spans inside range(size)."""
    spans, pos = [], 0
    while (a := pos + rng.randint(0, gap)) < size:
        b = min(size, a + rng.randint(1, width))
        spans.append((a, b))
        pos = b + rng.randint(0, step)
    return spans


def test_compose_removals_keeps_earlier_edits_and_rebuilds_the_original():
    rng = random.Random(7)
    alphabet = "ab \n\u0301é"
    for _ in range(400):
        original = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        # earlier edits: removals and replacements of the original, sorted and disjoint
        edits = [Edit(a, b, original[a:b], rng.choice(["", "X", "YZ"]), rng.choice(["r1", "r2"]))
                 for a, b in _random_spans(rng, len(original), 6, 5, 3)]
        cleaned = apply_edits(original, edits)
        # new removals on the cleaned text
        rem = [(a, b, "new", {}) for a, b in _random_spans(rng, len(cleaned), 5, 6, 2)]
        new_text = "".join(cleaned[p:q] for p, q in zip([0] + [b for _, b, _, _ in rem],
                                                        [a for a, _, _, _ in rem] + [len(cleaned)]))
        out = compose_removals(edits, rem, original, cleaned)
        assert apply_edits(original, out) == new_text
        assert rebuild_original(new_text, out) == original
        assert all(x.end <= y.start for x, y in zip(out, out[1:]))
        # every earlier removal survives as its own edit
        for e in edits:
            if not e.repl:
                assert e in out


@pytest.mark.parametrize("setting, key", [
    ("min_similarity: 1.5", "dedup.min_similarity"),
    ("keep: [-quality]", "dedup.keep"),
    ("near_dup: true", "dedup.near_dup"),
    ("exact: 'yes'", "dedup.exact"),
])
def test_config_values_are_checked(tmp_path, setting, key):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"dedup:\n  {setting}\n")
    with pytest.raises(ConfigError, match=key):
        load_config(bad)
