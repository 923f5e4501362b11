"""A document as the inspector shows it: the original text, line by line, with every removed span
struck through and labelled with its reason and values, repairs shown as old → new, kept text plain.

Everything from the document is escaped. Each line is its own `dir="auto"` block, so Arabic or
Hebrew lines read right to left and the others left to right, in the same document.
"""

from __future__ import annotations

import html
from typing import Any

from tamis.document import Edit

esc = html.escape


def values_label(values: dict[str, Any]) -> str:
    """An edit's values as short text: "score 0.0078 < min 0.36", "docs 26", "lang en 0.97"."""
    if not values:
        return ""
    if "score" in values and "min" in values:
        return f"score {values['score']} < min {values['min']}"
    return ", ".join(f"{k} {v}" for k, v in values.items() if v is not None)


def render_document(cleaned: str, edits: list[Edit]) -> str:
    """HTML of the original text (rebuilt from `cleaned` and `edits`) with the edits marked."""
    # Segments of the original text: (text, index of the edit or None).
    segs: list[tuple[str, int | None]] = []
    pos_clean = pos_orig = 0
    for i, e in enumerate(edits):
        gap = e.start - pos_orig
        segs.append((cleaned[pos_clean:pos_clean + gap], None))
        segs.append((e.orig, i))
        pos_clean += gap + len(e.repl)
        pos_orig = e.end
    segs.append((cleaned[pos_clean:], None))

    lines: list[list[str]] = [[]]
    removed_only: list[bool] = [True]  # whether every visible piece of the line was removed

    def put(piece: str, removed: bool) -> None:
        lines[-1].append(piece)
        if not removed:
            removed_only[-1] = False

    for text, i in segs:
        if i is None:
            for k, part in enumerate(text.split("\n")):
                if k:
                    lines.append([]), removed_only.append(True)
                if part:
                    put(esc(part), False)
            continue
        e = edits[i]
        reason = esc(e.reason)
        tag = (f'<span class="tag" dir="ltr" data-reason="{reason}">{reason}'
               + (f' <small>{esc(values_label(e.values))}</small>' if e.values else "") + "</span>")
        if e.repl:  # a repair: show what was there and what replaced it
            shown = esc(e.orig.replace("\n", "⏎").replace("\r", "␍")) or "∅"
            new = esc(e.repl.replace("\n", "⏎").replace("\r", "␍"))
            put(f'<span class="fix" id="e{i}" title="{reason}"><del>{shown}</del><ins>{new}</ins></span>{tag}', False)
            continue
        parts = e.orig.split("\n")
        # The label goes on the first piece with visible text (a span often starts with the line
        # break that ended the line before it); a span of line breaks only is labelled on its first.
        visible = [k for k, part in enumerate(parts) if part.strip()]
        label_at = visible[0] if visible else 0
        for k, part in enumerate(parts):
            if k:
                lines.append([]), removed_only.append(True)
            if not part and k == len(parts) - 1 and k != label_at:
                continue  # the span ended with its line break
            anchor = f' id="e{i}"' if k == label_at else ""
            if part.strip():
                put(f'<del class="rm" data-reason="{reason}"{anchor}>{esc(part)}</del>', True)
            else:  # a removed line break or blank line, shown as a small mark
                put(f'<del class="rm nl" data-reason="{reason}"{anchor}>{esc(part)}⏎</del>', True)
            if k == label_at:
                put(tag, True)
    out = []
    for pieces, gone in zip(lines, removed_only):
        if not pieces:
            out.append('<div class="ln empty">&#8203;</div>')
            continue
        cls = "ln gone" if gone else "ln"
        out.append(f'<div class="{cls}" dir="auto">{"".join(pieces)}</div>')
    return "".join(out)  # no text between the blocks: the container keeps white space
