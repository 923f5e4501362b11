"""Document-level signals of the cleaned text (numbers, stored with the record)."""

from __future__ import annotations

from typing import Any

from tamis.segment.words import count_words


def document_signals(cleaned: str, original_chars: int, kept_lines: int, total_lines: int,
                     lang_score: float) -> dict[str, Any]:
    chars = len(cleaned)
    return {
        "chars": chars,
        "words": count_words(cleaned),
        "lines": kept_lines,
        "lang_score": round(lang_score, 4),
        "removed_char_frac": round(1 - chars / original_chars, 4) if original_chars else 0.0,
        "removed_line_frac": round(1 - kept_lines / total_lines, 4) if total_lines else 0.0,
    }
