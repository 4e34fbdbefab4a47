"""Turn the schema model back into SQLAlchemy ``Table`` objects for reading and writing."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.types import TypeEngine

from .model import Schema, TableSpec


def to_metadata(schema: Schema, *, target_dialect: str | None = None) -> sa.MetaData:
    """A ``MetaData`` holding every table of ``schema``.

    With ``target_dialect`` different from the source's, dialect-specific types are
    replaced by their generic SQLAlchemy equivalent (JSONB -> JSON, NVARCHAR -> String),
    so tables can be created on another backend.
    """
    # Types declared in MetaData (dialect "default") are the user's: compiled as they are.
    portable = target_dialect is not None and schema.dialect not in ("default", target_dialect)
    metadata = sa.MetaData()
    built = {spec.key: _to_table(spec, metadata, portable) for spec in schema.tables}
    # FKs are attached once every table exists, with Column objects rather than
    # "schema.table.col" strings, which break on names that contain dots.
    for spec in schema.tables:
        table = built[spec.key]
        for fk in spec.foreign_keys:
            parent = built[fk.referred_table]
            table.append_constraint(
                sa.ForeignKeyConstraint(
                    [table.c[c] for c in fk.columns],
                    [parent.c[c] for c in fk.referred_columns],
                    name=fk.name,
                    deferrable=True if fk.deferrable else None,
                )
            )
    return metadata


def _to_table(spec: TableSpec, metadata: sa.MetaData, portable: bool) -> sa.Table:
    single_pk = len(spec.primary_key) == 1
    columns = []
    for col in spec.columns:
        is_pk = col.name in spec.primary_key
        columns.append(
            sa.Column(
                col.name,
                _portable(col.sa_type) if portable else _known(col.sa_type),
                nullable=col.nullable,
                primary_key=is_pk,
                # Only a lone integer key can be database-generated; declare it so a
                # created target table gets SERIAL / AUTO_INCREMENT like the source.
                autoincrement=bool(col.autoincrement and is_pk and single_pk),
                quote=True,
            )
        )
    constraints: list[sa.Constraint] = [sa.UniqueConstraint(*cols) for cols in spec.unique]
    if not portable:
        # CHECK text is in the source dialect's SQL; it is only replayed on the same backend.
        constraints += [sa.CheckConstraint(sa.text(c.sql), name=c.name) for c in spec.checks]
    return sa.Table(spec.name, metadata, *columns, *constraints, schema=spec.schema, quote=True)


def table_of(metadata: sa.MetaData, spec: TableSpec) -> sa.Table:
    """The ``Table`` for ``spec`` in a metadata built by :func:`to_metadata`."""
    return metadata.tables[spec.key]


def _known(sa_type: TypeEngine) -> TypeEngine:
    # A type reflection did not recognise (NullType) cannot be created; TEXT holds its values.
    return sa.Text() if isinstance(sa_type, sa.types.NullType) else sa_type


def _portable(sa_type: TypeEngine) -> TypeEngine:
    if isinstance(sa_type, sa.Enum):
        # Keep the name (and schema): PostgreSQL needs a named type, others a CHECK or ENUM.
        return sa.Enum(*sa_type.enums, name=sa_type.name, schema=sa_type.schema)
    try:
        generic = sa_type.as_generic()
    except NotImplementedError:
        return sa.Text()
    if isinstance(generic, sa.ARRAY) or type(generic) is sa.types.NullType:
        return sa.Text()
    return generic
