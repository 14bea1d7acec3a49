"""Laying one TOML table over another: a force's file over the defaults it changes. Light on
purpose (no pydantic, nothing of the project), so the command line's start loads no more."""

from __future__ import annotations

from typing import Any


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """The base with the override laid over it, table by table; other values are replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
