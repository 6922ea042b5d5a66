"""Files in an S3-compatible bucket (AWS S3, MinIO, Garage, Ceph …), one key prefix per store, through boto3.

Every failure to reach the bucket, or a refusal by it (wrong credentials, no such bucket), becomes
``StorageUnavailable`` after a short, bounded wait, so a page says "try again" with a 503 instead of hanging
or failing with a 500; a key that is not there is ``FileMissing``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from shop.storage.base import (
    FileInfo,
    FileMissing,
    FileStore,
    OpenedFile,
    StorageUnavailable,
    checked_name,
    media_type_of,
)
from shop.storage.location import StorageLocation

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


def s3_client(location: StorageLocation, *, key_id: str | None, secret: str | None, timeout: float):
    """One client for every store and thread (boto3's clients are thread-safe; its sessions are not)."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"max_attempts": 2, "mode": "standard"},
        s3={"addressing_style": location.addressing_style},
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=location.endpoint_url,
        region_name=location.region,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        config=config,
    )


@contextmanager
def _answers(bucket: str, key: str):
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in MISSING_CODES:
            raise FileMissing(key) from None
        log.warning("object storage refused %s/%s: %s", bucket, key, exc)
        raise StorageUnavailable(f"object storage refused {key}: {code}") from exc
    except BotoCoreError as exc:
        log.warning("object storage unreachable for %s/%s: %s", bucket, key, exc)
        raise StorageUnavailable(f"object storage unreachable: {exc}") from exc


def _info(head: dict) -> FileInfo:
    return FileInfo(size=int(head["ContentLength"]), modified=head["LastModified"], etag=head["ETag"])


class S3Store(FileStore):
    def __init__(self, client, bucket: str, prefix: str):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def __repr__(self) -> str:
        return f"S3Store('s3://{self.bucket}/{self.prefix}')"

    def _key(self, name: str) -> str:
        return self.prefix + checked_name(name)

    def put(self, name: str, data: bytes) -> None:
        key = self._key(name)
        with _answers(self.bucket, key):
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=media_type_of(name))

    def get(self, name: str) -> bytes:
        opened = self.open(name)
        try:
            return b"".join(opened.chunks)
        finally:
            opened.close()

    def open(self, name: str) -> OpenedFile:
        key = self._key(name)
        with _answers(self.bucket, key):
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
        body = answer["Body"]
        return OpenedFile(info=_info(answer), chunks=self._chunks(body, key), close=body.close)

    def _chunks(self, body, key: str) -> Iterator[bytes]:
        with _answers(self.bucket, key):
            yield from body.iter_chunks(CHUNK)

    def stat(self, name: str) -> FileInfo | None:
        try:
            key = self._key(name)
            with _answers(self.bucket, key):
                return _info(self.client.head_object(Bucket=self.bucket, Key=key))
        except FileMissing:
            return None

    def delete(self, name: str) -> None:
        try:
            key = self._key(name)
        except FileMissing:
            return
        with _answers(self.bucket, key):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def names(self) -> Iterator[tuple[str, datetime]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix, Delimiter="/"
        )
        with _answers(self.bucket, self.prefix):
            for page in pages:
                for item in page.get("Contents", ()):
                    yield item["Key"][len(self.prefix) :], item["LastModified"]
