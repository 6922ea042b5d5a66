"""Test modules share helpers through modules that are not tests: a test file importing another one runs the
other file's tests' fixtures and module code in its own, and breaks when the other file is renamed or split."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            found.add(base)
            found |= {f"{base}.{alias.name}".lstrip(".") for alias in node.names}
    return found


def test_no_test_module_imports_another():
    test_modules = {path.stem for path in TESTS.rglob("test_*.py")}
    offenders = {
        f"{path.relative_to(TESTS)} imports {name}"
        for path in TESTS.rglob("*.py")
        if ".venv" not in path.parts
        for name in imported_modules(path)
        if name.rsplit(".", 1)[-1] in test_modules
    }
    assert sorted(offenders) == []


def test_the_check_sees_an_import_of_a_test_module(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text("from test_payout_concurrency import at_once\nimport tests.web.test_shopping\n")
    assert {"test_payout_concurrency", "tests.web.test_shopping"} <= imported_modules(sample)
