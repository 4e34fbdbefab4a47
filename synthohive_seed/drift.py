"""Schema drift: how a target database differs from the schema a model was trained on.

A saved model travels; the database it seeds may have moved on (a migration added a
column, dropped one, changed a type). Before anything is written the target is
reflected and compared table by table. The rules:

* a model table the target lacks: **created** (as for an empty target);
* a table only the target has: **left alone** (the model knows nothing of it), warned;
* a column only the target has: **left to the database** (NULL or its DEFAULT) when it is
  nullable or has a default, else **incompatible**;
* a model column the target dropped: **not written** when it was nullable in the model and
  no key uses it, else **incompatible**;
* a changed kind of type, a shorter length or smaller precision/scale, a column that
  became NOT NULL, a changed primary key, and a new FK or UNIQUE constraint on existing
  columns: **incompatible**. A model FK the target no longer has is only reported.

Any incompatible difference raises :class:`SchemaDriftError` listing all of them, before
anything is written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import sqlalchemy as sa

from .errors import SchemaDriftError, SchemaError
from .schema.introspect import reflect_metadata, schema_from_metadata
from .schema.model import ColumnSpec, Schema, TableSpec

log = logging.getLogger("synthohive_seed")

# Kinds a target may store another kind in without losing values (a UUID in a CHAR(36)...).
_COMPATIBLE_KINDS = {("uuid", "string"), ("json", "string"), ("boolean", "integer"),
                     ("integer", "decimal"), ("integer", "float"), ("decimal", "float"),
                     ("date", "datetime"), ("interval", "datetime")}


@dataclass(frozen=True)
class Difference:
    """One way the target differs from the model's schema."""

    table: str
    column: str | None
    change: str
    """``table_missing``, ``table_added``, ``column_added``, ``column_dropped``,
    ``type_changed``, ``null_changed``, ``key_changed`` or ``fk_dropped``."""
    detail: str
    compatible: bool
    """False: sampling into this target stops before writing."""

    def describe(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        return f"{'ok  ' if self.compatible else 'STOP'} {where}: {self.detail}"


@dataclass(frozen=True)
class DriftReport:
    """Every difference between a model's schema and a target database."""

    differences: tuple[Difference, ...]

    @property
    def incompatible(self) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if not d.compatible)

    def describe(self) -> str:
        if not self.differences:
            return "target schema matches the model"
        return "\n".join(["schema drift (model -> target):",
                          *(f"  {d.describe()}" for d in self.differences)])

    def adapt(self, schema: Schema) -> Schema:
        """``schema`` without the (nullable) columns the target dropped, for writing."""
        dropped: dict[str, set[str]] = {}
        for d in self.differences:
            if d.change == "column_dropped" and d.compatible and d.column:
                dropped.setdefault(d.table, set()).add(d.column)
        if not dropped:
            return schema
        tables = tuple(replace(t, columns=tuple(c for c in t.columns
                                                if c.name not in dropped.get(t.key, set())))
                       for t in schema.tables)
        return replace(schema, tables=tables)


def check_drift(schema: Schema, engine: sa.Engine) -> DriftReport:
    """Compare the target behind ``engine`` with ``schema``; raise when incompatible."""
    report = compare(schema, *_reflect(engine, schema))
    for difference in report.differences:
        if difference.compatible and difference.change != "table_missing":
            log.warning("schema drift: %s", difference.describe())
    if report.incompatible:
        raise SchemaDriftError(report.incompatible)
    return report


def compare(model: Schema, target: Schema,
            defaults: frozenset[tuple[str, str]] = frozenset()) -> DriftReport:
    """The differences; ``defaults`` holds (table, column) pairs with a server default."""
    found: list[Difference] = []
    for table in model.tables:
        if table.key not in target:
            found.append(Difference(table.key, None, "table_missing",
                                    "not in the target: it will be created", True))
        else:
            found.extend(_table_differences(table, target.table(table.key), defaults))
    for table in target.tables:
        if table.key not in model:
            found.append(Difference(table.key, None, "table_added",
                                    "only in the target: left as it is", True))
    return DriftReport(tuple(found))


def _table_differences(mine: TableSpec, theirs: TableSpec,
                       defaults: frozenset[tuple[str, str]]) -> list[Difference]:
    key, out = mine.key, []
    keyed = set(mine.primary_key) | mine.fk_columns | {c for u in mine.unique for c in u}
    for col in mine.columns:
        if col.name not in theirs.column_names:
            ok = col.nullable and col.name not in keyed
            out.append(Difference(key, col.name, "column_dropped", "dropped in the target: "
                                  + ("not written" if ok else "the model fills it (key or NOT NULL)"),
                                  ok))
            continue
        out.extend(_column_differences(key, col, theirs.column(col.name)))
    added = [c for c in theirs.columns if c.name not in mine.column_names]
    for col in added:
        ok = col.nullable or col.autoincrement or col.computed or (key, col.name) in defaults
        out.append(Difference(key, col.name, "column_added", "only in the target: " + (
            "left NULL or to its default" if ok else "NOT NULL without a default"), ok))
    if mine.primary_key != theirs.primary_key:
        out.append(Difference(key, None, "key_changed", f"primary key {mine.primary_key} -> "
                              f"{theirs.primary_key}", False))
    new_cols = {c.name for c in added}
    known = {(fk.columns, fk.referred_table, fk.referred_columns) for fk in mine.foreign_keys}
    for fk in theirs.foreign_keys:
        if (fk.columns, fk.referred_table, fk.referred_columns) not in known:
            ok = set(fk.columns) <= new_cols and all(theirs.column(c).nullable for c in fk.columns)
            out.append(Difference(key, ",".join(fk.columns), "key_changed",
                                  f"new foreign key to {fk.referred_table}", ok))
    theirs_fks = {(fk.columns, fk.referred_table, fk.referred_columns) for fk in theirs.foreign_keys}
    for fk in mine.foreign_keys:
        if (fk.columns, fk.referred_table, fk.referred_columns) not in theirs_fks:
            out.append(Difference(key, ",".join(fk.columns), "fk_dropped",
                                  f"foreign key to {fk.referred_table} not in the target", True))
    for unique in set(theirs.unique) - set(mine.unique) - {mine.primary_key}:
        if not set(unique) <= new_cols:
            out.append(Difference(key, ",".join(unique), "key_changed",
                                  "new UNIQUE constraint", False))
    return out


def _column_differences(key: str, mine: ColumnSpec, theirs: ColumnSpec) -> list[Difference]:
    out = []
    if mine.kind != theirs.kind and (mine.kind, theirs.kind) not in _COMPATIBLE_KINDS \
            and "other" not in (mine.kind, theirs.kind):
        out.append(Difference(key, mine.name, "type_changed",
                              f"type {mine.sa_type} ({mine.kind}) -> {theirs.sa_type} "
                              f"({theirs.kind})", False))
    for attr in ("length", "precision", "scale"):
        before, after = getattr(mine, attr), getattr(theirs, attr)
        if before is not None and after is not None and after < before:
            out.append(Difference(key, mine.name, "type_changed",
                                  f"{attr} {before} -> {after}", False))
    if mine.nullable and not theirs.nullable:
        out.append(Difference(key, mine.name, "null_changed", "became NOT NULL", False))
    return out


def _reflect(engine: sa.Engine, model: Schema) -> tuple[Schema, frozenset[tuple[str, str]]]:
    """The target's tables in the model's schemas, and its columns with server defaults."""
    # Every schema the model uses, the default one (None) included when a table is in it.
    names = sorted({t.schema for t in model.tables}, key=lambda name: name or "")
    metadata = sa.MetaData()
    for name in names:
        try:
            metadata = _merge(metadata, reflect_metadata(engine, [name]))
        except SchemaError:  # that schema does not exist (yet): its tables will be created
            continue
    defaults = frozenset((t.fullname, c.name) for t in metadata.tables.values()
                         for c in t.columns if c.server_default is not None)
    return schema_from_metadata(metadata, dialect=engine.dialect.name), defaults


def _merge(into: sa.MetaData, other: sa.MetaData) -> sa.MetaData:
    for table in other.tables.values():
        if table.fullname not in into.tables:
            table.to_metadata(into)
    return into
