"""Train once in PostgreSQL, seed anywhere: a saved model gives the same rows every time."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from synthohive_seed import Synthesizer
from synthohive_seed.sinks.delta import read_delta

from .datasets import url_of

pytestmark = pytest.mark.postgres


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def test_same_artifact_and_seed_give_identical_rows_everywhere(
        chinook_src: psycopg.Connection, tmp_path: Path) -> None:
    """Chinook from its PostgreSQL dump (the session's template, see conftest)."""
    trained = Synthesizer.from_url(url_of(chinook_src), epochs=1, seed=3).fit()
    loaded = Synthesizer.load(trained.save(tmp_path / "model"))
    asked = {"artist": 50}

    dumps = []
    for name in ("one.db", "two.db"):
        target = tmp_path / name
        written = loaded.sample(asked, target_url=f"sqlite:///{target}", seed=8)
        assert written["artist"] == 50
        dumps.append(dump(target))
    assert dumps[0] == dumps[1]
    assert sum(1 for line in dumps[0] if line.startswith('INSERT INTO "invoice"')) > 0

    # The loaded model samples exactly what the trained one does, for every PostgreSQL type.
    frames = loaded.sample(asked, seed=8)
    for key, frame in trained.sample(asked, seed=8).items():
        pd.testing.assert_frame_equal(frame, frames[key], check_exact=True)

    paths = loaded.sample(asked, tmp_path / "delta", seed=8)
    for key, path in paths.items():  # type: ignore[union-attr]
        table = read_delta(str(path))
        frame = frames[key]
        assert table.num_rows == len(frame)
        pk = loaded.schema.table(key).primary_key
        got = table.sort_by([(c, "ascending") for c in pk]).select(list(pk)).to_pylist()
        want = frame.sort_values(list(pk))[list(pk)].astype(object).to_dict("records")
        assert got == want, key
    invoices = read_delta(str(paths["invoice"])).sort_by("invoice_id")  # type: ignore[index]
    assert [float(v) for v in invoices["total"].to_pylist()] == frames["invoice"].sort_values(
        "invoice_id")["total"].tolist()
