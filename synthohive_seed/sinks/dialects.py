"""Per-dialect hooks of the database sink, looked up by dialect name.

:class:`DialectHooks` writes through SQLAlchemy Core and does nothing before or after;
a dialect overrides only what it does differently (PostgreSQL: COPY and sequences;
SQLite: foreign keys on and transactional DDL; MySQL: constraint names in messages).
Hooks are stateless, so one instance per dialect lives in :data:`HOOKS`. :class:`Blame`
turns driver errors into :class:`~synthohive_seed.errors.WriteError` with what each
driver says about the failing table and constraint.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from typing import Any

import sqlalchemy as sa

from ..errors import WriteError
from ..prefetch import prefetch
from ..schema.model import ColumnSpec, Schema, TableSpec
from .pgcopy import SIGNATURE, TRAILER, encodable, encode_rows
from .values import Batch

RowBatches = Iterable[Batch]
"""A table's rows, a batch at a time."""
Advance = Callable[[int], object]
"""Called with the number of rows just written (drives the progress bar)."""


class DialectHooks:
    """The default: SQLAlchemy Core executemany, nothing before or after."""

    def transaction(self, conn: sa.Connection) -> AbstractContextManager[object]:
        """The one transaction everything is written in."""
        return conn.begin()

    def insert(
        self, conn: sa.Connection, table: sa.Table, columns: Sequence[ColumnSpec],
        batches: RowBatches, advance: Advance,
    ) -> None:
        """Insert every row of ``batches`` (whose columns are ``columns``) into ``table``."""
        names = [c.name for c in columns]
        # JSON types store Python None as the JSON text 'null'; sa.null() is SQL NULL.
        json_at = [i for i, name in enumerate(names) if isinstance(table.c[name].type, sa.JSON)]
        insert = table.insert()
        for batch in batches:
            params = []
            for row in batch.rows():
                values = dict(zip(names, row))
                for i in json_at:
                    if row[i] is None:
                        values[names[i]] = sa.null()
                params.append(values)
            conn.execute(insert, params)
            advance(len(batch))

    def after_table(
        self, conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: int
    ) -> None:
        """Called once per table after every row (and deferred FK) is in."""

    def before_commit(
        self, conn: sa.Connection, tables: Sequence[tuple[TableSpec, sa.Table]]
    ) -> None:
        """Last checks before the transaction commits."""

    def constraint_of(self, error: BaseException) -> str | None:
        """The constraint a driver error names, when the driver says it."""
        return None

    def table_of(self, error: BaseException) -> tuple[str | None, str] | None:
        """(schema, table) a driver error names, when the driver says it."""
        return None


class PostgresHooks(DialectHooks):
    """COPY through psycopg 3; sequences moved past the loaded keys."""

    def insert(
        self, conn: sa.Connection, table: sa.Table, columns: Sequence[ColumnSpec],
        batches: RowBatches, advance: Advance,
    ) -> None:
        if conn.dialect.driver != "psycopg":  # COPY ... write_row is psycopg 3's API
            return super().insert(conn, table, columns, batches, advance)
        from psycopg.types.json import Jsonb  # only imported when psycopg is the driver

        names = [c.name for c in columns]
        quote = conn.dialect.identifier_preparer.quote_identifier
        sql = f"COPY {_qualified(conn, table)} ({', '.join(quote(c) for c in names)}) FROM STDIN"
        json_at = {i for i, name in enumerate(names) if isinstance(table.c[name].type, sa.JSON)}
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None  # a checked-out connection always has one
        # PostgreSQL checks a COPY's foreign keys at the end of the statement, most of
        # its work for a child table. One COPY per batch lets those checks run while the
        # next block is generated (see sampling/ahead.py); a table that refers to itself
        # keeps one COPY for all its rows, so its rows may refer to each other in any order.
        per_batch = not any(fk.column.table is table for fk in table.foreign_keys)
        types = None if json_at else _binary_types(conn, table, names)
        if types is not None:
            # Binary COPY: half the client's work of text COPY, and no parsing on the server.
            sql += " (FORMAT BINARY)"
        if types is not None and encodable(columns, types):
            # Built-in types of simple binary form: the COPY data is built by numpy a
            # column at a time (sinks/pgcopy.py), in a worker thread so the next batch is
            # encoded while the server takes this one.
            encoded = prefetch(((encode_rows(b, types), len(b)) for b in batches),
                               name="synthohive-encode")
            with closing(encoded), dbapi.cursor() as cursor:
                for part in (([e] for e in encoded) if per_batch else [encoded]):
                    with cursor.copy(sql) as copy:
                        copy.write(SIGNATURE)
                        for payload, rows in part:
                            copy.write(payload)
                            advance(rows)
                        copy.write(TRAILER)
            return
        with dbapi.cursor() as cursor:

            def copy_in(chunk: RowBatches) -> None:
                with cursor.copy(sql) as copy:
                    if types is not None:
                        copy.set_types(types)
                    for batch in chunk:
                        for row in batch.rows():
                            if json_at:
                                row = tuple(Jsonb(v) if i in json_at and v is not None else v
                                            for i, v in enumerate(row))
                            copy.write_row(row)
                        advance(len(batch))

            for chunk in (([b] for b in batches) if per_batch else [batches]):
                copy_in(chunk)

    def after_table(
        self, conn: sa.Connection, table: sa.Table, columns: Sequence[str], rows: int
    ) -> None:
        # Rows came with explicit keys, so serial/identity sequences never advanced; the
        # application's next plain INSERT would collide. An empty table keeps its
        # sequence untouched (its next insert gets the start value).
        if rows == 0 or not columns:
            return
        qualified = _qualified(conn, table)
        found = conn.execute(
            sa.text(
                "SELECT c, pg_get_serial_sequence(:t, c) FROM unnest(CAST(:cols AS text[])) AS c"
            ),
            {"t": qualified, "cols": list(columns)},
        ).all()
        quote = conn.dialect.identifier_preparer.quote_identifier
        for column, sequence in found:
            if sequence is None:
                continue
            # Skip a max below the sequence minimum (keys 0 or negative): setval would
            # refuse it, and the sequence's next value is already above the max.
            conn.execute(
                sa.text(
                    f"SELECT setval(CAST(:seq AS regclass), m) FROM "
                    f"(SELECT max({quote(column)}) AS m FROM {qualified}) AS loaded "
                    "WHERE m >= (SELECT seqmin FROM pg_sequence "
                    "WHERE seqrelid = CAST(:seq AS regclass))"
                ),
                {"seq": sequence},
            )

    def constraint_of(self, error: BaseException) -> str | None:
        diag = getattr(error, "diag", None)
        return getattr(diag, "constraint_name", None)

    def table_of(self, error: BaseException) -> tuple[str | None, str] | None:
        diag = getattr(error, "diag", None)
        table = getattr(diag, "table_name", None)
        return (getattr(diag, "schema_name", None), table) if table else None


_BINARY_OIDS = frozenset({16, 17, 20, 21, 23, 25, 700, 701, 1043, 1082, 1083, 1114, 1184,
                          1186, 1700})
"""Built-in types whose psycopg binary dumpers take the values the sink hands over: bool,
bytea, int8/2/4, text, float4/8, varchar, date, time, timestamp(tz), interval, numeric.
Anything else (char(n), which psycopg cannot send in binary, enums, domains, uuid, json,
arrays, extensions) goes as text."""


def _binary_types(conn: sa.Connection, table: sa.Table, columns: Sequence[str]) -> list[int] | None:
    """The target columns' type OIDs when every one can be sent in binary, else None."""
    found = dict(conn.execute(
        sa.text("SELECT attname, CAST(atttypid AS integer) FROM pg_attribute "
                "WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped"),
        {"t": _qualified(conn, table)},
    ).all())
    oids = [found.get(name) for name in columns]
    if all(oid in _BINARY_OIDS for oid in oids):
        return [int(oid) for oid in oids if oid is not None]
    return None


class SqliteHooks(DialectHooks):
    """Foreign keys enforced, DDL inside the transaction, FK check before commit."""

    @contextmanager
    def transaction(self, conn: sa.Connection) -> Iterator[None]:
        raw: Any = conn.connection.dbapi_connection
        # PRAGMA foreign_keys is a no-op inside a transaction, so it goes first, and the
        # pooled connection gets its old setting back afterwards.
        was_on = raw.execute("PRAGMA foreign_keys").fetchone()[0]
        raw.execute("PRAGMA foreign_keys=ON")
        try:
            with conn.begin():
                # sqlite3 opens a transaction only at the first INSERT; an explicit BEGIN
                # puts CREATE TABLE inside it too, so a rollback removes created tables.
                if not raw.in_transaction:
                    raw.execute("BEGIN")
                # FKs are checked at commit (see before_commit), so self-referencing rows
                # may come in any order. SQLite resets this at the end of the transaction.
                raw.execute("PRAGMA defer_foreign_keys=ON")
                yield
        finally:
            raw.execute(f"PRAGMA foreign_keys={'ON' if was_on else 'OFF'}")

    def before_commit(
        self, conn: sa.Connection, tables: Sequence[tuple[TableSpec, sa.Table]]
    ) -> None:
        # A failing COMMIT would only say "FOREIGN KEY constraint failed"; checking first
        # names the table and the foreign key.
        for spec, table in tables:
            where = (table.name, table.schema or "main")
            bad = conn.exec_driver_sql(
                "SELECT fkid, count(*) FROM pragma_foreign_key_check(?, ?) GROUP BY fkid", where
            ).first()
            if bad is None:
                continue
            fkid, count = bad
            listed = conn.exec_driver_sql(
                'SELECT "table", "from" FROM pragma_foreign_key_list(?, ?) '
                "WHERE id = ? ORDER BY seq",
                (*where, fkid),
            ).all()
            columns = tuple(row[1] for row in listed)
            fk = next((f for f in spec.foreign_keys if f.columns == columns), None)
            raise WriteError(
                f"{spec.key}: {count} rows have {', '.join(columns)} pointing at no row of "
                f"{listed[0][0] if listed else 'the parent table'}; nothing was written",
                table=spec.key,
                constraint=fk.name if fk else None,
            )

    def constraint_of(self, error: BaseException) -> str | None:
        found = re.match(r"CHECK constraint failed: (\w+)$", str(error))
        return found.group(1) if found else None


class MysqlHooks(DialectHooks):
    """Core executemany, which PyMySQL turns into multi-row INSERTs."""

    _NAMED = (
        re.compile(r"CONSTRAINT `([^`]+)`"),
        re.compile(r"[Cc]heck constraint '([^']+)'"),
        re.compile(r"for key '(?:[^']*\.)?([^'.]+)'"),
    )

    def constraint_of(self, error: BaseException) -> str | None:
        args = getattr(error, "args", ())
        text = str(args[1]) if len(args) > 1 else str(error)  # PyMySQL: (code, message)
        for pattern in self._NAMED:
            found = pattern.search(text)
            if found:
                return found.group(1)
        return None


class Blame:
    """Turns driver errors raised inside ``with blame(table_key)`` into :class:`WriteError`.

    The message is the driver's first line (no SQL, bound data or traceback); the
    constraint comes from the dialect's hooks when the driver names it.
    """

    def __init__(self, hooks: DialectHooks, schema: Schema, dbapi_error: type[Exception]) -> None:
        self.hooks = hooks
        self.schema = schema
        self.dbapi_error = dbapi_error

    @contextmanager
    def __call__(self, key: str | None) -> Iterator[None]:
        try:
            yield
        except (sa.exc.StatementError, self.dbapi_error) as exc:
            error: BaseException = getattr(exc, "orig", None) or exc
            table = key or self._table_named_by(error)
            lines = str(error).strip().splitlines()  # first line: no SQL, data or traceback
            raise WriteError(
                f"writing {table} failed: {lines[0] if lines else error.__class__.__name__}; "
                "nothing was written (the transaction was rolled back)",
                table=table, constraint=self.hooks.constraint_of(error),
            ) from None

    def _table_named_by(self, error: BaseException) -> str:
        # Errors at COMMIT (deferrable constraints) come outside any table's step.
        named = self.hooks.table_of(error)
        if named:
            schema_name, name = named
            for spec in self.schema:
                if spec.name == name and spec.schema in (None, schema_name):
                    return spec.key
        return "(commit)"


HOOKS: dict[str, DialectHooks] = {
    "postgresql": PostgresHooks(),
    "sqlite": SqliteHooks(),
    "mysql": MysqlHooks(),
    "mariadb": MysqlHooks(),
}
DEFAULT_HOOKS = DialectHooks()


def hooks_for(dialect_name: str) -> DialectHooks:
    """The hooks of a SQLAlchemy dialect name; the do-nothing default for any other."""
    return HOOKS.get(dialect_name, DEFAULT_HOOKS)


def _qualified(conn: sa.Connection, table: sa.Table) -> str:
    """``"schema"."table"``, always quoted (names with spaces, capitals, reserved words)."""
    quote = conn.dialect.identifier_preparer.quote_identifier
    name = quote(table.name)
    return f"{quote(table.schema)}.{name}" if table.schema else name
