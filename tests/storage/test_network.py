import pytest
from sqlalchemy import Engine
from sqlmodel import select

from storage.db import unit_of_work
from storage.models import Counselor, Service, Site
from storage.repositories import upsert_network

SITE = {
    "code": "cdm-napoli",
    "name": "Città dei Mestieri Napoli",
    "municipality": "Napoli",
    "address": "Via Toledo 1",
    "timezone": "Europe/Rome",
}
COUNSELOR = {
    "code": "c-ana",
    "name": "Ana",
    "languages": ["it", "en"],
    "site_codes": ["cdm-napoli"],
}
SERVICE = {
    "code": "orientation",
    "kind": "individual",
    "duration_minutes": 45,
    "modes": ["in_person", "phone"],
    "names": {"it": "Colloquio di orientamento", "pt": "Entrevista de orientação"},
}


def test_network_is_imported_by_code_and_updated_in_place(engine: Engine) -> None:
    with unit_of_work(engine) as session:
        upsert_network(session, [SITE], [COUNSELOR], [SERVICE])
    with unit_of_work(engine) as session:
        upsert_network(session, [SITE | {"phone": "+39081000"}], [], [SERVICE | {"modes": []}])
    with unit_of_work(engine) as session:
        (site,) = session.exec(select(Site)).all()
        (counselor,) = session.exec(select(Counselor)).all()
        (service,) = session.exec(select(Service)).all()
    assert (site.phone, site.name) == ("+39081000", SITE["name"])
    assert counselor.languages == ["it", "en"]
    assert service.modes == []
    assert service.names["pt"] == "Entrevista de orientação"


def test_an_unknown_field_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="timezon"), unit_of_work(engine) as session:
        upsert_network(session, [SITE | {"timezon": "Europe/Rome"}], [], [])
