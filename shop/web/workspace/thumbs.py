"""Thumbnails the money pages show beside names and pieces, so people recognise what they read."""

from __future__ import annotations

import sqlalchemy as sa

from shop.api.http.urls import default_thumb
from shop.catalogue.models import Image, ProductImage, Weaver


def first_photos(session, product_ids: set[int], width: int = 320) -> dict[int, str]:
    """The thumbnail of each product's first photo, for products that still exist and have one."""
    if not product_ids:
        return {}
    rows = session.execute(
        sa.select(ProductImage.product_id, Image)
        .join(Image, Image.id == ProductImage.image_id)
        .where(ProductImage.product_id.in_(product_ids))
        .order_by(ProductImage.product_id, ProductImage.position, ProductImage.id)
    ).all()
    photos: dict[int, str] = {}
    for product_id, image in rows:
        photos.setdefault(product_id, default_thumb(image, width))
    return photos


def weaver_photos(session, weaver_ids) -> dict[int, str]:
    """Each weaver's portrait thumbnail, so the treasurer recognises who she is paying."""
    rows = session.execute(
        sa.select(Weaver.id, Image).join(Image, Image.id == Weaver.photo_id).where(Weaver.id.in_(list(weaver_ids)))
    ).all()
    return {weaver_id: default_thumb(image, 320) for weaver_id, image in rows}
