"""The layering rules (DESIGN.md, rules 1 and 8), checked by import-linter: domains never import the
transports, the JSON API and what both transports share (shop.http) never import the HTML pages."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(contracts)} kept, 0 broken" in result.stdout


def test_the_api_is_checked_against_the_web_layer():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    assert any("shop.api" in c["source_modules"] and "shop.web" in c["forbidden_modules"] for c in contracts)
    imports_web = re.compile(r"^\s*(from|import) shop\.web\b", re.M)
    assert not [path.name for path in (ROOT / "shop" / "api").rglob("*.py") if imports_web.search(path.read_text())]


def test_every_package_is_under_a_contract():
    """A new package or top-level module must be placed in the layering rules when it is created."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    covered = {module for c in contracts for module in c["source_modules"]}
    top_level = {f"shop.{p.stem}" for p in (ROOT / "shop").glob("*.py") if p.stem != "__init__"}
    packages = {f"shop.{p.parent.name}" for p in (ROOT / "shop").glob("*/__init__.py")}
    # shop.main assembles the app from every layer; shop.web is what nothing else may import.
    assert sorted((top_level | packages) - covered - {"shop.main", "shop.web"}) == []


def test_the_kernel_imports_no_domain():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    kernel = next(c for c in contracts if c["name"].startswith("The kernel"))
    assert {"shop.models_base", "shop.db", "shop.money", "shop.clock", "shop.errors"} <= set(kernel["source_modules"])
    assert {"shop.catalogue", "shop.orders", "shop.ledger", "shop.accounts", "shop.web"} <= set(
        kernel["forbidden_modules"]
    )
