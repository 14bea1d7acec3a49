"""The io package parses and writes files only: it never reaches the database or services."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import watchhouse.io

pytestmark = pytest.mark.unit
FORBIDDEN = ("watchhouse.db", "watchhouse.services", "watchhouse.web", "sqlalchemy")


def test_io_imports_neither_the_database_nor_services():
    package = Path(watchhouse.io.__file__).parent
    offenders = []
    for module in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{module.name}: {name}" for name in names if name.startswith(FORBIDDEN)]
    assert offenders == []
