"""Photos of signed cash receipts: the cooperative's proof that a weaver received her money.

They show a person's signature or thumbprint, so they are kept outside the public media folder and only the
treasurer and the council can open them. Each upload is re-encoded as an upright JPEG without its metadata
(phones write the place a photo was taken into it).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from shop.catalogue.images import ImageLimits, private_jpeg, write_atomically
from shop.errors import N_, NotFound

LONGEST_SIDE = 2400
JPEG_QUALITY = 85


def store_proof(data: bytes, proofs_dir: Path, payout_id: int, limits: ImageLimits) -> str:
    """Check and store the photo; returns its name inside ``proofs_dir``."""
    picture = private_jpeg(data, limits, field="proof", longest_side=LONGEST_SIDE, quality=JPEG_QUALITY)
    name = f"payout-{int(payout_id)}-{secrets.token_hex(8)}.jpg"
    write_atomically(proofs_dir / name, picture)
    return name


def proof_file(proofs_dir: Path, name: str | None) -> Path:
    """The stored photo, refusing any name that would leave the proofs folder."""
    if not name or "/" in name or "\\" in name or name.startswith("."):
        raise NotFound(N_("No signed receipt was uploaded for this payout."))
    path = proofs_dir / name
    if not path.is_file():
        raise NotFound(N_("No signed receipt was uploaded for this payout."))
    return path
