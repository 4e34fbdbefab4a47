"""Map SQLAlchemy column types to the seeder's column kinds."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.types import TypeEngine

from .model import ColumnKind


def kind_of(sa_type: TypeEngine) -> ColumnKind:
    """The modelling kind of a SQLAlchemy type; ``other`` for what is not modelled."""
    base = getattr(sa_type, "data_type", None)
    if isinstance(base, TypeEngine) and not isinstance(sa_type, sa.ARRAY):
        return kind_of(base)  # a PostgreSQL DOMAIN is modelled as its underlying type
    # Order matters: Boolean and Enum subclass other types in some dialects, and
    # MySQL's TINYINT(1) reflects as BOOLEAN-like only when declared so.
    checks: tuple[tuple[type, ColumnKind], ...] = (
        (sa.ARRAY, "array"),
        (sa.Boolean, "boolean"),
        (sa.Enum, "string"),
        (sa.Uuid, "uuid"),
        (sa.JSON, "json"),
        (sa.Interval, "interval"),
        (sa.DateTime, "datetime"),
        (sa.Date, "date"),
        (sa.Time, "time"),
        (sa.Integer, "integer"),
        (sa.Float, "float"),
        (sa.Numeric, "decimal"),
        (sa.LargeBinary, "binary"),
        (sa.String, "string"),
    )
    for cls, kind in checks:
        if isinstance(sa_type, cls):
            return kind
    try:
        python_type = sa_type.python_type
    except NotImplementedError:
        return "other"
    import datetime as dt
    import decimal
    import uuid

    by_python: dict[type, ColumnKind] = {
        bool: "boolean",
        int: "integer",
        float: "float",
        decimal.Decimal: "decimal",
        str: "string",
        bytes: "binary",
        dt.datetime: "datetime",
        dt.date: "date",
        dt.time: "time",
        dt.timedelta: "interval",
        uuid.UUID: "uuid",
        dict: "json",
    }
    return by_python.get(python_type, "other")


def numeric_shape(sa_type: TypeEngine) -> tuple[int | None, int | None]:
    """(precision, scale) of a NUMERIC/DECIMAL type, (None, None) otherwise."""
    if isinstance(sa_type, sa.Numeric) and not isinstance(sa_type, sa.Float):
        return sa_type.precision, sa_type.scale
    return None, None


def string_length(sa_type: TypeEngine) -> int | None:
    """Declared length of VARCHAR(n)/CHAR(n), None when unbounded or not a string."""
    if isinstance(sa_type, sa.String) and not isinstance(sa_type, sa.Enum):
        return sa_type.length
    return None
