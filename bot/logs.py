"""JSON logs, one object a line, with the request id of what caused them and nothing personal.

Like bot/clock.py this module sits in no layer. `configure` routes every logger (ours, uvicorn's,
SQLAlchemy's, APScheduler's) through structlog's JSON renderer. A line carries the ids bound in
its context (`request_id`, the outbox row's id) and never a traceback: an exception's message
and the values in its frames may hold a phone number or what the person wrote, so a logged
exception is reduced to its class (`error`). The engines hide SQL parameters (storage.db).

A request id is made for every web request (`bound_request`); the outbox rows a request writes
keep it (bot.delivery.outbound), so the worker that sends them logs the same id.
"""

import logging
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import structlog
from structlog.contextvars import bound_contextvars, get_contextvars

REQUEST_ID = "request_id"


def configure(level: int = logging.INFO, stream: TextIO = sys.stderr) -> logging.Handler:
    """Every log record as a line of JSON on `stream`; returns the handler (tests remove it)."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _error_class_only,
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.JSONRenderer()],
    ))  # fmt: skip
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # httpx logs every request's URL at INFO, and a Bot API URL holds the bot's token;
    # SQLAlchemy would log every statement at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
    return handler


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


def request_id() -> str | None:
    """The id of the request being handled in this context, if any."""
    return get_contextvars().get(REQUEST_ID)


@contextmanager
def bound_request(request: str | None = None) -> Iterator[str]:
    """Log everything inside under this request id (a new one when None)."""
    request = request or new_request_id()
    with bound_contextvars(**{REQUEST_ID: request}):
        yield request


@contextmanager
def bound_row(outbox_id: int | None, request: str | None) -> Iterator[None]:
    """Log a send under its outbox row's id and the id of the request that wrote the row."""
    ids = {"outbox_id": outbox_id, **({REQUEST_ID: request} if request else {})}
    with bound_contextvars(**ids):
        yield


def _error_class_only(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    exc_info = event.pop("exc_info", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    if isinstance(exc_info, BaseException):
        event.setdefault("error", type(exc_info).__name__)
    elif isinstance(exc_info, tuple) and exc_info[0] is not None:
        event.setdefault("error", exc_info[0].__name__)
    event.pop("stack_info", None)
    return event
