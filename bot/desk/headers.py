"""The desk's security headers: a content security policy that allows no inline script or style
and no framing, no MIME sniffing, no referrer sent off the site, and HSTS when the desk is served
over TLS (said by the proxy's X-Forwarded-Proto, or by the setting when the proxy says nothing)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DESK = "/desk"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"

_ALWAYS = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers that predate it
    (b"referrer-policy", b"same-origin"),
)


class DeskHeaders:
    """ASGI middleware: adds the headers to every response under /desk."""

    def __init__(self, app: ASGIApp, always_tls: bool = False) -> None:
        self.app = app
        self.always_tls = always_tls

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(DESK):
            await self.app(scope, receive, send)
            return
        added = list(_ALWAYS)
        if self.always_tls or _over_tls(scope):
            added.append((b"strict-transport-security", HSTS.encode()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in added}
                kept = [(n, v) for n, v in message.get("headers", ()) if n.lower() not in names]
                message["headers"] = [*kept, *added]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _over_tls(scope: Scope) -> bool:
    forwarded = dict(scope["headers"]).get(b"x-forwarded-proto", b"")
    return scope.get("scheme") == "https" or forwarded.split(b",")[0].strip() == b"https"
