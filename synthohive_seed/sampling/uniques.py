"""UNIQUE constraints over value columns: no duplicates, and no rows silently dropped.

Duplicates (among rows whose key columns are all non-NULL, as SQL counts them) get a
column of the constraint redrawn from that column's own distribution, a few rounds;
what still collides is nudged deterministically (a numeric step, or a short suffix that
keeps VARCHAR(n)). Key sets made only of FK columns are resolved in the cascade.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ..schema.model import ColumnSpec, TableSpec
from ..training.table_model import TableModel

log = logging.getLogger("synthohive_seed")
_ROUNDS = 12


def enforce_uniques(table: TableSpec, frame: pd.DataFrame, model: TableModel | None,
                    rng: np.random.Generator, *,
                    taken: dict[tuple[str, ...], set[tuple[str, ...]]] | None = None,
                    aligned: frozenset[str] = frozenset()) -> pd.DataFrame:
    """``frame`` with every UNIQUE set that holds a value column free of duplicates.

    ``taken`` holds, per UNIQUE set, the values earlier blocks of the table used (as
    text tuples); they count as duplicates and the frame's values are added. Sets that
    contain every ``aligned`` column (the driver FK: blocks never split a parent's
    children) cannot repeat across blocks and are not remembered.
    """
    keys = set(table.generated_keys) | table.fk_columns
    key_sets = list(table.unique)
    if table.primary_key and not set(table.primary_key) & set(table.generated_keys):
        key_sets.append(table.primary_key)  # a key of modelled values (and FKs) only
    for cols in key_sets:
        movable = [c for c in cols if c not in keys and c in frame.columns]
        if not movable or frame.empty:
            continue
        column = _pick(table, movable)
        earlier: set[tuple[str, ...]] | None = None
        if taken is not None and not (aligned and aligned <= set(cols)):
            earlier = taken.setdefault(tuple(cols), set())
        for _ in range(_ROUNDS if model is not None and column.name in model.columns else 0):
            dup = _duplicated(frame, list(cols), earlier)
            if not dup.any():
                break
            fresh = model.sample_column(table, column.name, int(dup.sum()), rng, nulls=False)  # type: ignore[union-attr]
            frame.loc[np.flatnonzero(dup), column.name] = fresh.to_numpy()
        dup = _duplicated(frame, list(cols), earlier)
        if dup.any():
            _nudge(frame, column, dup, list(cols), earlier)
        dup = _duplicated(frame, list(cols), earlier)
        if dup.any():
            log.warning("%s: dropped %d rows that repeat UNIQUE (%s)", table.key, int(dup.sum()),
                        ", ".join(cols))
            frame = frame.loc[~dup].reset_index(drop=True)
        if earlier is not None:
            complete = ~frame[list(cols)].isna().any(axis=1).to_numpy()
            earlier.update(_texts(frame.loc[complete], list(cols)))
    return frame


def _pick(table: TableSpec, names: list[str]) -> ColumnSpec:
    # Strings are easiest to make unique without distorting numbers; prefer them.
    specs = [table.column(n) for n in names]
    return next((c for c in specs if c.kind == "string"), specs[-1])


def _texts(frame: pd.DataFrame, cols: list[str]) -> list[tuple[str, ...]]:
    return list(zip(*(frame[c].astype(str).tolist() for c in cols)))


def _duplicated(frame: pd.DataFrame, cols: list[str],
                earlier: set[tuple[str, ...]] | None = None) -> np.ndarray:
    complete = ~frame[cols].isna().any(axis=1).to_numpy()
    dup = frame[cols].astype(str).duplicated(keep="first").to_numpy()
    if earlier:
        dup |= np.fromiter((t in earlier for t in _texts(frame, cols)), dtype=bool,
                           count=len(frame))
    return dup & complete


def _nudge(frame: pd.DataFrame, column: ColumnSpec, dup: np.ndarray, cols: list[str],
           earlier: set[tuple[str, ...]] | None = None) -> None:
    """Make duplicates distinct by a small, type-keeping change."""
    taken = set(frame[cols].astype(str).apply(tuple, axis=1)) | (earlier or set())
    for row in np.flatnonzero(dup):
        original = frame.at[row, column.name]
        for attempt in range(1, 10_000):
            candidate = _variant(column, original, attempt)
            frame.at[row, column.name] = candidate
            key = tuple(frame.loc[row, cols].astype(str))
            if key not in taken:
                taken.add(key)
                break


def _variant(column: ColumnSpec, value: object, attempt: int) -> object:
    if column.kind == "string":
        suffix = f"~{attempt}"
        text = str(value)
        if column.length and len(text) + len(suffix) > column.length:
            text = text[: max(0, column.length - len(suffix))]
        return (text + suffix)[-column.length:] if column.length else text + suffix
    if column.kind == "integer":
        return int(value) + attempt  # type: ignore[call-overload]
    if column.kind in ("float", "decimal"):
        step = 10.0 ** -(column.scale or 2)
        return float(value) + attempt * step  # type: ignore[arg-type]
    if column.kind in ("date", "datetime"):
        return value + pd.Timedelta(days=attempt)  # type: ignore[operator]
    return f"{value}~{attempt}"
