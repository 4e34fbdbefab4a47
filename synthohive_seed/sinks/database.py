"""The database sink: write generated frames into a live database in one transaction.

Inside that one transaction, so that any failure leaves the target as it was:

1. handle tables that already hold rows: refuse (``if_exists="error"``, the default),
   keep them (``"append"``: the sampler numbered new keys above theirs), or empty them
   (``"truncate"``: TRUNCATE on PostgreSQL, DELETE children-first elsewhere, so the
   emptying is rolled back with everything else if the load fails);
2. create the tables the target lacks, from the schema;
3. insert every table parents first, cycle-closing (deferred) FK columns as NULL;
4. UPDATE the deferred FK columns by primary key, now that every referred row exists;
5. finish per dialect (PostgreSQL sequences, SQLite foreign-key check).

*How* rows reach the database is up to :mod:`.dialects`; this module turns frames (see
the contract in :mod:`synthohive_seed.sinks`) into plain Python rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import Literal

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.named_types import NamedType
from sqlalchemy.schema import AddConstraint, CreateSchema, CreateTable
from tqdm import tqdm

from ..errors import ConfigError, CycleError, WriteError
from ..schema.model import ColumnSpec, Schema, TableSpec
from ..schema.tables import to_metadata
from .dialects import Advance, Blame, DialectHooks, hooks_for
from .values import Batch, python_values

BATCH_ROWS = 25_000
"""Rows converted and sent per executemany (or per COPY chunk)."""

IfExists = Literal["error", "append", "truncate"]
"""What to do with a target table that already holds rows."""
IF_EXISTS: tuple[str, ...] = ("error", "append", "truncate")
FkChecks = Literal["on", "off"]
"""Whether the target checks FKs during the load (``off`` needs the right to switch them off)."""
TableBlocks = Iterable[tuple[TableSpec, Iterable[pd.DataFrame]]]
"""Tables in FK order, each with its rows as blocks of frames (see ``sampling.cascade.stream``)."""


def write_database(
    rows: Mapping[str, pd.DataFrame] | TableBlocks,
    schema: Schema,
    engine: sa.Engine,
    *,
    if_exists: IfExists = "error",
    fk_checks: FkChecks = "on",
    progress: bool = False,
) -> dict[str, int]:
    """Insert every table's rows in FK order in ONE transaction; return rows written per table key.

    ``rows`` is either one frame per table key (checked before anything is written) or
    the tables in FK order, each with an iterable of frames (``sampling.cascade.stream``):
    then each block is converted and sent (PostgreSQL: COPY per batch, see ``dialects``) before
    the next is asked for, so the database works on one block while the next is
    generated and no table is held whole. Blocks cannot load a schema whose FK cycles
    need deferred updates (its ``deferred_fks``): :class:`ValueError`; give frames.

    Missing target tables are created from ``schema``; existing ones that hold rows are
    refused (``if_exists="error"``: :class:`ConfigError` with ``option="if_exists"``),
    kept (``"append"``) or emptied first in the same transaction (``"truncate"``).
    ``fk_checks="off"`` switches the target's FK checks off for this transaction
    (PostgreSQL ``session_replication_role``, needs a superuser; MySQL
    ``FOREIGN_KEY_CHECKS``), which a cycle of NOT NULL, non-deferrable FKs needs
    (:class:`CycleError` otherwise, before anything is written; SQLite defers FK checks
    to the commit and loads such cycles either way). Any failure, in the database or
    in the generator behind ``rows``, rolls everything back, created tables included
    (PostgreSQL and SQLite roll DDL back; on MySQL, which commits DDL at once, the
    tables this run created are dropped again); database failures raise
    :class:`WriteError` naming the table and, when the driver says it, the constraint.
    """
    frames: Mapping[str, pd.DataFrame] | None = None
    if isinstance(rows, Mapping):
        frames = rows
        _check_frames(frames, schema)
        rows = [(spec, [frames[spec.key]]) for spec in schema]
    elif _deferred_columns(schema):
        raise ValueError("a schema with cycle-closing FKs is written from whole frames, "
                         "not blocks")
    return _write(rows, schema, engine, frames, if_exists=if_exists, fk_checks=fk_checks,
                  progress=progress)


def _write(tables: TableBlocks, schema: Schema, engine: sa.Engine,
           frames: Mapping[str, pd.DataFrame] | None, *, if_exists: IfExists,
           fk_checks: FkChecks, progress: bool) -> dict[str, int]:
    if if_exists not in IF_EXISTS:
        raise ConfigError(f"if_exists must be one of {', '.join(IF_EXISTS)}, got {if_exists!r}",
                          option="if_exists")
    if fk_checks not in ("on", "off"):
        raise ConfigError(f"fk_checks must be 'on' or 'off', got {fk_checks!r}",
                          option="fk_checks")
    if schema.strict_cycles and fk_checks == "on" and engine.dialect.name != "sqlite":
        raise CycleError(schema.strict_cycles[0])
    placed = next((spec for spec in schema if spec.schema), None)
    if placed is not None and engine.dialect.name == "sqlite":
        # SQLite has no schemas (a qualified name means an attached database): say so
        # before anything is written rather than fail on the first CREATE TABLE.
        raise ConfigError(
            f"table {placed.key} lives in schema {placed.schema}, and a SQLite target has no "
            "schemas; nothing was written. Seed a PostgreSQL target, or train on the default "
            "schema only", option="target_url", table=placed.key)
    _check_deferred_keys(schema)
    hooks = hooks_for(engine.dialect.name)
    metadata = to_metadata(schema, target_dialect=engine.dialect.name)
    pairs = [(spec, metadata.tables[spec.key]) for spec in schema]
    blame = Blame(hooks, schema, engine.dialect.loaded_dbapi.Error)
    written: dict[str, int] = {}
    created: list[sa.Table] = []
    try:
        _load(engine, hooks, blame, schema, tables, frames, pairs, written, created,
              if_exists=if_exists, fk_checks=fk_checks, progress=progress)
    except BaseException:
        if created and engine.dialect.name in ("mysql", "mariadb"):
            # MySQL commits DDL at once: tables this run created are dropped again, so a
            # failed load leaves the target as it was there too.
            _drop(engine, created)
        raise
    return written


def _load(engine: sa.Engine, hooks: DialectHooks, blame: Blame, schema: Schema,
          tables: TableBlocks, frames: Mapping[str, pd.DataFrame] | None,
          pairs: Sequence[tuple[TableSpec, sa.Table]], written: dict[str, int],
          created: list[sa.Table], *, if_exists: IfExists, fk_checks: FkChecks,
          progress: bool) -> None:
    """The one transaction of :func:`_write`; fills ``written`` and ``created``."""
    deferred = _deferred_columns(schema)
    with engine.connect() as conn, blame(None), hooks.transaction(conn):
        if engine.dialect.name == "postgresql" and any(
                fk.deferrable for spec in schema for fk in spec.foreign_keys):
            conn.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")
        if fk_checks == "off":
            _fk_checks_off(conn, blame)
        held = _prepare_targets(conn, pairs, blame, if_exists=if_exists, created=created)
        if if_exists == "truncate" and held:
            _empty(conn, [(s, t) for s, t in pairs if s.key in held], deferred, blame)
        by_key = {spec.key: (spec, table) for spec, table in pairs}
        for given, blocks in tables:
            # The target's spec (drift may have dropped nullable columns), the caller's rows.
            spec, table = by_key[given.key]
            total = len(frames[spec.key]) if frames is not None else None
            with blame(spec.key), tqdm(total=total, desc=spec.key, unit="rows",
                                       disable=not progress) as bar:
                nulled = deferred.get(spec.key, ())
                written[spec.key] = _insert(conn, hooks, spec, table, blocks, nulled, bar.update)
        lacking = [spec.key for spec, _ in pairs if spec.key not in written]
        if lacking:
            raise ConfigError(f"no rows given for table {lacking[0]}; give every table of the "
                              "schema, empty if need be", option="frames", table=lacking[0])
        for spec, table in pairs:
            with blame(spec.key):
                if spec.key in deferred and frames is not None:
                    _update_deferred(conn, spec, table, frames[spec.key], deferred[spec.key])
                hooks.after_table(conn, table, [c.name for c in _writable(spec)], written[spec.key])
        hooks.before_commit(conn, pairs)


def _drop(engine: sa.Engine, tables: Sequence[sa.Table]) -> None:
    """Drop ``tables`` (children first, FK checks off for the drop)."""
    with engine.connect() as conn:
        conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")
        for table in reversed(tables):
            conn.execute(sa.schema.DropTable(table, if_exists=True))
        conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 1")
        conn.commit()


def _fk_checks_off(conn: sa.Connection, blame: Blame) -> None:
    """Switch FK checks off until the transaction ends (``fk_checks="off"``)."""
    with blame(None):
        if conn.dialect.name == "postgresql":
            # LOCAL: back to normal at COMMIT/ROLLBACK. Needs a superuser (or the role's
            # right to set it); the driver's refusal is reported as a WriteError.
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        elif conn.dialect.name in ("mysql", "mariadb"):
            # Session-wide in MySQL: the engine is disposed after the load.
            conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = 0")


def _check_frames(frames: Mapping[str, pd.DataFrame], schema: Schema) -> None:
    for spec in schema:
        if spec.key not in frames:
            raise ConfigError(
                f"no frame for table {spec.key}; give one per table, empty if need be",
                option="frames", table=spec.key,
            )
        _check_columns(frames[spec.key], spec)


def _check_columns(frame: pd.DataFrame, spec: TableSpec) -> None:
    lacking = [c.name for c in _writable(spec) if c.name not in frame.columns]
    if lacking:
        raise ConfigError(f"the frame of {spec.key} lacks column(s) {', '.join(lacking)}",
                          option="frames", table=spec.key)


def _check_deferred_keys(schema: Schema) -> None:
    # Deferred FKs are set by "UPDATE ... WHERE <primary key>"; without one, rows cannot be found.
    for key, fk_name in sorted(schema.deferred_fks):
        fk = next(f for f in schema.table(key).foreign_keys if f.name == fk_name)
        if not fk.deferrable and not schema.table(key).primary_key:
            raise WriteError(
                f"{key}: foreign key {fk_name} closes a cycle and must be set after the rows "
                f"are in, by primary key, but {key} has none; add a primary key. "
                "Nothing was written",
                table=key, constraint=fk_name,
            )


def _deferred_columns(schema: Schema) -> dict[str, tuple[str, ...]]:
    """Per table key, the FK columns written NULL first and UPDATEd at the end."""
    found: dict[str, dict[str, None]] = {}  # dict as an ordered set
    for key, fk_name in sorted(schema.deferred_fks):
        fk = next(f for f in schema.table(key).foreign_keys if f.name == fk_name)
        # A DEFERRABLE or NOT NULL FK is written with its value: checked at commit, or
        # with FK checks off (a NOT NULL column cannot hold the interim NULL anyway).
        if fk.nullable and not fk.deferrable:
            found.setdefault(key, {}).update(dict.fromkeys(fk.columns))
    return {key: tuple(cols) for key, cols in found.items()}


def _writable(spec: TableSpec) -> list[ColumnSpec]:
    # Computed columns are filled by the database; writing them is an error on most backends.
    return [c for c in spec.columns if not c.computed]


def _prepare_targets(
    conn: sa.Connection, pairs: Sequence[tuple[TableSpec, sa.Table]], blame: Blame,
    *, if_exists: IfExists, created: list[sa.Table],
) -> set[str]:
    """Check the tables the target has, create the ones it lacks; keys of those with rows."""
    inspector = sa.inspect(conn)
    missing = []
    held_rows: set[str] = set()
    for spec, table in pairs:
        with blame(spec.key):
            exists = inspector.has_table(spec.name, schema=spec.schema)
            held = _row_count(conn, table) if exists else 0
        if not exists:
            missing.append((spec, table))
        elif held:
            held_rows.add(spec.key)
            if if_exists == "error":
                raise ConfigError(
                    f"target table {spec.key} already holds {held} row{'s' if held != 1 else ''}; "
                    "nothing was written. Use if_exists='append' (--if-exists append) to add "
                    "rows or 'truncate' to replace them, or seed another database",
                    option="if_exists", table=spec.key,
                )
    # Tables first without FKs, then the FKs, so cycles need no special order; SQLite
    # cannot ALTER in a constraint, but neither does it check the referred table exists.
    inline = not conn.dialect.supports_alter
    if conn.dialect.name == "postgresql":
        # Tables of other schemas (``app.demo``) need their schema in a fresh target.
        for name in sorted({spec.schema for spec, _ in missing if spec.schema}):
            if not inspector.has_schema(name):
                conn.execute(CreateSchema(name))
        # Named ENUM and DOMAIN types (maybe in another schema) must exist before tables.
        for spec, table in missing:
            for column in table.columns:
                if isinstance(column.type, NamedType) or (
                        isinstance(column.type, sa.Enum) and column.type.native_enum):
                    with blame(spec.key):
                        if column.type.schema and not inspector.has_schema(column.type.schema):
                            conn.execute(CreateSchema(column.type.schema))
                        column.type.create(conn, checkfirst=True)
    for spec, table in missing:
        with blame(spec.key):
            conn.execute(CreateTable(table, include_foreign_key_constraints=None if inline else []))
            created.append(table)
    if not inline:
        for spec, table in missing:
            for fkc in table.foreign_key_constraints:
                with blame(spec.key):
                    conn.execute(AddConstraint(fkc))
    return held_rows


def _empty(conn: sa.Connection, pairs: Sequence[tuple[TableSpec, sa.Table]],
           deferred: Mapping[str, tuple[str, ...]], blame: Blame) -> None:
    """Empty existing tables inside the load's transaction (``if_exists="truncate"``)."""
    if conn.dialect.name == "postgresql":
        # One TRUNCATE of all of them: FKs among the listed tables need no order. A table
        # outside the schema that references them makes PostgreSQL refuse, by design.
        quoted = [conn.dialect.identifier_preparer.format_table(t) for _, t in pairs]
        outside = conn.execute(sa.text(
            "SELECT CAST(conrelid AS regclass)::text, CAST(confrelid AS regclass)::text, conname "
            "FROM pg_constraint WHERE contype = 'f' AND confrelid = ANY(CAST(:ours AS regclass[])) "
            "AND NOT conrelid = ANY(CAST(:ours AS regclass[])) ORDER BY 1, 3"),
            {"ours": quoted}).first()
        if outside is not None:
            # Said before PostgreSQL refuses, with the table it would not name.
            referring, referred, name = outside
            key = next((s.key for (s, _), q in zip(pairs, quoted) if referred in (q, s.key)),
                       pairs[0][0].key)
            raise ConfigError(
                f"cannot empty {referred}: table {referring}, which the model does not hold, "
                f"refers to it (foreign key {name}); nothing was written. Empty or drop "
                f"{referring} first, or use if_exists='append' (--if-exists append)",
                option="if_exists", table=key)
        with blame(pairs[0][0].key):
            conn.exec_driver_sql(f"TRUNCATE {', '.join(quoted)}")
        return
    mysql = conn.dialect.name in ("mysql", "mariadb")
    for spec, table in pairs:
        # Cycles and self-references: clear those FKs first so children-first deletes work
        # (InnoDB checks a self-referencing FK row by row during a DELETE).
        cleared = dict.fromkeys(deferred.get(spec.key, ()))
        for fk in spec.foreign_keys:
            if fk.referred_table == spec.key and fk.nullable:
                cleared.update(dict.fromkeys(fk.columns))
        if cleared:
            with blame(spec.key):
                conn.execute(table.update().values({c: None for c in cleared}))
    for spec, table in reversed(pairs):
        # A NOT NULL self-reference cannot be cleared: MySQL deletes that table with its
        # checks off for the one statement (tables referring to it are empty by now).
        unchecked = mysql and any(fk.referred_table == spec.key and not fk.nullable
                                  for fk in spec.foreign_keys)
        with blame(spec.key):
            if unchecked:
                conn.exec_driver_sql("SET @seed_fk_checks = @@FOREIGN_KEY_CHECKS, "
                                     "FOREIGN_KEY_CHECKS = 0")
            conn.execute(table.delete())
            if unchecked:
                conn.exec_driver_sql("SET FOREIGN_KEY_CHECKS = @seed_fk_checks")


def rows_held(engine: sa.Engine, schema: Schema) -> dict[str, int]:
    """Per table of ``schema`` that exists in the target and holds rows, its row count."""
    metadata = to_metadata(schema, target_dialect=engine.dialect.name)
    inspector = sa.inspect(engine)
    held: dict[str, int] = {}
    with engine.connect() as conn:
        for spec in schema:
            if inspector.has_table(spec.name, schema=spec.schema):
                count = _row_count(conn, metadata.tables[spec.key])
                if count:
                    held[spec.key] = count
    return held


def held_uniques(engine: sa.Engine, schema: Schema
                 ) -> dict[str, dict[tuple[str, ...], frozenset[tuple[str, ...]]]]:
    """Per table that holds rows, the values of its UNIQUE sets and non-integer primary key
    (text tuples, rows with a NULL left out): what appended rows must not repeat."""
    metadata = to_metadata(schema, target_dialect=engine.dialect.name)
    inspector = sa.inspect(engine)
    found: dict[str, dict[tuple[str, ...], frozenset[tuple[str, ...]]]] = {}
    with engine.connect() as conn:
        for spec in schema:
            sets = [tuple(u) for u in spec.unique]
            if spec.primary_key and not (len(spec.primary_key) == 1 and
                                         spec.column(spec.primary_key[0]).kind == "integer"):
                sets.append(tuple(spec.primary_key))
            if not sets or not inspector.has_table(spec.name, schema=spec.schema):
                continue
            table = metadata.tables[spec.key]
            for cols in dict.fromkeys(sets):
                rows = conn.execute(sa.select(*(table.c[c] for c in cols))).all()
                values = frozenset(tuple(str(v) for v in row) for row in rows
                                   if all(v is not None for v in row))
                if values:
                    found.setdefault(spec.key, {})[cols] = values
    return found


def key_starts(engine: sa.Engine, schema: Schema) -> dict[str, int]:
    """Per table with a lone integer key, the first free key in the target (for appending)."""
    starts: dict[str, int] = {}
    metadata = to_metadata(schema, target_dialect=engine.dialect.name)
    inspector = sa.inspect(engine)
    with engine.connect() as conn:
        for spec in schema:
            if len(spec.primary_key) != 1 or spec.primary_key[0] in spec.fk_columns:
                continue
            if spec.column(spec.primary_key[0]).kind != "integer":
                continue
            if not inspector.has_table(spec.name, schema=spec.schema):
                continue
            table = metadata.tables[spec.key]
            top = conn.execute(sa.select(sa.func.max(table.c[spec.primary_key[0]]))).scalar()
            starts[spec.key] = int(top) + 1 if top is not None else 1
    return starts


def _row_count(conn: sa.Connection, table: sa.Table) -> int:
    # A LIMIT 1 probe first: counting a big table only to learn it is not empty is slow.
    if conn.execute(sa.select(sa.literal(1)).select_from(table).limit(1)).first() is None:
        return 0
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def batch_bounds(rows: int, size: int = BATCH_ROWS) -> list[tuple[int, int]]:
    """(start, stop) of even parts of about ``size`` rows (at most 1.5x ``size``).

    A block a few rows over the size is one batch, not a full one and a tiny one: on
    PostgreSQL each batch is a COPY of its own, with a round trip and an FK check pass.
    """
    parts = max(1, round(rows / size)) if rows else 0
    bounds = np.linspace(0, rows, parts + 1).round().astype(int).tolist()
    return list(zip(bounds[:-1], bounds[1:]))


def _insert(
    conn: sa.Connection, hooks: DialectHooks, spec: TableSpec, table: sa.Table,
    blocks: Iterable[pd.DataFrame], nulled: Sequence[str], advance: Advance,
) -> int:
    """Insert every block into ``table`` a batch at a time; the number of rows given.

    Every block is consumed, even when nothing is written (no writable column): the
    generator behind a stream records each table's keys as its blocks are taken.
    """
    count = 0

    columns, nulled_set = tuple(_writable(spec)), frozenset(nulled)

    def batches() -> Iterator[Batch]:
        nonlocal count
        for frame in blocks:
            _check_columns(frame, spec)
            count += len(frame)
            # Converted by the hook, a batch at a time: a block is never held twice in
            # memory as Python objects.
            for start, stop in batch_bounds(len(frame)):
                yield Batch(spec.key, frame.iloc[start:stop], columns, nulled_set)

    pending = batches()
    first = next(pending, None)
    if first is None or not columns:
        for _ in pending:
            pass
        return count if columns else 0
    hooks.insert(conn, table, columns, chain([first], pending), advance)
    return count


def _update_deferred(
    conn: sa.Connection, spec: TableSpec, table: sa.Table, frame: pd.DataFrame,
    columns: Sequence[str],
) -> None:
    """Set the deferred FK columns by primary key, for rows where they are not NULL."""
    keys = [python_values(frame[k], spec.column(k), spec.key) for k in spec.primary_key]
    values = [python_values(frame[c], spec.column(c), spec.key) for c in columns]
    # Bind names are generated: column names may hold spaces or clash with SET's own binds.
    pk_names = [f"seed_pk_{i}" for i in range(len(keys))]
    fk_names = [f"seed_fk_{i}" for i in range(len(columns))]
    statement = (
        table.update()
        .where(*(table.c[k] == sa.bindparam(b) for k, b in zip(spec.primary_key, pk_names)))
        .values({table.c[c]: sa.bindparam(b) for c, b in zip(columns, fk_names)})
    )
    params = [
        {**dict(zip(pk_names, key)), **dict(zip(fk_names, fk))}
        for key, fk in zip(zip(*keys), zip(*values))
        if any(v is not None for v in fk)
    ]
    for start in range(0, len(params), BATCH_ROWS):
        conn.execute(statement, params[start : start + BATCH_ROWS])
