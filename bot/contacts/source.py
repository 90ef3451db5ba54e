"""Where a person first came from: the payload of the deep link (a site, a campaign) that
opened their first conversation."""

from sqlmodel import Session

from storage.models import Person


def remember_source(db: Session, person_id: str, payload: str) -> None:
    """Later deep links do not overwrite the first one."""
    person = db.get(Person, person_id)
    if person is not None and person.source is None:
        person.source = payload
        db.add(person)
