"""The size of what the webhooks read: a body past the limit is refused with 413 before it is
read whole, whatever Content-Length says, so an unauthenticated client cannot fill memory."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

WEBHOOK_BODY_LIMIT = 64 * 1024
WEBHOOKS = "/webhooks/"


class WebhookBodyLimit:
    """ASGI middleware: reads a webhook's body up to the limit, then hands it on."""

    def __init__(self, app: ASGIApp, limit: int = WEBHOOK_BODY_LIMIT) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(WEBHOOKS):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.limit:
            await _too_large(send)
            return
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > self.limit:
                await _too_large(send)
                return
            if not message.get("more_body"):
                break
        await self.app(scope, _replay(bytes(body)), send)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _too_large(send: Send) -> None:
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-length", b"0")]})  # fmt: skip
    await send({"type": "http.response.body", "body": b""})
