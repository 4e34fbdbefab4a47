"""PostgreSQL binary COPY data built a column at a time with numpy and Arrow.

psycopg's ``Copy.write_row`` formats one Python tuple per call; with the conversion of
frames to tuples before it, that was the client's largest cost when loading into
PostgreSQL (issue 6: ~0.7 s of CPU for 196k rows, on 2 cores shared with generation
and the server). Here a batch becomes the bytes of the binary COPY format in a few
array operations per column:

* every column gives each row's field length (-1 for NULL) and the bytes of its
  non-NULL values, back to back (big-endian numbers; UTF-8 text through Arrow);
* rows are assembled by computing where each field starts and scattering the
  4-byte lengths and the value bytes there.

The format (PostgreSQL docs, "COPY", binary format): a signature and header, then per
row an int16 field count and per field an int32 length and the value in the type's
``send`` form, then an int16 -1 trailer.

Only types whose binary form is simple are encoded (:func:`encodable`); a table with
any other column type is written through ``write_row`` as before. Values arrive in any
dtype: the common dtypes of the frame contract take the fast paths, anything else goes
through :func:`~.values.python_values` first, so validation and messages are the same
as on the row path.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from ..errors import WriteError
from ..schema.model import ColumnSpec
from .values import Batch, python_values

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
"""Binary COPY signature, flags (none) and header extension length (0)."""
TRAILER = b"\xff\xff"

_PG_EPOCH_DAYS = 10_957  # 2000-01-01 - 1970-01-01
_PG_EPOCH_US = _PG_EPOCH_DAYS * 86_400_000_000
_INT_RANGES = {20: ("bigint", ">i8"), 23: ("integer", ">i4"), 21: ("smallint", ">i2")}
_MAX_NUMERIC_PRECISION = 18
"""numeric(p, s) with p up to this is encoded from int64 (10**18 < 2**63)."""

_EXACT_UNITS = 1e15
"""Below this many units of the last decimal place, rint(x * 10**scale) is exact."""

Encoded = tuple[np.ndarray, np.ndarray]
"""(field length per row as int64, -1 for NULL; the non-NULL values' bytes as uint8)."""


def encodable(columns: Sequence[ColumnSpec], oids: Sequence[int]) -> bool:
    """Whether every column can be encoded here for its target type OID."""
    return len(columns) == len(oids) and all(
        _encoder(col, oid) is not None for col, oid in zip(columns, oids))


def encode_rows(batch: Batch, oids: Sequence[int]) -> bytes:
    """The binary COPY tuples of ``batch`` (no signature, no trailer) for columns of ``oids``.

    The batch's ``nulled`` columns are written as NULL whatever the frame holds.
    Raises :class:`WriteError` naming ``table.column`` for a value its type cannot hold.
    """
    frame, key, n = batch.frame, batch.key, len(batch)
    fields: list[Encoded] = []
    for col, oid in zip(batch.columns, oids):
        if col.name in batch.nulled:
            fields.append((np.full(n, -1, dtype=np.int64), np.zeros(0, dtype=np.uint8)))
            continue
        encoder = _encoder(col, oid)
        assert encoder is not None, (col.name, oid)  # callers check encodable() first
        try:
            fields.append(encoder(frame[col.name], col, key))
        except (TypeError, ValueError, ArithmeticError, pa.ArrowException) as exc:
            raise WriteError(
                f"{key}.{col.name}: cannot write a value as {col.kind} "
                f"({exc.__class__.__name__}: {exc}); nothing was written", table=key,
            ) from None
    return _assemble(n, fields)


def _assemble(n: int, fields: Sequence[Encoded]) -> bytes:
    lengths = np.stack([length for length, _ in fields], axis=1) if fields else np.zeros((n, 0))
    lengths = lengths.astype(np.int64, copy=False)
    sizes = 4 + np.maximum(lengths, 0)  # each field: int32 length, then its bytes
    row_sizes = 2 + sizes.sum(axis=1)
    row_starts = np.zeros(n, dtype=np.int64)
    np.cumsum(row_sizes[:-1], out=row_starts[1:])
    out = np.empty(int(row_sizes.sum()), dtype=np.uint8)
    _scatter(out, row_starts, np.full(n, len(fields), dtype=">i2").view(np.uint8), 2)
    field_starts = row_starts + 2
    for c, (length, data) in enumerate(fields):
        _scatter(out, field_starts, length.astype(">i4").view(np.uint8), 4)
        present = length >= 0
        if data.size:
            starts = field_starts[present] + 4
            widths = length[present]
            if widths.size and (widths == widths[0]).all():
                _scatter(out, starts, data, int(widths[0]))
            else:
                # Variable widths: each value byte's place is its field start plus its
                # position within the value.
                offsets = np.zeros(widths.size, dtype=np.int64)
                np.cumsum(widths[:-1], out=offsets[1:])
                out[np.repeat(starts - offsets, widths) + np.arange(data.size)] = data
        field_starts = field_starts + sizes[:, c]
    return out.tobytes()


def _scatter(out: np.ndarray, starts: np.ndarray, data: np.ndarray, width: int) -> None:
    """Write ``width`` bytes of ``data`` per entry of ``starts``, in order."""
    if starts.size:
        out[(starts[:, None] + np.arange(width)).ravel()] = data


# -- column encoders ---------------------------------------------------------------

Encoder = Callable[[pd.Series, ColumnSpec, str], Encoded]


def _encoder(col: ColumnSpec, oid: int) -> Encoder | None:
    if oid in _INT_RANGES and col.kind == "integer":
        return _integers(oid)
    if oid in (700, 701) and col.kind in ("float", "decimal", "integer"):
        return _floats(">f4" if oid == 700 else ">f8")
    if oid == 16 and col.kind == "boolean":
        return _booleans
    if oid == 1082 and col.kind == "date":
        return _dates
    if oid in (1114, 1184) and col.kind == "datetime":
        return _timestamps
    if oid in (25, 1043) and col.kind == "string":
        return _texts
    if oid == 17 and col.kind == "binary":
        return _bytes
    if (oid == 1700 and col.kind == "decimal" and col.scale is not None
            and col.precision is not None and col.precision <= _MAX_NUMERIC_PRECISION):
        return _numerics
    return None


def _fixed(values: np.ndarray, missing: np.ndarray, dtype: str) -> Encoded:
    width = np.dtype(dtype).itemsize
    length = np.where(missing, -1, width).astype(np.int64)
    return length, np.ascontiguousarray(values[~missing].astype(dtype)).view(np.uint8)


def _numeric_dtype(series: pd.Series) -> bool:
    return series.dtype.kind in "iufb" and not isinstance(series.dtype, pd.CategoricalDtype)


def _missing(series: pd.Series) -> np.ndarray:
    return np.asarray(series.isna().to_numpy(), dtype=bool)


def _from_python(series: pd.Series, col: ColumnSpec, key: str, dtype: str,
                 fill: object) -> tuple[np.ndarray, np.ndarray]:
    """The row path's conversion, as an array (NULLs hold ``fill``) and a NULL mask."""
    values = python_values(series, col, key)
    missing = np.array([v is None for v in values], dtype=bool)
    return np.array([fill if v is None else v for v in values], dtype=dtype), missing


def _integers(oid: int) -> Encoder:
    name, dtype = _INT_RANGES[oid]
    info = np.iinfo(dtype)

    def encode(series: pd.Series, col: ColumnSpec, key: str) -> Encoded:
        missing = _missing(series)
        if _numeric_dtype(series) and series.dtype.kind in "ib":
            values = series.to_numpy(dtype=np.int64, na_value=0)
        else:  # floats are checked for whole numbers there, unsigned and objects converted
            values, missing = _from_python(series, col, key, "int64", 0)
        bad = ~missing & ((values < info.min) | (values > info.max))
        if bad.any():
            raise WriteError(f"{key}.{col.name}: {values[np.argmax(bad)]} is out of range for "
                             f"the target's {name} column; nothing was written", table=key)
        return _fixed(values, missing, dtype)

    return encode


def _floats(dtype: str) -> Encoder:
    def encode(series: pd.Series, col: ColumnSpec, key: str) -> Encoded:
        if _numeric_dtype(series):
            values = series.to_numpy(dtype=np.float64, na_value=np.nan)
            return _fixed(values, _missing(series), dtype)
        values, missing = _from_python(series, col, key, "float64", 0.0)
        return _fixed(values, missing, dtype)

    return encode


def _booleans(series: pd.Series, col: ColumnSpec, key: str) -> Encoded:
    if series.dtype.kind == "b":
        return _fixed(series.to_numpy(dtype=bool, na_value=False), _missing(series), "u1")
    values, missing = _from_python(series, col, key, "bool", False)
    return _fixed(values, missing, "u1")


def _dates(series: pd.Series, col: ColumnSpec, key: str) -> Encoded:
    missing = _missing(series)
    if series.dtype.kind == "M":
        days = _as_naive_utc(series).to_numpy(dtype="datetime64[D]").astype(np.int64)
    else:
        try:  # datetime.date objects (the frame contract): Arrow converts them in C
            days = _arrow(series, pa.date32()).astype(np.int64)
        except (pa.ArrowException, TypeError, ValueError):
            objects = pd.Series(python_values(series, col, key), dtype=object)
            days = _arrow(objects, pa.date32()).astype(np.int64)
    return _fixed(days - _PG_EPOCH_DAYS, missing, ">i4")


def _timestamps(series: pd.Series, col: ColumnSpec, key: str) -> Encoded:
    if series.dtype.kind != "M":
        # Objects: the row path's conversion, then pandas (aware values to UTC, naive
        # ones as they are, which for time-zone columns means UTC, as on the row path).
        series = pd.to_datetime(pd.Series(python_values(series, col, key), dtype=object),
                                utc=col.timezone)
    missing = _missing(series)
    micros = _as_naive_utc(series).to_numpy(dtype="datetime64[us]").astype(np.int64)
    return _fixed(micros - _PG_EPOCH_US, missing, ">i8")


def _as_naive_utc(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC").dt.tz_localize(None)
    return series


def _texts(series: pd.Series, col: ColumnSpec, key: str) -> Encoded:
    try:
        array = pa.array(series.to_numpy(dtype=object), type=pa.large_string(), from_pandas=True)
    except (pa.ArrowException, TypeError):  # not all str: the row path's str() first
        array = pa.array(python_values(series, col, key), type=pa.large_string())
    return _variable(array)


def _bytes(series: pd.Series, col: ColumnSpec, key: str) -> Encoded:
    return _variable(pa.array(python_values(series, col, key), type=pa.large_binary()))


def _variable(array: pa.Array) -> Encoded:
    """Lengths and bytes of a large_string / large_binary array (NULLs: length -1)."""
    n = len(array)
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset : array.offset + n + 1]
    data = array.buffers()[2]
    raw = (np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]] if data is not None
           else np.zeros(0, dtype=np.uint8))
    length = np.diff(offsets)
    if array.null_count:
        length = np.where(array.is_null().to_numpy(zero_copy_only=False), -1, length)
    return length.astype(np.int64), raw


def _arrow(series: pd.Series, kind: pa.DataType) -> np.ndarray:
    """The values as ``kind`` through Arrow, NULLs as 0."""
    array = pa.array(series.to_numpy(dtype=object), type=kind, from_pandas=True)
    return array.fill_null(0).to_numpy(zero_copy_only=False)


def _numerics(series: pd.Series, col: ColumnSpec, key: str) -> Encoded:
    """numeric(p, s), p <= 18, in PostgreSQL's base-10000 ``numeric_send`` form."""
    scale = int(col.scale or 0)
    if _numeric_dtype(series) and series.dtype.kind != "b":
        missing = _missing(series)
        floats = series.to_numpy(dtype=np.float64, na_value=0.0)
        if not np.isfinite(floats[~missing]).all():
            raise ValueError("NaN or infinity in a numeric column")
        units = np.where(missing, 0.0, np.rint(floats * 10.0**scale))
        if (np.abs(units) >= 10.0**_MAX_NUMERIC_PRECISION).any():
            raise WriteError(f"{key}.{col.name}: a value does not fit numeric("
                             f"{col.precision}, {col.scale}); nothing was written", table=key)
        scaled = units.astype(np.int64)
        # Past 10**15 units a float's scaled product is no longer exact: those (rare)
        # values take the row path's text form, the shortest that reads back the same.
        for i in np.flatnonzero(np.abs(units) >= _EXACT_UNITS).tolist():
            exact = decimal.Decimal(repr(float(floats[i].round(scale)))).scaleb(scale)
            scaled[i] = int(exact.to_integral_value(decimal.ROUND_HALF_UP))
    else:  # Decimals and the like: exact, through the row path's conversion
        values = python_values(series, col, key)
        missing = np.array([v is None for v in values], dtype=bool)
        scaled = np.array([0 if v is None else int(v.scaleb(scale).to_integral_value(
            decimal.ROUND_HALF_EVEN)) for v in values], dtype=np.int64)
    return _numeric_fields(scaled, missing, scale)


def _numeric_fields(scaled: np.ndarray, missing: np.ndarray, scale: int) -> Encoded:
    """Encode integers meaning ``scaled * 10**-scale`` (``|scaled| < 10**18``)."""
    pad = -scale % 4  # decimal digits that align the point on a base-10000 boundary
    groups = (scale + pad) // 4  # base-10000 digits after the point
    width = (_MAX_NUMERIC_PRECISION + pad + 3) // 4
    # Base-10000 digits, least significant first. The lowest holds only 4 - pad decimal
    # digits of the value (the point falls inside it); multiplying by 10**pad first
    # could pass int64, so the lowest digit is split off and scaled on its own.
    rest = np.abs(scaled)
    digits = np.empty((scaled.size, width), dtype=np.int64)
    digits[:, 0] = rest % 10 ** (4 - pad) * 10**pad
    rest = rest // 10 ** (4 - pad)
    for j in range(1, width):
        digits[:, j] = rest % 10_000
        rest = rest // 10_000
    nonzero = digits != 0
    any_digit = nonzero.any(axis=1)
    top = np.where(any_digit, width - 1 - np.argmax(nonzero[:, ::-1], axis=1), 0)
    low = np.where(any_digit, np.argmax(nonzero, axis=1), 0)
    ndigits = np.where(any_digit, top - low + 1, 0)
    weight = np.where(any_digit, top - groups, 0)
    sign = np.where(scaled < 0, 0x4000, 0)
    # Each row: header (4 int16) then its digits, most significant first, left-aligned.
    rows = np.zeros((scaled.size, 4 + width), dtype=">i2")
    rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3] = ndigits, weight, sign, scale
    slots = np.arange(width)[None, :]
    valid = slots < ndigits[:, None]
    picked = np.take_along_axis(digits, np.clip(top[:, None] - slots, 0, width - 1), axis=1)
    rows[:, 4:] = np.where(valid, picked, 0)
    keep = np.zeros((scaled.size, 4 + width), dtype=bool)
    keep[:, :4] = True
    keep[:, 4:] = valid
    keep[missing] = False
    data = rows.view(np.uint8).reshape(scaled.size, -1)[np.repeat(keep, 2, axis=1)]
    length = np.where(missing, -1, 8 + 2 * ndigits).astype(np.int64)
    return length, np.ascontiguousarray(data)
