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
:func:`write_delta` converts every frame before the first table is written, so a bad
value fails the whole call with nothing written; :func:`write_delta_blocks` streams and
puts back the tables it already wrote when a later block fails.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
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
    bar over the tables. Every frame is converted before the first table is written.

    Raises ConfigError for a bad ``mode``, frames that do not match the schema, or an
    existing table under ``mode="error"``; WriteError when a table's values cannot be
    stored with its declared types or Delta refuses the write.
    """
    specs = _tables_for(frames, schema)
    tables = [(spec, [_arrow_table(spec, frames[spec.key])]) for spec in specs]
    return _write(tables, schema, output_path, mode=mode, progress=progress)


def write_delta_blocks(
    tables: Iterable[tuple[TableSpec, Iterable[pd.DataFrame]]],
    schema: Schema,
    output_path: str | os.PathLike[str],
    *,
    mode: Literal["error", "overwrite"] = "error",
    progress: bool = False,
) -> dict[str, str]:
    """:func:`write_delta` for rows that come block by block, as they are generated.

    ``tables`` yields every table of ``schema`` in order with an iterable of frames. Each
    table is written by one ``write_deltalake`` call fed from an Arrow stream of its
    blocks: one table version per run, files of deltalake's target size, and no table
    held whole in memory. If any block fails, the tables this call already wrote are
    put back as they were (new ones removed, replaced ones restored to their previous
    version) before the error is raised.
    """
    _check_keys(schema)
    arrow = ((spec, (_arrow_table(spec, frame) for frame in blocks)) for spec, blocks in tables)
    return _write(arrow, schema, output_path, mode=mode, progress=progress)


def _write(
    tables: Iterable[tuple[TableSpec, Iterable[pa.Table]]],
    schema: Schema,
    output_path: str | os.PathLike[str],
    *,
    mode: Literal["error", "overwrite"],
    progress: bool,
) -> dict[str, str]:
    if mode not in ("error", "overwrite"):
        raise ConfigError(f"mode must be 'error' or 'overwrite', not {mode!r}", option="mode")
    root = Path(output_path)
    targets = {spec.key: root / spec.key for spec in schema.tables}
    # Check every target before writing any, so a refused call leaves the output as it was.
    before: dict[str, int | None] = {}
    for key, path in targets.items():
        held = DeltaTable.is_deltatable(str(path))
        if held and mode == "error":
            raise ConfigError(
                f"{path} already holds a Delta table for {key}; "
                "choose another output path or pass mode='overwrite' (--overwrite)",
                option="output_path",
                table=key,
            )
        before[key] = DeltaTable(str(path)).version() if held else None
    done: list[str] = []
    try:
        with tqdm(total=len(targets), desc="delta", unit="table", disable=not progress) as bar:
            for spec, parts in tables:
                bar.set_postfix_str(spec.key)
                _write_table(spec, parts, targets[spec.key], mode, progress=progress)
                done.append(spec.key)
                bar.update()
    except BaseException:
        _put_back(done, targets, before)
        raise
    return {key: str(path) for key, path in targets.items()}


def _write_table(spec: TableSpec, parts: Iterable[pa.Table], path: Path,
                 mode: Literal["error", "overwrite"], *, progress: bool) -> None:
    """One ``write_deltalake`` call fed by an Arrow stream of ``parts``."""
    failure: list[BaseException] = []

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            with tqdm(desc=spec.key, unit="rows", leave=False, disable=not progress) as bar:
                for part in parts:
                    yield from part.to_batches()
                    bar.update(part.num_rows)
        except BaseException as exc:
            # The Rust writer reports a failed stream as text: keep the real error.
            failure.append(exc)
            raise

    reader = pa.RecordBatchReader.from_batches(arrow_schema(spec), batches())
    try:
        # schema_mode="overwrite" lets a re-run replace a table whose columns changed.
        write_deltalake(str(path), reader, mode=mode,
                        schema_mode="overwrite" if mode == "overwrite" else None)
    except Exception as exc:
        if failure:
            raise failure[0] from None
        if isinstance(exc, DeltaError):
            raise WriteError(f"Delta refused table {spec.key} at {path}: {exc}",
                             table=spec.key) from exc
        raise


def _put_back(done: list[str], targets: Mapping[str, Path],
              before: Mapping[str, int | None]) -> None:
    """Undo this call's writes: remove tables it created, restore the ones it replaced."""
    for key in done:
        if before[key] is None:
            shutil.rmtree(targets[key], ignore_errors=True)
        else:
            DeltaTable(str(targets[key])).restore(before[key])


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
    _check_keys(schema)
    return list(schema.tables)


def _check_keys(schema: Schema) -> None:
    for key in schema.by_key:
        # The key becomes one directory name: a separator would nest it, '..' escape root.
        separators = {"/", os.sep, os.altsep or "/"}
        if key in ("", ".", "..") or any(sep in key for sep in separators):
            raise WriteError(f"table key {key!r} cannot be used as a directory name", table=key)


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
