"""The baseline: a bare Starlette app answering with a fixed body as large as the listing page."""

import os

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = b"x" * int(os.environ.get("BARE_BODY_BYTES", "20000"))


async def page(_request):
    return Response(BODY, media_type="text/html; charset=utf-8")


app = Starlette(routes=[Route("/", page)])
