"""The database sink writes contract frames into SQLite and PostgreSQL in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from synthohive_seed.connection import open_engine
from synthohive_seed.errors import ConfigError, WriteError
from synthohive_seed.schema.introspect import schema_from_metadata
from synthohive_seed.schema.model import Schema
from synthohive_seed.sinks.database import batch_bounds, write_database
from synthohive_seed.sinks.dialects import _binary_types
from synthohive_seed.sinks.values import python_values

UTC = dt.UTC
ITEMS = "Order Items"  # a space and capitals: must be quoted everywhere


def shop_metadata() -> sa.MetaData:
    """parent/child/grandchild, a self-reference, a two-table cycle, an awkward name."""
    md = sa.MetaData()
    sa.Table(
        "parent", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("price", sa.Numeric(10, 2)),
        sa.Column("created", sa.DateTime(timezone=True)),
        sa.Column("born", sa.Date),
        sa.Column("active", sa.Boolean),
        sa.Column("score", sa.Integer),
    )
    sa.Table(
        "child", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id"), nullable=False),
        sa.Column("qty", sa.Integer, nullable=False),
        sa.CheckConstraint("qty >= 0", name="ck_child_qty"),
    )
    sa.Table(
        "grandchild", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("child_id", sa.Integer, sa.ForeignKey("child.id"), nullable=False),
        sa.Column("note", sa.String(20)),
        sa.Column("meta", sa.JSON),
        sa.Column("blob", sa.LargeBinary),
        sa.Column("at", sa.Time),
        sa.Column("took", sa.Interval),
    )
    sa.Table(
        "node", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("up_id", sa.Integer, sa.ForeignKey("node.id")),
    )
    sa.Table(
        "team", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("captain_id", sa.Integer, sa.ForeignKey("player.id", name="fk_team_captain")),
    )
    sa.Table(
        "player", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("team.id"), nullable=False),
    )
    sa.Table(
        ITEMS, md,
        sa.Column("Item ID", sa.Integer, primary_key=True),
        sa.Column("Qty", sa.Integer),
        sa.Column("select", sa.String(10)),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("parent.id")),
    )
    return md


def ints(*values: int | None) -> pd.Series:
    return pd.Series(values, dtype="Int64")


def shop_frames() -> dict[str, pd.DataFrame]:
    """Frames exactly as the sink contract describes them."""
    created = pd.Series(
        pd.to_datetime(["2024-01-02 03:04:05.123456", None, "2023-06-30 23:59:59.000000"])
        .as_unit("us")
    ).dt.tz_localize("UTC")
    return {
        "parent": pd.DataFrame({
            "id": ints(1, 2, 3),
            "name": pd.Series(["ann", "bo", "cy"], dtype=object),
            "price": [12.3, np.nan, 0.1],
            "created": created,
            "born": pd.Series([dt.date(1990, 1, 2), None, dt.date(2000, 2, 29)], dtype=object),
            "active": pd.Series([True, False, pd.NA], dtype="boolean"),
            "score": ints(5, None, -7),
        }),
        "child": pd.DataFrame(
            {"id": ints(10, 11, 12), "parent_id": ints(1, 1, 3), "qty": ints(1, 2, 3)}
        ),
        "grandchild": pd.DataFrame({
            "id": ints(100, 101),
            "child_id": ints(10, 12),
            "note": pd.Series([None, "x"], dtype=object),
            "meta": pd.Series([None, {"k": [1, "two"]}], dtype=object),
            "blob": pd.Series([b"\x00\\x", None], dtype=object),
            "at": pd.Series([dt.time(13, 14, 15, 500), None], dtype=object),
            "took": pd.Series(pd.to_timedelta(["1 days 02:03:04", None])).astype("timedelta64[us]"),
        }),
        # Children before their parents: the sink must not depend on row order.
        "node": pd.DataFrame({"id": ints(3, 2, 1), "up_id": ints(2, 1, None)}),
        "team": pd.DataFrame({"id": ints(1, 2), "captain_id": ints(2, None)}),
        "player": pd.DataFrame({"id": ints(1, 2, 3), "team_id": ints(1, 1, 2)}),
        ITEMS: pd.DataFrame({
            "Item ID": ints(1, 2), "Qty": ints(3, None),
            "select": pd.Series(["x", None], dtype=object), "parent_id": ints(2, 3),
        }),
    }


def ordered(schema: Schema, frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {t.key: frames[t.key] for t in schema}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    engine = open_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[sa.Engine]:
    engine = open_engine(pg_url)
    yield engine
    engine.dispose()


def is_null(conn: sa.Connection, table: str, column: str, where: str) -> bool:
    """Whether the stored value is SQL NULL (typeof() on SQLite, IS NULL on PG)."""
    q = conn.dialect.identifier_preparer.quote_identifier
    if conn.dialect.name == "sqlite":
        test = f"typeof({q(column)}) = 'null'"
    else:
        test = f"{q(column)} IS NULL"
    return bool(conn.exec_driver_sql(f"SELECT {test} FROM {q(table)} WHERE {where}").scalar_one())


def orphans(conn: sa.Connection, md: sa.MetaData) -> int:
    """Rows whose non-NULL FK points at no row, over every FK of ``md``."""
    total = 0
    for table in md.tables.values():
        for fkc in table.foreign_key_constraints:
            parent = fkc.referred_table.alias("p")
            match = sa.and_(*(parent.c[e.column.name] == e.parent for e in fkc.elements))
            total += conn.execute(
                sa.select(sa.func.count()).select_from(table)
                .where(*(c.is_not(None) for c in fkc.columns), ~sa.exists().where(match))
            ).scalar_one()
    return total


def table_names(engine: sa.Engine, schema: str | None = None) -> set[str]:
    return set(sa.inspect(engine).get_table_names(schema=schema))


def test_roundtrip_values_nulls_and_keys(engine: sa.Engine) -> None:
    md = shop_metadata()
    schema = schema_from_metadata(md)
    assert ("team", "fk_team_captain") in schema.deferred_fks
    written = write_database(ordered(schema, shop_frames()), schema, engine)
    assert written == {
        "parent": 3, "child": 3, "grandchild": 2, "node": 3, "team": 2, "player": 3, ITEMS: 2,
    }

    with engine.connect() as conn:
        parent = {r.id: r for r in conn.execute(sa.select(md.tables["parent"]))}
        assert parent[1].name == "ann" and parent[1].price == Decimal("12.30")
        assert parent[3].price == Decimal("0.10")
        stamp = parent[1].created
        stamp = stamp.replace(tzinfo=stamp.tzinfo or UTC)  # SQLite keeps UTC wall time
        assert stamp == dt.datetime(2024, 1, 2, 3, 4, 5, 123456, UTC)
        assert parent[1].born == dt.date(1990, 1, 2) and parent[3].born == dt.date(2000, 2, 29)
        assert (parent[1].active, parent[2].active) == (True, False)
        assert (parent[1].score, parent[3].score) == (5, -7)
        for column in ("price", "created", "born", "score"):
            assert is_null(conn, "parent", column, "id = 2"), column
        assert is_null(conn, "parent", "active", "id = 3")
        assert not is_null(conn, "parent", "active", "id = 2")  # False is not NULL
        assert is_null(conn, "grandchild", "note", "id = 100")
        for column in ("blob", "at", "took"):
            assert is_null(conn, "grandchild", column, "id = 101"), column
        assert not is_null(conn, "grandchild", "blob", "id = 100")
        assert is_null(conn, "grandchild", "meta", "id = 100")  # SQL NULL, not the JSON text 'null'
        grand = {r.id: r for r in conn.execute(sa.select(md.tables["grandchild"]))}
        assert grand[101].meta == {"k": [1, "two"]} and grand[100].blob == b"\x00\\x"
        assert grand[100].at == dt.time(13, 14, 15, 500)
        assert grand[100].took == dt.timedelta(days=1, seconds=7384)
        assert is_null(conn, ITEMS, "Qty", '"Item ID" = 2')
        assert is_null(conn, ITEMS, "select", '"Item ID" = 2')
        items = conn.execute(sa.select(md.tables[ITEMS]).order_by(sa.text('"Item ID"'))).all()
        assert [tuple(r) for r in items] == [(1, 3, "x", 2), (2, None, None, 3)]

        # The deferred FK was written NULL, then UPDATEd to the frame's value.
        team = dict(conn.execute(sa.select(md.tables["team"])).all())  # type: ignore[arg-type]
        assert team == {1: 2, 2: None}
        assert is_null(conn, "team", "captain_id", "id = 2")
        node = dict(conn.execute(sa.select(md.tables["node"])).all())  # type: ignore[arg-type]
        assert node == {1: None, 2: 1, 3: 2}
        assert orphans(conn, md) == 0
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            stored = conn.exec_driver_sql("SELECT typeof(score) FROM parent WHERE id = 1")
            assert stored.scalar() == "integer"
        else:  # the created tables carry the FKs, so PostgreSQL itself vouches for them
            fks = conn.exec_driver_sql("SELECT count(*) FROM pg_constraint WHERE contype = 'f'")
            assert fks.scalar() == 6


@pytest.mark.postgres
def test_timestamptz_is_the_same_instant_whatever_the_session_time_zone(pg_url: str) -> None:
    schema = schema_from_metadata(shop_metadata())
    tokyo = sa.create_engine(pg_url, connect_args={"options": "-c TimeZone=Asia/Tokyo"})
    try:
        write_database(ordered(schema, shop_frames()), schema, tokyo)
    finally:
        tokyo.dispose()
    reader = sa.create_engine(pg_url, connect_args={"options": "-c TimeZone=America/New_York"})
    try:
        with reader.connect() as conn:
            same = conn.exec_driver_sql(
                "SELECT created = TIMESTAMPTZ '2024-01-02 03:04:05.123456+00' "
                "FROM parent WHERE id = 1"
            ).scalar_one()
    finally:
        reader.dispose()
    assert same is True


def counter_metadata(schema_name: str | None = None) -> sa.MetaData:
    md = sa.MetaData(schema=schema_name)
    sa.Table(
        "Counter Table", md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("label", sa.String(10)),
    )
    sa.Table(
        "ticket", md,
        sa.Column("id", sa.Integer, sa.Identity(always=True), primary_key=True),
        sa.Column("label", sa.String(10)),
    )
    sa.Table(
        "empty", md,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("label", sa.String(10)),
    )
    return md


def next_id(conn: sa.Connection, table: str) -> int:
    inserted = conn.exec_driver_sql(f"INSERT INTO {table} (label) VALUES ('new') RETURNING id")
    return int(inserted.scalar_one())


@pytest.mark.postgres
def test_serial_and_identity_continue_after_the_loaded_max(pg_engine: sa.Engine) -> None:
    md = counter_metadata()
    # GENERATED ALWAYS already exists in the target; COPY must still fill it.
    with pg_engine.begin() as conn:
        md.tables["ticket"].create(conn)
    schema = schema_from_metadata(md)
    frames = {
        "Counter Table": pd.DataFrame({"id": ints(3, 7, 5), "label": ["a", "b", "c"]}),
        "ticket": pd.DataFrame({"id": ints(10, 1, 2), "label": ["a", "b", "c"]}),
        "empty": pd.DataFrame({"id": ints(), "label": pd.Series([], dtype=object)}),
    }
    written = write_database(ordered(schema, frames), schema, pg_engine)
    assert written == {"Counter Table": 3, "ticket": 3, "empty": 0}
    with pg_engine.begin() as conn:
        assert next_id(conn, '"Counter Table"') == 8
        assert next_id(conn, "ticket") == 11
        assert next_id(conn, "empty") == 1  # no setval on an empty table


@pytest.mark.postgres
def test_non_default_postgres_schema(pg_engine: sa.Engine) -> None:
    with pg_engine.begin() as conn:
        conn.exec_driver_sql("CREATE SCHEMA app")
    md = counter_metadata("app")
    sa.Table(
        "order", md,  # a reserved word, in a schema, with an FK to a mixed-case table
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("counter_id", sa.Integer, sa.ForeignKey("app.Counter Table.id"), nullable=False),
    )
    schema = schema_from_metadata(md)
    assert "app.order" in schema
    frames = {
        "app.Counter Table": pd.DataFrame({"id": ints(1, 2), "label": ["a", None]}),
        "app.ticket": pd.DataFrame({"id": ints(4), "label": ["t"]}),
        "app.empty": pd.DataFrame({"id": ints(), "label": pd.Series([], dtype=object)}),
        "app.order": pd.DataFrame({"id": ints(1, 2, 3), "counter_id": ints(2, 2, 1)}),
    }
    written = write_database(ordered(schema, frames), schema, pg_engine)
    assert written["app.order"] == 3
    assert table_names(pg_engine, "app") == {"Counter Table", "ticket", "empty", "order"}
    assert table_names(pg_engine) == set()
    with pg_engine.begin() as conn:
        rows = conn.exec_driver_sql('SELECT id, counter_id FROM app."order" ORDER BY id').all()
        assert [tuple(r) for r in rows] == [(1, 2), (2, 2), (3, 1)]
        assert next_id(conn, 'app."Counter Table"') == 3
        assert next_id(conn, "app.ticket") == 5
        assert next_id(conn, "app.empty") == 1


def test_failure_halfway_leaves_no_rows_and_no_created_tables(engine: sa.Engine) -> None:
    schema = schema_from_metadata(shop_metadata())
    frames = shop_frames()
    frames["child"] = pd.DataFrame(
        {"id": ints(10, 11), "parent_id": ints(1, 1), "qty": ints(1, None)}  # NOT NULL qty
    )
    with pytest.raises(WriteError) as caught:
        write_database(ordered(schema, frames), schema, engine)
    assert caught.value.table == "child"
    message = str(caught.value)
    assert "\n" not in message and "child" in message and "nothing was written" in message
    assert table_names(engine) == set()


def test_missing_parent_row_names_the_foreign_key(engine: sa.Engine) -> None:
    schema = schema_from_metadata(shop_metadata())
    frames = shop_frames()
    frames["grandchild"].loc[1, "child_id"] = 42  # no child 42
    with pytest.raises(WriteError) as caught:
        write_database(ordered(schema, frames), schema, engine)
    assert (caught.value.table, caught.value.constraint) == ("grandchild", "fk_grandchild_child_id")
    assert table_names(engine) == set()


def test_check_violation_names_table_and_constraint_and_keeps_target(engine: sa.Engine) -> None:
    md = shop_metadata()
    with engine.begin() as conn:  # the target already has parent and child, with the CHECK
        md.create_all(conn, tables=[md.tables["parent"], md.tables["child"]])
    schema = schema_from_metadata(md)
    frames = shop_frames()
    frames["child"].loc[1, "qty"] = -1
    with pytest.raises(WriteError) as caught:
        write_database(ordered(schema, frames), schema, engine)
    assert (caught.value.table, caught.value.constraint) == ("child", "ck_child_qty")
    assert table_names(engine) == {"parent", "child"}
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM parent").scalar() == 0


def test_populated_target_is_refused(engine: sa.Engine) -> None:
    md = shop_metadata()
    with engine.begin() as conn:
        md.tables["parent"].create(conn)
        conn.execute(md.tables["parent"].insert(), {"id": 99, "name": "old"})
    schema = schema_from_metadata(md)
    refused = "parent already holds 1 row; nothing was written"
    with pytest.raises(ConfigError, match=refused) as caught:
        write_database(ordered(schema, shop_frames()), schema, engine)
    assert (caught.value.option, caught.value.table) == ("if_exists", "parent")
    assert table_names(engine) == {"parent"}
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT id, name FROM parent").all() == [(99, "old")]


def test_computed_columns_are_left_to_the_database(engine: sa.Engine) -> None:
    md = sa.MetaData()
    line = sa.Table(
        "line", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("qty", sa.Integer),
        sa.Column("double", sa.Integer, sa.Computed("qty * 2", persisted=True)),
    )
    md.create_all(engine)
    schema = schema_from_metadata(md)
    write_database({"line": pd.DataFrame({"id": ints(1, 2), "qty": ints(4, None)})}, schema, engine)
    with engine.connect() as conn:
        doubles = conn.execute(sa.select(line.c.double).order_by(line.c.id)).scalars().all()
    assert doubles == [8, None]


def test_deferred_fk_on_a_table_without_primary_key_is_refused(sqlite_url: str) -> None:
    md = sa.MetaData()
    sa.Table(
        "a", md,
        sa.Column("code", sa.String(5), unique=True, nullable=False),
        sa.Column("b_id", sa.Integer, sa.ForeignKey("b.id")),
    )
    sa.Table(
        "b", md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("a_code", sa.String(5), sa.ForeignKey("a.code"), nullable=False),
    )
    schema = schema_from_metadata(md)
    frames = {
        "a": pd.DataFrame({"code": ["x"], "b_id": ints(1)}),
        "b": pd.DataFrame({"id": ints(1), "a_code": ["x"]}),
    }
    engine = open_engine(sqlite_url)
    try:
        with pytest.raises(WriteError, match="has none; add a primary key") as caught:
            write_database(ordered(schema, frames), schema, engine)
        assert caught.value.table == "a"
        assert table_names(engine) == set()
    finally:
        engine.dispose()


def test_progress_bar_only_when_asked(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    schema = schema_from_metadata(shop_metadata())
    engine = open_engine(sqlite_url)
    try:
        write_database(ordered(schema, shop_frames()), schema, engine)
        assert capsys.readouterr().err == ""
        with engine.begin() as conn:
            for table in reversed(schema.tables):
                conn.exec_driver_sql(f'DELETE FROM "{table.name}"')
        write_database(ordered(schema, shop_frames()), schema, engine, progress=True)
        err = capsys.readouterr().err
        assert "grandchild" in err and "3/3" in err and ITEMS in err
    finally:
        engine.dispose()


def test_python_values_are_plain() -> None:
    """numpy and pandas scalars never reach a driver; every missing value is None."""
    md = sa.MetaData()
    sa.Table(
        "t", md,
        sa.Column("i", sa.Integer), sa.Column("d", sa.Numeric(10, 2)), sa.Column("b", sa.Boolean),
        sa.Column("ts", sa.DateTime(timezone=True)), sa.Column("naive", sa.DateTime),
        sa.Column("o", sa.PickleType),
    )
    spec = schema_from_metadata(md).table("t")
    naive = pd.Series(pd.to_datetime(["2024-05-06 07:08:09", None]).as_unit("us"))
    cases = {
        "i": (pd.Series([np.int64(7), None], dtype=object), [7, None]),
        "d": (pd.Series([12.3, np.nan]), [Decimal("12.3"), None]),
        "b": (pd.Series([np.True_, pd.NA], dtype=object), [True, None]),
        "ts": (naive, [dt.datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC), None]),
        "naive": (naive.dt.tz_localize("UTC"), [dt.datetime(2024, 5, 6, 7, 8, 9), None]),
        "o": (pd.Series([np.float64(1.5), pd.NaT], dtype=object), [1.5, None]),
    }
    for name, (series, expected) in cases.items():
        values = python_values(series, spec.column(name), "t")
        assert values == expected, name
        assert [type(v) for v in values] == [type(v) for v in expected], name
    assert python_values(naive.dt.tz_localize("UTC"), spec.column("ts"), "t")[0].tzinfo is not None
    with pytest.raises(WriteError, match="t.i: cannot write a value as integer"):
        python_values(pd.Series([1.5]), spec.column("i"), "t")
    # The frame contract's own dtypes take the vectorised path: same plain values.
    typed = {
        "i": (pd.Series([7, None, -2], dtype="Int64"), [7, None, -2]),
        "d": (pd.Series([12.346, None, 0.1]), [Decimal("12.35"), None, Decimal("0.1")]),
        "b": (pd.Series([True, None, False], dtype="boolean"), [True, None, False]),
    }
    for name, (series, expected) in typed.items():
        values = python_values(series, spec.column(name), "t")
        assert values == expected, name
        assert [type(v) for v in values] == [type(v) for v in expected], name
    assert python_values(pd.Series([2.0, np.nan]), spec.column("i"), "t") == [2, None]
    with pytest.raises(WriteError, match="t.i: cannot write a value as integer"):
        python_values(pd.Series([2.0, 2.5]), spec.column("i"), "t")


def test_binary_copy_only_for_types_psycopg_sends_in_binary(pg_engine: sa.Engine) -> None:
    md = sa.MetaData()
    plain = sa.Table("plain", md, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("price", sa.Numeric(8, 2)), sa.Column("at", sa.DateTime),
                     sa.Column("name", sa.String(10)), sa.Column("ok", sa.Boolean))
    coded = sa.Table("coded", md, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("code", sa.CHAR(3)))
    md.create_all(pg_engine)
    with pg_engine.connect() as conn:
        assert _binary_types(conn, plain, [c.name for c in plain.columns]) == [23, 1700, 1114, 1043, 16]
        assert _binary_types(conn, coded, ["id", "code"]) is None  # char(n): text COPY
    schema = schema_from_metadata(md)
    frames = {"plain": pd.DataFrame({"id": [1, 2], "price": [1.25, None],
                                     "at": pd.to_datetime(["2024-01-02 03:04:05", None]),
                                     "name": ["a", None], "ok": [True, None]}),
              "coded": pd.DataFrame({"id": [1], "code": ["ABC"]})}
    md.drop_all(pg_engine)
    assert write_database(frames, schema, pg_engine) == {"plain": 2, "coded": 1}
    with pg_engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, price, at, name, ok FROM plain ORDER BY id")).all()
        assert rows[0] == (1, Decimal("1.25"), dt.datetime(2024, 1, 2, 3, 4, 5), "a", True)
        assert rows[1] == (2, None, None, None, None)
        assert conn.execute(sa.text("SELECT code FROM coded")).scalar_one() == "ABC"


def test_schema_qualified_tables_are_refused_by_a_sqlite_target(sqlite_url: str) -> None:
    md = sa.MetaData()
    sa.Table("members", md, sa.Column("id", sa.Integer, primary_key=True), schema="cd")
    schema = schema_from_metadata(md)
    engine = sa.create_engine(sqlite_url)
    try:
        with pytest.raises(ConfigError, match="lives in schema cd") as err:
            write_database({"cd.members": pd.DataFrame({"id": [1]})}, schema, engine)
    finally:
        engine.dispose()
    assert err.value.option == "target_url" and err.value.table == "cd.members"


@pytest.mark.parametrize("rows", [0, 1, 24_999, 25_001, 37_499, 37_500, 60_000, 1_000_003])
def test_batches_are_even_parts_of_about_the_batch_size(rows: int) -> None:
    bounds = batch_bounds(rows, 25_000)
    if not rows:
        assert bounds == []
        return
    assert [start for start, _ in bounds] == [0] + [stop for _, stop in bounds[:-1]]
    assert bounds[-1][1] == rows
    sizes = [stop - start for start, stop in bounds]
    assert all(0 < size <= 37_500 for size in sizes)
    assert len(sizes) <= 1 or min(sizes) >= 12_500  # no tiny batch after a full one
