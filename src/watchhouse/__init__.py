"""watchhouse: answer the public well, and prove it."""

__version__ = "0.1.0"
