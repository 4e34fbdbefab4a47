"""PostgreSQL schema features: partitioned tables, FKs across schemas, awkward names."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from synthohive_seed import Synthesizer
from synthohive_seed.errors import SchemaDriftError

from .test_cases import read

VERIFY = Path(__file__).parent / "tools" / "verify_db.py"
pytestmark = pytest.mark.postgres

DDL = """
CREATE SCHEMA sales;
CREATE TABLE "Customer Accounts" (id int PRIMARY KEY, "Name" text NOT NULL, "order" int);
CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL);
CREATE TABLE sales.measurements (
    id int NOT NULL, account_id int NOT NULL REFERENCES "Customer Accounts"(id),
    logdate date NOT NULL, value numeric(8,2), PRIMARY KEY (id, logdate)
) PARTITION BY RANGE (logdate);
CREATE TABLE sales.measurements_2023 PARTITION OF sales.measurements
    FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE sales.measurements_2024 PARTITION OF sales.measurements
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
"""
ROWS = """
INSERT INTO "Customer Accounts" SELECT g, 'c' || g, g % 5 FROM generate_series(1, 30) g;
INSERT INTO notes SELECT g, 'note ' || g FROM generate_series(1, 10) g;
INSERT INTO sales.measurements
SELECT g, 1 + g % 30, date '2023-01-01' + (g % 700), g * 0.5 FROM generate_series(1, 500) g;
"""


def test_partitions_cross_schema_fks_and_quoted_names(postgresql: psycopg.Connection,
                                                       pg_url: str) -> None:
    with postgresql.cursor() as cur:
        cur.execute(DDL + ROWS)
    postgresql.commit()
    synth = Synthesizer.from_url(pg_url, schemas=["public", "sales"], epochs=1).fit()
    assert sorted(t.key for t in synth.schema) == ["Customer Accounts", "notes",
                                                   "sales.measurements"]
    target_db = postgresql.info.dbname + "_t"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{target_db}"')
    target = pg_url.rsplit("/", 1)[0] + "/" + target_db
    try:
        engine = sa.create_engine(target)
        with engine.begin() as conn:  # an empty copy of the DDL: rows must route to partitions
            conn.exec_driver_sql(DDL)
        engine.dispose()
        written = synth.sample({"Customer Accounts": 60}, target_url=target)
        assert written["Customer Accounts"] == 60
        parts = read(target, "SELECT count(*) FROM sales.measurements_2023") + read(
            target, "SELECT count(*) FROM sales.measurements_2024")
        assert sum(p[0] for p in parts) == written["sales.measurements"] > 0
        # verify_db resolves an FK into the default schema against the child's own schema
        # (a limitation of the checker), so the cross-schema FK is checked here directly.
        check = subprocess.run([sys.executable, str(VERIFY), target], capture_output=True,
                               text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        dangling = read(target, 'SELECT count(*) FROM sales.measurements m WHERE NOT EXISTS '
                                '(SELECT 1 FROM "Customer Accounts" a WHERE a.id = m.account_id)')
        assert dangling == [(0,)]
        dup = read(target, "SELECT count(*) FROM (SELECT id, logdate FROM sales.measurements "
                           "GROUP BY id, logdate HAVING count(*) > 1) d")
        assert dup == [(0,)]
        # Drift is checked in every schema of the model, the default one included (notes is
        # reached by no FK from sales): a NOT NULL column without default stops the run.
        with sa.create_engine(target).begin() as conn:
            conn.exec_driver_sql("ALTER TABLE notes ADD COLUMN must int NOT NULL DEFAULT 0")
            conn.exec_driver_sql("ALTER TABLE notes ALTER COLUMN must DROP DEFAULT")
        with pytest.raises(SchemaDriftError, match="notes"):
            synth.sample({"Customer Accounts": 5}, target_url=target, if_exists="append")
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target_db}" WITH (FORCE)')
        admin.dispose()
