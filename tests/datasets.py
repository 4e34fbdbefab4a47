"""PostgreSQL copies of the sample databases in tests/data, as pytest-postgresql templates.

For each database there is a *source* (dump loaded) and a *target* (the same dump, then
every table emptied: an empty copy of the database's own DDL, so the target enforces
every constraint the source declares). Templates are built once per session and cloned
per test. Imported by conftest.py so the fixture names are global.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
from pytest_postgresql import factories

DATA = Path(__file__).parent / "data"
# Template names carry the process id: two pytest sessions on one server (a developer's
# and CI's) never collide, and a killed session's leftovers do not block the next one.
RUN = os.getpid()
DUMPS = {
    "chinook": DATA / "chinook_postgresql.sql",
    "northwind": DATA / "northwind_psql.sql",
    "clubdata": DATA / "clubdata.sql",
    "oracle_co": DATA / "oracle_co_postgres.sql",
}


def empty_all_tables(**connect: object) -> None:
    """pytest-postgresql loader (gets psycopg connect arguments): TRUNCATE every table."""
    with psycopg.connect(**connect) as conn:  # type: ignore[arg-type]
        rows = conn.execute(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')").fetchall()
        if rows:
            names = ", ".join(r[0] for r in rows)
            conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


def _pair(name: str) -> tuple[object, object, object, object]:
    src_proc = factories.postgresql_noproc(host="127.0.0.1", port=5432, user="postgres",
                                           dbname=f"seed_{name}_src_{RUN}", load=[DUMPS[name]])
    tgt_proc = factories.postgresql_noproc(host="127.0.0.1", port=5432, user="postgres",
                                           dbname=f"seed_{name}_tgt_{RUN}",
                                           load=[DUMPS[name], empty_all_tables])
    return (src_proc, factories.postgresql(f"{name}_src_proc"),
            tgt_proc, factories.postgresql(f"{name}_tgt_proc"))


chinook_src_proc, chinook_src, chinook_tgt_proc, chinook_tgt = _pair("chinook")
northwind_src_proc, northwind_src, northwind_tgt_proc, northwind_tgt = _pair("northwind")
clubdata_src_proc, clubdata_src, clubdata_tgt_proc, clubdata_tgt = _pair("clubdata")
oracle_co_src_proc, oracle_co_src, oracle_co_tgt_proc, oracle_co_tgt = _pair("oracle_co")


def url_of(conn: psycopg.Connection) -> str:
    """SQLAlchemy URL of a pytest-postgresql connection's database."""
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{conn.info.dbname}"
