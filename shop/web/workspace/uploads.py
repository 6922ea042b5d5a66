"""Routes that take files check who is asking before they read a byte of what she sends.

FastAPI reads a form (writing its files to disk) before it runs the route's dependencies, so the sign-in and
role check of ``require(...)`` would come after a stranger's upload was already read. A route of this class
runs that check first: someone not signed in, or without the role, is answered as on any page (the sign-in
screen, or 403) while her body is still unread. The body's size is limited apart (``shop.web.body_limits``).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from shop.api.http.auth import role_checks, signed_in
from shop.catalogue.images import ImageLimits
from shop.errors import N_, ValidationFailed

READS_NO_BODY = ("GET", "HEAD")


class SignedInFirst(APIRoute):
    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()
        checks = role_checks(self.dependant)
        if not checks:
            raise TypeError(f"{self.path} takes uploads but requires no sign-in: add require(...)")

        async def signed_in_first(request: Request) -> Response:
            if request.method not in READS_NO_BODY:
                who = await run_in_threadpool(signed_in, request)
                for check in checks:
                    check(request, who)
            return await handler(request)

        return signed_in_first


def chosen_photo(request: Request, upload, *, field: str, missing: str) -> tuple[bytes, ImageLimits]:
    """The bytes of the photo a form sent, with the limits to check it by: refused under ``field`` when none was
    chosen (an empty file input still sends a part) or when it is larger than a photo may be, unread."""
    settings = request.app.state.settings
    limits = ImageLimits(max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels)
    if upload is None or not (upload.filename or upload.size):
        raise ValidationFailed(missing, field=field)
    if (upload.size or 0) > limits.max_bytes:
        raise ValidationFailed(N_("This photo is too large. Take it again with a smaller size."), field=field)
    return upload.file.read(limits.max_bytes + 1), limits
