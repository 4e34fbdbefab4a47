"""Convert column values to numbers for the models and back to their SQL-facing types.

Every kind the GAN models as a continuous quantity goes through here: integers,
floats, decimals, dates (days since 1970), datetimes (microseconds since 1970, UTC for
time-zone columns), times (seconds since midnight) and intervals (seconds). pandas
datetime units are never assumed: values are converted explicitly to microseconds.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd

from ..schema.model import ColumnKind, ColumnSpec

NUMERIC_KINDS: frozenset[ColumnKind] = frozenset(
    {"integer", "float", "decimal", "date", "datetime", "time", "interval"}
)
_US_PER_DAY = 86_400_000_000


def to_numbers(values: pd.Series, column: ColumnSpec) -> np.ndarray:
    """Float array (NaN for missing) for a column whose kind is in NUMERIC_KINDS."""
    kind = column.kind
    if kind in ("integer", "float", "decimal"):
        if values.dtype.kind in "iufb" and not isinstance(values.dtype, pd.CategoricalDtype):
            # Already numbers (every generated frame): no per-value Python work.
            return values.to_numpy(dtype="float64", na_value=np.nan)  # type: ignore[no-any-return]
        return pd.to_numeric(values.map(_plain_number), errors="coerce").to_numpy(dtype="float64")
    if kind == "datetime":
        stamps = pd.to_datetime(values, errors="coerce", utc=column.timezone, format="mixed")
        if column.timezone:
            stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
        micro = stamps.astype("datetime64[us]").astype("int64").astype("float64")
        return np.where(stamps.isna().to_numpy(), np.nan, micro)
    if kind == "date":
        stamps = pd.to_datetime(values, errors="coerce", format="mixed")
        micro = stamps.astype("datetime64[us]").astype("int64").astype("float64")
        return np.where(stamps.isna().to_numpy(), np.nan, np.floor(micro / _US_PER_DAY))
    if kind == "time":
        return values.map(_time_seconds).to_numpy(dtype="float64")
    if kind == "interval":
        deltas = pd.to_timedelta(values, errors="coerce")
        return deltas.dt.total_seconds().to_numpy(dtype="float64")
    raise ValueError(f"{column.name}: kind {kind} is not numeric")


def from_numbers(numbers: np.ndarray, column: ColumnSpec) -> pd.Series:
    """The frame-contract Series (see ``sinks``) for numbers produced by a model."""
    kind = column.kind
    missing = np.isnan(numbers)
    if kind == "integer":
        return pd.Series(pd.array(np.where(missing, 0, np.rint(numbers)).astype("int64"),
                                  dtype="Int64")).mask(missing)
    if kind in ("float", "decimal"):
        return pd.Series(numbers, dtype="float64")
    if kind == "datetime":
        micro = np.where(missing, 0, np.rint(numbers)).astype("int64")
        stamps = pd.Series(micro.astype("datetime64[us]")).mask(missing)
        return stamps.dt.tz_localize("UTC") if column.timezone else stamps
    if kind == "date":
        days = np.where(missing, 0, np.rint(numbers)).astype("int64")
        # datetime64[D] -> object gives datetime.date values, in C rather than a loop.
        out = days.astype("datetime64[D]").astype(object)
        out[missing] = None
        return pd.Series(out, dtype="object")
    if kind == "time":
        out = [None if m else _seconds_time(float(s)) for s, m in zip(numbers, missing)]
        return pd.Series(out, dtype="object")
    if kind == "interval":
        return pd.Series(pd.to_timedelta(np.where(missing, np.nan, numbers), unit="s")).astype(
            "timedelta64[us]"
        )
    raise ValueError(f"{column.name}: kind {kind} is not numeric")


def decimal_places(numbers: np.ndarray, limit: int = 6) -> int | None:
    """The fewest decimal places that represent every value, None if more than ``limit``."""
    finite = numbers[np.isfinite(numbers)]
    if finite.size == 0:
        return 0
    sample = finite[:10_000]
    for places in range(limit + 1):
        scaled = sample * 10**places
        if np.all(np.abs(scaled - np.rint(scaled)) < 1e-6 * np.maximum(1.0, np.abs(scaled))):
            return places
    return None


def _plain_number(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _time_seconds(value: object) -> float:
    if isinstance(value, dt.time):
        return value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    if isinstance(value, str):
        try:
            return _time_seconds(dt.time.fromisoformat(value))
        except ValueError:
            return float("nan")
    return float("nan")


def _seconds_time(seconds: float) -> dt.time:
    seconds = min(max(seconds, 0.0), 86_399.999999)
    micro = int(round(seconds * 1e6))
    hours, rest = divmod(micro, 3_600_000_000)
    minutes, rest = divmod(rest, 60_000_000)
    secs, micros = divmod(rest, 1_000_000)
    return dt.time(int(hours), int(minutes), int(secs), int(micros))
