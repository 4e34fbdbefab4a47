"""Alembic environment: online migrations against the URL given as ``-x db_url=URL``."""

from __future__ import annotations

from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context
from bookshop.models import Base
from sqlalchemy.engine import make_url

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = Base.metadata


def database_url() -> sa.URL:
    raw = context.get_x_argument(as_dictionary=True).get("db_url")
    if not raw:
        raise SystemExit("give the database: alembic -x db_url=URL upgrade head")
    url = make_url(raw)
    # psycopg 3 is the PostgreSQL driver installed with synthohive_seed.
    return url.set(drivername="postgresql+psycopg") if url.drivername == "postgresql" else url


def run_migrations_online() -> None:
    engine = sa.create_engine(database_url())
    with engine.connect() as connection:
        # render_as_batch: SQLite cannot ALTER most things in place; batch mode copies tables.
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
