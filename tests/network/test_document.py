"""The network exported as a file reads back to the same network; an import keeps the absences
marked in the desk."""

from datetime import date

import yaml
from sqlalchemy import Engine
from sqlmodel import select

from bot.network.check import Known, check_network
from bot.network.document import changes, network_document, network_yaml
from bot.network.importer import DEMO_NETWORK, import_network, import_text
from storage.audit import install_guard, lift_guard
from storage.booking import AvailabilityException
from storage.db import unit_of_work
from storage.models import Counselor
from storage.tables import metadata


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        lift_guard(connection)
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
        install_guard(connection)


def test_an_exported_network_imports_into_an_empty_database_as_the_same_network(
    engine: Engine,
) -> None:
    import_network(engine, DEMO_NETWORK)
    with unit_of_work(engine) as db:
        import_text(db, "counselors:\n  - {code: joao-costa, name: João Costa, active: false}\n")
        exported = network_yaml(network_document(db), "test")
    assert check_network(exported, Known())[1] == []  # it stands alone: no code it names unknown
    _empty(engine)
    with unit_of_work(engine) as db:
        import_text(db, exported)
    with unit_of_work(engine) as db:
        again = network_yaml(network_document(db), "test")
    assert again == exported
    document = yaml.safe_load(exported)
    assert document == yaml.safe_load(again)
    joao = next(c for c in document["counselors"] if c["code"] == "joao-costa")
    assert joao["active"] is False
    ana = document["availability"]["ana-silva"]
    assert ana["weekly"][0] == {"site": "porto", "days": ["mon", "wed", "thu", "fri"],
                                "hours": "09:00-17:00", "breaks": ["13:00-14:00"],
                                "valid_from": date(2026, 1, 1)}  # fmt: skip
    assert ana["exceptions"] == [{"date": date(2026, 12, 18), "closed": True,
                                  "note": "training day"}]  # fmt: skip
    assert document["closures"]["bologna"] == [{"date": date(2026, 12, 8),
                                                "note": "Immacolata Concezione"}]  # fmt: skip


def test_the_changes_between_two_documents_name_each_entry_and_its_fields() -> None:
    before = {"sites": [{"code": "porto", "name": "Porto", "phone": "1"}],
              "availability": {"ana": {"weekly": [], "exceptions": []}}}  # fmt: skip
    hours = {"weekly": [{"site": "porto"}], "exceptions": []}
    after = {"sites": [{"code": "porto", "name": "Porto", "phone": "2"},
                       {"code": "lisboa", "name": "Lisboa"}],
             "availability": {"ana": hours}}  # fmt: skip
    assert changes(before, after) == [
        ("changed", "sites", "porto", ["phone"]),
        ("created", "sites", "lisboa", ["code", "name"]),
        ("changed", "availability", "ana", ["weekly"]),
    ]


def test_percorso_network_import_keeps_an_absence_marked_in_the_desk(engine: Engine) -> None:
    import_network(engine, DEMO_NETWORK)
    with unit_of_work(engine) as db:
        giulia = db.exec(select(Counselor).where(Counselor.code == "giulia-romano")).one()
        db.add(AvailabilityException(counselor_id=giulia.id, day=date(2027, 1, 4), kind="closed",
                                     note="ill", source="desk"))  # fmt: skip
    import_network(engine, DEMO_NETWORK)
    with unit_of_work(engine) as db:
        rows = db.exec(select(AvailabilityException).where(
            AvailabilityException.counselor_id == giulia.id)).all()  # fmt: skip
    assert sorted((row.day, row.kind, row.source) for row in rows) == [
        (date(2026, 12, 12), "extra", "file"), (date(2027, 1, 4), "closed", "desk")]  # fmt: skip
