"""Every web request under its own id, and the one place a request's failure is logged.

The id is bound to everything logged while the request runs (bot.logs), answered in the
`X-Request-ID` header and kept by the outbox rows the request writes. An exception that escapes
a route is logged here with the request's id, method, path and the exception's class, nothing
more (its message and frames may hold what a person wrote), and answered 500 without detail.
"""

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.logs import bound_request

log = logging.getLogger(__name__)
HEADER = b"x-request-id"
FAILED = b"Internal Server Error"


class RequestIds:
    """ASGI middleware: the request's id, and a plain 500 for whatever a route let escape."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        with bound_request() as request:

            async def answer(message: Message) -> None:
                nonlocal started
                if message["type"] == "http.response.start":
                    started = True
                    message["headers"] = [*message.get("headers", []),
                                          (HEADER, request.encode())]  # fmt: skip
                await send(message)

            try:
                await self.app(scope, receive, answer)
            except Exception as error:
                log.error("request failed: %s %s %s", scope["method"], scope["path"],
                          type(error).__name__)  # fmt: skip
                if not started:
                    await _failed(send, request)


async def _failed(send: Send, request: str) -> None:
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(FAILED)).encode()),
        (HEADER, request.encode()),
    ]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": FAILED})
