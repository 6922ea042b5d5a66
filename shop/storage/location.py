"""``SHOP_STORAGE_URL``: which bucket, under which prefix, at which S3-compatible endpoint.

    s3://BUCKET[/PREFIX][?endpoint_url=http://127.0.0.1:9000&region=us-east-1&addressing_style=path]

Credentials never go in the URL (it is printed in logs and errors): they come from
``SHOP_STORAGE_ACCESS_KEY_ID``/``SHOP_STORAGE_SECRET_ACCESS_KEY``, or else boto3's usual chain (``AWS_*``
variables, ``~/.aws``, the machine's role).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

OPTIONS = ("endpoint_url", "region", "addressing_style")
ADDRESSING_STYLES = ("auto", "path", "virtual")


@dataclass(frozen=True)
class StorageLocation:
    bucket: str
    prefix: str  # "" or ending with "/"
    endpoint_url: str | None = None
    region: str | None = None
    addressing_style: str = "auto"


def parse_storage_url(url: str) -> StorageLocation:
    """Read the URL, or say plainly what is wrong with it (``ValueError``)."""
    parts = urlsplit(url.strip())
    if parts.scheme != "s3":
        raise ValueError("SHOP_STORAGE_URL must start with s3://, e.g. s3://bucket/prefix")
    if parts.username or parts.password:
        raise ValueError(
            "SHOP_STORAGE_URL must not hold credentials: set SHOP_STORAGE_ACCESS_KEY_ID and "
            "SHOP_STORAGE_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)"
        )
    if not parts.hostname:
        raise ValueError("SHOP_STORAGE_URL must name a bucket: s3://bucket/prefix")
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=False)
    unknown = sorted(set(query) - set(OPTIONS))
    if unknown:
        raise ValueError(f"SHOP_STORAGE_URL has unknown options {unknown}; known: {', '.join(OPTIONS)}")
    option = {key: values[-1] for key, values in query.items()}
    style = option.get("addressing_style") or "auto"
    if style not in ADDRESSING_STYLES:
        raise ValueError(f"addressing_style must be one of {', '.join(ADDRESSING_STYLES)}")
    endpoint = option.get("endpoint_url") or None
    if endpoint is not None and urlsplit(endpoint).scheme not in ("http", "https"):
        raise ValueError("endpoint_url must be an http:// or https:// address")
    prefix = parts.path.strip("/")
    return StorageLocation(
        bucket=parts.netloc,
        prefix=f"{prefix}/" if prefix else "",
        endpoint_url=endpoint,
        region=option.get("region") or None,
        addressing_style=style,
    )
