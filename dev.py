#!/usr/bin/env python3
"""Set up and run the shop on a fresh machine with nothing but Python 3.11+ and git.

    python3 dev.py demo     # install, then serve the shop with demo data at http://127.0.0.1:8000
    python3 dev.py test     # install, then run the whole test suite

It keeps a virtual environment in .venv and reinstalls only when pyproject.toml or constraints.txt (the exact
versions to install) changes, so running it again is fast and safe. Anything after the command goes to it:
`python3 dev.py test -k search -x`.
Uses only the standard library, because it runs before anything else is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed-from"
# What an install depends on: the declared dependencies, and the exact versions they are pinned to.
INSTALLED_FROM = ("pyproject.toml", "constraints.txt")


def python() -> Path:
    return BIN / ("python.exe" if os.name == "nt" else "python")


def install_digest(root: Path) -> str:
    """What .venv was installed from: it changes when either file does, and then dev.py reinstalls."""
    digest = hashlib.sha256()
    for name in INSTALLED_FROM:
        digest.update(hashlib.sha256((root / name).read_bytes()).digest())
    return digest.hexdigest()


def ensure_environment() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not python().exists():
        print("Creating a virtual environment in .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = install_digest(ROOT)
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    print("Installing the shop and its tools (first run only) …", flush=True)
    pip = [str(python()), "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "install", "-c", str(ROOT / "constraints.txt"), "-e", f"{ROOT}[dev]"], check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "shop"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_environment()
    os.chdir(ROOT)
    if command == "demo":
        return subprocess.call([str(BIN / "shop"), "demo", *rest])
    if command == "shop":
        return subprocess.call([str(BIN / "shop"), *rest])
    return subprocess.call([str(python()), "-m", "pytest", *rest])


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
