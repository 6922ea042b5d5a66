"""The layering rules (DESIGN.md, rules 1 and 8), checked by import-linter: domains never import the
transports (shop.web, and shop.api with shop.api.http, the part both share) nor fastapi, starlette or jinja2; the
JSON API, its shared part included, never imports the HTML pages."""

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


TRANSPORTS = {"shop.web", "shop.api", "shop.main"}
ABOVE_THE_DOMAINS = {"shop.jobs", "shop.cli"}  # they render e-mails with shop.web.email; their own contract


def _packages() -> set[str]:
    top_level = {f"shop.{p.stem}" for p in (ROOT / "shop").glob("*.py") if p.stem != "__init__"}
    return top_level | {f"shop.{p.parent.name}" for p in (ROOT / "shop").glob("*/__init__.py")}


def test_every_package_but_the_transports_is_kept_from_them():
    """A new package or top-level module is a domain (or kernel) until it is named a transport: it must be
    listed under the contract that keeps fastapi, starlette, jinja2 and every transport out of it."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    domains = next(c for c in contracts if c["name"].startswith("Domain packages never import"))
    assert {"fastapi", "starlette", "jinja2", *TRANSPORTS} <= set(domains["forbidden_modules"])
    assert sorted(_packages() - TRANSPORTS - ABOVE_THE_DOMAINS - set(domains["source_modules"])) == []
    assert set(domains["source_modules"]).isdisjoint(TRANSPORTS | ABOVE_THE_DOMAINS)


def test_jobs_and_the_command_line_import_no_server():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    above = next(c for c in contracts if c["name"].startswith("The jobs and the command line"))
    assert set(above["source_modules"]) == ABOVE_THE_DOMAINS
    assert {"fastapi", "starlette", "shop.api", "shop.main"} <= set(above["forbidden_modules"])


def test_the_kernel_imports_no_domain():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    kernel = next(c for c in contracts if c["name"].startswith("The kernel"))
    assert {"shop.models_base", "shop.db", "shop.money", "shop.clock", "shop.errors"} <= set(kernel["source_modules"])
    assert {"shop.catalogue", "shop.orders", "shop.ledger", "shop.accounts", "shop.web"} <= set(
        kernel["forbidden_modules"]
    )
