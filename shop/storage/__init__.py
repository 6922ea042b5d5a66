"""Where uploaded files are kept: one store per kind of file, on this machine's disk by default, or in an
S3-compatible bucket when ``SHOP_STORAGE_URL`` is set, so every machine behind one database sees them.

Photos' thumbnails are served to visitors through ``/media/`` (each to whoever may see it); every other store
is private and served only by the workspace's own routes, after their role checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shop.storage.base import (
    FileInfo,
    FileMissing,
    FileStore,
    OpenedFile,
    StorageUnavailable,
    checked_name,
    media_type_of,
)
from shop.storage.local import LocalStore
from shop.storage.location import StorageLocation, parse_storage_url

__all__ = [
    "FileInfo",
    "FileMissing",
    "FileStore",
    "FileStores",
    "LocalStore",
    "OpenedFile",
    "StorageLocation",
    "StorageUnavailable",
    "checked_name",
    "file_stores",
    "media_type_of",
    "on_disk",
    "parse_storage_url",
]

# Each store's prefix in the bucket: what /media/ serves, and what only the workspace's routes may.
BUCKET_PREFIXES = {
    "photos": "photos/",
    "originals": "private/originals/",
    "held": "private/held/",
    "proofs": "private/proofs/",
    "certification": "private/certification/",
    "minutes": "private/minutes/",
    "partnerships": "private/partnerships/",
}


@dataclass(frozen=True)
class FileStores:
    photos: FileStore  # products' and portraits' WebP thumbnails, served at /media/
    originals: FileStore  # uploaded photos as they came (private)
    held: FileStore  # photos held for a new-piece form that came back with a mistake (private)
    proofs: FileStore  # signed cash payout receipts (treasurer and council)
    certification: FileStore  # certificates, audit reports, evidence (council and admin)
    minutes: FileStore  # scanned pages of the assemblies' minutes (council and admin)
    partnerships: FileStore  # partnerships' and grants' documents (their readers)


def on_disk(*, media_dir: Path, proofs_dir: Path, certification_dir: Path, records_dir: Path) -> FileStores:
    """The folders the shop always used (``SHOP_MEDIA_DIR`` and the others)."""
    media_dir = Path(media_dir)
    return FileStores(
        photos=LocalStore(media_dir / "thumbs"),
        originals=LocalStore(media_dir / "originals"),
        held=LocalStore(media_dir / "held"),
        proofs=LocalStore(Path(proofs_dir)),
        certification=LocalStore(Path(certification_dir)),
        minutes=LocalStore(Path(records_dir)),
        partnerships=LocalStore(Path(records_dir) / "alianzas"),
    )


def in_bucket(
    location: StorageLocation, *, key_id: str | None = None, secret: str | None = None, timeout: float = 5.0
) -> FileStores:
    from shop.storage.s3 import S3Store, s3_client

    client = s3_client(location, key_id=key_id, secret=secret, timeout=timeout)
    return FileStores(
        **{name: S3Store(client, location.bucket, location.prefix + prefix) for name, prefix in BUCKET_PREFIXES.items()}
    )


def file_stores(settings) -> FileStores:
    """The stores the settings name: the bucket of ``SHOP_STORAGE_URL`` if set, else the local folders."""
    if settings.storage_url:
        secret = settings.storage_secret_access_key
        return in_bucket(
            parse_storage_url(settings.storage_url),
            key_id=settings.storage_access_key_id,
            secret=secret.get_secret_value() if secret is not None else None,
            timeout=settings.storage_timeout_seconds,
        )
    return on_disk(
        media_dir=settings.media_dir,
        proofs_dir=settings.proofs_dir,
        certification_dir=settings.certification_dir,
        records_dir=settings.records_dir,
    )
