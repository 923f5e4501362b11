"""Configuration: the packaged defaults, deep-merged with a user's YAML or TOML file, validated."""

from __future__ import annotations

import copy
import importlib.resources
import tomllib
from pathlib import Path
from typing import Any

import yaml


class ConfigError(ValueError):
    """An invalid configuration; the message names the key at fault."""


# libyaml's loader where PyYAML was built with it: the same documents, several times faster to parse,
# which counts since every worker process reads the packaged YAML at start-up.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str | bytes) -> Any:
    """yaml.safe_load, through libyaml when available."""
    return yaml.load(text, Loader=_YAML_LOADER)


def default_config() -> dict[str, Any]:
    text = importlib.resources.files("tamis").joinpath("data/default_config.yaml").read_text("utf-8")
    return load_yaml(text)


def read_config_file(path: str | Path) -> dict[str, Any]:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read config {p}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8")) if p.suffix == ".toml" else load_yaml(raw)
    except (tomllib.TOMLDecodeError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: not valid {'TOML' if p.suffix == '.toml' else 'YAML'}: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: the top level must be a mapping")
    return data


def merge(base: dict[str, Any], override: dict[str, Any], where: str = "") -> dict[str, Any]:
    """Deep-merge `override` into a copy of `base`; unknown keys are errors (typos must not pass)."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        path = f"{where}.{key}" if where else str(key)
        if key not in out and not _open_section(where):
            raise ConfigError(f"unknown setting '{path}' (known: {', '.join(sorted(out))})")
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value, path)
        else:
            out[key] = value
    return out


def _open_section(where: str) -> bool:
    # Sections whose keys are user-chosen: languages, and rule names inside a language.
    parts = where.split(".")
    return parts[:2] == ["policy", "documents"] and len(parts) in (2, 3)


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    cfg = default_config()
    if path is not None:
        cfg = merge(cfg, read_config_file(path))
    from tamis.policy.rules import validate_policy  # late import: policy depends on config errors
    from tamis.run.dedup import validate_dedup

    validate_policy(cfg["policy"])
    validate_dedup(cfg)
    return cfg
