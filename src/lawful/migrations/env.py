"""Alembic environment: run through `lawful.core.db.upgrade`, which passes the connection in."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from lawful.auth import models as _auth_models  # noqa: F401
from lawful.complaints import models as _complaint_models  # noqa: F401
from lawful.config import get_settings
from lawful.core import installation as _installation  # noqa: F401
from lawful.core.db import Base, create_engine
from lawful.core.ledger import models as _ledger_models  # noqa: F401  (registers the tables)
from lawful.core.vault import models as _vault_models  # noqa: F401
from lawful.correspondence import models as _correspondence_models  # noqa: F401
from lawful.customers import models as _customer_models  # noqa: F401
from lawful.flood import models as _flood_models  # noqa: F401
from lawful.ingest import models as _ingest_models  # noqa: F401
from lawful.insurance import models as _insurance_models  # noqa: F401
from lawful.interactions import models as _interaction_models  # noqa: F401
from lawful.offers import models as _offer_models  # noqa: F401
from lawful.rights import models as _rights_models  # noqa: F401
from lawful.simulations import models as _simulation_models  # noqa: F401

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=get_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(get_settings().database_url)
    try:
        with engine.begin() as own:
            _run(own)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
