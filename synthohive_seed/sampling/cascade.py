"""Generate every table top-down, as the trained model's recipes say.

Roots get the asked row counts with sequential keys. Each child table: children counts
per parent from the driver FK's linkage model, the parent's context repeated k times,
rows sampled conditioned on it, the driver FK set to the parent; the other FKs point at
rows that exist, chosen by each parent's learned popularity. Self-references point at
earlier rows; FKs that close a cycle are filled once every table exists.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..errors import SchemaError
from ..schema.model import ColumnSpec, ForeignKeySpec, TableSpec
from ..training.fit import TrainedModel
from ..training.secondary import match_parents
from .checks import enforce_checks
from .dbchecks import DatabaseChecks
from .keys import choose_parents, earlier_rows, primary_keys
from .plan import SamplingPlan
from .uniques import enforce_uniques

log = logging.getLogger("synthohive_seed")


def generate(model: TrainedModel, plan: SamplingPlan, *, progress: bool = False,
             database: DatabaseChecks | None = None) -> dict[str, pd.DataFrame]:
    """Frames for every table (see the frame contract in :mod:`synthohive_seed.sinks`).

    ``database``, when the rows go to one, evaluates CHECKs the sampler cannot parse.
    """
    schema = model.schema
    frames: dict[str, pd.DataFrame] = {}
    bar = tqdm(schema.tables, desc="sampling", unit="table", disable=not progress)
    for index, table in enumerate(bar):
        bar.set_postfix_str(table.key)
        rng = np.random.default_rng([plan.seed, index])
        frames[table.key] = _generate_table(model, plan, table, frames, rng, index, database)
    for index, table in enumerate(schema.tables):
        rng = np.random.default_rng([plan.seed, index, 1])
        for fk in table.foreign_keys:
            if schema.is_deferred(table.key, fk):
                _point_at(frames[table.key], fk, frames[fk.referred_table], model, table, rng,
                          weights=None)
    return frames


def _generate_table(
    model: TrainedModel,
    plan: SamplingPlan,
    table: TableSpec,
    frames: dict[str, pd.DataFrame],
    rng: np.random.Generator,
    index: int,
    database: DatabaseChecks | None = None,
) -> pd.DataFrame:
    schema, recipe = model.schema, model.recipes[table.key]
    owner: np.ndarray | None = None
    context = None
    if recipe.driver is None:
        n = plan.rows[table.key]
    else:
        fk = _fk(table, recipe.driver)
        parent = schema.table(fk.referred_table)
        parents = frames[parent.key]
        linkage = model.linkages[(table.key, fk.name)]
        counts = linkage.sample_counts(model.features[parent.key].encode(parent, parents), rng)
        orphans = linkage.orphan_count(len(parents))
        owner = np.concatenate([np.repeat(np.arange(len(parents)), counts),
                                np.full(orphans, -1, dtype="int64")]).astype("int64")
        n = owner.size
        present = owner >= 0
        rows = parents.iloc[np.where(present, owner, 0)].reset_index(drop=True)
        if recipe.context is not None and len(parents):
            context = recipe.context.encode(parent, rows, present=present,
                                            sibling_counts=counts[np.where(present, owner, 0)])
    table_model = model.models.get(table.key)
    seed = plan.seed * 1_000_003 + index
    if table_model is not None:
        values = table_model.sample(table, n, context, seed=seed)
    else:
        values = pd.DataFrame(index=pd.RangeIndex(n))
    frame = pd.DataFrame(index=pd.RangeIndex(n))
    for column in table.columns:
        if column.computed:
            continue
        frame[column.name] = values[column.name] if column.name in values else _empty(column, n)
    if recipe.driver is not None and owner is not None:
        fk = _fk(table, recipe.driver)
        _assign(frame, fk, frames[fk.referred_table], owner, table)
    for name in recipe.secondary:
        fk = _fk(table, name)
        parent = schema.table(fk.referred_table)
        linkage = model.linkages[(table.key, fk.name)]
        weights = linkage.sample_counts(model.features[parent.key].encode(parent, frames[parent.key]),
                                        rng).astype("float64")
        _point_at(frame, fk, frames[parent.key], model, table, rng, weights=weights)
    # CHECKs before keys: rows dropped here are gone before any key or child points at them.
    frame = enforce_checks(table, frame, rng, frozen=frozenset(table.generated_keys) | table.fk_columns,
                           database=database, model=table_model)
    frame = enforce_uniques(table, frame, table_model, rng)
    n = len(frame)
    primary_keys(table, frame, recipe.key_texts, rng, start=plan.key_start.get(table.key, 1))
    for fk in table.foreign_keys:
        if fk.referred_table == table.key and not schema.is_deferred(table.key, fk):
            targets = earlier_rows(n, recipe.null_shares.get(fk.name, 0.0), fk.nullable, rng)
            _assign(frame, fk, frame, targets, table)
    return _unique_keys(model, table, frame, frames, rng)


def _point_at(
    frame: pd.DataFrame,
    fk: ForeignKeySpec,
    parents: pd.DataFrame,
    model: TrainedModel,
    table: TableSpec,
    rng: np.random.Generator,
    *,
    weights: np.ndarray | None,
) -> None:
    """Set ``fk`` of every row to a parent row chosen by ``weights`` (uniform when None)."""
    n = len(frame)
    if weights is None:
        weights = np.ones(len(parents))
    targets = choose_parents(weights, n, rng)
    linkage = model.linkages.get((table.key, fk.name))
    if linkage is not None and linkage.relation_target >= 0 and len(parents):
        # Same parents, same counts; dealt to the rows whose values fit them
        # (an item's price follows its product's price): see training/secondary.py.
        spec = model.schema.table(fk.referred_table)
        targets = match_parents(linkage, table, frame,
                                model.features[spec.key].encode(spec, parents), targets, rng)
    if fk.nullable:
        share = model.recipes[table.key].null_shares.get(fk.name, 0.0)
        targets = np.where(rng.random(n) < share, -1, targets)
    elif n and len(parents) == 0:
        root = _root_of(model, fk.referred_table)
        hint = (f"ask for rows of it in num_rows (--num-rows {root}=N)" if root == fk.referred_table
                else f"its rows come from root table {root}: ask for more rows of that "
                f"(--num-rows {root}=N)")
        raise SchemaError(
            f"table {table.key} needs rows of {fk.referred_table} for its NOT NULL foreign key "
            f"{fk.name}, but {fk.referred_table} gets 0 rows; {hint}",
            table=table.key, column=fk.columns[0])
    _assign(frame, fk, parents, targets, table)


def _root_of(model: TrainedModel, key: str) -> str:
    """The root table whose rows generate ``key`` through driver FKs."""
    seen = {key}
    while (driver := model.recipes[key].driver) is not None:
        key = _fk(model.schema.table(key), driver).referred_table
        if key in seen:
            break
        seen.add(key)
    return key


def _assign(frame: pd.DataFrame, fk: ForeignKeySpec, parents: pd.DataFrame, rows: np.ndarray,
            table: TableSpec) -> None:
    """FK columns of ``frame`` := referred columns of ``parents`` at ``rows`` (-1 -> NULL)."""
    present = rows >= 0
    for mine, theirs in zip(fk.columns, fk.referred_columns):
        source = parents[theirs] if len(parents) else pd.Series([None])
        picked = source.iloc[np.where(present, rows, 0)].reset_index(drop=True)
        picked = picked.astype("object").where(pd.Series(present), None)
        frame[mine] = _typed(table.column(mine), picked)


def _unique_keys(model: TrainedModel, table: TableSpec, frame: pd.DataFrame,
                 frames: dict[str, pd.DataFrame], rng: np.random.Generator) -> pd.DataFrame:
    """Resolve duplicate keys made of FK columns (link tables, 1:1 tables).

    Within each group of the key's other columns, duplicate rows are re-pointed through a
    secondary FK of the key at parents the group does not use yet, drawn without
    replacement by popularity. When the parents cannot supply enough distinct
    combinations the surplus rows are dropped and reported (capped, never an error).
    """
    recipe = model.recipes[table.key]
    key_sets = [k for k in (table.primary_key, *table.unique) if k and set(k) <= table.fk_columns]
    for key in key_sets:
        movable = [fk for fk in (_fk(table, name) for name in recipe.secondary)
                   if set(fk.columns) <= set(key)]
        if movable and frame.duplicated(list(key)).any():
            _repoint_duplicates(frame, list(key), movable[0], frames[movable[0].referred_table],
                                table, rng)
        dup = frame.duplicated(list(key), keep="first").to_numpy()
        drop = dup & ~frame[list(key)].isna().any(axis=1).to_numpy()
        if drop.any():
            log.warning("%s: dropped %d rows whose key (%s) could not be made unique; its parents "
                        "offer too few distinct combinations", table.key, int(drop.sum()),
                        ", ".join(key))
            frame = frame.loc[~drop].reset_index(drop=True)
    return frame


def _repoint_duplicates(frame: pd.DataFrame, key: list[str], fk: ForeignKeySpec,
                        parents: pd.DataFrame, table: TableSpec, rng: np.random.Generator) -> None:
    group_cols = [c for c in key if c not in fk.columns]
    parent_keys = list(zip(*(parents[c].tolist() for c in fk.referred_columns)))
    position = {k: i for i, k in enumerate(parent_keys)}
    dup = frame.duplicated(key, keep="first")
    groups = frame.groupby(group_cols, dropna=False, sort=False).indices if group_cols else {
        (): np.arange(len(frame))}
    rows: list[int] = []
    targets: list[int] = []
    for members in groups.values():
        members = np.asarray(members)
        needing = members[dup.to_numpy()[members]]
        if needing.size == 0:
            continue
        used = {position.get(k) for k in zip(*(frame[c].to_numpy()[members[~dup.to_numpy()[members]]]
                                              for c in fk.columns))}
        free = np.array([i for i in range(len(parent_keys)) if i not in used], dtype="int64")
        take = min(free.size, needing.size)
        if take:
            rows.extend(needing[:take].tolist())
            targets.extend(rng.choice(free, size=take, replace=False).tolist())
    if rows:
        subset = frame.loc[rows].reset_index(drop=True)
        _assign(subset, fk, parents, np.array(targets, dtype="int64"), table)
        for col in fk.columns:
            frame.loc[rows, col] = subset[col].to_numpy()


def _typed(column: ColumnSpec, values: pd.Series) -> pd.Series:
    if column.kind == "integer":
        return pd.Series(pd.array(values.tolist(), dtype="Int64"))
    if column.kind in ("float", "decimal"):
        return pd.to_numeric(values, errors="coerce").astype("float64")
    return values


def _empty(column: ColumnSpec, n: int) -> pd.Series:
    """Values for a column no model covers (its table had no rows to learn from).

    NULL where allowed; otherwise a fixed valid value of the type, so the rows still load.
    """
    if column.nullable or n == 0:
        value: object = None
    else:
        value = _PLACEHOLDERS.get(column.kind, "")
    if column.kind == "integer":
        return pd.Series(pd.array([value] * n, dtype="Int64"))
    if column.kind in ("float", "decimal"):
        return pd.Series([value] * n, dtype="float64")
    if column.kind == "datetime":
        stamps = pd.Series(pd.to_datetime([value] * n)).astype("datetime64[us]")
        return stamps.dt.tz_localize("UTC") if column.timezone else stamps
    if column.kind == "boolean":
        return pd.Series(pd.array([value] * n, dtype="boolean"))
    if column.kind == "uuid" and value is not None:
        return pd.Series([str(uuid.uuid4()) for _ in range(n)], dtype="object")
    return pd.Series([value] * n, dtype="object")


_PLACEHOLDERS: dict[str, object] = {
    "integer": 0,
    "float": 0.0,
    "decimal": 0.0,
    "string": "",
    "boolean": False,
    "date": dt.date(2000, 1, 1),
    "datetime": dt.datetime(2000, 1, 1),
    "time": dt.time(0, 0),
    "interval": dt.timedelta(0),
    "binary": b"",
    "json": {},
    "uuid": "",
}


def _fk(table: TableSpec, name: str) -> ForeignKeySpec:
    for fk in table.foreign_keys:
        if fk.name == name:
            return fk
    raise KeyError(name)
