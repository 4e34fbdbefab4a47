"""Build the :class:`~.model.Schema` from SQLAlchemy ``MetaData`` or a live database."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from ..errors import SchemaError
from .kinds import kind_of, numeric_shape, string_length
from .model import CheckSpec, ColumnSpec, ForeignKeySpec, Schema, TableSpec
from .ordering import order_tables


def schema_from_metadata(metadata: sa.MetaData, *, dialect: str = "default") -> Schema:
    """The immutable schema of every table in ``metadata``, parents first."""
    tables = list(metadata.tables.values())
    ordered, deferred, cycles = order_tables(tables)
    specs = tuple(_table_spec(t) for t in ordered)
    deferred_keys = frozenset((fkc.table.fullname, _fk_name(fkc)) for fkc in deferred)
    return Schema(tables=specs, deferred_fks=deferred_keys, dialect=dialect,
                  strict_cycles=tuple(tuple(c) for c in cycles))


def reflect_metadata(engine: sa.Engine, schemas: Sequence[str | None] = (None,)) -> sa.MetaData:
    """Reflect the tables (not views) of ``schemas`` (None = the default schema)."""
    metadata = sa.MetaData()
    partitions = _partitions(engine)
    # The default schema is reflected as None: FKs from other schemas that point into it
    # come back without a schema, and two names for one table would make two tables.
    default_name = sa.inspect(engine).default_schema_name
    schemas = list(dict.fromkeys(None if s == default_name else s for s in (schemas or [None])))
    for name in schemas:
        default = name or sa.inspect(engine).default_schema_name

        def wanted(table: str, _: sa.MetaData, schema: str | None = default) -> bool:
            # A PostgreSQL partition is written through its partitioned parent.
            return (schema, table) not in partitions

        try:
            metadata.reflect(engine, schema=name, views=False, resolve_fks=True, only=wanted)
        except sa.exc.SQLAlchemyError as exc:
            raise SchemaError(f"cannot read schema {name or '(default)'}: {exc.__class__.__name__}: "
                              f"{str(exc).splitlines()[0]}") from None
    if engine.dialect.name == "sqlite":
        _add_sqlite_inline_uniques(engine, metadata)
    if schemas and any(schemas):
        missing = [s for s in schemas if s and not any(t.schema == s for t in metadata.tables.values())]
        if missing:
            raise SchemaError(f"schema {missing[0]!r} has no tables (check --schema)")
    return metadata


def _partitions(engine: sa.Engine) -> set[tuple[str, str]]:
    """(schema, table) of every PostgreSQL partition; empty elsewhere."""
    if engine.dialect.name != "postgresql":
        return set()
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE c.relispartition").fetchall()
    return {(r[0], r[1]) for r in rows}


def _add_sqlite_inline_uniques(engine: sa.Engine, metadata: sa.MetaData) -> None:
    """Add column-level ``UNIQUE`` constraints that SQLite reflection leaves out.

    SQLite enforces ``email TEXT CONSTRAINT u UNIQUE`` with an automatic index that
    SQLAlchemy skips by default; without it the seeder would not know the column must
    hold distinct values.
    """
    inspector = sa.inspect(engine)
    for table in metadata.tables.values():
        known = {tuple(c.name for c in cons.columns) for cons in table.constraints
                 if isinstance(cons, (sa.UniqueConstraint, sa.PrimaryKeyConstraint))}
        known |= {tuple(c.name for c in ix.columns) for ix in table.indexes if ix.unique}
        for index in inspector.get_indexes(table.name, schema=table.schema,
                                           include_auto_indexes=True):
            cols = tuple(c for c in index["column_names"] if c)
            if index.get("unique") and cols and cols not in known and all(c in table.c for c in cols):
                table.append_constraint(sa.UniqueConstraint(*(table.c[c] for c in cols)))
                known.add(cols)


def _table_spec(table: sa.Table) -> TableSpec:
    pk = tuple(c.name for c in table.primary_key.columns)
    fks = tuple(_fk_spec(fkc) for fkc in sorted(table.foreign_key_constraints, key=_fk_name))
    uniques: list[tuple[str, ...]] = []
    for cons in table.constraints:
        if isinstance(cons, sa.UniqueConstraint):
            uniques.append(tuple(c.name for c in cons.columns))
    for index in table.indexes:
        if index.unique and all(isinstance(e, sa.Column) for e in index.expressions):
            uniques.append(tuple(c.name for c in index.columns))
    checks = tuple(
        CheckSpec(name=c.name if isinstance(c.name, str) else None, sql=str(c.sqltext))
        for c in sorted(table.constraints, key=lambda c: str(getattr(c, "sqltext", "")))
        if isinstance(c, sa.CheckConstraint)
    )
    seen: set[tuple[str, ...]] = set()
    unique = tuple(u for u in uniques if u and u != pk and not (u in seen or seen.add(u)))
    return TableSpec(
        key=table.fullname,
        name=table.name,
        schema=table.schema,
        columns=tuple(_column_spec(c, pk) for c in table.columns),
        primary_key=pk,
        foreign_keys=fks,
        unique=unique,
        checks=checks,
    )


def _column_spec(col: sa.Column, pk: tuple[str, ...]) -> ColumnSpec:
    precision, scale = numeric_shape(col.type)
    kind = kind_of(col.type)
    identity = col.identity is not None
    serial = col.server_default is not None and "nextval" in str(
        getattr(col.server_default, "arg", "")
    )
    # A lone integer primary key is database-generated unless declared otherwise
    # (SQLite rowid alias, MySQL AUTO_INCREMENT, PG serial/identity).
    # "auto" is SQLAlchemy's default for a lone integer key that is not an FK: a SQLite
    # INTEGER PRIMARY KEY (rowid alias) or a MetaData model's id; reflection says False
    # where the database has no generator (a PostgreSQL INT key without a default).
    lone_key = pk == (col.name,) and kind == "integer" and not col.foreign_keys
    auto = identity or serial or (lone_key and col.autoincrement in (True, "auto"))
    return ColumnSpec(
        name=col.name,
        sa_type=col.type,
        kind=kind,
        nullable=bool(col.nullable) and col.name not in pk,
        length=string_length(col.type),
        precision=precision,
        scale=scale,
        timezone=bool(getattr(col.type, "timezone", False)),
        autoincrement=bool(auto),
        computed=col.computed is not None,
    )


def _fk_spec(fkc: sa.ForeignKeyConstraint) -> ForeignKeySpec:
    cols = tuple(c.name for c in fkc.columns)
    return ForeignKeySpec(
        name=_fk_name(fkc),
        columns=cols,
        referred_table=fkc.referred_table.fullname,
        referred_columns=tuple(e.column.name for e in fkc.elements),
        nullable=all(c.nullable for c in fkc.columns),
        deferrable=bool(fkc.deferrable),
    )


def _fk_name(fkc: sa.ForeignKeyConstraint) -> str:
    if isinstance(fkc.name, str) and fkc.name:
        return fkc.name
    return f"fk_{fkc.table.name}_{'_'.join(c.name for c in fkc.columns)}"
