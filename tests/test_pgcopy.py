"""Binary COPY data built by numpy (sinks/pgcopy.py) stores what the row path stores."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from synthohive_seed.connection import open_engine
from synthohive_seed.errors import WriteError
from synthohive_seed.schema.introspect import schema_from_metadata
from synthohive_seed.sinks import dialects, pgcopy
from synthohive_seed.sinks.database import write_database
from synthohive_seed.sinks.dialects import _binary_types

pytestmark = pytest.mark.postgres

ROWS = 3000
TYPES: dict[str, sa.types.TypeEngine[object]] = {
    "big": sa.BigInteger(), "small": sa.SmallInteger(), "num": sa.Integer(),
    "real": sa.REAL(), "dbl": sa.Float(), "flag": sa.Boolean(), "day": sa.Date(),
    "stamp": sa.DateTime(), "stamptz": sa.DateTime(timezone=True), "txt": sa.Text(),
    "short": sa.String(12), "blob": sa.LargeBinary(), "money": sa.Numeric(10, 2),
    "whole": sa.Numeric(18, 0), "fine": sa.Numeric(12, 5), "frac": sa.Numeric(8, 8),
    "wide": sa.Numeric(18, 3),
}


def metadata(name: str) -> sa.MetaData:
    md = sa.MetaData()
    sa.Table(name, md, sa.Column("id", sa.Integer, primary_key=True),
             *(sa.Column(c, t) for c, t in TYPES.items()))
    return md


def frame(rng: np.random.Generator) -> pd.DataFrame:
    """Every type in the dtype the generator gives it, with NULLs and edge values."""
    n = ROWS
    null = rng.random((len(TYPES), n)) < 0.15
    words = np.array(["", "plain", "tab\there", "back\\slash", "new\nline", "ünïcødé €",
                      "quote'\"", "\\N", "long text " * 30], dtype=object)
    money = np.round(rng.normal(0, 5000, n), 2)
    money[:4] = [0.0, -0.01, 99_999_999.99, -0.5]
    whole = rng.integers(-(10**17), 10**17, n).astype("float64")
    whole[:3] = [0, -1, 10_000]
    fine = np.round(rng.normal(0, 1000, n), 5)
    fine[:3] = [0.00001, -1234567.12345, 10_000.0001]
    frac = np.round(rng.random(n), 8)
    frac[:2] = [0.00000001, 0.99999999]
    wide = np.round(rng.normal(0, 1e10, n), 3)
    wide[:2] = [123456789012345.678, -0.001]
    stamps = pd.Series(pd.to_datetime(rng.integers(-(10**15), 2 * 10**15, n), unit="us"))
    columns: dict[str, pd.Series] = {
        "big": pd.Series(rng.integers(-(2**62), 2**62, n), dtype="Int64"),
        "small": pd.Series(rng.integers(-32768, 32768, n), dtype="Int64"),
        "num": pd.Series(rng.integers(-(2**31), 2**31, n), dtype="Int64"),
        "real": pd.Series(rng.normal(0, 1e3, n).astype("float32").astype("float64")),
        "dbl": pd.Series(rng.normal(0, 1e12, n)),
        "flag": pd.Series(rng.random(n) < 0.5, dtype="boolean"),
        "day": pd.Series([dt.date(1900, 1, 1) + dt.timedelta(days=int(d))
                          for d in rng.integers(0, 60_000, n)], dtype=object),
        "stamp": stamps,
        "stamptz": stamps.dt.tz_localize("UTC").dt.tz_convert("Asia/Kolkata"),
        "txt": pd.Series(words[rng.integers(0, len(words), n)], dtype=object),
        "short": pd.Series(words[rng.integers(0, 8, n)], dtype=object),
        "blob": pd.Series([bytes(rng.integers(0, 256, k, dtype=np.uint8))
                           for k in rng.integers(0, 20, n)], dtype=object),
        "money": pd.Series(money), "whole": pd.Series(whole), "fine": pd.Series(fine),
        "frac": pd.Series(frac), "wide": pd.Series(wide),
    }
    out = pd.DataFrame({"id": pd.Series(np.arange(1, n + 1), dtype="Int64")})
    for i, (name, values) in enumerate(columns.items()):
        keep = pd.Series(~null[i])
        if name in ("money", "whole"):
            keep[:4] = True  # the edge values stay
        out[name] = values.where(keep, None) if values.dtype == object else values.where(keep)
    return out


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[sa.Engine]:
    engine = open_engine(pg_url)
    yield engine
    engine.dispose()


def stored(engine: sa.Engine, md: sa.MetaData) -> list[tuple[object, ...]]:
    table = next(iter(md.tables.values()))
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(table).order_by(table.c.id))]


def test_every_encoded_type_stores_what_the_row_path_stores(
        pg_engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    data = frame(np.random.default_rng(3))
    fast, slow = metadata("fast"), metadata("slow")
    write_database({"fast": data}, schema_from_metadata(fast), pg_engine)
    with pg_engine.connect() as conn:
        table = fast.tables["fast"]
        names = [c.name for c in table.columns]
        oids = _binary_types(conn, table, names)
    specs = schema_from_metadata(fast).table("fast").columns
    assert oids is not None and pgcopy.encodable(specs, oids)  # the fast path was taken

    # The same frame through psycopg's write_row, as before the encoder existed.
    monkeypatch.setattr(dialects, "encodable", lambda columns, types: False)
    write_database({"slow": data}, schema_from_metadata(slow), pg_engine)
    got, want = stored(pg_engine, fast), stored(pg_engine, slow)
    assert len(got) == ROWS and got == want

    by_id = {row[0]: row for row in got}
    index = {name: i for i, name in enumerate(names)}
    first = by_id[1]
    assert first[index["money"]] == Decimal("0.00") and by_id[2][index["money"]] == Decimal("-0.01")
    assert by_id[3][index["money"]] == Decimal("99999999.99")
    assert by_id[2][index["whole"]] == Decimal("-1") and by_id[3][index["whole"]] == 10_000
    nulls = sum(row[index["txt"]] is None for row in got)
    assert 0.1 * ROWS < nulls < 0.2 * ROWS
    texts = {row[index["txt"]] for row in got}
    assert {"", "tab\there", "back\\slash", "new\nline", "ünïcødé €", "\\N"} <= texts


def test_numeric_digits_match_decimal(pg_engine: sa.Engine) -> None:
    """numeric's base-10000 digits for values around every group boundary."""
    values = [0, 1, -1, 9999, 10_000, 10_001, 99_999_999, 100_000_000, 10**17 + 1,
              -(10**17), 12_345_678_901_234_567]
    md = sa.MetaData()
    table = sa.Table("n", md, sa.Column("id", sa.Integer, primary_key=True),
                     *(sa.Column(f"s{s}", sa.Numeric(18, s)) for s in (0, 1, 3, 4, 5, 8)))
    rows = pd.DataFrame({"id": np.arange(len(values))})
    for s in (0, 1, 3, 4, 5, 8):
        rows[f"s{s}"] = [Decimal(v).scaleb(-s) for v in values]  # Decimals: the exact path
    write_database({"n": rows}, schema_from_metadata(md), pg_engine)
    with pg_engine.connect() as conn:
        got = conn.execute(sa.select(table).order_by(table.c.id)).all()
    for row, v in zip(got, values):
        assert list(row[1:]) == [Decimal(v).scaleb(-s) for s in (0, 1, 3, 4, 5, 8)]


def test_out_of_range_integer_names_the_column_and_writes_nothing(pg_engine: sa.Engine) -> None:
    md = sa.MetaData()
    sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True), sa.Column("n", sa.SmallInteger))
    data = pd.DataFrame({"id": [1, 2], "n": pd.Series([5, 40_000], dtype="Int64")})
    with pytest.raises(WriteError, match=r"t\.n: 40000 is out of range .*smallint"):
        write_database({"t": data}, schema_from_metadata(md), pg_engine)
    assert "t" not in sa.inspect(pg_engine).get_table_names()


def test_types_without_a_simple_binary_form_keep_the_row_path(pg_engine: sa.Engine) -> None:
    md = sa.MetaData()
    table = sa.Table("t", md, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("at", sa.Time), sa.Column("free", sa.Numeric()))
    md.create_all(pg_engine)
    specs = schema_from_metadata(md).table("t").columns
    with pg_engine.connect() as conn:
        oids = _binary_types(conn, table, [c.name for c in table.columns])
    assert oids is not None  # binary COPY through write_row
    assert not pgcopy.encodable(specs, oids)
    assert pgcopy.encodable(specs[:1], oids[:1])
