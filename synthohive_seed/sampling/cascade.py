"""Generate every table top-down, a block of rows at a time, as the trained model says.

Roots get the asked row counts with sequential keys. Each child table: children counts
per parent from the driver FK's linkage model, the parent's context repeated k times,
rows sampled conditioned on it, the driver FK set to the parent; the other FKs point at
rows that exist, chosen by each parent's learned popularity. Self-references point at
earlier rows; FKs that close a cycle are filled once every table exists.

**Streaming.** :func:`stream` yields each table as an iterator of blocks of about
:data:`BLOCK_ROWS` rows (roots in key ranges, children per range of parents), so a sink
can write a block and forget it. Between tables only the columns later tables read are
kept (referred keys, the parent features and context columns of the linkage and child
models), plus, for tables with UNIQUE sets, the keys already used: memory is set by the
block size and those few columns, not by the rows written. Block boundaries depend only
on the counts, and every block draws from its own seeded generator, so the same model
and seed give the same rows whatever consumes them. :func:`generate` collects the stream
into whole frames; schemas with FK cycles (``schema.deferred_fks``) are only generated
that way, since a cycle's closing FK needs the rows of a table generated later.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..errors import SchemaError
from ..schema.model import ColumnSpec, ForeignKeySpec, TableSpec
from ..training.fit import TrainedModel, secondary_choice
from ..training.secondary import match_parents
from .checks import enforce_checks
from .dbchecks import DatabaseChecks
from .keys import KeyState, choose_parents, earlier_rows, primary_keys
from .plan import SamplingPlan
from .uniques import enforce_uniques

log = logging.getLogger("synthohive_seed")

BLOCK_ROWS = 25_000
"""Rows per generated block (children: parents are cut where their children reach it)."""
EDGE_BLOCK_ROWS = 5_000
"""Rows of each table's first and last block. A load waits for the first block before
the database has anything to do, and after generation ends it still takes the last one:
small edge blocks shorten both waits (196k rows into PostgreSQL, see benchmarks)."""

TableStream = tuple[TableSpec, Iterator[pd.DataFrame]]
"""One table and its blocks; consume the blocks before asking for the next table."""


def generate(model: TrainedModel, plan: SamplingPlan, *, progress: bool = False,
             database: DatabaseChecks | None = None) -> dict[str, pd.DataFrame]:
    """Frames for every table (see the frame contract in :mod:`synthohive_seed.sinks`).

    ``database``, when the rows go to one, evaluates CHECKs the sampler cannot parse.
    """
    schema = model.schema
    frames: dict[str, pd.DataFrame] = {}
    for spec, blocks in _tables(model, plan, progress=progress, database=database):
        frames[spec.key] = _concat(list(blocks))
    for index, table in enumerate(schema.tables):
        rng = np.random.default_rng([plan.seed, index, 1])
        for fk in table.foreign_keys:
            if schema.is_deferred(table.key, fk):
                _point_at(frames[table.key], fk, frames[fk.referred_table], model, table, rng,
                          weights=None)
    return frames


def stream(model: TrainedModel, plan: SamplingPlan, *, progress: bool = False,
           database: DatabaseChecks | None = None) -> Iterator[TableStream]:
    """Every table in FK order as ``(spec, blocks)``; the rows :func:`generate` returns.

    Raises :class:`ValueError` for a schema with FK cycles: generate those whole.
    """
    if not can_stream(model):
        raise ValueError("a schema with FK cycles is generated whole: use generate()")
    return _tables(model, plan, progress=progress, database=database)


def can_stream(model: TrainedModel) -> bool:
    """Whether :func:`stream` can generate this model's schema (it has no FK cycles)."""
    return not model.schema.deferred_fks


@dataclass
class _Kept:
    """The columns of one generated table that later tables read, kept block by block."""

    columns: list[str]
    blocks: list[pd.DataFrame] = field(default_factory=list)
    starts: list[int] = field(default_factory=lambda: [0])
    whole: pd.DataFrame | None = None

    @property
    def rows(self) -> int:
        return self.starts[-1]

    def add(self, frame: pd.DataFrame) -> None:
        self.blocks.append(frame[self.columns].reset_index(drop=True))
        self.starts.append(self.rows + len(frame))

    def frame(self) -> pd.DataFrame:
        """All kept rows as one frame (built once, when the table is complete)."""
        if self.whole is None:
            self.whole = _concat(self.blocks) if self.blocks else pd.DataFrame(
                columns=self.columns)
            self.blocks = [self.whole]
            self.starts = [0, len(self.whole)]
        return self.whole

    def take(self, rows: np.ndarray, columns: tuple[str, ...]) -> pd.DataFrame:
        """Kept values at global row positions ``rows`` (all >= 0, < self.rows)."""
        block = np.searchsorted(np.asarray(self.starts[1:]), rows, side="right")
        out = {c: np.empty(rows.size, dtype=object) for c in columns}
        for b in np.unique(block):
            at = np.flatnonzero(block == b)
            local = rows[at] - self.starts[b]
            for c in columns:
                out[c][at] = self.blocks[b][c].to_numpy(dtype=object)[local]
        return pd.DataFrame(out)


def _kept_columns(model: TrainedModel) -> dict[str, list[str]]:
    """Per table, the columns later tables (or its own self-references) read."""
    schema = model.schema
    wanted: dict[str, dict[str, None]] = {t.key: {} for t in schema.tables}
    for table in schema.tables:
        for fk in table.foreign_keys:
            wanted[fk.referred_table].update(dict.fromkeys(fk.referred_columns))
        recipe = model.recipes[table.key]
        if recipe.driver is not None and recipe.context is not None:
            fk = _fk(table, recipe.driver)
            wanted[fk.referred_table].update(dict.fromkeys(recipe.context.columns))
    for key, encoder in model.features.items():
        if key in wanted:
            wanted[key].update(dict.fromkeys(encoder.columns))
    return {key: [c.name for c in schema.table(key).columns if c.name in cols]
            for key, cols in wanted.items()}


def _tables(model: TrainedModel, plan: SamplingPlan, *, progress: bool,
            database: DatabaseChecks | None) -> Iterator[TableStream]:
    kept_columns = _kept_columns(model)
    kept: dict[str, _Kept] = {}
    bar = tqdm(total=len(model.schema.tables), desc="sampling", unit="table",
               disable=not progress)
    try:
        for index, table in enumerate(model.schema.tables):
            bar.set_postfix_str(table.key)
            kept[table.key] = _Kept(kept_columns[table.key])
            yield table, _blocks(model, plan, table, index, kept, database)
            kept[table.key].frame()
            bar.update()
    finally:
        bar.close()


@dataclass
class _Step:
    """Rows of one block: how many, and for a child each row's parent position (-1: none)."""

    number: int
    rows: int
    owner: np.ndarray | None = None
    siblings: np.ndarray | None = None


def _steps(model: TrainedModel, plan: SamplingPlan, table: TableSpec,
           kept: dict[str, _Kept], rng: np.random.Generator) -> Iterator[_Step]:
    """The blocks of ``table``: root key ranges, or ranges of parents with their children."""
    recipe = model.recipes[table.key]
    if recipe.driver is None:
        start = 0
        for number, end in enumerate(block_ends(plan.rows[table.key])):
            yield _Step(number, end - start)
            start = end
        return
    fk = _fk(table, recipe.driver)
    parent = model.schema.table(fk.referred_table)
    parents = kept[parent.key].frame()
    linkage = model.linkages[(table.key, fk.name)]
    counts = linkage.sample_counts(model.features[parent.key].encode(parent, parents), rng)
    orphans = linkage.orphan_count(len(parents))
    ends = np.cumsum(counts)
    # Cut after the parent whose children reach each block end.
    cuts = np.searchsorted(ends, block_ends(int(ends[-1]) if ends.size else 0)[:-1],
                           side="left") + 1
    bounds = [0, *sorted(set(int(c) for c in cuts if 0 < c < len(parents))), len(parents)]
    number = 0
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        owner = np.repeat(np.arange(lo, hi), counts[lo:hi]).astype("int64")
        if owner.size or number == 0 and not orphans:
            yield _Step(number, owner.size, owner, counts[owner])
            number += 1
    for start in range(0, orphans, BLOCK_ROWS):
        size = min(BLOCK_ROWS, orphans - start)
        yield _Step(number, size, np.full(size, -1, dtype="int64"), np.zeros(size, "int64"))
        number += 1


def block_ends(total: int) -> list[int]:
    """Where a table's blocks of ``total`` rows end: a first and a last block of
    ``EDGE_BLOCK_ROWS``, even blocks of at most ``BLOCK_ROWS`` between (up to three edges'
    worth: even blocks of at most the edge; 0: one empty block)."""
    edge = min(EDGE_BLOCK_ROWS, BLOCK_ROWS)
    if total <= 3 * edge:
        parts = max(1, -(-total // edge))
        return [(total * i) // parts for i in range(1, parts + 1)]
    middle = total - 2 * edge
    parts = -(-middle // BLOCK_ROWS)
    return [edge, *(edge + (middle * i) // parts for i in range(1, parts + 1)), total]


@dataclass
class _TableState:
    """What a table's blocks share: parent weights and features, keys used so far."""

    weights: dict[str, np.ndarray] = field(default_factory=dict)
    features: dict[str, np.ndarray] = field(default_factory=dict)
    matched: dict[str, bool] = field(default_factory=dict)
    """Per secondary FK, whether parents are dealt to the rows whose values fit them."""
    keys: KeyState = field(default_factory=KeyState)
    unique_seen: dict[tuple[str, ...], set[tuple[str, ...]]] = field(default_factory=dict)
    fk_keys_seen: dict[tuple[str, ...], set[tuple[object, ...]]] = field(default_factory=dict)
    emitted: int = 0


def _blocks(model: TrainedModel, plan: SamplingPlan, table: TableSpec, index: int,
            kept: dict[str, _Kept], database: DatabaseChecks | None) -> Iterator[pd.DataFrame]:
    schema, recipe = model.schema, model.recipes[table.key]
    rng = np.random.default_rng([plan.seed, index])
    state = _TableState()
    for cols, values in plan.taken.get(table.key, {}).items():
        # Appending: the target's own values count as used, for UNIQUE sets and text keys.
        state.unique_seen[cols] = set(values)
        if len(cols) == 1 and cols[0] in recipe.key_texts:
            state.keys.texts[cols[0]] = {v[0] for v in values}
    for name in recipe.secondary:
        fk = _fk(table, name)
        parent = schema.table(fk.referred_table)
        parents = kept[parent.key].frame()
        encoded = model.features[parent.key].encode(parent, parents)
        state.features[name] = encoded
        choice = secondary_choice(model.options, table, fk)
        state.matched[name] = choice == "match"
        # The draw happens whatever the choice, so one FK's choice never shifts another's rows.
        counts = model.linkages[(table.key, fk.name)].sample_counts(encoded, rng)
        state.weights[name] = (np.ones(len(parents)) if choice == "uniform"
                               else counts.astype("float64"))
    for step in _steps(model, plan, table, kept, rng):
        # Block 0 goes on with the table's generator; later blocks get seeded ones of their
        # own, so no block's rows depend on how many rows came before it.
        block_rng = rng if step.number == 0 else np.random.default_rng(
            [plan.seed, index, 2, step.number])
        frame = _block(model, plan, table, index, step, kept, state, block_rng, database)
        kept[table.key].add(frame)
        state.emitted += len(frame)
        yield frame


def _block(model: TrainedModel, plan: SamplingPlan, table: TableSpec, index: int, step: _Step,
           kept: dict[str, _Kept], state: _TableState, rng: np.random.Generator,
           database: DatabaseChecks | None) -> pd.DataFrame:
    schema, recipe = model.schema, model.recipes[table.key]
    n = step.rows
    context = None
    if recipe.driver is not None and step.owner is not None:
        fk = _fk(table, recipe.driver)
        parent = schema.table(fk.referred_table)
        parents = kept[parent.key].frame()
        present = step.owner >= 0
        if recipe.context is not None and len(parents):
            rows = parents.iloc[np.where(present, step.owner, 0)].reset_index(drop=True)
            context = recipe.context.encode(parent, rows, present=present,
                                            sibling_counts=step.siblings)
    table_model = model.models.get(table.key)
    seed = plan.seed * 1_000_003 + index + 1_000_000_007 * step.number
    if table_model is not None:
        values = table_model.sample(table, n, context, seed=seed, precision=plan.precision,
                                    pool_seed=plan.seed * 1_000_003 + index)
    else:
        values = pd.DataFrame(index=pd.RangeIndex(n))
    frame = pd.DataFrame(index=pd.RangeIndex(n))
    for column in table.columns:
        if column.computed:
            continue
        frame[column.name] = values[column.name] if column.name in values else _empty(column, n)
    if recipe.driver is not None and step.owner is not None:
        fk = _fk(table, recipe.driver)
        _assign(frame, fk, kept[fk.referred_table].frame(), step.owner, table)
    for name in recipe.secondary:
        fk = _fk(table, name)
        _point_at(frame, fk, kept[fk.referred_table].frame(), model, table, rng,
                  weights=state.weights[name], features=state.features[name],
                  match=state.matched[name])
    # CHECKs before keys: rows dropped here are gone before any key or child points at them.
    frame = enforce_checks(table, frame, rng, frozen=frozenset(table.generated_keys) | table.fk_columns,
                           database=database, model=table_model)
    aligned = frozenset(_fk(table, recipe.driver).columns) if recipe.driver else frozenset()
    frame = enforce_uniques(table, frame, table_model, rng, taken=state.unique_seen,
                            aligned=aligned)
    n = len(frame)
    primary_keys(table, frame, recipe.key_texts, rng,
                 start=plan.key_start.get(table.key, 1) + state.emitted, state=state.keys)
    for fk in table.foreign_keys:
        if fk.referred_table == table.key and not schema.is_deferred(table.key, fk):
            offset = kept[table.key].rows
            targets = earlier_rows(n, recipe.null_shares.get(fk.name, 0.0), fk.nullable, rng,
                                   offset=offset)
            _assign_self(frame, fk, kept[table.key], offset, targets, table)
    return _unique_keys(model, table, frame, kept, rng, state.fk_keys_seen)


def _assign_self(frame: pd.DataFrame, fk: ForeignKeySpec, kept: _Kept, offset: int,
                 targets: np.ndarray, table: TableSpec) -> None:
    """A self-referencing FK := the referred columns of the rows at global ``targets``."""
    present = targets >= 0
    earlier = present & (targets < offset)
    values = {c: np.full(len(frame), None, dtype=object) for c in fk.referred_columns}
    if earlier.any():
        taken = kept.take(targets[earlier], fk.referred_columns)
        for c in fk.referred_columns:
            values[c][earlier] = taken[c].to_numpy()
    here = present & ~earlier
    for c in fk.referred_columns:
        values[c][here] = frame[c].to_numpy(dtype=object)[targets[here] - offset]
    for mine, theirs in zip(fk.columns, fk.referred_columns):
        frame[mine] = _typed(table.column(mine), pd.Series(values[theirs], dtype=object))


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def _point_at(
    frame: pd.DataFrame,
    fk: ForeignKeySpec,
    parents: pd.DataFrame,
    model: TrainedModel,
    table: TableSpec,
    rng: np.random.Generator,
    *,
    weights: np.ndarray | None,
    features: np.ndarray | None = None,
    match: bool = True,
) -> None:
    """Set ``fk`` of every row to a parent row chosen by ``weights`` (uniform when None).

    ``features``: the parents' encoded features, when the caller has them already.
    """
    n = len(frame)
    if weights is None:
        weights = np.ones(len(parents))
    targets = choose_parents(weights, n, rng)
    linkage = model.linkages.get((table.key, fk.name))
    if match and linkage is not None and linkage.relation_target >= 0 and len(parents):
        # Same parents, same counts; dealt to the rows whose values fit them
        # (an item's price follows its product's price): see training/secondary.py.
        if features is None:
            spec = model.schema.table(fk.referred_table)
            features = model.features[spec.key].encode(spec, parents)
        targets = match_parents(linkage, table, frame, features, targets, rng)
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
                 kept: dict[str, _Kept], rng: np.random.Generator,
                 seen: dict[tuple[str, ...], set[tuple[object, ...]]]) -> pd.DataFrame:
    """Resolve duplicate keys made of FK columns (link tables, 1:1 tables).

    Within each group of the key's other columns, duplicate rows are re-pointed through a
    secondary FK of the key at parents the group does not use yet, drawn without
    replacement by popularity. When the parents cannot supply enough distinct
    combinations the surplus rows are dropped and reported (capped, never an error).
    ``seen`` holds the keys of earlier blocks: a block's rows never repeat them.
    """
    recipe = model.recipes[table.key]
    driver = _fk(table, recipe.driver).columns if recipe.driver is not None else ()
    key_sets = [k for k in (table.primary_key, *table.unique) if k and set(k) <= table.fk_columns]
    for key in key_sets:
        movable = [fk for fk in (_fk(table, name) for name in recipe.secondary)
                   if set(fk.columns) <= set(key)]
        if movable and frame.duplicated(list(key)).any():
            _repoint_duplicates(frame, list(key), movable[0],
                                kept[movable[0].referred_table].frame(), table, rng)
        dup = frame.duplicated(list(key), keep="first").to_numpy()
        complete = ~frame[list(key)].isna().any(axis=1).to_numpy()
        drop = dup & complete
        if not driver or not set(driver) <= set(key):
            # Blocks cut between parents of the driver FK, so only keys without its
            # columns can repeat across blocks; those are remembered.
            earlier = seen.setdefault(tuple(key), set())
            tuples = list(zip(*(frame[c].tolist() for c in key)))
            if earlier:
                drop |= complete & np.fromiter((t in earlier for t in tuples), dtype=bool,
                                               count=len(tuples))
            earlier.update(t for t, gone, whole in zip(tuples, drop, complete)
                           if whole and not gone)
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
    dup = frame.duplicated(key, keep="first").to_numpy()
    fk_values = [frame[c].to_numpy() for c in fk.columns]  # once, not per group
    groups = frame.groupby(group_cols, dropna=False, sort=False).indices if group_cols else {
        (): np.arange(len(frame))}
    rows: list[int] = []
    targets: list[int] = []
    for members in groups.values():
        members = np.asarray(members)
        needing = members[dup[members]]
        if needing.size == 0:
            continue
        kept = members[~dup[members]]
        used = {position.get(k) for k in zip(*(values[kept] for values in fk_values))}
        free_mask = np.ones(len(parent_keys), dtype=bool)
        free_mask[[i for i in used if i is not None]] = False
        free = np.flatnonzero(free_mask)
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
