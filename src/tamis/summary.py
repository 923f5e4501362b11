"""Run counts that reconcile: every document read is kept, rejected or quarantined, exactly once."""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the pipeline's models are not needed to count
    from tamis.pipeline import Result


class Summary:
    def __init__(self) -> None:
        self.docs: Counter[str] = Counter()
        self.bytes: Counter[str] = Counter()
        self.by_lang: dict[str, Counter[str]] = defaultdict(Counter)
        self.removed: dict[str, Counter[str]] = defaultdict(Counter)
        self.rejected_by_rule: dict[str, Counter[str]] = defaultdict(Counter)
        self.quarantined_by_error: Counter[str] = Counter()

    def add(self, r: Result) -> None:
        self.docs["read"] += 1
        self.docs[r.kind] += 1
        self.bytes["in"] += r.bytes_in
        if r.kind == "quarantined":
            self.quarantined_by_error[r.record["error"].split(":", 1)[0]] += 1
            return
        self.bytes[r.kind] += r.bytes_out
        lang = self.by_lang[r.lang]
        lang["read"] += 1
        lang[r.kind] += 1
        lang["bytes_in"] += r.bytes_in
        lang[f"bytes_{r.kind}"] += r.bytes_out
        for reason, (lines, chars) in r.removed.items():
            self.removed[reason]["lines"] += lines
            self.removed[reason]["chars"] += chars
            self.removed[reason]["documents"] += 1
        for failure in r.record.get("reasons", []):
            self.rejected_by_rule[failure["rule"]][r.lang] += 1

    _PARTS = ("docs", "bytes", "by_lang", "removed", "rejected_by_rule", "quarantined_by_error")

    def state(self) -> dict[str, Any]:
        """Every count, as JSON, in insertion order (a resumed run's summary is then byte-identical)."""
        return {k: getattr(self, k) for k in self._PARTS}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> "Summary":
        s = cls()
        s.docs, s.bytes = Counter(state["docs"]), Counter(state["bytes"])
        s.quarantined_by_error = Counter(state["quarantined_by_error"])
        for k in ("by_lang", "removed", "rejected_by_rule"):
            setattr(s, k, defaultdict(Counter, {key: Counter(v) for key, v in state[k].items()}))
        return s

    def check(self) -> None:
        d = self.docs
        assert d["read"] == d["kept"] + d["rejected"] + d["quarantined"], "summary counts do not reconcile"

    def to_json(self, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        self.check()
        out: dict[str, Any] = {
            "documents": {k: self.docs[k] for k in ("read", "kept", "rejected", "quarantined")},
            "bytes": {k: self.bytes[k] for k in ("in", "kept", "rejected")},
            "languages": {k: dict(v) for k, v in sorted(self.by_lang.items(), key=lambda kv: -kv[1]["read"])},
            "removed": {k: dict(v) for k, v in sorted(self.removed.items())},
            "rejected_by_rule": {k: dict(v) for k, v in sorted(self.rejected_by_rule.items())},
            "quarantined_by_error": dict(sorted(self.quarantined_by_error.items())),
        }
        out.update(extra or {})
        return out

    def write(self, path: str, extra: dict[str, Any] | None = None) -> None:
        write_json_atomic(path, self.to_json(extra), indent=2)


def write_json_atomic(path: str, data: Any, indent: int | None = None) -> None:
    """Write JSON so that a reader (or a run killed meanwhile) sees the old file or the new, never half."""
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=indent)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
