"""`tamis apply`: re-deciding a finished run from its stored signals."""

import filecmp
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from tamis.cli import main
from tamis.commands import iter_records, load_policy
from tamis.commands.apply import run_apply
from tamis.run.local import RunOptions, run_clean
from tamis.segment.words import count_words

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample" / "docs"

EXTRA = [  # junk to have rejections, with metadata to pass through
    {"id": "nav-vi", "title": "Trang chủ", "url": "http://example.vn/",
     "text": "Trang chủ\nThời sự\nThế giới\nKinh doanh\nGiải trí\nThể thao\nPháp luật\nGiáo dục\nSức khỏe"},
    {"id": "spam-en", "title": "cheap", "url": None,
     "text": "cheap flights, cheap flights london, cheap flights paris, cheap hotels, cheap hotels london, "
             "cheap flights deals, best cheap flights, cheap holidays, cheap flights new york, cheap car hire"},
    {"id": "brief-vi", "title": "Xe buýt", "url": "http://example.vn/a",
     "text": "Từ ngày 1/7, Đà Nẵng đưa vào khai thác hai tuyến xe buýt nối trung tâm thành phố với sân bay quốc tế. "
             "Mỗi tuyến có tám xe chạy từ 5 giờ sáng đến 22 giờ, giá vé 8.000 đồng một lượt. Sở Giao thông vận tải "
             "cho biết sẽ đánh giá hiệu quả sau ba tháng để điều chỉnh lộ trình."},
]


def _inputs(tmp: Path) -> list[str]:
    lines = [json.dumps({"id": p.stem, "title": p.stem, "text": p.read_text("utf-8")}, ensure_ascii=False)
             for p in sorted(SAMPLE.glob("*.txt"))]
    lines += [json.dumps(d, ensure_ascii=False) for d in EXTRA]
    lines.insert(3, "{not json")  # one record the reader quarantines
    path = tmp / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [str(path)]


def _shards(out: Path, part: str) -> list[bytes]:
    return [p.read_bytes() for p in sorted((out / part).iterdir()) if not p.name.startswith(".")]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("apply")
    cfg = load_policy(None)
    out = tmp / "out"
    run_clean(_inputs(tmp), str(out), cfg, RunOptions(progress=False))
    return tmp, out, cfg


def test_same_policy_reproduces_the_run_byte_for_byte(run):
    tmp, out, cfg = run
    out2 = tmp / "again"
    report = run_apply(str(out), str(out2), cfg)
    for part in ("kept", "rejected", "signals", "quarantine"):
        assert _shards(out2, part) == _shards(out, part), part
    assert report.docs == len(EXTRA) + len(list(SAMPLE.glob("*.txt")))
    assert not report.docs_to_rejected and not report.docs_to_kept and not report.docs_edits_changed
    old, new = (json.loads((d / "summary.json").read_text()) for d in (out, out2))
    for key in ("documents", "bytes", "languages", "removed", "rejected_by_rule", "quarantined_by_error"):
        assert new[key] == old[key], key


def test_meta_passes_through(run):
    tmp, out, cfg = run
    records = {r["id"]: r for part in ("kept", "rejected") for r in iter_records(str(out), part)}
    assert records["brief-vi"]["title"] == "Xe buýt" and records["brief-vi"]["url"] == "http://example.vn/a"


def test_a_stricter_policy_rejects_more_and_round_trips(run, tmp_path):
    tmp, out, cfg = run
    policy = tmp_path / "strict.yaml"
    policy.write_text(yaml.safe_dump({"policy": {"documents": {"default": {"min_words": {"signal": "words", "min": 250}}}}}))
    strict = load_policy(str(policy))
    out2 = tmp_path / "strict"
    report = run_apply(str(out), str(out2), strict)
    moved = sum(report.docs_to_rejected.values())
    assert moved > 0 and not report.docs_to_kept
    assert all(set(rules) == {"min_words"} for rules in report.to_rejected.values())
    rejected = list(iter_records(str(out2), "rejected"))
    assert any(f["rule"] == "min_words" and f["min"] == 250 for r in rejected for f in r["reasons"])
    # Applying the run's own policy to the re-decided folder gives the original run back.
    back = tmp_path / "back"
    run_apply(str(out2), str(back), cfg)
    for part in ("kept", "rejected", "signals"):
        assert _shards(back, part) == _shards(out, part), part


def test_a_line_policy_change_changes_edits_and_signals(run, tmp_path):
    tmp, out, cfg = run
    strict = load_policy(None)
    strict["policy"]["lines"]["min_content_score"] = 0.995
    report = run_apply(str(out), str(tmp_path / "lines"), strict)
    assert sum(report.docs_edits_changed.values()) > 0
    assert any(n > 0 for reasons in report.edits_added.values() for n in reasons.values())
    old = {r["id"]: r for part in ("kept", "rejected") for r in iter_records(str(out), part)}
    new = [r for part in ("kept", "rejected") for r in iter_records(str(tmp_path / "lines"), part)]
    changed = [r for r in new if r["text"] != old[r["id"]]["text"]]
    assert changed
    for r in changed:  # document signals are computed afresh for a changed text, not reused
        assert r["signals"]["chars"] == len(r["text"]) and r["signals"]["words"] == count_words(r["text"])


def test_dry_run_reports_per_language_and_rule_and_writes_nothing(run, tmp_path, capsys):
    tmp, out, cfg = run
    policy = tmp_path / "p.yaml"
    policy.write_text("documents:\n  vi:\n    min_words: {signal: words, min: 500}\n")  # bare section is accepted
    dest = tmp_path / "never"
    assert main(["apply", str(out), "--policy", str(policy), "--dry-run", "-o", str(dest)]) == 0
    text = capsys.readouterr().out
    assert "kept→rejected" in text and "min_words" in text and "vi" in text
    assert not dest.exists()


@pytest.mark.parametrize("args, message", [
    (["apply", "{tmp}/missing", "-o", "{tmp}/x"], "no such folder"),
    (["apply", "{out}", "-o", "{out}"], "must differ"),
    (["apply", "{out}"], "-o OUT2"),
    (["apply", "{out}", "--policy", "{tmp}/bad.yaml", "-o", "{tmp}/y"], "policy.documents.vi.max_words"),
])
def test_cli_errors_exit_2_and_name_the_problem(run, tmp_path, capsys, args, message):
    tmp, out, cfg = run
    (tmp_path / "bad.yaml").write_text("policy:\n  documents:\n    vi:\n      max_words: {signal: words, min: 3}\n")
    argv = [a.format(tmp=tmp_path, out=out) for a in args]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_parquet_runs_reproduce_too(tmp_path):
    cfg = load_policy(None)
    src = tmp_path / "in"
    src.mkdir()
    for p in sorted(SAMPLE.glob("vi-*.txt")):
        shutil.copy(p, src / p.name)
    out, out2 = tmp_path / "out", tmp_path / "out2"
    run_clean([str(src)], str(out), cfg, RunOptions(fmt="parquet", progress=False))
    run_apply(str(out), str(out2), cfg)
    for part in ("kept", "rejected", "signals"):
        names = sorted(os.listdir(out / part))
        assert names == sorted(os.listdir(out2 / part))
        assert all(n.endswith(".parquet") for n in names)
        assert filecmp.cmpfiles(out / part, out2 / part, names, shallow=False)[0] == names


# A site's articles with a footer repeated across them, and a copy of one article: what the corpus
# stage of `tamis clean` (dedup) removes and drops, and `tamis apply` must replay.
SITE_BODIES = [
    "Sở Y tế thành phố cho biết số ca sốt xuất huyết tuần qua giảm gần một nửa so với tuần trước. Các phường ven sông vẫn là nơi có nhiều ca bệnh nhất.",
    "Đội tuyển bóng chuyền nữ của tỉnh giành huy chương vàng tại giải vô địch khu vực. Huấn luyện viên trưởng cảm ơn người hâm mộ đã đến sân cổ vũ suốt giải đấu.",
    "Giá rau xanh tại các chợ đầu mối tăng mạnh sau đợt mưa lớn kéo dài. Nhiều tiểu thương cho biết nguồn hàng từ các tỉnh lân cận về ít hơn thường lệ.",
    "Trường đại học tổ chức ngày hội việc làm với hơn tám mươi doanh nghiệp tham gia. Sinh viên năm cuối được phỏng vấn trực tiếp ngay tại gian hàng.",
    "Cảnh sát giao thông ra quân kiểm tra nồng độ cồn trên các tuyến quốc lộ dịp cuối tuần. Hơn ba trăm trường hợp vi phạm đã bị lập biên bản xử lý.",
    "Nhà hát thành phố công diễn vở kịch mới về cuộc đời một nhà giáo vùng cao. Vé của ba đêm diễn đầu tiên đã được bán hết chỉ sau hai ngày.",
    "Công ty cấp nước thông báo tạm ngừng cung cấp nước ở hai quận trung tâm để sửa đường ống. Người dân được khuyến cáo chủ động trữ nước từ tối hôm trước.",
    "Thư viện tỉnh mở thêm phòng đọc dành cho thiếu nhi với hàng nghìn đầu sách tranh. Phòng đọc mở cửa miễn phí vào tất cả các ngày cuối tuần.",
    "Nông dân huyện ven biển bắt đầu thu hoạch vụ muối đầu tiên trong năm. Giá muối năm nay cao hơn năm ngoái nên bà con rất phấn khởi.",
    "Bệnh viện đa khoa tỉnh đưa vào sử dụng hệ thống đặt lịch khám bệnh qua điện thoại. Thời gian chờ đợi của bệnh nhân giảm đáng kể sau một tháng áp dụng.",
    "Ban quản lý di tích trùng tu mái ngói của ngôi đình cổ hơn hai trăm năm tuổi. Công trình dự kiến hoàn thành trước lễ hội truyền thống của làng.",
    "Hội chợ hàng nông sản an toàn thu hút đông đảo người dân đến tham quan và mua sắm. Nhiều sản phẩm đặc sản địa phương được giới thiệu lần đầu.",
]
FOOTER = "Mời quý độc giả gửi ý kiến đóng góp về bài viết cho tòa soạn Báo Sông Hồng qua thư điện tử."


@pytest.fixture(scope="module")
def staged_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("staged")
    docs = [{"id": f"song-hong-{i:02d}", "site": "songhong.example", "text": f"{body}\n{FOOTER}"}
            for i, body in enumerate(SITE_BODIES)]
    docs.append({**docs[3], "id": "song-hong-copy"})  # the same article under another id
    src = tmp / "site.jsonl"
    src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    cfg = load_policy(None)
    out = tmp / "out"
    run_clean([str(src)], str(out), cfg, RunOptions(progress=False))
    return tmp, out, cfg


def test_runs_with_the_corpus_stage_reproduce_too(staged_run):
    tmp, out, cfg = staged_run
    assert (out / "dedup").is_dir()
    rejected = list(iter_records(str(out), "rejected"))
    assert [f["rule"] for r in rejected for f in r["reasons"]] == ["duplicate"]
    out2 = tmp / "again"
    run_apply(str(out), str(out2), cfg)
    for part in ("kept", "rejected", "signals", "dedup"):
        assert _shards(out2, part) == _shards(out, part), part


def test_a_copy_stays_dropped_under_a_new_policy(staged_run, tmp_path):
    tmp, out, cfg = staged_run
    loose = load_policy(None)
    # Articles have 29-34 words once the footer is gone (52 with it): the rule is checked again
    # after the stage removes the repeated line, as the stage itself does.
    loose["policy"]["documents"]["default"]["min_words"] = {"signal": "words", "min": 32}
    out2 = tmp_path / "loose"
    report = run_apply(str(out), str(out2), loose)
    rejected = {r["id"]: r for r in iter_records(str(out2), "rejected")}
    kept = list(iter_records(str(out2), "kept"))
    assert [f["rule"] for f in rejected.pop("song-hong-copy")["reasons"]] == ["duplicate"]
    assert kept and rejected and sum(report.docs_to_rejected.values()) == len(rejected)
    for r in rejected.values():
        assert [f["rule"] for f in r["reasons"]] == ["min_words"] and "cluster_size" not in r
        assert FOOTER not in r["text"] and r["signals"]["words"] < 32
    assert all(FOOTER not in r["text"] and r["cluster_size"] == 1 for r in kept)
