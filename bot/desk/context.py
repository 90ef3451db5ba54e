"""What every desk page needs from the application, kept on the web app's state."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

from bot.clock import Clock
from bot.conversation.service import ConversationService
from storage.crypto import Cipher

TEMPLATES_DIR = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class NavEntry:
    """A page in the desk's navigation: its text key and its path."""

    text: str
    path: str
    counselors_only: bool = False
    coordinators_only: bool = False  # coordinators and admins


@dataclass
class Desk:
    engine: Engine
    clock: Clock
    cipher: Cipher
    service: ConversationService
    secure_cookies: bool  # PUBLIC_URL is https
    default_zone: str
    nav: list[NavEntry] = field(default_factory=list)
    templates: Jinja2Templates = field(
        default_factory=lambda: Jinja2Templates(directory=TEMPLATES_DIR)
    )


def desk(request: Request) -> Desk:
    return request.app.state.desk


DeskContext = Annotated[Desk, Depends(desk)]
