"""STAGE 4 sink: one Delta Lake table per schema table, typed from the declared schema.

Arrow types come from each column's declared :class:`~..schema.model.ColumnSpec`, never
from pandas dtypes: a nullable integer column holding NULLs is still ``int64`` (pandas
would say float), and an empty table still carries every column's type.

==========================  ======================================================
column kind                 Arrow / Delta type
==========================  ======================================================
integer                     ``int64`` (every width; NULLs stay integer NULLs)
float                       ``float64``
decimal, NUMERIC(p, s)      ``decimal128(p, s)``, values rounded to ``s`` first
decimal, no usable (p, s)   ``float64`` (no precision, p > 38, or s outside 0..p,
                            which Delta cannot store as a decimal)
string, uuid                ``string``
json                        ``string`` holding JSON text (``json.dumps``)
boolean                     ``bool``
date                        ``date32``
datetime                    ``timestamp('us')`` (Delta ``timestamp_ntz``)
datetime WITH TIME ZONE     ``timestamp('us', tz='UTC')``, values converted to UTC
binary                      ``binary`` (bytes are not text, so not ``string``)
time                        ``string``, ISO 8601 (``13:45:00.250000``)
interval                    ``string``, ISO 8601 duration (``P1DT0H0M1.5S``)
other                       ``string`` (``str(value)``)
==========================  ======================================================

Nanosecond timestamps are truncated to microseconds, the finest unit Delta stores.
Computed columns are not in the frames (see the contract in :mod:`..sinks`), so they are
not in the Delta tables either. NOT NULL columns become non-nullable Delta fields.
Every frame is converted before the first table is written, so a bad value fails the
whole call with nothing written.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
from deltalake import DeltaTable, QueryBuilder, write_deltalake
from deltalake.exceptions import DeltaError
from tqdm import tqdm

from ..errors import ConfigError, WriteError
from ..schema.model import ColumnSpec, Schema, TableSpec

_MAX_DECIMAL_PRECISION = 38
"""Delta's decimal limit (and decimal128's)."""

_PLAIN_TYPES: Mapping[str, pa.DataType] = {
    "integer": pa.int64(),
    "float": pa.float64(),
    "decimal": pa.float64(),  # only when no usable (p, s); see _arrow_type
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "binary": pa.binary(),
}
"""Kinds whose Arrow type depends on nothing but the kind; every other kind is text."""


def arrow_schema(table: TableSpec) -> pa.Schema:
    """The Arrow schema of ``table``'s Delta table: declared columns in order, computed
    columns left out, NOT NULL columns as non-nullable fields (mapping in the module doc)."""
    return pa.schema(
        [
            pa.field(c.name, _arrow_type(c), nullable=c.nullable)
            for c in table.columns
            if not c.computed
        ]
    )


def read_delta(path: str | os.PathLike[str]) -> pa.Table:
    """The Delta table at ``path`` as an Arrow table with its declared column types.

    Read through deltalake's own query engine rather than ``DeltaTable.to_pyarrow_table()``:
    that goes through pyarrow's dataset scanner, whose worker threads abort the
    interpreter at exit now and then ("terminate called without an active exception",
    SIGABRT, after all work is done; measured here at 2-3% of short runs, none in 300
    runs this way). Strings come back as ``string_view`` from the engine and are cast
    back to the table's schema.
    """
    table = DeltaTable(str(path))
    declared = pa.schema(table.schema().to_arrow())
    rows = QueryBuilder().register("t", table).execute('SELECT * FROM "t"').read_all()
    return pa.table(rows).cast(declared)


def write_delta(
    frames: Mapping[str, pd.DataFrame],
    schema: Schema,
    output_path: str | os.PathLike[str],
    *,
    mode: Literal["error", "overwrite"] = "error",
    progress: bool = False,
) -> dict[str, str]:
    """Write one Delta table per table under output_path (directory name = table key);
    return table key -> path.

    ``frames`` follows the sink contract (one frame per table of ``schema``). With
    ``mode="error"`` nothing is written when any target already holds a Delta table;
    ``mode="overwrite"`` replaces existing tables, schema included. ``progress`` shows a
    bar over the tables.

    Raises ConfigError for a bad ``mode``, frames that do not match the schema, or an
    existing table under ``mode="error"``; WriteError when a table's values cannot be
    stored with its declared types or Delta refuses the write.
    """
    if mode not in ("error", "overwrite"):
        raise ConfigError(f"mode must be 'error' or 'overwrite', not {mode!r}", option="mode")
    specs = _tables_for(frames, schema)
    root = Path(output_path)
    targets = {spec.key: root / spec.key for spec in specs}
    # Check every target before writing any, so a refused call leaves the output as it was.
    if mode == "error":
        for key, path in targets.items():
            if DeltaTable.is_deltatable(str(path)):
                raise ConfigError(
                    f"{path} already holds a Delta table for {key}; "
                    "choose another output path or pass mode='overwrite' (--overwrite)",
                    option="output_path",
                    table=key,
                )
    tables = {spec.key: _arrow_table(spec, frames[spec.key]) for spec in specs}
    with tqdm(total=len(tables), desc="delta", unit="table", disable=not progress) as bar:
        for key, data in tables.items():
            bar.set_postfix_str(key)
            try:
                # schema_mode="overwrite" lets a re-run replace a table whose columns changed.
                write_deltalake(
                    str(targets[key]),
                    data,
                    mode=mode,
                    schema_mode="overwrite" if mode == "overwrite" else None,
                )
            except DeltaError as exc:
                raise WriteError(
                    f"Delta refused table {key} at {targets[key]}: {exc}", table=key
                ) from exc
            bar.update()
    return {key: str(path) for key, path in targets.items()}


def _tables_for(frames: Mapping[str, pd.DataFrame], schema: Schema) -> list[TableSpec]:
    """The schema's tables (parents first), after checking frames and keys match them."""
    by_key = schema.by_key
    unknown = [key for key in frames if key not in by_key]
    if unknown:
        raise ConfigError(
            f"frames has table {unknown[0]!r}, which the schema does not; "
            "pass frames sampled from this schema",
            option="frames",
            table=unknown[0],
        )
    missing = [t.key for t in schema.tables if t.key not in frames]
    if missing:
        raise ConfigError(
            f"frames has no frame for table {missing[0]!r}; every table of the schema "
            "needs one (an empty frame writes an empty table)",
            option="frames",
            table=missing[0],
        )
    for key in by_key:
        # The key becomes one directory name: a separator would nest it, '..' escape root.
        separators = {"/", os.sep, os.altsep or "/"}
        if key in ("", ".", "..") or any(sep in key for sep in separators):
            raise WriteError(f"table key {key!r} cannot be used as a directory name", table=key)
    return list(schema.tables)


def _arrow_table(spec: TableSpec, frame: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table of exactly ``arrow_schema(spec)``."""
    target = arrow_schema(spec)
    missing = [n for n in target.names if n not in frame.columns]
    extra = [str(c) for c in frame.columns if c not in target.names]
    if missing or extra:
        raise WriteError(
            f"frame for {spec.key} does not match its columns "
            f"(missing: {missing or 'none'}; unexpected: {extra or 'none'})",
            table=spec.key,
        )
    arrays: list[pa.Array] = []
    for field in target:
        try:
            array = _arrow_array(frame[field.name], spec.column(field.name), field.type)
        except (pa.ArrowException, ValueError, TypeError, OverflowError) as exc:
            raise WriteError(
                f"{spec.key}.{field.name}: values cannot be stored as {field.type}: {exc}",
                table=spec.key,
            ) from exc
        if not field.nullable and array.null_count:
            raise WriteError(
                f"{spec.key}.{field.name} is NOT NULL but {array.null_count} rows are NULL",
                table=spec.key,
            )
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=target)


def _arrow_type(col: ColumnSpec) -> pa.DataType:
    if col.kind == "decimal" and col.precision is not None:
        scale = col.scale or 0
        if 0 < col.precision <= _MAX_DECIMAL_PRECISION and 0 <= scale <= col.precision:
            return pa.decimal128(col.precision, scale)
    if col.kind == "datetime":
        return pa.timestamp("us", tz="UTC" if col.timezone else None)
    return _PLAIN_TYPES.get(col.kind, pa.string())


def _arrow_array(values: pd.Series, col: ColumnSpec, type_: pa.DataType) -> pa.Array:
    """One column as an Arrow array of ``type_``; missing values of any flavour -> null."""
    if pa.types.is_decimal(type_):
        # The contract gives float64; rounding to the scale first makes Arrow's checked
        # cast fail only on values that overflow the precision, not on float noise.
        rounded = values.astype("Float64").round(type_.scale)
        return pa.array(rounded, type=pa.float64(), from_pandas=True).cast(type_)
    if pa.types.is_timestamp(type_):
        return pa.array(_microseconds(values, utc=col.timezone), type=type_, from_pandas=True)
    if pa.types.is_date32(type_) and pd.api.types.is_datetime64_any_dtype(values):
        values = values.dt.date
    if pa.types.is_string(type_) and col.kind in ("string", "uuid", "other"):
        try:  # already text in the common case: let Arrow convert it without a Python loop
            return pa.array(values, type=type_, from_pandas=True)
        except (pa.ArrowTypeError, pa.ArrowInvalid):
            pass
    if pa.types.is_string(type_) or pa.types.is_binary(type_):
        rendered = [None if _is_missing(v) else _render(v, col) for v in values]
        values = pd.Series(rendered, dtype=object)
    return pa.array(values, type=type_, from_pandas=True)


def _microseconds(values: pd.Series, *, utc: bool) -> pd.Series:
    """Datetimes at microsecond resolution: UTC-aware for time zone columns, naive otherwise."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, utc=utc)  # objects: outside the contract, but cheap
    tz = values.dt.tz
    if utc:
        values = values.dt.tz_localize("UTC") if tz is None else values.dt.tz_convert("UTC")
        return values.astype("datetime64[us, UTC]")
    if tz is not None:  # aware values in a naive column: keep the UTC wall time
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values.astype("datetime64[us]")


def _render(value: Any, col: ColumnSpec) -> str | bytes:
    """A non-missing value as the text (or bytes) its kind is stored as."""
    if col.kind == "binary":
        return bytes(value)
    if col.kind == "json":
        # default=str keeps dates and Decimals inside documents writable.
        return json.dumps(value, default=str)
    if col.kind == "interval":
        return pd.Timedelta(value).isoformat()
    if col.kind == "time" and hasattr(value, "isoformat"):
        return str(value.isoformat())
    return value if isinstance(value, str) else str(value)


def _is_missing(value: Any) -> bool:
    # Scalar checks only: pd.isna on a JSON list would answer element-wise.
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )
