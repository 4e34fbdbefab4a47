"""Shared fixtures: a fresh PostgreSQL database per test, a SQLite file per test.

PostgreSQL comes from the server already running on 127.0.0.1:5432 (pytest-postgresql's
``noproc`` factory clones a template database per test), MariaDB from the one on
127.0.0.1:3306 (a fresh database per test). Tests that use them are marked ``postgres``
/ ``mysql``; when a server is down they fail rather than skip, so a broken CI database
cannot pass silently.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from pytest_postgresql import factories

# pytester: the pytest plugin is tested by running small user projects (test_pytest_plugin.py).
pytest_plugins = ["pytester"]

# Source and empty-target templates of the sample databases (chinook_src, northwind_tgt...).
from .datasets import (  # noqa: E402,F401
    chinook_src,
    chinook_src_proc,
    chinook_tgt,
    chinook_tgt_proc,
    clubdata_src,
    clubdata_src_proc,
    clubdata_tgt,
    clubdata_tgt_proc,
    northwind_src,
    northwind_src_proc,
    northwind_tgt,
    northwind_tgt_proc,
    oracle_co_src,
    oracle_co_src_proc,
    oracle_co_tgt,
    oracle_co_tgt_proc,
)

postgresql_noproc = factories.postgresql_noproc(host="127.0.0.1", port=5432, user="postgres",
                                                dbname=f"seed_tests_{os.getpid()}")
postgresql = factories.postgresql("postgresql_noproc")


@pytest.fixture
def pg_url(postgresql: psycopg.Connection) -> str:
    """SQLAlchemy URL of this test's own, empty PostgreSQL database."""
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{postgresql.info.dbname}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """SQLAlchemy URL of a SQLite file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'target.db'}"


@pytest.fixture
def mysql_url() -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty MariaDB/MySQL database (127.0.0.1:3306, root)."""
    name = f"seed_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine("mysql+pymysql://root@127.0.0.1:3306/")
    with server.begin() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield f"mysql+pymysql://root@127.0.0.1:3306/{name}"
    finally:
        with server.begin() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        server.dispose()


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres),
            pytest.param("mysql", marks=pytest.mark.mysql)]
"""Every target backend, for tests parametrised over databases."""


@pytest.fixture(params=BACKENDS)
def target_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty target database of each backend in turn: SQLite, PostgreSQL, MariaDB."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'target.db'}"
    return str(request.getfixturevalue("mysql_url" if request.param == "mysql" else "pg_url"))
