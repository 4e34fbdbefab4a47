"""Independent checks of generated frames against a schema (used by several tests)."""

from __future__ import annotations

import pandas as pd

from synthohive_seed.schema.model import Schema


def key_problems(schema: Schema, frames: dict[str, pd.DataFrame]) -> list[str]:
    """Every broken key in ``frames``: duplicate or NULL primary keys, dangling FKs, NULLs."""
    problems: list[str] = []
    for table in schema.tables:
        frame = frames[table.key]
        if table.primary_key:
            pk = list(table.primary_key)
            if frame[pk].isna().any().any():
                problems.append(f"{table.key}: NULL in primary key")
            if frame.duplicated(pk).any():
                problems.append(f"{table.key}: duplicate primary key")
        for col in table.columns:
            if not col.nullable and not col.computed and frame[col.name].isna().any():
                problems.append(f"{table.key}.{col.name}: NULL in NOT NULL column")
        for fk in table.foreign_keys:
            parent = frames[fk.referred_table]
            child_keys = frame[list(fk.columns)].dropna()
            parent_keys = set(map(tuple, parent[list(fk.referred_columns)].astype(object).values))
            dangling = [k for k in map(tuple, child_keys.astype(object).values) if k not in parent_keys]
            if dangling:
                problems.append(f"{table.key}: {len(dangling)} rows of {fk.name} point nowhere")
    return problems


def children_per_parent(schema: Schema, frames: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Mean children per parent row for every FK to another table (NULL FKs not counted)."""
    means = {}
    for table in schema.tables:
        for fk in table.foreign_keys:
            if fk.referred_table == table.key:
                continue
            parents = len(frames[fk.referred_table])
            linked = int(frames[table.key][list(fk.columns)].notna().all(axis=1).sum())
            means[f"{table.key}.{fk.name}"] = linked / parents if parents else 0.0
    return means
