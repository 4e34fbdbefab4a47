"""Shared fixtures: a fresh PostgreSQL database per test, a SQLite file per test.

PostgreSQL comes from the server already running on 127.0.0.1:5432 (pytest-postgresql's
``noproc`` factory clones a template database per test). Tests that use it are marked
``postgres``; when the server is down they fail rather than skip, so a broken CI
database cannot pass silently.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from pytest_postgresql import factories

postgresql_noproc = factories.postgresql_noproc(host="127.0.0.1", port=5432, user="postgres")
postgresql = factories.postgresql("postgresql_noproc")


@pytest.fixture
def pg_url(postgresql: psycopg.Connection) -> str:
    """SQLAlchemy URL of this test's own, empty PostgreSQL database."""
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{postgresql.info.dbname}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """SQLAlchemy URL of a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'target.db'}"
