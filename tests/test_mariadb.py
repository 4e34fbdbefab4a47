"""MariaDB/MySQL as source and target (server on 127.0.0.1:3306, PyMySQL)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from synthohive_seed import Synthesizer
from synthohive_seed.cli import sample_database_url
from synthohive_seed.schema.introspect import reflect_metadata, schema_from_metadata
from synthohive_seed.schema.rows import read_rows
from synthohive_seed.schema.tables import to_metadata

VERIFY = Path(__file__).parent / "tools" / "verify_db.py"
pytestmark = pytest.mark.mysql


@pytest.fixture
def mysql_chinook(mysql_url: str) -> str:
    """Chinook's real rows copied from the bundled SQLite file into MariaDB."""
    source = sa.create_engine(sample_database_url())
    schema = schema_from_metadata(reflect_metadata(source), dialect="sqlite")
    rows = read_rows(source, schema)
    source.dispose()
    target = sa.create_engine(mysql_url)
    metadata = to_metadata(schema, target_dialect="mysql")
    metadata.create_all(target)
    with target.begin() as conn:
        for spec in schema.tables:
            frame = rows[spec.key].astype(object).where(rows[spec.key].notna(), None)
            if len(frame):
                conn.execute(metadata.tables[spec.key].insert(), frame.to_dict("records"))
    target.dispose()
    return mysql_url


def test_mariadb_to_mariadb(mysql_chinook: str, tmp_path: Path) -> None:
    synth = Synthesizer.from_url(mysql_chinook, epochs=1, seed=4).fit()
    assert synth.schema.dialect == "mysql"
    assert len(synth.data["Track"]) == 3503
    server = sa.create_engine("mysql+pymysql://root@127.0.0.1:3306/")
    name = mysql_chinook.rsplit("/", 1)[1] + "_t"
    with server.begin() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    target = f"mysql+pymysql://root@127.0.0.1:3306/{name}"
    try:
        written = synth.sample({"Artist": 80}, target_url=target)
        assert written["Artist"] == 80 and written["Track"] > 0
        check = subprocess.run([sys.executable, str(VERIFY), target], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        engine = sa.create_engine(target)
        with engine.begin() as conn:  # AUTO_INCREMENT continues after the seeded keys
            conn.exec_driver_sql("INSERT INTO Artist (Name) VALUES ('x')")
            assert conn.exec_driver_sql("SELECT max(ArtistId) FROM Artist").scalar() == 81
        engine.dispose()
    finally:
        with server.begin() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        server.dispose()


def test_failed_load_drops_the_tables_it_created(mysql_url: str) -> None:
    """MySQL commits DDL at once; a failed load must still leave the target as it was."""
    import pandas as pd

    from synthohive_seed import WriteError
    from synthohive_seed.connection import open_engine
    from synthohive_seed.sinks.database import write_database

    metadata = sa.MetaData()
    sa.Table("parent", metadata, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("child", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("parent_id", sa.ForeignKey("parent.id"), nullable=False),
             sa.Column("qty", sa.Integer, nullable=False),
             sa.CheckConstraint("qty < 3", name="ck_child_qty"))
    schema = schema_from_metadata(metadata)
    frames = {"parent": pd.DataFrame({"id": pd.array([1, 2], dtype="Int64")}),
              "child": pd.DataFrame({"id": pd.array([1, 2], dtype="Int64"),
                                     "parent_id": pd.array([1, 2], dtype="Int64"),
                                     "qty": pd.array([1, 7], dtype="Int64")})}
    engine = open_engine(mysql_url)
    try:
        with pytest.raises(WriteError) as err:
            write_database(frames, schema, engine)
        assert err.value.table == "child"
        assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()
