"""The force's policy: targets, thresholds and lists, from a TOML file with defaults."""

from watchhouse.policy.model import Policy, PolicyError, load_policy

__all__ = ["Policy", "PolicyError", "load_policy"]
