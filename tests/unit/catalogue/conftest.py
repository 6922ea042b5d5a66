"""Photos are tested where the shop keeps them by default, the local disk, and in a bucket."""

import pytest

from shop.storage import in_bucket, parse_storage_url


@pytest.fixture(params=["local", "s3"])
def files(request, app):
    """The photos kept on the local disk (the default) and in a bucket."""
    if request.param == "local":
        return app.state.files
    from object_storage import KEY_ID, SECRET

    return in_bucket(parse_storage_url(request.getfixturevalue("bucket_url")), key_id=KEY_ID, secret=SECRET)
