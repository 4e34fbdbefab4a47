"""The Delta sink writes real Delta tables typed from the declared schema."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import sqlalchemy as sa
from deltalake import DeltaTable

from synthohive_seed.errors import ConfigError, WriteError
from synthohive_seed.schema.introspect import schema_from_metadata
from synthohive_seed.schema.model import Schema
from synthohive_seed.sinks.delta import arrow_schema, read_delta, write_delta
from synthohive_seed.sinks.memory import to_frames

UTC = dt.UTC
AUDIT = "cd.audit log"  # schema-qualified and with a space: the directory keeps it as is


@pytest.fixture(scope="module")
def schema() -> Schema:
    md = sa.MetaData()
    sa.Table(
        "customers",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("vip", sa.Boolean),
        sa.Column("born", sa.Date),
        sa.Column("notes", sa.Text),
    )
    sa.Table(
        "orders",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=True),
        sa.Column("amount", sa.Numeric(8, 2)),
        sa.Column("weight", sa.Float),
        sa.Column("placed", sa.DateTime),
        sa.Column("paid_at", sa.DateTime(timezone=True)),
    )
    sa.Table(
        "audit log",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True)),
        sa.Column("total", sa.Numeric(10, 3)),
        sa.Column("payload", sa.JSON),
        sa.Column("at_time", sa.Time),
        sa.Column("took", sa.Interval),
        schema="cd",
    )
    return schema_from_metadata(md)


def frames(names: tuple[str, str, str] = ("Ann", "Bob", "Cy")) -> dict[str, pd.DataFrame]:
    """Frames per the sink contract: Int64 with NA, float decimals, [us] datetimes."""
    customers = pd.DataFrame(
        {
            "id": pd.array([1, 2, 3], dtype="Int64"),
            "name": pd.Series(list(names), dtype=object),
            "vip": pd.array([True, pd.NA, False], dtype="boolean"),
            "born": pd.Series([dt.date(1990, 5, 17), None, dt.date(2001, 1, 2)], dtype=object),
            "notes": pd.Series(["x" * 300, None, ""], dtype=object),
        }
    )
    orders = pd.DataFrame(
        {
            "id": pd.array([10, 11, 12, 13], dtype="Int64"),
            "customer_id": pd.array([1, pd.NA, 3, pd.NA], dtype="Int64"),
            "amount": [12.35, float("nan"), -999999.99, 0.1],
            "weight": [1.5, float("nan"), 2.25, 0.0],
            "placed": pd.Series(
                [dt.datetime(2024, 2, 29, 23, 59, 59, 123456), None,
                 dt.datetime(1999, 12, 31), dt.datetime(2024, 1, 1, 0, 0, 0, 1)],
                dtype="datetime64[us]",
            ),
            "paid_at": pd.Series(
                [dt.datetime(2024, 3, 1, 8, 30, 0, 654321, tzinfo=UTC), None,
                 dt.datetime(2000, 1, 1, tzinfo=UTC),
                 dt.datetime(2024, 1, 1, 0, 0, 0, 7, tzinfo=UTC)],
                dtype="datetime64[us, UTC]",
            ),
        }
    )
    audit = pd.DataFrame(
        {
            "id": pd.array([], dtype="Int64"),
            "at": pd.Series([], dtype="datetime64[us, UTC]"),
            "total": pd.Series([], dtype="float64"),
            "payload": pd.Series([], dtype=object),
            "at_time": pd.Series([], dtype=object),
            "took": pd.Series([], dtype="timedelta64[us]"),
        }
    )
    return {"customers": customers, "orders": orders, AUDIT: audit}


def read(path: Path | str) -> pa.Table:
    return read_delta(str(path))


def test_paths_are_output_path_slash_key(schema: Schema, tmp_path: Path) -> None:
    paths = write_delta(frames(), schema, tmp_path)
    assert paths == {k: str(tmp_path / k) for k in ("customers", "orders", AUDIT)}
    assert list(paths) == [t.key for t in schema.tables]  # schema order, parents first
    assert all(DeltaTable.is_deltatable(p) for p in paths.values())


def test_types_come_from_the_schema_not_pandas(schema: Schema, tmp_path: Path) -> None:
    paths = write_delta(frames(), schema, tmp_path)
    orders = read(paths["orders"]).schema
    assert orders.field("customer_id").type == pa.int64()  # not double, despite the NAs
    assert orders.field("amount").type == pa.decimal128(8, 2)
    assert orders.field("weight").type == pa.float64()
    assert orders.field("placed").type == pa.timestamp("us")
    assert orders.field("paid_at").type == pa.timestamp("us", tz="UTC")
    customers = read(paths["customers"]).schema
    assert customers.field("name").type == pa.string()
    assert not customers.field("name").nullable  # NOT NULL kept as a Delta invariant
    assert customers.field("vip").type == pa.bool_()
    assert customers.field("born").type == pa.date32()
    assert customers.field("notes").type == pa.string()


def test_values_round_trip_to_the_microsecond_with_nulls(schema: Schema, tmp_path: Path) -> None:
    paths = write_delta(frames(), schema, tmp_path)
    orders = read(paths["orders"]).sort_by("id").to_pydict()
    assert orders["customer_id"] == [1, None, 3, None]
    assert orders["amount"] == [Decimal("12.35"), None, Decimal("-999999.99"), Decimal("0.10")]
    assert orders["weight"] == [1.5, None, 2.25, 0.0]
    assert orders["placed"] == [
        dt.datetime(2024, 2, 29, 23, 59, 59, 123456), None,
        dt.datetime(1999, 12, 31), dt.datetime(2024, 1, 1, 0, 0, 0, 1),
    ]
    assert orders["paid_at"] == [
        dt.datetime(2024, 3, 1, 8, 30, 0, 654321, tzinfo=UTC), None,
        dt.datetime(2000, 1, 1, tzinfo=UTC), dt.datetime(2024, 1, 1, 0, 0, 0, 7, tzinfo=UTC),
    ]
    customers = read(paths["customers"]).sort_by("id").to_pydict()
    assert customers["vip"] == [True, None, False]
    assert customers["born"] == [dt.date(1990, 5, 17), None, dt.date(2001, 1, 2)]
    assert customers["notes"] == ["x" * 300, None, ""]  # '' stays '', NULL stays NULL


def test_empty_table_is_written_typed(schema: Schema, tmp_path: Path) -> None:
    paths = write_delta(frames(), schema, tmp_path)
    audit = read(paths[AUDIT])
    assert audit.num_rows == 0
    assert audit.schema.field("id").type == pa.int64()
    assert audit.schema.field("at").type == pa.timestamp("us", tz="UTC")
    assert audit.schema.field("total").type == pa.decimal128(10, 3)
    for text_column in ("payload", "at_time", "took"):  # json, time, interval -> text
        assert audit.schema.field(text_column).type == pa.string()


def test_text_kinds_and_nanoseconds(schema: Schema, tmp_path: Path) -> None:
    data = frames()
    data[AUDIT] = pd.DataFrame(
        {
            "id": pd.array([1, 2], dtype="Int64"),
            # nanosecond input (pandas 2 default): Delta stores microseconds
            "at": pd.Series(
                pd.to_datetime(["2024-05-01 12:00:00.123456789+02:00", None], utc=True)
            ),
            "total": [2.71828, float("nan")],  # more digits than the scale: rounded
            "payload": pd.Series([{"a": [1, None], "b": "é"}, None], dtype=object),
            "at_time": pd.Series([dt.time(13, 45, 0, 250000), None], dtype=object),
            "took": pd.Series(pd.to_timedelta(["1 day 00:00:01.5", None]), dtype="timedelta64[us]"),
        }
    )
    assert data[AUDIT]["at"].dtype == "datetime64[ns, UTC]"
    got = read(write_delta(data, schema, tmp_path)[AUDIT]).sort_by("id").to_pydict()
    assert got["at"] == [dt.datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC), None]
    assert got["total"] == [Decimal("2.718"), None]
    assert got["payload"] == ['{"a": [1, null], "b": "\\u00e9"}', None]
    assert got["at_time"] == ["13:45:00.250000", None]
    assert got["took"] == ["P1DT0H0M1.5S", None]


def test_mode_error_checks_every_table_before_writing(schema: Schema, tmp_path: Path) -> None:
    paths = write_delta(frames(), schema, tmp_path)
    shutil.rmtree(paths["customers"])  # customers and audit would be new; orders exists
    shutil.rmtree(paths[AUDIT])
    with pytest.raises(ConfigError) as caught:
        write_delta(frames(names=("X", "Y", "Z")), schema, tmp_path)
    assert caught.value.option == "output_path"
    assert caught.value.table == "orders"
    assert "mode='overwrite'" in str(caught.value)
    assert not Path(paths["customers"]).exists()  # nothing new was written
    assert not Path(paths[AUDIT]).exists()
    assert DeltaTable(paths["orders"]).version() == 0


def test_mode_overwrite_replaces(schema: Schema, tmp_path: Path) -> None:
    write_delta(frames(), schema, tmp_path)
    new = frames(names=("X", "Y", "Z"))
    paths = write_delta(new, schema, tmp_path, mode="overwrite", progress=True)
    customers = DeltaTable(paths["customers"])
    assert customers.version() == 1
    assert read_delta(customers.table_uri).sort_by("id")["name"].to_pylist() == ["X", "Y", "Z"]
    assert read(paths["orders"]).num_rows == 4  # replaced, not appended


def test_bad_values_fail_before_any_table_is_written(schema: Schema, tmp_path: Path) -> None:
    data = frames()
    data["orders"].loc[0, "amount"] = 1234567.0  # overflows NUMERIC(8, 2)
    with pytest.raises(WriteError, match=r"orders\.amount") as caught:
        write_delta(data, schema, tmp_path)
    assert caught.value.table == "orders"
    assert not (tmp_path / "customers").exists()  # customers comes first but was not written

    data = frames()
    data["customers"].loc[1, "name"] = None
    with pytest.raises(WriteError, match="NOT NULL"):
        write_delta(data, schema, tmp_path)


def test_option_and_frame_mistakes_are_config_errors(schema: Schema, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        write_delta(frames(), schema, tmp_path, mode="append")  # type: ignore[arg-type]
    assert caught.value.option == "mode"
    partial = frames()
    del partial["orders"]
    with pytest.raises(ConfigError) as caught:
        write_delta(partial, schema, tmp_path)
    assert (caught.value.option, caught.value.table) == ("frames", "orders")
    assert not any(tmp_path.iterdir())


def test_arrow_schema_leaves_computed_columns_out() -> None:
    md = sa.MetaData()
    table = sa.Table(
        "t",
        md,
        sa.Column("a", sa.Integer, primary_key=True),
        sa.Column("b", sa.Integer, sa.Computed("a * 2")),
        sa.Column("c", sa.Numeric),
    )
    spec = schema_from_metadata(table.metadata).table("t")
    assert arrow_schema(spec).names == ["a", "c"]
    assert arrow_schema(spec).field("c").type == pa.float64()  # NUMERIC without precision


def test_memory_sink_returns_a_new_dict_in_order() -> None:
    given = frames()
    got = to_frames(given)
    assert type(got) is dict and got is not given
    assert list(got) == list(given)
    assert got["orders"] is given["orders"]
