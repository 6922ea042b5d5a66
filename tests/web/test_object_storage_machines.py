"""Two machines behind one PostgreSQL and one bucket: two `shop serve` processes, each with folders of its own,
serve the photo a member uploaded on the other, and a private file uploaded on one is shown by the other only to
the people allowed to read it. Real HTTP on loopback throughout (the S3 server is moto's, in server mode)."""

from __future__ import annotations

import os
import re
import sys

import httpx
import pytest
import sqlalchemy as sa
from factories import fresh, make_category, make_weaver, photo_bytes
from inventory_screens import piece_form
from live import free_port, shop_env, spawn_command
from object_storage import KEY_ID, SECRET, keys_in
from workspace_helpers import PASSWORD, csrf_of, person

from shop.accounts.models import Role
from shop.catalogue.models import Image, Product, ProductImage
from shop.cooperative.models import MinutesPage

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not os.environ.get("SHOP_TEST_DATABASE_URL"),
        reason="two machines share one PostgreSQL database (set SHOP_TEST_DATABASE_URL)",
    ),
]


@pytest.fixture
def machines(settings, bucket_url, tmp_path):
    """Two `shop serve` processes on one database and one bucket, each with local folders of its own."""
    started = []
    try:
        for number in (1, 2):
            port, own = free_port(), tmp_path / f"machine{number}"
            folders = own.joinpath
            env = {
                **shop_env(settings, port),
                "SHOP_MEDIA_DIR": str(folders("media")),
                "SHOP_PROOFS_DIR": str(folders("proofs")),
                "SHOP_CERTIFICATION_DIR": str(folders("certification")),
                "SHOP_RECORDS_DIR": str(folders("records")),
                "SHOP_STORAGE_URL": bucket_url,
                "SHOP_STORAGE_ACCESS_KEY_ID": KEY_ID,
                "SHOP_STORAGE_SECRET_ACCESS_KEY": SECRET,
                "SHOP_PREPARE_ROUTES_ON_START": "false",
                "SHOP_PAGE_CACHE_SECONDS": "0",
            }
            command = [sys.executable, "-m", "shop.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
            log = (tmp_path / f"machine{number}.log").open("wb")
            process = spawn_command(command, port, env, name=f"shop serve #{number}", output=log)
            started.append((process, log, own, f"http://127.0.0.1:{port}"))
        yield [(url, own) for _, _, own, url in started]
    finally:
        for process, log, _, _ in started:
            process.terminate()
            process.wait(timeout=10)
            log.close()


def browser(url: str) -> httpx.Client:
    """A browser of that machine: it sends the machine's own Origin with its forms, as a real one does."""
    return httpx.Client(base_url=url, headers={"Origin": url}, timeout=30)


def signed_in(url: str, username: str) -> httpx.Client:
    client = browser(url)
    page = client.get("/taller")
    answer = client.post(
        "/taller/entrar", data={"login": username, "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    )
    assert (answer.status_code, answer.headers.get("location")) == (303, "/taller/inicio"), answer.text
    return client


def files_of(folder) -> list[str]:
    return [str(p) for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_photo_uploaded_on_one_machine_is_served_by_the_other(machines, session, bucket_url):
    (first, first_own), (second, second_own) = machines
    category = make_category(session, slug="bolsas", name_es="Bolsas", name_en="Bags")
    weaver = make_weaver(session, name="María Pérez")
    session.commit()
    person(session, "maria", Role.member, weaver=weaver, name="María Pérez")

    member = signed_in(first, "maria")
    form = member.get("/taller/inventario/nuevo")
    assert form.status_code == 200
    saved = member.post(
        "/taller/inventario/nuevo",
        data={**piece_form(category), "csrf_token": csrf_of(form.text)},
        files=[("photos", ("bolsa.jpg", photo_bytes(900, 1200), "image/jpeg"))],
    )
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == "/taller/inventario/bolsa-de-lana"
    on_first = member.get("/taller/inventario/bolsa-de-lana").text
    fresh(session)
    key = session.scalar(sa.select(Image.key).join(ProductImage).join(Product).where(Product.slug == "bolsa-de-lana"))
    assert f"/media/{key}-320.webp" in on_first

    visitor, other = browser(second), browser(first)
    photo = visitor.get(f"/media/{key}-640.webp")
    assert photo.status_code == 200, photo.text
    assert photo.headers["content-type"] == "image/webp"
    assert photo.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert photo.content == other.get(f"/media/{key}-640.webp").content
    assert f"tienda/private/originals/{key}.jpg" in keys_in(bucket_url)
    assert files_of(first_own) == [] and files_of(second_own) == []  # neither machine keeps it on its disk


def test_minutes_uploaded_on_one_machine_are_shown_by_the_other_only_to_their_readers(
    machines, session, coop, bucket_url
):
    (first, _), (second, _) = machines
    person(session, "carmen", Role.council, name="Carmen López")
    person(session, "lucia", Role.partner_staff, name="Lucía")
    page = f"/taller/cooperativa/asambleas/{coop.founding.id}"

    council = signed_in(first, "carmen")
    uploaded = council.post(
        f"{page}/paginas",
        data={"csrf_token": csrf_of(council.get(page).text)},
        files={"page": ("acta.jpg", photo_bytes(1200, 1600), "image/jpeg")},
    )
    assert uploaded.status_code == 303, uploaded.text
    fresh(session)
    stored = session.scalar(sa.select(MinutesPage).where(MinutesPage.assembly_id == coop.founding.id))
    assert keys_in(bucket_url) == [f"tienda/private/minutes/{stored.stored_name}"]
    address = f"{page}/paginas/{stored.id}"

    elsewhere = signed_in(second, "carmen")
    shown = elsewhere.get(address)
    assert shown.status_code == 200 and shown.content[:2] == b"\xff\xd8"
    assert shown.headers["cache-control"] == "no-store"
    assert re.search(rf"/paginas/{stored.id}", elsewhere.get(page).text)
    partner = signed_in(second, "lucia")
    assert partner.get(address).status_code == 403
    stranger = browser(second)
    refused = stranger.get(address)
    assert (refused.status_code, refused.headers["location"]) == (303, "/taller")
    assert stranger.get(f"/media/{stored.stored_name}").status_code == 404  # never public
