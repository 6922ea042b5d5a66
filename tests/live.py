"""Serve an app over real HTTP on a free loopback port, for tests that need real concurrency or a browser."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import uvicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve(app, port: int | None = None):
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def shop_env(settings, port: int) -> dict[str, str]:
    """The environment that makes a spawned shop use the test's database and files."""
    return {
        "SHOP_ENVIRONMENT": "test",
        "SHOP_DATABASE_URL": settings.database_url,
        "SHOP_SECRET_KEY": settings.secret_key.get_secret_value(),
        "SHOP_MEDIA_DIR": str(settings.media_dir),
        "SHOP_PROOFS_DIR": str(settings.proofs_dir),
        "SHOP_CERTIFICATION_DIR": str(settings.certification_dir),
        "SHOP_RECORDS_DIR": str(settings.records_dir),
        "SHOP_BASE_URL": f"http://127.0.0.1:{port}",
    }


def stripe_shop_env(settings, fake, port: int, *, stripe_timeout_seconds: int = 60) -> dict[str, str]:
    """``shop_env`` with the fake Stripe."""
    return {
        **shop_env(settings, port),
        "SHOP_STRIPE_SECRET_KEY": "sk_test_shop",
        "SHOP_STRIPE_WEBHOOK_SECRET": fake.webhook_secret,
        "SHOP_STRIPE_API_BASE": fake.url,
        "SHOP_STRIPE_TIMEOUT_SECONDS": str(stripe_timeout_seconds),
        "SHOP_STRIPE_MAX_NETWORK_RETRIES": "0",
    }


def spawn(app_spec: str, port: int, env: dict[str, str], *, workers: int = 1):
    """Serve ``app_spec`` with uvicorn from a separate process (a test may kill it; a benchmark measures it).

    ``…:create_app`` is called as a factory. ``env`` comes on top of this process's environment.
    """
    import sys

    command = [sys.executable, "-m", "uvicorn", app_spec, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    if app_spec.endswith("create_app"):
        command.append("--factory")
    return spawn_command(command, port, env, name=app_spec)


def spawn_command(command: list[str], port: int, env: dict[str, str], *, name: str, output=None):
    """Run ``command`` (a server) from the repository and wait until it listens on ``port``; ``output`` takes
    what it prints (else this process's own streams)."""
    import os
    import socket
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen(
        command,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root), **env},
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
    )
    deadline = time.monotonic() + 60  # a loaded 2-core machine may take half a minute to import and warm up
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{name} did not start")
