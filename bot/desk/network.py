"""/desk/network: the network's sites, counselors, services and booking rules for coordinators,
the log of changes made in the desk, the whole network as a YAML file to download, and a file
to upload — checked and imported exactly as `percorso network import` does. A counselor gets
404."""

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.desk import network_forms
from bot.desk.auth import Staff
from bot.desk.context import Desk, DeskContext, NavEntry
from bot.desk.impact import Coordinator
from bot.desk.mount import DeskPage
from bot.desk.network_edit import FormCoordinator, apply_network, recent_changes
from bot.desk.pages import HEADERS, page
from bot.desk.texts import Texts
from bot.network.document import network_document, network_yaml
from storage.db import unit_of_work

router = APIRouter()
LARGEST_FILE = 1_000_000  # bytes: a network of hundreds of counselors is far smaller


@router.get("/desk/network")
def network(request: Request, staff: Coordinator, context: DeskContext) -> HTMLResponse:
    return _overview(request, context, staff)


@router.get("/desk/network/network.yaml")
def export(staff: Coordinator, context: DeskContext) -> Response:
    with unit_of_work(context.engine) as db:
        document = network_document(db)
    day = context.clock().date().isoformat()
    text = network_yaml(document, f"The network of percorso on {day} (percorso network import)")
    response = Response(text, media_type="application/yaml; charset=utf-8")
    response.headers.update(HEADERS)
    response.headers["Content-Disposition"] = f'attachment; filename="network-{day}.yaml"'
    return response


@router.post("/desk/network/file", response_model=None)
async def upload(
    request: Request, staff: FormCoordinator, context: DeskContext,
    file: Annotated[UploadFile | None, File()] = None,
) -> HTMLResponse | Response:  # fmt: skip
    texts = Texts(staff.lang)
    content = await file.read(LARGEST_FILE + 1) if file is not None else b""
    try:
        text = content.decode("utf-8") if 0 < len(content) <= LARGEST_FILE else None
    except UnicodeDecodeError:
        text = None
    problems = (apply_network(context, staff, text, texts) if text is not None
                else [texts("network.not_a_file", largest=LARGEST_FILE // 1000)])  # fmt: skip
    if problems:
        return _overview(request, context, staff, problems)
    return RedirectResponse("/desk/network?saved=file", status_code=303)


def _overview(
    request: Request, context: Desk, staff: Staff, problems: list[str] | None = None
) -> HTMLResponse:
    with unit_of_work(context.engine) as db:
        document = network_document(db)
    saved = request.query_params.get("saved")
    return page(request, context, "network.html", staff, 422 if problems else 200,
                document=document, changes=recent_changes(context), problems=problems or [],
                zone=ZoneInfo(context.default_zone),
                saved=saved if saved in (*network_forms.FIELDS, "booking_rules", "file")
                else None)  # fmt: skip


router.include_router(network_forms.router)  # after /desk/network/file, which it would shadow
PAGE = DeskPage(NavEntry("nav.network", "/desk/network", coordinators_only=True), router)
