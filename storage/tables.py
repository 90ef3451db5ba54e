"""Every table module, in one place: the metadata that Alembic compares, that the tests empty
and that the ORM resolves foreign keys in (e.g. storage.booking's to `person.id`) is complete
once this is imported. A new table module is added here."""

from sqlmodel import SQLModel

from storage import (  # noqa: F401
    booking,
    broadcasts,
    desk,
    handovers,
    keyring,
    models,
    rate_limits,
)

metadata = SQLModel.metadata
