"""A local stand-in for the Telegram Bot API, enough for python-telegram-bot to poll, send, edit
and answer.

`POST /bot<token>/<method>` serves getMe, setMyCommands, setWebhook, deleteWebhook, getUpdates
(long polling over the updates queued with `push`), sendMessage, sendDocument, editMessageText,
editMessageReplyMarkup and answerCallbackQuery. Every call but getUpdates is recorded with its
parameters; `fail_next` answers the next calls of a method with an error (429 with retry_after,
400...) and `block` answers 403 for a chat, as Telegram does once a person blocks the bot. It
runs under uvicorn in a background thread on 127.0.0.1, on a free port.
"""

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.serving import json_response, serving

TOKEN = "123456:TEST-token_for-the-fake"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Percorso", "username": "percorso_bot"}
# PTB sends strings as they are and everything else JSON-encoded, all as form fields.
_JSON_PARAMETERS = {
    "reply_markup", "commands", "scope", "allowed_updates", "chat_id", "message_id", "offset",
    "limit", "timeout", "drop_pending_updates", "max_connections",
}  # fmt: skip
_POLL_STEP = 0.01


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)  # when it arrived, for rate checks


@dataclass(frozen=True)
class Failure:
    status: int
    description: str
    retry_after: int | None = None


class FakeTelegram:
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.url = ""
        self.calls: list[Call] = []
        self.webhook: dict[str, Any] | None = None
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._failures: dict[str, deque[Failure]] = {}
        self._blocked: set[int] = set()
        self._next_message_id = 1000
        self._lock = threading.Lock()
        self.app = Starlette(routes=[Route("/bot{token}/{method}", self._api, methods=["POST"])])

    # --- what a test does ---------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates."""
        with self._lock:
            self._updates.append(update)

    def fail_next(
        self, method: str, status: int, retry_after: int | None = None, times: int = 1
    ) -> None:
        description = {
            400: "Bad Request: chat not found",
            403: "Forbidden: bot was blocked by the user",
            429: f"Too Many Requests: retry after {retry_after}",
            502: "Bad Gateway",
        }.get(status, "Error")
        with self._lock:
            queue = self._failures.setdefault(method, deque())
            queue.extend([Failure(status, description, retry_after)] * times)

    def block(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.add(chat_id)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.webhook = None
            self._messages.clear()
            self._updates.clear()
            self._failures.clear()
            self._blocked.clear()

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [call.params for call in self.calls if call.method == method]

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages sent to the chat, as they are now (edits applied), oldest first."""
        with self._lock:
            return [m for (chat, _), m in sorted(self._messages.items()) if chat == chat_id]

    def times_of(self, method: str) -> list[float]:
        """When each call to the method arrived (time.monotonic), in order."""
        with self._lock:
            return [call.at for call in self.calls if call.method == method]

    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    # --- the API ------------------------------------------------------------------------

    async def _api(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return _error(Failure(401, "Unauthorized"))
        method = request.path_params["method"]
        params = _params(request.headers.get("content-type", ""), await request.body())
        if method == "getUpdates":
            return await self._get_updates(params)
        with self._lock:
            self.calls.append(Call(method, params))
            failure = self._failure_for(method, params)
            if failure is not None:
                return _error(failure)
            handler = getattr(self, f"_{method}", None)
            if handler is None:
                return _error(Failure(404, "Not Found: method not found"))
            return _ok(handler(params))

    def _failure_for(self, method: str, params: dict[str, Any]) -> Failure | None:
        queue = self._failures.get(method)
        if queue:
            return queue.popleft()
        if params.get("chat_id") in self._blocked and method != "answerCallbackQuery":
            return Failure(403, "Forbidden: bot was blocked by the user")
        return None

    async def _get_updates(self, params: dict[str, Any]) -> JSONResponse:
        offset = params.get("offset", 0)
        deadline = time.monotonic() + float(params.get("timeout", 0))
        while True:
            with self._lock:
                # An offset confirms every update before it, as Telegram does.
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = self._updates[: int(params.get("limit", 100))]
            if ready or time.monotonic() >= deadline:
                return _ok(ready)
            await asyncio.sleep(_POLL_STEP)

    def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return BOT_USER

    def _setMyCommands(self, params: dict[str, Any]) -> bool:
        return True

    def _setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = params
        return True

    def _deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = None
        return True

    def _answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        return True

    def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        self._next_message_id += 1
        message = {
            "message_id": self._next_message_id,
            "date": int(time.time()),
            "chat": {"id": params["chat_id"], "type": "private", "first_name": "Test"},
            "from": BOT_USER,
            "text": params["text"],
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        self._messages[(params["chat_id"], message["message_id"])] = message
        return message

    def _sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        """The upload stays in the recorded call; the message names the file."""
        message = self._sendMessage({**params, "text": ""})
        del message["text"]
        message["document"] = {
            "file_id": f"doc-{message['message_id']}",
            "file_unique_id": f"d{message['message_id']}",
            "file_name": params["document"]["file_name"],
        }
        return message

    def _editMessageText(self, params: dict[str, Any]) -> dict[str, Any] | JSONResponse:
        return self._edit(params, text=params["text"])

    def _editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any] | JSONResponse:
        return self._edit(params)

    def _edit(self, params: dict[str, Any], **changes: Any) -> dict[str, Any] | JSONResponse:
        message = self._messages.get((params["chat_id"], params["message_id"]))
        if message is None:
            return _error(Failure(400, "Bad Request: message to edit not found"))
        edited = {**message, **changes}
        edited.pop("reply_markup", None)  # an edit without reply_markup removes the keyboard
        if params.get("reply_markup"):
            edited["reply_markup"] = params["reply_markup"]
        if edited == message:
            return _error(Failure(400, "Bad Request: message is not modified"))
        self._messages[(params["chat_id"], params["message_id"])] = edited
        return edited


def _params(content_type: str, body: bytes) -> dict[str, Any]:
    """PTB posts a form, or a multipart form when it uploads a file."""
    if not content_type.startswith("multipart/form-data"):
        return _decoded(dict(parse_qsl(body.decode(), keep_blank_values=True)))
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    form: dict[str, Any] = {}
    for part in BytesParser(policy=HTTP).parsebytes(head + body).iter_parts():
        name = part.get_param("name", header="content-disposition")
        content = part.get_payload(decode=True)
        filename = part.get_filename()
        form[name] = {"file_name": filename, "content": content} if filename else content.decode()
    return _decoded(form)


def _decoded(form: dict[str, Any]) -> dict[str, Any]:
    return {k: json.loads(v) if k in _JSON_PARAMETERS else v for k, v in form.items()}


def _ok(result: object) -> JSONResponse:
    if isinstance(result, JSONResponse):
        return result
    return json_response({"ok": True, "result": result}, 200)


def _error(failure: Failure) -> JSONResponse:
    body: dict[str, Any] = {
        "ok": False,
        "error_code": failure.status,
        "description": failure.description,
    }
    if failure.retry_after is not None:
        body["parameters"] = {"retry_after": failure.retry_after}
    return json_response(body, failure.status)



@contextmanager
def running(fake: FakeTelegram) -> Iterator[FakeTelegram]:
    """Serve `fake` on 127.0.0.1 until the block ends; `fake.url` is its base URL."""
    with serving(fake.app, "Telegram") as url:
        fake.url = url
        yield fake
