"""Serving a fake provider on 127.0.0.1 for the length of a test."""

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.responses import JSONResponse
from starlette.types import ASGIApp


@contextmanager
def serving(app: ASGIApp, name: str, lifespan: str = "off") -> Iterator[str]:
    """Serve `app` until the block ends; yields its base URL. `lifespan="on"` runs the app's
    start and stop (the web app's own senders and hurries)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan=lifespan))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the fake {name} server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def json_response(body: dict[str, Any], status: int) -> JSONResponse:
    # A fresh connection per request: a kept-alive one meets the 40 ms delayed-ACK stall.
    return JSONResponse(body, status_code=status, headers={"Connection": "close"})
