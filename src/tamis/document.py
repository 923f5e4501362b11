"""The records that travel through the pipeline.

A `Document` is what a reader yields; it never changes its `text` (the original). Stages add to
`Document.state`, a `DocState` holding the normalized text, its lines, signals and the decisions of
the policy. An `Edit` is one replaced span of the *original* text; a document's edits, sorted and
non-overlapping, turn the original into the cleaned text and back again (see `tamis.edits`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Edit:
    """Original text[start:end] (`orig`) was replaced by `repl` ("" for a removal) because of `reason`."""

    start: int
    end: int
    orig: str
    repl: str
    reason: str
    values: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "reason": self.reason, "text": self.orig}
        if self.repl:
            out["repl"] = self.repl
        if self.values:
            out["values"] = self.values
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Edit":
        return cls(d["start"], d["end"], d["text"], d.get("repl", ""), d["reason"], d.get("values", {}))


@dataclass(slots=True)
class Document:
    """One input document as read: `text` is the original, `meta` the fields passed through."""

    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # file path or URL the document came from
    position: int = 0  # 1-based line (JSONL), 0-based row (Parquet) or record index (WET)
    state: Any = None  # DocState once the pipeline has started on it


@dataclass(slots=True)
class Quarantined:
    """An input record that could not become a Document, with where and why."""

    source: str
    position: int
    error: str
    id: str | None = None
    raw: str | None = None  # a prefix of the offending input, for the user to look at
