"""End to end on the shipped Chinook copy: introspect, train, sample, in memory and SQLite."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from synthohive_seed import Synthesizer
from synthohive_seed.cli import sample_database_url
from synthohive_seed.errors import ConfigError
from synthohive_seed.sinks.delta import read_delta

from .frames_check import children_per_parent, key_problems

VERIFY = Path(__file__).parent / "tools" / "verify_db.py"


@pytest.fixture(scope="module")
def chinook() -> Synthesizer:
    return Synthesizer.from_url(sample_database_url(), epochs=1, seed=5).fit()


@pytest.fixture(scope="module")
def source_frames(chinook: Synthesizer) -> dict[str, pd.DataFrame]:
    return chinook.data


def test_every_table_filled_and_every_key_valid(chinook: Synthesizer) -> None:
    frames = chinook.sample({"Artist": 150, "Genre": 30})
    assert set(frames) == {t.key for t in chinook.schema.tables}
    assert all(len(f) > 0 for f in frames.values()), {k: len(f) for k, f in frames.items()}
    assert key_problems(chinook.schema, frames) == []
    assert len(frames["Artist"]) == 150 and len(frames["Genre"]) == 30
    # roots not named keep their source count
    assert len(frames["MediaType"]) == 5 and len(frames["Playlist"]) == 18
    assert frames["Artist"]["ArtistId"].tolist() == list(range(1, 151))


def test_children_per_parent_close_to_source(chinook: Synthesizer) -> None:
    frames = chinook.sample(seed=11)
    real = children_per_parent(chinook.schema, chinook.data)
    fake = children_per_parent(chinook.schema, frames)
    for fk, mean in real.items():
        assert fake[fk] == pytest.approx(mean, rel=0.2), fk


def test_types_come_back_right(chinook: Synthesizer) -> None:
    frames = chinook.sample(seed=2)
    track, invoice = frames["Track"], frames["Invoice"]
    assert str(track["Milliseconds"].dtype) == "Int64"
    assert str(invoice["InvoiceDate"].dtype).startswith("datetime64")
    real_ms = chinook.data["Track"]["Milliseconds"]
    assert track["Milliseconds"].min() >= real_ms.min()
    assert track["Milliseconds"].max() <= real_ms.max()
    totals = invoice["Total"]
    assert ((totals * 100 - (totals * 100).round()).abs() < 1e-6).all()  # NUMERIC(10,2): 2 places
    # NULL share of a nullable column survives (Customer.Company is mostly NULL)
    real_null = chinook.data["Customer"]["Company"].isna().mean()
    assert frames["Customer"]["Company"].isna().mean() == pytest.approx(real_null, abs=0.25)


def test_self_reference_has_no_loops(chinook: Synthesizer) -> None:
    employees = chinook.sample(seed=4)["Employee"]
    boss = dict(zip(employees["EmployeeId"], employees["ReportsTo"]))
    assert employees["ReportsTo"].isna().any()
    for start in boss:
        seen, node = set(), start
        while node is not None and not pd.isna(node):
            assert node not in seen
            seen.add(node)
            node = boss[node]


def test_same_seed_same_rows(chinook: Synthesizer) -> None:
    first, second = chinook.sample(seed=9), chinook.sample(seed=9)
    for key in first:
        pd.testing.assert_frame_equal(first[key], second[key])
    other = chinook.sample(seed=10)
    assert not first["Track"].equals(other["Track"])


def test_high_cardinality_text_not_copied(chinook: Synthesizer) -> None:
    frames = chinook.sample(seed=1)
    real = set(chinook.data["Track"]["Name"])
    fake = frames["Track"]["Name"].dropna()
    assert (~fake.isin(real)).mean() > 0.9


def test_bad_num_rows_are_refused(chinook: Synthesizer) -> None:
    with pytest.raises(ConfigError) as err:
        chinook.sample({"Nope": 3})
    assert err.value.table == "Nope" and err.value.option == "num_rows"
    with pytest.raises(ConfigError) as err:
        chinook.sample({"Artist": -1})
    assert ">= 0" in str(err.value)
    with pytest.raises(ConfigError) as err:
        chinook.sample({"Track": 10})
    assert "root tables only" in str(err.value)


def test_seed_into_sqlite_passes_verify_db(chinook: Synthesizer, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'seeded.db'}"
    written = chinook.sample({"Artist": 120}, target_url=url)
    assert written["Artist"] == 120
    check = subprocess.run([sys.executable, str(VERIFY), url], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.strip().splitlines()[-1].startswith("OK")
    with sqlite3.connect(tmp_path / "seeded.db") as conn:
        assert conn.execute("SELECT count(*) FROM Artist").fetchone()[0] == 120
        bad = conn.execute("SELECT count(*) FROM Track WHERE typeof(Milliseconds) <> 'integer'")
        assert bad.fetchone()[0] == 0
        # the application's next plain insert gets a fresh key
        conn.execute("INSERT INTO Artist (Name) VALUES ('x')")
        assert conn.execute("SELECT max(ArtistId) FROM Artist").fetchone()[0] == 121


def test_delta_matches_dataframes(chinook: Synthesizer, tmp_path: Path) -> None:
    import pyarrow as pa

    frames = chinook.sample(seed=21)
    paths = chinook.sample(output_path=tmp_path / "out", seed=21)
    assert set(paths) == set(frames)
    for key, path in paths.items():
        table = read_delta(path)
        assert table.num_rows == len(frames[key]), key
    invoice = read_delta(paths["Invoice"])
    assert pa.types.is_integer(invoice.schema.field("InvoiceId").type)
    customer = read_delta(paths["Customer"])
    assert pa.types.is_integer(customer.schema.field("SupportRepId").type)
