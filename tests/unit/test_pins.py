"""constraints.txt pins every dependency, and dev.py reinstalls when the pins change."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def pins() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text().splitlines()
    pairs = [line.split("==") for line in lines if line.strip() and not line.startswith("#")]
    assert all(len(pair) == 2 for pair in pairs), "every line of constraints.txt is NAME==VERSION"
    return {canonicalize_name(name): version for name, version in pairs}


def test_every_declared_dependency_is_pinned_and_the_shop_itself_is_not():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    pinned = pins()
    assert [r for r in declared if canonicalize_name(Requirement(r).name) not in pinned] == []
    assert canonicalize_name(project["name"]) not in pinned


def test_the_pins_satisfy_the_declared_floors():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = pins()
    for text in [*project["dependencies"], *project["optional-dependencies"]["dev"]]:
        requirement = Requirement(text)
        assert requirement.specifier.contains(pinned[canonicalize_name(requirement.name)]), text


def load_dev():
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dev_py_reinstalls_when_the_pins_or_the_dependencies_change(tmp_path):
    dev = load_dev()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "constraints.txt").write_text("fastapi==0.121.1\n")
    first = dev.install_digest(tmp_path)
    assert dev.install_digest(tmp_path) == first
    (tmp_path / "constraints.txt").write_text("fastapi==0.121.2\n")
    second = dev.install_digest(tmp_path)
    assert second != first
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "y"\n')
    assert dev.install_digest(tmp_path) not in {first, second}


def test_the_image_installs_the_pinned_versions():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "constraints.txt" in dockerfile.split("COPY pyproject.toml", 1)[1].splitlines()[0]
    assert "pip install -c constraints.txt ." in dockerfile
