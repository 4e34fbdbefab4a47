"""Keep CHECK constraints on generated rows: evaluate, repair, and drop what stays invalid.

SQL's three-valued logic is kept: a CHECK passes unless its predicate is FALSE (a NULL
operand passes). Failing rows are repaired where one obvious change fixes them
(clip to a bound, pick an allowed value, copy the other column of ``end >= start``, fill
a column that must not be NULL); rows that still fail are dropped and counted, before
any child row refers to them. Checks the parser does not understand are evaluated by the
target database when rows go to one (:mod:`.dbchecks`): rejected rows are redrawn, then
dropped and counted; otherwise they are reported and left to the load.
"""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pandas as pd

from ..schema.checks import (
    Between,
    BoolOp,
    Column,
    Compare,
    Const,
    InList,
    IsNull,
    Not,
    Predicate,
    Unknown,
    Value,
    columns_of,
    parse_check,
)
from ..schema.model import ColumnSpec, TableSpec
from ..training.table_model import TableModel
from .dbchecks import DatabaseChecks, columns_named

log = logging.getLogger("synthohive_seed")
_REDRAWS = 5
_OPS = {
    "=": np.equal, "<>": np.not_equal, "<": np.less, "<=": np.less_equal,
    ">": np.greater, ">=": np.greater_equal,
}


def enforce_checks(table: TableSpec, frame: pd.DataFrame, rng: np.random.Generator,
                   *, frozen: frozenset[str] = frozenset(),
                   database: DatabaseChecks | None = None,
                   model: TableModel | None = None) -> pd.DataFrame:
    """Rows of ``frame`` that satisfy every CHECK of ``table`` (repaired or kept).

    ``frozen`` columns (keys) are never changed by a repair; their rows are dropped instead.
    Checks the parser does not understand are asked of ``database`` when given: rejected
    rows get their value columns redrawn from ``model`` a few times, then are dropped.
    """
    if frame.empty:
        return frame
    for check in table.checks:
        predicate = parse_check(check.sql)
        if isinstance(predicate, Unknown):
            frame = _ask_database(table, frame, check.sql, check.name, rng, frozen, database,
                                  model)
            continue
        if not columns_of(predicate) <= set(frame.columns):
            continue
        failing = _false(predicate, frame, table)
        if failing.any():
            _repair(predicate, frame, table, failing, rng, frozen)
            failing = _false(predicate, frame, table)
        if failing.any():
            log.warning("%s: dropped %d generated rows that break CHECK %s", table.key,
                        int(failing.sum()), check.name or check.sql)
            frame = frame.loc[~failing].reset_index(drop=True)
    return frame


def _ask_database(table: TableSpec, frame: pd.DataFrame, sql: str, name: str | None,
                  rng: np.random.Generator, frozen: frozenset[str],
                  database: DatabaseChecks | None, model: TableModel | None) -> pd.DataFrame:
    failing = database.failing(table, sql, frame) if database is not None else None
    if failing is None:
        log.warning("%s: CHECK %s (%s) is not understood; rows are left to the database",
                    table.key, name or "", sql)
        return frame
    redraw = [c for c in columns_named(sql, table)
              if c not in frozen and model is not None and c in model.columns]
    for _ in range(_REDRAWS if redraw else 0):
        if not failing.any():
            break
        rows = np.flatnonzero(failing)
        for column in redraw:
            fresh = model.sample_column(table, column, rows.size, rng)  # type: ignore[union-attr]
            frame.loc[rows, column] = fresh.to_numpy()
        failing = database.failing(table, sql, frame)  # type: ignore[union-attr]
        if failing is None:
            return frame
    if failing.any():
        log.warning("%s: dropped %d generated rows that the database's CHECK %s rejects",
                    table.key, int(failing.sum()), name or sql)
        frame = frame.loc[~failing].reset_index(drop=True)
    return frame


def _truth(predicate: Predicate, frame: pd.DataFrame, table: TableSpec) -> np.ndarray:
    """1.0 true, 0.0 false, NaN unknown, per row."""
    if isinstance(predicate, Compare):
        left, right = _operand(predicate.left, frame, table, predicate.right), _operand(
            predicate.right, frame, table, predicate.left)
        missing = pd.isna(left) | pd.isna(right)
        result = np.zeros(len(frame))
        ok = ~missing
        if ok.any():
            result[ok] = _OPS[predicate.op](left[ok], right[ok]).astype(float)
        return np.where(missing, np.nan, result)
    if isinstance(predicate, Between):
        low = Compare(predicate.column, ">=", predicate.low)
        high = Compare(predicate.column, "<=", predicate.high)
        return _truth(BoolOp("and", (low, high)), frame, table)
    if isinstance(predicate, InList):
        spec = table.column(predicate.column.name)
        values = _column(frame, spec)
        allowed = {_coerce(v, spec) for v in predicate.values}
        member = np.array([v in allowed for v in values], dtype=float)
        result = 1.0 - member if predicate.negated else member
        return np.where(pd.isna(values), np.nan, result)
    if isinstance(predicate, IsNull):
        isnull = frame[predicate.column.name].isna().to_numpy()
        return (~isnull if predicate.negated else isnull).astype(float)
    if isinstance(predicate, Not):
        return 1.0 - _truth(predicate.part, frame, table)
    if isinstance(predicate, BoolOp):
        parts = [_truth(p, frame, table) for p in predicate.parts]
        stack = np.vstack(parts)
        if predicate.op == "and":
            out = np.where((stack == 0).any(axis=0), 0.0, np.nan)
            return np.where((stack == 1).all(axis=0), 1.0, out)
        out = np.where((stack == 1).any(axis=0), 1.0, np.nan)
        return np.where((stack == 0).all(axis=0), 0.0, out)
    return np.full(len(frame), np.nan)


def _false(predicate: Predicate, frame: pd.DataFrame, table: TableSpec) -> np.ndarray:
    return _truth(predicate, frame, table) == 0.0


def _repair(predicate: Predicate, frame: pd.DataFrame, table: TableSpec, rows: np.ndarray,
            rng: np.random.Generator, frozen: frozenset[str]) -> None:
    if isinstance(predicate, BoolOp) and predicate.op == "and":
        for part in predicate.parts:
            _repair(part, frame, table, rows & _false(part, frame, table), rng, frozen)
        return
    if isinstance(predicate, BoolOp):  # OR: make the first repairable alternative true
        for part in predicate.parts:
            if not columns_of(part) & frozen:
                _repair(part, frame, table, rows, rng, frozen)
                return
        return
    if columns_of(predicate) & frozen or not rows.any():
        return
    if isinstance(predicate, Between):
        _repair(Compare(predicate.column, ">=", predicate.low), frame, table, rows, rng, frozen)
        _repair(Compare(predicate.column, "<=", predicate.high), frame, table,
                rows & _false(predicate, frame, table), rng, frozen)
    elif isinstance(predicate, InList) and not predicate.negated:
        spec = table.column(predicate.column.name)
        allowed = [_coerce(v, spec) for v in predicate.values if v is not None]
        seen = [v for v in _column(frame, spec)[~rows] if v in set(allowed)]
        pool = seen or allowed
        if pool:
            _set(frame, spec, rows, [pool[i] for i in rng.integers(0, len(pool), rows.sum())])
    elif isinstance(predicate, IsNull):
        spec = table.column(predicate.column.name)
        if not predicate.negated:
            _set(frame, spec, rows, [None] * int(rows.sum()))
            return
        present = frame[spec.name].dropna()
        if len(present):
            picks = present.iloc[rng.integers(0, len(present), rows.sum())].tolist()
            _set(frame, spec, rows, picks)
    elif isinstance(predicate, Compare) and isinstance(predicate.left, Column):
        spec = table.column(predicate.left.name)
        if predicate.op == "<>":
            return
        target = _operand(predicate.right, frame, table, predicate.left)
        values = target[rows]
        if predicate.op in ("<", ">"):
            step = _step(spec)
            shift = step if predicate.op == ">" else -step  # type: ignore[operator]
            values = np.array([None if _missing(v) else v + shift for v in values], dtype=object)
        _set(frame, spec, rows, list(values))


def _operand(operand: Column | Const, frame: pd.DataFrame, table: TableSpec,
             other: Column | Const) -> np.ndarray:
    if isinstance(operand, Column):
        return _column(frame, table.column(operand.name))
    spec = table.column(other.name) if isinstance(other, Column) else None
    value = _coerce(operand.value, spec) if spec is not None else operand.value
    out = np.empty(len(frame), dtype=object)
    out[:] = [value] * len(frame)
    return out


def _column(frame: pd.DataFrame, spec: ColumnSpec) -> np.ndarray:
    series = frame[spec.name]
    if spec.kind in ("integer", "float", "decimal"):
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    if spec.kind == "datetime":
        return np.array([None if pd.isna(v) else pd.Timestamp(v) for v in series], dtype=object)
    return np.array([None if _missing(v) else v for v in series], dtype=object)


def _coerce(value: Value, spec: ColumnSpec | None) -> object:
    """A CHECK constant as a value comparable with the column's generated values."""
    if spec is None or value is None:
        return value
    if spec.kind in ("integer", "float", "decimal") and not isinstance(value, bool):
        return float(value)  # type: ignore[arg-type]
    if spec.kind == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if spec.kind == "datetime" and isinstance(value, str):
        stamp = pd.Timestamp(value)
        return stamp.tz_localize("UTC") if spec.timezone and stamp.tzinfo is None else stamp
    if spec.kind == "boolean" and isinstance(value, float):
        return bool(value)
    return value


def _step(spec: ColumnSpec) -> object:
    if spec.kind == "integer":
        return 1.0
    if spec.kind == "decimal" and spec.scale is not None:
        return 10.0 ** -spec.scale
    if spec.kind == "date":
        return dt.timedelta(days=1)
    if spec.kind == "datetime":
        return pd.Timedelta(microseconds=1)
    return 1e-9


def _set(frame: pd.DataFrame, spec: ColumnSpec, rows: np.ndarray, values: list[object]) -> None:
    index = np.flatnonzero(rows)
    if spec.kind == "integer":
        frame.loc[index, spec.name] = pd.array(
            [None if _missing(v) else int(round(float(v))) for v in values], dtype="Int64")
    elif spec.kind in ("float", "decimal"):
        frame.loc[index, spec.name] = [np.nan if _missing(v) else float(v) for v in values]
    else:
        frame.loc[index, spec.name] = pd.Series(values, index=index, dtype=frame[spec.name].dtype
                                                if spec.kind == "datetime" else object)


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
