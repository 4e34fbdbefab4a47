"""Targets that already hold rows: refuse, append, or replace in one transaction."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from synthohive_seed import ConfigError, Synthesizer, WriteError

from .test_cases import _cycle_metadata, read

VERIFY = Path(__file__).parent / "tools" / "verify_db.py"



@pytest.fixture(scope="module")
def synth() -> Synthesizer:
    metadata, data = _cycle_metadata(head_nullable=True)
    return Synthesizer(metadata, data, epochs=1, seed=2).fit()


def counts(url: str) -> dict[str, int]:
    return {t: read(url, f"SELECT count(*) FROM {t}")[0][0]
            for t in ("departments", "employees", "users", "roles", "roles_users")}


def verify(url: str) -> None:
    check = subprocess.run([sys.executable, str(VERIFY), url], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_error_is_the_default_and_changes_nothing(synth: Synthesizer, target_url: str) -> None:
    synth.sample({"departments": 4}, target_url=target_url)
    before = counts(target_url)
    with pytest.raises(ConfigError) as err:
        synth.sample({"departments": 4}, target_url=target_url, seed=5)
    assert err.value.option == "if_exists" and err.value.table == "departments"
    assert counts(target_url) == before


def test_append_gives_new_keys_above_existing(synth: Synthesizer, target_url: str) -> None:
    first = synth.sample({"departments": 4, "users": 10}, target_url=target_url)
    second = synth.sample({"departments": 4, "users": 10}, target_url=target_url, seed=7,
                          if_exists="append")
    after = counts(target_url)
    assert after == {k: first[k] + second[k] for k in after}
    assert read(target_url, "SELECT min(id) FROM users")[0][0] == 1
    assert read(target_url, "SELECT max(id) FROM users")[0][0] == 20
    verify(target_url)


def test_truncate_replaces_everything(synth: Synthesizer, target_url: str) -> None:
    synth.sample({"departments": 6, "users": 30}, target_url=target_url)
    written = synth.sample({"departments": 3, "users": 5}, target_url=target_url, seed=8,
                           if_exists="truncate")
    assert counts(target_url) == {k: written[k] for k in counts(target_url)}
    assert read(target_url, "SELECT max(id) FROM users")[0][0] == 5
    verify(target_url)


def test_failed_truncate_keeps_the_old_rows(target_url: str) -> None:
    m = sa.MetaData()
    sa.Table("items", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("qty", sa.Integer, nullable=False))
    source = {"items": pd.DataFrame({"id": range(1, 41), "qty": np.arange(40) % 7})}
    synth = Synthesizer(m, source, epochs=1).fit()
    engine = sa.create_engine(target_url)
    with engine.begin() as conn:  # the target has a rule the model knows nothing about
        conn.exec_driver_sql("CREATE TABLE items (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL, "
                             "CONSTRAINT ck_small CHECK (qty < 3))")
        conn.exec_driver_sql("INSERT INTO items VALUES (1, 0), (2, 1), (3, 2)")
    engine.dispose()
    before = read(target_url, "SELECT id, qty FROM items ORDER BY id")
    with pytest.raises(WriteError) as err:
        synth.sample({"items": 50}, target_url=target_url, if_exists="truncate")
    assert err.value.table == "items"
    assert "ck_small" in str(err.value) or err.value.constraint == "ck_small"
    assert read(target_url, "SELECT id, qty FROM items ORDER BY id") == before


def test_unknown_mode_is_refused(synth: Synthesizer, target_url: str) -> None:
    with pytest.raises(ConfigError) as err:
        synth.sample(target_url=target_url, if_exists="merge")  # type: ignore[arg-type]
    assert err.value.option == "if_exists"


@pytest.mark.postgres
def test_truncate_names_a_table_outside_the_model_that_refers_to_it(synth: Synthesizer,
                                                                    pg_url: str) -> None:
    synth.sample({"departments": 6, "users": 30}, target_url=pg_url)
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE audit (id int PRIMARY KEY, "
                             "user_id int REFERENCES users(id))")
        conn.exec_driver_sql("INSERT INTO audit VALUES (1, 3)")
    engine.dispose()
    before = counts(pg_url)
    with pytest.raises(ConfigError, match="table audit, which the model does not hold") as err:
        synth.sample({"departments": 3, "users": 5}, target_url=pg_url, if_exists="truncate")
    assert err.value.option == "if_exists" and err.value.table == "users"
    assert counts(pg_url) == before
