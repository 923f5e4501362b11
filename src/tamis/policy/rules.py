"""Document rules: ordered bounds on signals, per language, each result auditable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tamis.config import ConfigError

_LINE_KEYS = {
    "min_content_score": (float, int, type(None)),
    "remove_duplicates": (bool,),
    "min_duplicate_chars": (int,),
    "remove_duplicate_passages": (bool,),
    "min_duplicate_passage_chars": (int,),
    "min_duplicate_passage_line_chars": (int,),
    "remove_other_language": (bool,),
    "min_other_language_prob": (float, int),
    "min_other_language_words": (int,),
    "collapse_blank_lines": (bool,),
}


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    signal: str
    bound: str  # "min" or "max"
    threshold: float

    def check(self, signals: dict[str, Any]) -> dict[str, Any] | None:
        """None when the document passes, else the failure with its value and threshold."""
        value = signals.get(self.signal)
        if value is None:
            return None  # a signal a language does not have (e.g. uppercase ratio in Arabic)
        failed = value < self.threshold if self.bound == "min" else value > self.threshold
        if not failed:
            return None
        return {"rule": self.name, "signal": self.signal, "value": value, self.bound: self.threshold}


def validate_policy(policy: dict[str, Any]) -> None:
    if not isinstance(policy, dict) or set(policy) - {"lines", "documents"}:
        raise ConfigError("policy: expected the sections 'lines' and 'documents'")
    for key, value in policy.get("lines", {}).items():
        if key not in _LINE_KEYS:
            raise ConfigError(f"unknown setting 'policy.lines.{key}' (known: {', '.join(sorted(_LINE_KEYS))})")
        if not isinstance(value, _LINE_KEYS[key]) or (isinstance(value, bool) and bool not in _LINE_KEYS[key]):
            raise ConfigError(f"policy.lines.{key}: {value!r} is not a valid value")
    docs = policy.get("documents", {})
    if not isinstance(docs, dict) or "default" not in docs:
        raise ConfigError("policy.documents: needs a 'default' section")
    for lang, rules in docs.items():
        for name, spec in (rules or {}).items():
            _parse_rule(f"policy.documents.{lang}.{name}", name, spec)


def _parse_rule(where: str, name: str, spec: Any) -> Rule | None:
    if spec is None:
        return None
    if not isinstance(spec, dict) or not isinstance(spec.get("signal"), str):
        raise ConfigError(f"{where}: a rule is {{signal: NAME, min: X}} or {{signal: NAME, max: X}}")
    bounds = [b for b in ("min", "max") if b in spec]
    extra = set(spec) - {"signal", "min", "max"}
    if len(bounds) != 1 or extra:
        raise ConfigError(f"{where}: give exactly one of 'min' or 'max' (and nothing else besides 'signal')")
    bound = bounds[0]
    if not name.startswith(bound + "_"):
        raise ConfigError(f"{where}: a rule with '{bound}:' must be named '{bound}_…' so its name says what it bounds")
    threshold = spec[bound]
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise ConfigError(f"{where}.{bound}: {threshold!r} is not a number")
    return Rule(name, spec["signal"], bound, float(threshold))


_parsed: dict[tuple, list[Rule]] = {}  # rules_for's answers, keyed by the merged specs themselves


def rules_for(policy: dict[str, Any], lang: str) -> list[Rule]:
    """The default rules overlaid with the language's own (same name replaces, null disables)."""
    docs = policy["documents"]
    merged: dict[str, Any] = dict(docs.get("default") or {})
    merged.update(docs.get(lang) or {})
    try:  # parsing once per language and policy, not per document
        key = (lang, *((n, tuple((k, type(v), v) for k, v in s.items()) if isinstance(s, dict) else s)
                       for n, s in merged.items()))  # with types: 1 == 1.0 == True
        hit = _parsed.get(key)
    except TypeError:  # an unhashable value: not remembered (it fails parsing anyway)
        key, hit = None, None
    if hit is not None:
        return list(hit)
    rules = [_parse_rule(f"policy.documents.{lang}.{n}", n, s) for n, s in merged.items()]
    rules = [r for r in rules if r is not None]
    if key is not None:
        if len(_parsed) > 256:
            _parsed.clear()
        _parsed[key] = rules
    return list(rules)


def check_document(rules: list[Rule], signals: dict[str, Any]) -> list[dict[str, Any]]:
    """Every failing rule, not only the first, so the failure histogram is complete."""
    return [f for f in (r.check(signals) for r in rules) if f is not None]
