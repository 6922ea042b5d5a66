"""Headers that keep pages from being framed, sniffed or made to load scripts from elsewhere."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'{extra}"
)
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """Pure ASGI, so it adds nothing measurable to each response."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False, form_targets: tuple[str, ...] = ()) -> None:
        self.app = app
        # The checkout form redirects to Stripe's hosted page; browsers apply form-action to that redirect.
        self.csp = CSP.format(extra="".join(f" {origin}" for origin in form_targets)).encode()
        # Only over https: browsers then refuse plain http to this host for a year.
        self.extra = [(b"strict-transport-security", b"max-age=31536000; includeSubDomains")] if hsts else []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name for name, _ in headers}
                headers.extend(h for h in [*HEADERS, *self.extra] if h[0] not in present)
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", self.csp))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
