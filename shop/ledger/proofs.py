"""Photos of signed cash receipts: the cooperative's proof that a weaver received her money.

They show a person's signature or thumbprint, so they are kept in the private ``proofs`` store (never the public
media) and only the treasurer and the council can open them. Each upload is re-encoded as an upright JPEG
without its metadata (phones write the place a photo was taken into it).
"""

from __future__ import annotations

import secrets

from shop.catalogue.images import ImageLimits, private_jpeg
from shop.errors import N_, NotFound
from shop.storage import FileMissing, FileStore, checked_name

LONGEST_SIDE = 2400
JPEG_QUALITY = 85
NO_PROOF = N_("No signed receipt was uploaded for this payout.")


def store_proof(data: bytes, store: FileStore, payout_id: int, limits: ImageLimits) -> str:
    """Check and store the photo; returns its name in ``store``."""
    picture = private_jpeg(data, limits, field="proof", longest_side=LONGEST_SIDE, quality=JPEG_QUALITY)
    name = f"payout-{int(payout_id)}-{secrets.token_hex(8)}.jpg"
    store.put(name, picture)
    return name


def proof_name(name: str | None) -> str:
    """The stored photo's name, refusing any that could not be one of ours."""
    try:
        return checked_name(name)
    except FileMissing:
        raise NotFound(NO_PROOF) from None
