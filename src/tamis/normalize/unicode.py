"""Unicode repair: line ends, mojibake, control characters, NFC — each change recorded as an Edit.

Every edit stays inside one line (or is the line break itself), which lets later stages remove whole
lines of the normalized text and still map them back exactly onto the original (see `compose`).
ftfy is precise but costs ~100 µs a line, so it only sees lines a cheap regex flags as suspect.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


from tamis.document import Edit

# A UTF-8 lead byte read as Latin-1/cp1252 followed by a continuation byte read the same way, an
# HTML entity, a C1 control or a terminal escape: the marks of text ftfy can repair.
_CONTINUATION = (r"[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                 r"\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")
_SUSPECT = re.compile(
    r"[\u00c2-\u00f4]" + _CONTINUATION
    + r"|&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});|[\u0080-\u009f]|\x1b\["
)
_CONTINUATION_CHAR = re.compile(_CONTINUATION)


def _suspect(text: str) -> bool:
    """_SUSPECT.search(text) is not None, faster: Vietnamese puts a lead-byte look-alike (à, ê, ô)
    at every few characters, where the pattern must try its first branch; a continuation
    look-alike (curly quotes, dashes, C1 controls) is rarer, so look back from those instead."""
    if "&" in text or "\x1b" in text:
        return _SUSPECT.search(text) is not None
    for m in _CONTINUATION_CHAR.finditer(text):
        i = m.start()
        if "\u0080" <= text[i] <= "\u009f" or (i and "\u00c2" <= text[i - 1] <= "\u00f4"):
            return True
    return False
# Controls with no visible effect (tab and newline are kept; bidi marks and ZWJ/ZWNJ are meaningful).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufff9-\ufffb]+")

_ftfy_config = None  # ftfy is imported when a line first needs it (its import costs ~30 ms)


def _ftfy_fix(text: str) -> str:
    global _ftfy_config
    import ftfy

    if _ftfy_config is None:
        _ftfy_config = ftfy.TextFixerConfig(
            unescape_html="auto",
            fix_latin_ligatures=False,  # ligatures are legitimate text
            fix_character_width=False,  # would rewrite CJK full-width punctuation
            uncurl_quotes=False,
            fix_line_breaks=False,  # line ends are handled here, as edits
            normalization="NFC",
            explain=False,
        )
    return ftfy.fix_text(text, _ftfy_config)


@dataclass(slots=True)
class NormalizeConfig:
    repair_mojibake: bool = True
    remove_control_chars: bool = True
    nfc: bool = True


def _fix_line(line: str, cfg: NormalizeConfig) -> tuple[str, list[str]]:
    fixes: list[str] = []
    new = line
    if cfg.repair_mojibake and _suspect(new):
        fixed = _ftfy_fix(new)
        if fixed != new:
            fixes.append("mojibake")
            new = fixed
    if cfg.remove_control_chars and _CONTROL.search(new):
        new = _CONTROL.sub("", new)
        fixes.append("control-chars")
    if cfg.nfc and not unicodedata.is_normalized("NFC", new):
        new = unicodedata.normalize("NFC", new)
        fixes.append("nfc")
    return new, fixes


def _minimal_edit(old: str, new: str, offset: int, fixes: list[str]) -> Edit:
    """One edit covering only the changed middle of `old` -> `new` (common prefix/suffix trimmed)."""
    p = 0
    limit = min(len(old), len(new))
    while p < limit and old[p] == new[p]:
        p += 1
    s = 0
    while s < limit - p and old[len(old) - 1 - s] == new[len(new) - 1 - s]:
        s += 1
    return Edit(offset + p, offset + len(old) - s, old[p : len(old) - s], new[p : len(new) - s],
                "unicode-repair", {"fixes": fixes})


def normalize_text(original: str, cfg: NormalizeConfig | None = None) -> tuple[str, list[Edit]]:
    """Return the normalized text and the edits (in original coordinates) that produce it."""
    cfg = cfg or NormalizeConfig()
    # Most texts need nothing: one pass of each check over the whole text instead of per line.
    if ("\r" not in original and not (cfg.repair_mojibake and _suspect(original))
            and not (cfg.remove_control_chars and _CONTROL.search(original))
            and not (cfg.nfc and not unicodedata.is_normalized("NFC", original))):
        return original, []
    edits: list[Edit] = []
    out: list[str] = []
    pos = 0
    n = len(original)
    while pos < n:
        nl = original.find("\n", pos)
        cr = original.find("\r", pos, nl if nl >= 0 else n)
        if cr >= 0:  # a line ended by \r or \r\n
            end, brk = cr, ("\r\n" if original.startswith("\r\n", cr) else "\r")
        elif nl >= 0:
            end, brk = nl, "\n"
        else:
            end, brk = n, ""
        line = original[pos:end]
        fixed, fixes = _fix_line(line, cfg)
        if fixes and fixed != line:
            edits.append(_minimal_edit(line, fixed, pos, fixes))
        out.append(fixed)
        if brk:
            if brk != "\n":
                edits.append(Edit(end, end + len(brk), brk, "\n", "unicode-repair", {"fixes": ["line-break"]}))
            out.append("\n")
        pos = end + len(brk)
    return "".join(out), edits
