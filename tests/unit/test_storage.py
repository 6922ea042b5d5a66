"""The file stores behind every upload (``shop.storage``): the same cases on the local disk and on an S3 server
over loopback HTTP (moto's server mode), so either can keep the shop's files; a bucket that cannot be reached
says so as ``StorageUnavailable``, which pages answer with 503."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from object_storage import KEY_ID, SECRET, keys_in

from shop.config import Settings
from shop.storage import (
    FileMissing,
    LocalStore,
    StorageUnavailable,
    file_stores,
    in_bucket,
    on_disk,
    parse_storage_url,
)


def bucket_stores(url: str):
    return in_bucket(parse_storage_url(url), key_id=KEY_ID, secret=SECRET, timeout=2)


@pytest.fixture(params=["local", "s3"])
def stores(request, tmp_path):
    if request.param == "local":
        return on_disk(
            media_dir=tmp_path / "media",
            proofs_dir=tmp_path / "proofs",
            certification_dir=tmp_path / "certification",
            records_dir=tmp_path / "records",
        )
    return bucket_stores(request.getfixturevalue("bucket_url"))


@pytest.fixture
def store(stores):
    return stores.proofs


def test_a_file_put_is_read_back_whole(store):
    store.put("payout-1-abc.jpg", b"\xff\xd8 a receipt")
    assert store.get("payout-1-abc.jpg") == b"\xff\xd8 a receipt"
    assert store.exists("payout-1-abc.jpg")
    info = store.stat("payout-1-abc.jpg")
    assert info.size == len(b"\xff\xd8 a receipt")
    assert info.etag.startswith('"') and info.etag.endswith('"')
    assert abs(info.modified - datetime.now(UTC)) < timedelta(minutes=5)


def test_a_file_is_streamed_in_chunks_with_its_facts(store):
    data = bytes(range(256)) * 1024  # 256 KB: more than one chunk
    store.put("big.pdf", data)
    opened = store.open("big.pdf")
    try:
        chunks = list(opened.chunks)
    finally:
        opened.close()
    assert len(chunks) > 1 and b"".join(chunks) == data
    assert opened.info.size == len(data)


def test_putting_again_replaces_the_file(store):
    store.put("a.jpg", b"first")
    store.put("a.jpg", b"second")
    assert store.get("a.jpg") == b"second"


def test_a_missing_file_is_missing_everywhere(store):
    with pytest.raises(FileMissing):
        store.get("nothing.jpg")
    with pytest.raises(FileMissing):
        store.open("nothing.jpg")
    assert store.stat("nothing.jpg") is None
    assert not store.exists("nothing.jpg")
    store.delete("nothing.jpg")  # deleting what is gone is no error


def test_delete_removes_the_file(store):
    store.put("a.jpg", b"x")
    store.delete("a.jpg")
    assert not store.exists("a.jpg")
    assert [name for name, _ in store.names()] == []


@pytest.mark.parametrize("name", ["", None, "../secret_key", "a/b.jpg", ".hidden", "a\\b.jpg", "x" * 201, "é.jpg"])
def test_a_name_that_would_leave_the_store_is_never_a_file(store, name):
    with pytest.raises(FileMissing):
        store.get(name)
    with pytest.raises(FileMissing):
        store.put(name, b"x")
    assert store.stat(name) is None
    store.delete(name)


def test_names_lists_the_stores_own_files_with_their_times(stores):
    stores.held.put("t1.jpg", b"1")
    stores.held.put("t1.webp", b"2")
    stores.originals.put("k.jpg", b"3")  # another store: not listed
    listed = dict(stores.held.names())
    assert sorted(listed) == ["t1.jpg", "t1.webp"]
    assert all(abs(when - datetime.now(UTC)) < timedelta(minutes=5) for when in listed.values())


def test_each_kind_of_file_has_its_own_store(stores):
    for name in ("photos", "originals", "held", "proofs", "certification", "minutes", "partnerships"):
        getattr(stores, name).put("same.jpg", name.encode())
    for name in ("photos", "originals", "held", "proofs", "certification", "minutes", "partnerships"):
        assert getattr(stores, name).get("same.jpg") == name.encode()


def test_without_a_storage_url_the_folders_are_the_ones_always_used(tmp_path):
    folders = {"media_dir": "m", "proofs_dir": "p", "certification_dir": "c", "records_dir": "r"}
    settings = Settings(**{setting: tmp_path / name for setting, name in folders.items()})
    stores = file_stores(settings)
    stores.photos.put("k-320.webp", b"t")
    stores.originals.put("k.jpg", b"o")
    stores.held.put("tok.jpg", b"h")
    stores.proofs.put("payout-1-a.jpg", b"p")
    stores.certification.put("report-a.pdf", b"c")
    stores.minutes.put("minutes-1-a.jpg", b"r")
    stores.partnerships.put("other-a.pdf", b"a")
    assert {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()} == {
        "m/thumbs/k-320.webp",
        "m/originals/k.jpg",
        "m/held/tok.jpg",
        "p/payout-1-a.jpg",
        "c/report-a.pdf",
        "r/minutes-1-a.jpg",
        "r/alianzas/other-a.pdf",
    }
    assert stores.proofs.local_path("payout-1-a.jpg") == tmp_path / "p" / "payout-1-a.jpg"
    assert isinstance(stores.photos, LocalStore)


def test_in_a_bucket_public_photos_and_private_files_have_their_own_prefixes(bucket_url):
    stores = bucket_stores(bucket_url)
    stores.photos.put("k-320.webp", b"t")
    stores.originals.put("k.jpg", b"o")
    stores.proofs.put("payout-1-a.jpg", b"p")
    stores.minutes.put("minutes-1-a.jpg", b"r")
    assert keys_in(bucket_url) == [
        "tienda/photos/k-320.webp",
        "tienda/private/minutes/minutes-1-a.jpg",
        "tienda/private/originals/k.jpg",
        "tienda/private/proofs/payout-1-a.jpg",
    ]
    assert stores.photos.local_path("k-320.webp") is None  # streamed, never a path on this machine


def test_a_bucket_that_cannot_be_reached_is_unavailable_not_missing(unreachable_bucket_url):
    store = bucket_stores(unreachable_bucket_url).proofs
    for attempt in (
        lambda: store.put("a.jpg", b"x"),
        lambda: store.get("a.jpg"),
        lambda: store.open("a.jpg"),
        lambda: store.stat("a.jpg"),
        lambda: store.delete("a.jpg"),
        lambda: list(store.names()),
    ):
        with pytest.raises(StorageUnavailable):
            attempt()
    store.forget("a.jpg")  # cleaning up after a refused change never fails the request


def test_a_bucket_that_does_not_exist_is_unavailable(s3_endpoint):
    from object_storage import storage_url

    store = bucket_stores(storage_url("no-such-bucket-here", s3_endpoint)).proofs
    with pytest.raises(StorageUnavailable):
        store.put("a.jpg", b"x")
    with pytest.raises(StorageUnavailable):
        store.get("a.jpg")


@pytest.mark.parametrize(
    ("url", "bucket", "prefix", "endpoint", "region", "style"),
    [
        ("s3://fotos", "fotos", "", None, None, "auto"),
        ("s3://fotos/tienda/", "fotos", "tienda/", None, None, "auto"),
        (
            "s3://fotos/a/b?endpoint_url=http://127.0.0.1:9000&region=mx-central-1&addressing_style=path",
            "fotos",
            "a/b/",
            "http://127.0.0.1:9000",
            "mx-central-1",
            "path",
        ),
    ],
)
def test_the_storage_url_names_bucket_prefix_and_endpoint(url, bucket, prefix, endpoint, region, style):
    location = parse_storage_url(url)
    assert (location.bucket, location.prefix, location.endpoint_url, location.region, location.addressing_style) == (
        bucket,
        prefix,
        endpoint,
        region,
        style,
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://fotos/tienda", "must start with s3://"),
        ("s3:///tienda", "must name a bucket"),
        ("s3://key:secret@fotos/tienda", "must not hold credentials"),
        ("s3://fotos?endpoint=http://x", "unknown options"),
        ("s3://fotos?addressing_style=sideways", "addressing_style must be one of"),
        ("s3://fotos?endpoint_url=ftp://x", "endpoint_url must be an http"),
    ],
)
def test_a_wrong_storage_url_is_refused_at_start_with_a_plain_reason(url, message):
    with pytest.raises(ValueError, match=message):
        Settings(storage_url=url)


def test_an_empty_storage_url_means_the_local_folders():
    assert Settings(storage_url="  ").storage_url is None
