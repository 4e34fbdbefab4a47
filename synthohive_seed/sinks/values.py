"""Generated columns as plain Python values for a database driver, a column at a time.

Drivers want Python objects (``int``, ``float``, ``Decimal``, ``datetime``...), never
numpy or pandas scalars, and ``None`` for every missing value. Converting cell by cell
in Python was the largest single cost of loading into PostgreSQL (issue 6), so the
common dtypes of the frame contract (see :mod:`synthohive_seed.sinks`) are converted by
numpy in one call per column; anything else (object columns, odd kinds) falls back to a
checked per-value conversion.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import WriteError
from ..schema.model import ColumnSpec


@dataclass(frozen=True)
class Batch:
    """A slice of one table's rows on its way to a driver."""

    key: str
    frame: pd.DataFrame
    columns: tuple[ColumnSpec, ...]
    """The columns written, in order (computed columns left out)."""
    nulled: frozenset[str] = frozenset()
    """Columns written as NULL whatever the frame holds (FKs filled in afterwards)."""

    def __len__(self) -> int:
        return len(self.frame)

    def rows(self) -> list[tuple[Any, ...]]:
        """The rows as plain Python tuples in ``columns`` order (see :func:`python_values`)."""
        n = len(self.frame)
        columns = [[None] * n if col.name in self.nulled
                   else python_values(self.frame[col.name], col, self.key)
                   for col in self.columns]
        return list(zip(*columns))


def python_values(series: pd.Series, col: ColumnSpec, key: str) -> list[Any]:
    """The values of ``series`` as plain Python objects for ``col``; every missing value is None.

    numpy scalars never reach the driver; decimals become :class:`~decimal.Decimal`,
    datetimes of time-zone columns aware UTC datetimes (naive ones are taken as UTC).
    Raises :class:`WriteError` naming ``key.column`` for a value the kind cannot hold.
    """
    missing = series.isna().to_numpy()
    try:
        values = _vectorised(series, col, missing)
        if values is None:
            convert = _converter(col)
            return [None if gone else convert(v) for v, gone in zip(_objects(series, col), missing)]
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise WriteError(
            f"{key}.{col.name}: cannot write a value as {col.kind} ({exc.__class__.__name__}: "
            f"{exc}); nothing was written", table=key,
        ) from None
    for i in np.flatnonzero(missing).tolist():
        values[i] = None
    return values


def _vectorised(series: pd.Series, col: ColumnSpec, missing: np.ndarray) -> list[Any] | None:
    """The column converted by numpy (missing cells hold junk), or None when it cannot be."""
    kind = series.dtype.kind
    numeric = kind in "iufb" and not isinstance(series.dtype, pd.CategoricalDtype)
    if col.kind == "integer" and numeric:
        if kind == "f":
            floats = series.to_numpy(dtype="float64", na_value=0.0)
            bad = floats != np.floor(floats)
            if bad.any():
                raise ValueError(f"{floats[np.argmax(bad)]!r} is not a whole number")
        return series.to_numpy(dtype="int64", na_value=0).tolist()  # type: ignore[no-any-return]
    if col.kind == "float" and numeric:
        return series.to_numpy(dtype="float64", na_value=np.nan).tolist()  # type: ignore[no-any-return]
    if col.kind == "decimal" and numeric and kind != "b":
        floats = series.to_numpy(dtype="float64", na_value=0.0)
        if col.scale is not None:
            floats = floats.round(col.scale)
        # repr gives the shortest text that reads back as the same float: 12.3, not 12.2999...
        return [decimal.Decimal(repr(v)) for v in floats.tolist()]
    if col.kind == "boolean" and kind == "b":
        return series.to_numpy(dtype=bool, na_value=False).tolist()  # type: ignore[no-any-return]
    if kind in "mM":
        objects = _objects(series, col)
        if col.kind == "date" and kind == "M":
            return [None if gone else v.date() for v, gone in zip(objects, missing)]
        return list(objects)
    return None


def _objects(series: pd.Series, col: ColumnSpec) -> Sequence[Any]:
    if isinstance(series.dtype, pd.DatetimeTZDtype) or series.dtype.kind == "M":
        aware = series.dt.tz is not None
        if col.timezone and not aware:
            series = series.dt.tz_localize("UTC")
        elif aware and not col.timezone:
            series = series.dt.tz_convert("UTC").dt.tz_localize(None)
        return series.array.to_pydatetime()  # type: ignore[attr-defined, no-any-return]
    if series.dtype.kind == "m":
        return series.array.to_pytimedelta()  # type: ignore[attr-defined, no-any-return]
    return series.to_numpy(dtype=object)  # type: ignore[no-any-return]


def _converter(col: ColumnSpec) -> Callable[[Any], Any]:
    if col.kind == "decimal":
        return lambda v: _to_decimal(v, col.scale)
    if col.kind == "uuid" and getattr(col.sa_type, "as_uuid", False):
        return lambda v: v if isinstance(v, uuid.UUID) else uuid.UUID(str(v))
    return _CONVERTERS.get(col.kind, _plain)


def _plain(value: Any) -> Any:
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, pd.Timedelta):
        return value.to_pytimedelta()
    return value


def _to_int(value: Any) -> int:
    number = int(value)
    if number != value:
        raise ValueError(f"{value!r} is not a whole number")
    return number


def _to_bool(value: Any) -> bool:
    # bool("false") is True: accept only real booleans and 0/1.
    if isinstance(value, (bool, np.bool_)) or value in (0, 1):
        return bool(value)
    raise ValueError(f"{value!r} is not a boolean")


def _to_decimal(value: Any, scale: int | None) -> decimal.Decimal:
    if isinstance(value, decimal.Decimal):
        return value
    number = float(value)
    return decimal.Decimal(repr(round(number, scale) if scale is not None else number))


def _to_str(value: Any) -> str:
    return value if type(value) is str else str(value)


def _to_date(value: Any) -> dt.date:
    if type(value) is dt.date:
        return value
    plain = _plain(value)
    if isinstance(plain, dt.datetime):
        return plain.date()
    if isinstance(plain, dt.date):
        return plain
    raise TypeError(f"{value!r} is not a date")


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "integer": _to_int,
    "float": float,
    "boolean": _to_bool,
    "string": _to_str,
    "uuid": str,
    "date": _to_date,
    "binary": bytes,
}
