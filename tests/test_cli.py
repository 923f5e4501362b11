import json

import pytest

from tamis.cli import main


def test_help_lists_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "clean" in capsys.readouterr().out


def test_missing_input_is_a_usage_error(tmp_path, capsys):
    assert main(["clean", str(tmp_path / "nope"), "-o", str(tmp_path / "out")]) == 2
    assert "no such input" in capsys.readouterr().err


def test_invalid_config_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Một đoạn văn bản.\n", encoding="utf-8")
    cfg = tmp_path / "c.yaml"
    cfg.write_text("policy:\n  lines:\n    min_content_score: high\n")
    assert main(["clean", str(tmp_path), "-o", str(tmp_path / "out"), "-c", str(cfg)]) == 2
    assert "policy.lines.min_content_score" in capsys.readouterr().err


def test_bad_records_are_quarantined_and_counts_reconcile(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(
        '{"id": "a", "text": "Giá vàng hôm nay tăng mạnh. Nhiều người đổ xô đi mua vàng.", "site": "x"}\n'
        "not json\n"
        '{"id": "c"}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "--no-progress"]) == 0
    s = json.loads((out / "summary.json").read_text())
    assert s["documents"] == {"read": 3, "kept": 1, "rejected": 0, "quarantined": 2}


def test_workers_give_the_same_output(tmp_path):
    src = tmp_path / "in.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for i in range(40):
            fh.write(json.dumps({"id": f"d{i}", "text": f"Trang chủ\nBài số {i}: hôm nay trời mưa rất to ở Hà Nội, "
                                 "nhiều tuyến phố bị ngập sâu.\nBình luận (0)"}, ensure_ascii=False) + "\n")
    outs = []
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        assert main(["clean", str(src), "-o", str(out), "-w", str(workers), "--batch-size", "8", "--no-progress"]) == 0
        outs.append(sorted((p.name, p.read_bytes()) for p in (out / "kept").iterdir()))
    assert outs[0] == outs[1]
