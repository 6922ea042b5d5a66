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

from shop.http.auth import role_checks, signed_in

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
