"""Every sample database, in each flavour, seeded into an empty copy of its own DDL.

The target enforces every constraint the source declares (keys, FKs, UNIQUE, CHECK,
NOT NULL, lengths); the load must go in without an error and pass verify_db.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from synthohive_seed import Synthesizer
from synthohive_seed.cli import sample_database_url

from .datasets import DATA, url_of

VERIFY = Path(__file__).parent / "tools" / "verify_db.py"


def verify(url: str, *schemas: str) -> None:
    args = [a for s in schemas for a in ("--schema", s)]
    check = subprocess.run([sys.executable, str(VERIFY), url, *args], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.strip().splitlines()[-1].startswith("OK")


def empty_copy(source: Path, target: Path) -> None:
    """A SQLite file with the source's tables and indexes, no rows."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        for kind in ("table", "index"):
            for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE type = ? AND sql IS NOT "
                                      "NULL AND name NOT LIKE 'sqlite_%'", (kind,)):
                dst.execute(sql)


SQLITE = {
    "chinook": Path(sample_database_url().split("file:", 1)[1].split("?", 1)[0]),
    "northwind": DATA / "northwind.sqlite",
    "oracle_co": DATA / "oracle_co.sqlite",
}


@pytest.mark.parametrize("name", sorted(SQLITE))
def test_sqlite_flavour(name: str, tmp_path: Path) -> None:
    target = tmp_path / f"{name}.db"
    empty_copy(SQLITE[name], target)
    synth = Synthesizer.from_url(f"sqlite:///{SQLITE[name]}", epochs=1).fit()
    written = synth.sample(target_url=f"sqlite:///{target}")
    source_rows = {k: len(v) for k, v in synth.data.items()}
    assert all(written[k] > 0 for k, n in source_rows.items() if n), written
    verify(f"sqlite:///{target}")


PG = [("chinook", ()), ("northwind", ()), ("clubdata", ("cd",)), ("oracle_co", ())]


@pytest.mark.postgres
@pytest.mark.parametrize(("name", "schemas"), PG, ids=[p[0] for p in PG])
def test_postgres_flavour(name: str, schemas: tuple[str, ...], request: pytest.FixtureRequest) -> None:
    source: psycopg.Connection = request.getfixturevalue(f"{name}_src")
    target: psycopg.Connection = request.getfixturevalue(f"{name}_tgt")
    synth = Synthesizer.from_url(url_of(source), schemas=schemas, epochs=1).fit()
    written = synth.sample(target_url=url_of(target))
    source_rows = {k: len(v) for k, v in synth.data.items()}
    assert all(written[k] > 0 for k, n in source_rows.items() if n), written
    verify(url_of(target), *schemas)
