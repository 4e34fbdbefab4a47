"""The one immutable schema model every later stage reads.

Both a SQLAlchemy ``MetaData`` and a live database URL become a :class:`Schema`; nothing
downstream re-validates it. Tables are addressed by their *key*: the bare table name in
the default schema, ``schema.table`` elsewhere (``cd.bookings``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.types import TypeEngine

ColumnKind = Literal[
    "integer",
    "float",
    "decimal",
    "string",
    "boolean",
    "date",
    "datetime",
    "time",
    "interval",
    "binary",
    "json",
    "uuid",
    "array",
    "other",
]
"""How the seeder models a column; derived from its SQL type by :mod:`.kinds`."""


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table."""

    name: str
    """Column name exactly as in the database (never case-folded)."""
    sa_type: TypeEngine
    """The SQLAlchemy type, used to create target tables and to bind values."""
    kind: ColumnKind
    """The modelling kind of the type."""
    nullable: bool
    """Whether NULL is allowed."""
    length: int | None = None
    """Declared character length of VARCHAR(n)/CHAR(n), if any."""
    precision: int | None = None
    """NUMERIC(p, s) precision, if declared."""
    scale: int | None = None
    """NUMERIC(p, s) scale, if declared."""
    timezone: bool = False
    """For datetimes: whether values carry a time zone."""
    autoincrement: bool = False
    """Whether the database can generate the value (serial, identity, rowid alias)."""
    computed: bool = False
    """A generated/computed column: the database fills it, the seeder never writes it."""


@dataclass(frozen=True)
class ForeignKeySpec:
    """A foreign key from ``columns`` of the owning table to ``referred_columns``."""

    name: str
    """Constraint name, or a stable made-up one (``fk_<table>_<cols>``) when unnamed."""
    columns: tuple[str, ...]
    referred_table: str
    """Key of the referred table (see the module docstring)."""
    referred_columns: tuple[str, ...]
    nullable: bool
    """True when every FK column is nullable, so a row may have no parent."""
    deferrable: bool = False
    """DEFERRABLE: the database checks it at commit, so rows may go in before their parent."""


@dataclass(frozen=True)
class CheckSpec:
    """A CHECK constraint as the database states it."""

    name: str | None
    sql: str
    """The boolean SQL expression, in the source dialect's spelling."""


@dataclass(frozen=True)
class TableSpec:
    """One table: columns, keys and constraints."""

    key: str
    """``name`` in the default schema, ``schema.name`` elsewhere."""
    name: str
    schema: str | None
    columns: tuple[ColumnSpec, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKeySpec, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    """UNIQUE constraints and unique indexes, primary key excluded."""
    checks: tuple[CheckSpec, ...] = ()
    """CHECK constraints (table- and column-level)."""

    def column(self, name: str) -> ColumnSpec:
        """The column called ``name``; KeyError when there is none."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.key} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def generated_keys(self) -> tuple[str, ...]:
        """Primary-key columns the sampler makes up (not FK columns, not modelled values).

        A lone key of any type (integers 1..n, new codes, UUIDs), and the integer members
        of a composite key (numbered within the other members). Other members of a
        composite key (a date in ``(id, logdate)``) are modelled like any value.
        """
        free = [c for c in self.primary_key if c not in self.fk_columns]
        if len(self.primary_key) == 1:
            return tuple(free)
        return tuple(c for c in free if self.column(c).kind == "integer")

    @property
    def fk_columns(self) -> frozenset[str]:
        """Columns that belong to some foreign key."""
        return frozenset(c for fk in self.foreign_keys for c in fk.columns)


@dataclass(frozen=True)
class Schema:
    """Tables in FK dependency order plus how the FK graph is to be walked."""

    tables: tuple[TableSpec, ...]
    """Every table, parents before children (cycle-breaking FKs ignored)."""
    deferred_fks: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    """(table key, FK name) pairs that close a cycle: written NULL, then UPDATEd."""
    strict_cycles: tuple[tuple[str, ...], ...] = ()
    """FK cycles closed only by NOT NULL, non-deferrable FKs (tables in FK order): they
    load only where the database defers FK checks or they are switched off for the load."""
    dialect: str = "default"
    """SQLAlchemy dialect name of the source (``postgresql``, ``sqlite``, ``mysql``...)."""

    def __iter__(self) -> Iterator[TableSpec]:
        return iter(self.tables)

    def __contains__(self, key: object) -> bool:
        return any(t.key == key for t in self.tables)

    def table(self, key: str) -> TableSpec:
        """The table with this key; KeyError when there is none."""
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    @property
    def by_key(self) -> Mapping[str, TableSpec]:
        return {t.key: t for t in self.tables}

    def is_deferred(self, table: str, fk: ForeignKeySpec) -> bool:
        return (table, fk.name) in self.deferred_fks

    def ordering_fks(self, table: TableSpec) -> tuple[ForeignKeySpec, ...]:
        """FKs to *other* tables that are generated earlier (not self, not deferred)."""
        return tuple(
            fk
            for fk in table.foreign_keys
            if fk.referred_table != table.key and not self.is_deferred(table.key, fk)
        )

    def roots(self) -> tuple[str, ...]:
        """Keys of tables with no ordering FK: their row counts are chosen by the user."""
        return tuple(t.key for t in self.tables if not self.ordering_fks(t))
