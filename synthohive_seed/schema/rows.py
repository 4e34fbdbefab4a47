"""Read the source rows of every table for training, whole or as an FK-consistent sample.

A source table larger than the cap (``TrainOptions.max_source_rows``) is not read whole.
Tables are grouped in *trees* by their driver FKs (a child belongs to its driver
parent's tree). In a tree that holds a table above the cap, the root's rows are read
as a uniform random sample with the fraction that brings the largest table of the tree
to about the cap, and every descendant keeps exactly the rows whose driver parent was
kept: each kept parent keeps all its children, so children-per-parent and the parent
context of every child row are learned as they are in the full data. Rows whose
driver FK is NULL are sampled with the same fraction. A row whose secondary FK points
at a row of a sampled table that was not kept is left out (it would look like a
dangling key); trees of small tables (dimensions such as products) are read whole.
Sampled tables are read in chunks, so memory holds the sample, never the whole table.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..errors import SchemaError
from .model import ForeignKeySpec, Schema, TableSpec
from .tables import to_metadata

log = logging.getLogger("synthohive_seed")
_CHUNK_ROWS = 50_000


def count_rows(engine: sa.Engine, schema: Schema) -> dict[str, int]:
    """Rows per table key of ``schema`` in the source."""
    metadata = to_metadata(schema)
    counts: dict[str, int] = {}
    with engine.connect() as conn:
        for spec in schema.tables:
            with _reading(spec):
                counts[spec.key] = int(conn.execute(sa.select(sa.func.count()).select_from(
                    metadata.tables[spec.key])).scalar_one())
    return counts


def read_rows(
    engine: sa.Engine,
    schema: Schema,
    *,
    max_rows: int | None = None,
    drivers: Mapping[str, ForeignKeySpec | None] | None = None,
    counts: Mapping[str, int] | None = None,
    seed: int = 0,
) -> dict[str, pd.DataFrame]:
    """One DataFrame per table, columns in declared order, values as the driver gives them.

    With ``max_rows`` (and each table's driver FK in ``drivers``, its row count in
    ``counts``), trees of tables above the cap are read as an FK-consistent sample (see
    the module doc); ``seed`` makes the sample repeatable.
    """
    metadata = to_metadata(schema)
    fractions = _fractions(schema, drivers or {}, counts or {}, max_rows)
    rng = np.random.default_rng([seed, 104_729])
    kept: dict[str, pd.DataFrame] = {}  # tables read with rows left out: their rows
    frames: dict[str, pd.DataFrame] = {}
    with engine.connect() as conn:
        for spec in schema.tables:
            table = metadata.tables[spec.key]
            driver = (drivers or {}).get(spec.key)
            filters = [fk for fk in schema.ordering_fks(spec) if fk.referred_table in kept]
            fraction = fractions.get(spec.key, 1.0)
            with _reading(spec):
                if fraction >= 1.0 and not filters:
                    frames[spec.key] = _read_all(conn, table)
                    continue
                frames[spec.key] = kept[spec.key] = _read_sample(
                    conn, table, driver, filters, fraction, kept, rng)
    if kept:
        log.warning("training on an FK-consistent sample of the source (max_source_rows=%d): %s",
                    max_rows or 0, ", ".join(f"{key} {len(frames[key]):,} of "
                                             f"{(counts or {}).get(key, 0):,} rows" for key in kept))
    return frames


def _fractions(schema: Schema, drivers: Mapping[str, ForeignKeySpec | None],
               counts: Mapping[str, int], max_rows: int | None) -> dict[str, float]:
    """Per root table of a tree with a table above ``max_rows``, the fraction to read."""
    if max_rows is None:
        return {}
    root: dict[str, str] = {}
    for spec in schema.tables:  # parents come first
        driver = drivers.get(spec.key)
        root[spec.key] = root.get(driver.referred_table, spec.key) if driver else spec.key
    fractions: dict[str, float] = {}
    for key, top in root.items():
        rows = counts.get(key, 0)
        if rows > max_rows:
            fractions[top] = min(fractions.get(top, 1.0), max_rows / rows)
    return fractions


def _read_all(conn: sa.Connection, table: sa.Table) -> pd.DataFrame:
    result = conn.execute(sa.select(table))
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _read_sample(conn: sa.Connection, table: sa.Table,
                 driver: ForeignKeySpec | None, filters: list[ForeignKeySpec], fraction: float,
                 kept: Mapping[str, pd.DataFrame], rng: np.random.Generator) -> pd.DataFrame:
    """The rows of ``table`` that the sample keeps, read a chunk at a time."""
    wanted = {fk.name: _keys(kept[fk.referred_table], fk.referred_columns) for fk in filters}
    result = conn.execution_options(stream_results=True, yield_per=_CHUNK_ROWS).execute(
        sa.select(table))
    columns = list(result.keys())
    parts = []
    for chunk in result.partitions():
        frame = pd.DataFrame(chunk, columns=columns)
        keep = np.ones(len(frame), dtype=bool)
        by_parent = driver is not None and driver.name in wanted
        if not by_parent:
            keep &= rng.random(len(frame)) < fraction
        for fk in filters:
            values = frame[list(fk.columns)]
            null = values.isna().any(axis=1).to_numpy()
            inside = np.fromiter((key in wanted[fk.name] for key in _tuples(values)),
                                 dtype=bool, count=len(frame))
            if fk is driver:
                # NULL driver FK: no parent to follow, sampled like a root row.
                keep &= inside | (null & (rng.random(len(frame)) < fraction))
            else:
                keep &= inside | null
        parts.append(frame.loc[keep])
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)


def _keys(frame: pd.DataFrame, columns: tuple[str, ...]) -> set[tuple[object, ...]]:
    return set(_tuples(frame[list(columns)]))


def _tuples(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    return list(zip(*(frame[c].tolist() for c in frame.columns)))


@contextmanager
def _reading(spec: TableSpec) -> Iterator[None]:
    """Turn a database error while reading ``spec`` into a SchemaError naming the table."""
    try:
        yield
    except sa.exc.SQLAlchemyError as exc:
        raise SchemaError(f"cannot read rows of {spec.key}: "
                          f"{str(exc.orig if hasattr(exc, 'orig') else exc).splitlines()[0]}",
                          table=spec.key) from None
