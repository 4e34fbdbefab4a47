"""Key values for generated rows: primary keys, unique codes, parent choices.

Integer keys are sequential (1..n, or from ``start``); text keys (codes, natural keys)
get new values of the source's shape, never source values; within a composite key the
integer members that are not FK columns count up inside each group of the others
(``order_items(order_id, line_item_id)`` gets line numbers 1..k per order).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..schema.model import TableSpec
from ..training.text import TextShapeGenerator

_UNIQUE_ROUNDS = 20


@dataclass
class KeyState:
    """Keys a table's earlier blocks used, so a later block's keys never repeat them."""

    texts: dict[str, set[str]] = field(default_factory=dict)
    """Per text key column, the values given so far."""
    counters: dict[str, dict[tuple[object, ...], int]] = field(default_factory=dict)
    """Per integer member of a composite key, the last number given in each group."""


def primary_keys(
    table: TableSpec,
    frame: pd.DataFrame,
    key_texts: dict[str, TextShapeGenerator],
    rng: np.random.Generator,
    *,
    start: int = 1,
    state: KeyState | None = None,
) -> None:
    """Fill the primary-key columns of ``frame`` that no FK has filled, in place.

    ``start`` is the first sequential integer key of this block; ``state`` carries the
    text keys and per-group counters of the table's earlier blocks.
    """
    free = table.generated_keys
    n = len(frame)
    state = state if state is not None else KeyState()
    for name in free:
        column = table.column(name)
        others = [c for c in table.primary_key if c != name]
        if column.kind == "integer" and others:
            numbers = frame.groupby(others, dropna=False).cumcount().to_numpy() + 1
            counters = state.counters.setdefault(name, {})
            groups = list(zip(*(frame[c].tolist() for c in others)))
            if counters:
                numbers = numbers + np.fromiter((counters.get(g, 0) for g in groups),
                                                dtype="int64", count=n)
            for group, number in zip(groups, numbers.tolist()):
                if number > counters.get(group, 0):
                    counters[group] = number
            frame[name] = pd.array(numbers, dtype="Int64")
        elif column.kind == "integer":
            frame[name] = pd.array(np.arange(start, start + n), dtype="Int64")
        elif column.kind in ("float", "decimal"):
            frame[name] = np.arange(start, start + n, dtype="float64")
        elif column.kind == "uuid":
            frame[name] = [str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(n)]
        elif name in key_texts:
            frame[name] = unique_texts(key_texts[name], n, rng, column.length,
                                       seen=state.texts.setdefault(name, set()))
        else:
            frame[name] = [f"k{i}" for i in range(start, start + n)]


def unique_texts(
    generator: TextShapeGenerator, n: int, rng: np.random.Generator, length: int | None,
    *, seen: set[str] | None = None,
) -> list[str]:
    """``n`` distinct strings of the generator's shapes, each at most ``length`` characters,
    none equal to a source value the generator remembers nor to one in ``seen`` (which
    gets the new values)."""
    values: list[str | None] = generator.sample(n, rng, nulls=False)
    seen = seen if seen is not None else set()
    pending: list[int] = []
    for i, value in enumerate(values):
        if value in seen or value is None or generator.is_source(value):
            pending.append(i)
        else:
            seen.add(value)
    for _ in range(_UNIQUE_ROUNDS):
        if not pending:
            break
        fresh = generator.sample(len(pending), rng, nulls=False)
        still = []
        for i, value in zip(pending, fresh):
            if value is None or value in seen or generator.is_source(value):
                still.append(i)
            else:
                values[i] = value
                seen.add(value)
        pending = still
    # Shapes too narrow for n distinct values: fall back to numbered codes that fit.
    counter = 0
    for i in pending:
        while True:
            counter += 1
            code = _fit(f"{counter}", length)
            if code not in seen and not generator.is_source(code):
                break
        values[i] = code
        seen.add(code)
    return [str(v) for v in values]


def _fit(code: str, length: int | None) -> str:
    return code if length is None else code[-length:]


def choose_parents(
    weights: np.ndarray, n: int, rng: np.random.Generator
) -> np.ndarray:
    """Indices of parent rows for ``n`` children, each drawn with probability ~ weight."""
    if weights.size == 0:
        return np.full(n, -1, dtype="int64")
    total = float(weights.sum())
    p = weights / total if total > 0 else None
    return rng.choice(weights.size, size=n, p=p).astype("int64")


def earlier_rows(n: int, null_share: float, nullable: bool, rng: np.random.Generator,
                 *, offset: int = 0) -> np.ndarray:
    """For a self-referencing FK: each row points at a strictly earlier row or at none (-1).

    Rows are numbered from ``offset`` (the rows of the table's earlier blocks come
    first) and targets are such global row numbers. Pointing only backwards makes every
    chain end, so no hierarchy contains a loop, and rows inserted in order satisfy a
    non-deferrable FK.
    """
    out = np.full(n, -1, dtype="int64")
    if n == 0:
        return out
    first = 0
    if offset == 0:
        first = 1
        if not nullable:
            # The first row has nobody earlier; pointing at itself is the only valid choice.
            out[0] = 0
    rest = np.arange(first, n)
    links = rng.random(rest.size) >= (null_share if nullable else 0.0)
    positions = offset + rest[links]
    out[rest[links]] = (rng.random(int(links.sum())) * positions).astype("int64")
    return out
