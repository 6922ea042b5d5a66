"""An S3 server on loopback (moto's server mode, over real HTTP) and a fresh bucket per test, for the tests of
``SHOP_STORAGE_URL``. Import the fixtures ``s3_endpoint``, ``bucket_url`` and ``unreachable_bucket_url``."""

from __future__ import annotations

import logging
import uuid

import pytest
from live import free_port

KEY_ID, SECRET, REGION = "testing", "testing-secret", "us-east-1"


@pytest.fixture(scope="session")
def s3_endpoint() -> str:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # not a line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def storage_url(bucket: str, endpoint: str, prefix: str = "tienda") -> str:
    return f"s3://{bucket}/{prefix}?endpoint_url={endpoint}&region={REGION}&addressing_style=path"


def s3_admin(endpoint: str):
    """A client of the test's own, to make buckets and look inside them."""
    import boto3

    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=REGION, aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET
    )


@pytest.fixture
def bucket_url(s3_endpoint) -> str:
    """A new, empty bucket on the loopback S3 server, as SHOP_STORAGE_URL names it."""
    bucket = f"shop-{uuid.uuid4().hex[:16]}"
    s3_admin(s3_endpoint).create_bucket(Bucket=bucket)
    return storage_url(bucket, s3_endpoint)


@pytest.fixture
def unreachable_bucket_url() -> str:
    """A bucket at a loopback port nothing listens on: the store is down."""
    return storage_url("shop-down", f"http://127.0.0.1:{free_port()}")


def keys_in(url: str) -> list[str]:
    """Every key in the bucket ``url`` names (under any prefix)."""
    from shop.storage import parse_storage_url

    location = parse_storage_url(url)
    answer = s3_admin(location.endpoint_url).list_objects_v2(Bucket=location.bucket)
    return sorted(item["Key"] for item in answer.get("Contents", ()))
