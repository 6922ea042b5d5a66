"""Every body has a size limit enforced as it streams in, and uploads are refused unread when nobody signed in.

The memory tests run the shop in a uvicorn process of its own and send to it from a raw socket, stopping as
soon as the answer arrives; the worker's resident memory is read from /proc.
"""

from __future__ import annotations

import json
import re
import select
import socket
from pathlib import Path

import pytest
from fastapi import params
from live import free_port, shop_env, spawn
from route_table import routes

from shop.web import body_limits
from shop.web.body_limits import DEFAULT_BYTES, LIMITS, limit_for
from shop.web.workspace.uploads import SignedInFirst

MB = 1024 * 1024
BLOCK = b"x" * 65536


def chunked(total: int, size: int = 10_000):
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size


def test_a_json_body_over_the_limit_is_refused_from_its_declared_length(client):
    response = client.post(
        "/api/v1/checkout", content=b"[" + b" " * DEFAULT_BYTES + b"]", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "payload_too_large" and "64 KB" in body["detail"]
    assert response.headers["connection"] == "close"


def test_a_chunked_json_body_is_refused_once_it_passes_the_limit(client):
    response = client.post(
        "/api/v1/checkout", content=chunked(DEFAULT_BYTES * 4), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413 and response.json()["error"] == "payload_too_large"


def test_a_form_over_the_limit_gets_a_page_in_the_visitors_language(client):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    spanish = client.post("/es/cart/add", content=b"q=" + b"x" * DEFAULT_BYTES, headers=form)
    assert spanish.status_code == 413
    assert "text/html" in spanish.headers["content-type"]
    assert "Lo que enviaste es demasiado grande. Aquí el límite es de 64 KB." in spanish.text
    assert "content-security-policy" in spanish.headers
    english = client.post("/en/cart/add", content=chunked(DEFAULT_BYTES * 2), headers=form)
    assert english.status_code == 413 and "What you sent is too large. The limit here is 64 KB." in english.text


def test_a_body_under_the_limit_goes_through(client):
    response = client.post("/api/v1/checkout", json={"lines": []})
    assert response.status_code != 413


def file_params(dependant) -> list:
    found = [p for p in dependant.body_params if isinstance(p.field_info, params.File)]
    for sub in dependant.dependencies:
        found += file_params(sub)
    return found


def test_every_route_that_takes_files_checks_sign_in_first_and_has_its_own_limit(app, settings):
    uploads = []
    for method, path, route in routes(app):
        if file_params(route.dependant):
            uploads.append(path)
            assert isinstance(route, SignedInFirst), f"{method} {path} reads uploads before checking sign-in"
            example = re.sub(r"\{\w+\}", "7", path)
            assert limit_for(example, settings) > DEFAULT_BYTES, path  # a limit of its own, for its files
    assert limit_for("/taller/inventario/nuevo", settings) >= settings.max_image_bytes
    assert limit_for("/taller/mercados/revisar", settings) > 512 * 1024  # a CSV of sales, checked by the import
    assert len(uploads) >= 3
    assert limit_for("/taller/banco/importar", settings) > DEFAULT_BYTES
    assert limit_for("/taller/some/new/route", settings) == DEFAULT_BYTES
    assert all(limit.why for limit in LIMITS)


# --- through real HTTP --------------------------------------------------------------------------------------


@pytest.fixture
def server(settings, tmp_path):
    """The shop in a uvicorn process; its temporary files go to a folder of their own."""
    port = free_port()
    temp = tmp_path / "server-tmp"
    temp.mkdir()
    env = {
        **shop_env(settings, port),
        "SHOP_JOBS_INTERVAL_SECONDS": "0",
        "TMPDIR": str(temp),
    }
    process = spawn("shop.main:create_app", port, env)
    try:
        yield port, process.pid, temp
    finally:
        process.terminate()
        process.wait(timeout=10)


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def send_until_answered(port: int, head: bytes, total: int, *, chunked: bool) -> tuple[bytes, int]:
    """Send ``head`` then up to ``total`` body bytes, stopping when the answer arrives; (answer, bytes sent)."""
    sock = socket.create_connection(("127.0.0.1", port))
    sent = 0
    answer = b""
    try:
        sock.sendall(head)
        while sent < total:
            readable, writable, _ = select.select([sock], [sock], [], 10)
            if readable:
                break
            if writable:
                piece = b"%x\r\n%s\r\n" % (len(BLOCK), BLOCK) if chunked else BLOCK
                try:
                    sock.sendall(piece)
                except (BrokenPipeError, ConnectionResetError):
                    break
                sent += len(BLOCK)
        sock.settimeout(10)
        try:
            while b"\r\n\r\n" not in answer:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
        except ConnectionResetError:
            pass
    finally:
        sock.close()
    return answer, sent


def request_head(path: str, content_type: str, total: int, *, chunked: bool) -> bytes:
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
    return f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n{length}\r\n\r\n".encode()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_300_mb_checkout_body_is_refused_while_the_worker_barely_grows(server, chunked):
    port, pid, _ = server
    total = 300 * MB
    # Once before measuring, so what the first request loads is not counted.
    small = request_head("/api/v1/checkout", "application/json", 2, chunked=False) + b"{}"
    send_until_answered(port, small, 0, chunked=False)
    before = resident_bytes(pid)
    head = request_head("/api/v1/checkout", "application/json", total, chunked=chunked)
    answer, sent = send_until_answered(port, head, total, chunked=chunked)
    grown = resident_bytes(pid) - before
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1] or b"{}").get("error", "payload_too_large") == "payload_too_large"
    assert sent < total // 4
    assert grown < 20 * MB, f"the worker grew by {grown / MB:.1f} MB"


@pytest.mark.parametrize(
    ("path", "chunked"),
    [
        ("/taller/inventario/huipil/fotos", False),
        ("/taller/inventario/huipil/fotos", True),
        ("/taller/inventario/nuevo", True),
        ("/taller/certificacion/certificados/nuevo", True),
        ("/taller/certificacion/certificados/1/auditorias", True),
        ("/taller/banco/importar", True),  # its own limit is smaller: only a chunked body gets this far
    ],
)
def test_an_anonymous_64_mb_upload_is_refused_before_it_is_read(server, path, chunked):
    port, pid, temp = server
    total = 64 * MB
    boundary = "b0undary"
    head = request_head(path, f"multipart/form-data; boundary={boundary}", total, chunked=chunked)
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="photos"; filename="big.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    first = b"%x\r\n%s\r\n" % (len(part), part) if chunked else part
    before = resident_bytes(pid)
    answer, sent = send_until_answered(port, head + first, total, chunked=chunked)
    assert answer.startswith(b"HTTP/1.1 303"), answer[:200]
    assert b"location: /taller" in answer.lower()
    assert sent < total // 4  # the rest was never asked for
    assert list(temp.iterdir()) == []  # no part of it was written to disk
    assert resident_bytes(pid) - before < 20 * MB


def test_a_receipt_photo_larger_than_a_photo_may_be_is_refused_unread(server, settings):
    port, _, temp = server
    total = 64 * MB
    head = request_head(
        "/taller/pagos-tejedoras/pagos/1/comprobante", "multipart/form-data; boundary=b", total, chunked=False
    )
    answer, sent = send_until_answered(port, head, total, chunked=False)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < total // 4 and list(temp.iterdir()) == []
    assert body_limits.limit_for("/taller/pagos-tejedoras/pagos/1/comprobante", settings) < total


def test_an_upload_from_someone_without_the_role_is_refused_by_its_role_check(client, session):
    from factories import make_user
    from workspace_helpers import sign_in

    from shop.accounts.models import Role

    make_user(session, roles=[Role.admin])  # payouts are the treasurer's and the council's
    session.commit()
    assert sign_in(client).status_code == 303
    response = client.post(
        "/taller/pagos-tejedoras/pagos/1/comprobante",
        files=[("photo", ("recibo.jpg", b"x" * 1000, "image/jpeg"))],
        follow_redirects=False,
    )
    assert response.status_code == 403
