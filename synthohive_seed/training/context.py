"""Parent context: the parent's columns a child table is conditioned on.

Default rule (documented in the README): the parent's own value columns (not keys, not
FK columns) that are numbers, dates, times, booleans or strings with at most
``MAX_CONTEXT_CATEGORIES`` distinct values, in declared order, at most
``max_context_columns`` of them. ``TrainOptions.context_columns`` replaces the rule per
child table. Numbers are standardised, categories one-hot encoded; the number of
siblings a child row has (log-scaled) is always part of its context, and a flag says
whether the row has a parent at all when the driver FK is nullable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..schema.model import TableSpec
from .codecs import _category_key
from .values import NUMERIC_KINDS, to_numbers

MAX_CONTEXT_CATEGORIES = 20


def default_context_columns(parent: TableSpec, frame: pd.DataFrame, limit: int) -> list[str]:
    """Parent columns chosen by the default rule (see the module docstring)."""
    keys = set(parent.primary_key) | parent.fk_columns
    chosen = []
    for col in parent.columns:
        if col.name in keys or col.computed or col.name not in frame:
            continue
        if col.kind in NUMERIC_KINDS or col.kind == "boolean":
            chosen.append(col.name)
        elif col.kind == "string" and frame[col.name].nunique() <= MAX_CONTEXT_CATEGORIES:
            chosen.append(col.name)
        if len(chosen) >= limit:
            break
    return chosen


@dataclass
class ContextEncoder:
    """Turns parent rows (plus sibling counts) into a numeric matrix."""

    parent: str
    columns: list[str]
    numeric: dict[str, tuple[float, float]] = field(default_factory=dict)
    categories: dict[str, list[object]] = field(default_factory=dict)
    with_count: bool = False
    count_scale: tuple[float, float] = (0.0, 1.0)
    with_presence: bool = False

    @classmethod
    def fit(
        cls,
        parent: TableSpec,
        frame: pd.DataFrame,
        columns: Sequence[str],
        *,
        child: str,
        sibling_counts: np.ndarray | None = None,
        with_presence: bool = False,
    ) -> ContextEncoder:
        encoder = cls(parent=parent.key, columns=list(columns), with_presence=with_presence)
        for name in columns:
            if name not in parent.column_names:
                raise ConfigError(
                    f"context column {name!r} for table {child} is not a column of {parent.key}",
                    option="context_columns",
                    table=child,
                )
            spec = parent.column(name)
            if spec.kind in NUMERIC_KINDS:
                numbers = to_numbers(frame[name], spec)
                present = numbers[~np.isnan(numbers)]
                mean = float(present.mean()) if present.size else 0.0
                std = float(present.std()) if present.size > 1 else 1.0
                encoder.numeric[name] = (mean, std if std > 0 else 1.0)
            else:
                counts = pd.Series([_category_key(v) for v in frame[name]]).value_counts()
                encoder.categories[name] = list(counts.index[:MAX_CONTEXT_CATEGORIES])
        if sibling_counts is not None and sibling_counts.size:
            logs = np.log1p(sibling_counts.astype("float64"))
            encoder.with_count = True
            encoder.count_scale = (float(logs.mean()), float(logs.std()) or 1.0)
        return encoder

    @property
    def dim(self) -> int:
        return (
            len(self.numeric)
            + sum(len(c) for c in self.categories.values())
            + int(self.with_count)
            + int(self.with_presence)
        )

    def encode(
        self,
        parent: TableSpec,
        rows: pd.DataFrame,
        *,
        sibling_counts: np.ndarray | None = None,
        present: np.ndarray | None = None,
    ) -> np.ndarray:
        """Context matrix, one row per row of ``rows`` (parent rows aligned to children).

        ``present`` marks rows that really have a parent; the others get zeros.
        """
        n = len(rows)
        blocks: list[np.ndarray] = []
        for name in self.columns:
            if name in self.numeric:
                mean, std = self.numeric[name]
                numbers = to_numbers(rows[name], parent.column(name))
                blocks.append(np.nan_to_num((numbers - mean) / std)[:, None])
            else:
                cats = self.categories[name]
                index = {c: i for i, c in enumerate(cats)}
                block = np.zeros((n, len(cats)))
                # Look up each distinct value once, not each row (children repeat parents).
                codes, uniques = pd.factorize(rows[name], use_na_sentinel=True)
                lookup = np.array([index.get(_category_key(u), -1) for u in uniques] +
                                  [index.get(None, -1)], dtype="int64")
                positions = lookup[codes]  # code -1 (missing) takes the last entry
                hit = positions >= 0
                block[np.flatnonzero(hit), positions[hit]] = 1.0
                blocks.append(block)
        if self.with_count:
            counts = sibling_counts if sibling_counts is not None else np.zeros(n)
            mean, std = self.count_scale
            blocks.append(((np.log1p(counts.astype("float64")) - mean) / std)[:, None])
        if self.with_presence:
            flags = present if present is not None else np.ones(n, dtype=bool)
            blocks.append(flags.astype("float64")[:, None])
        matrix = np.concatenate(blocks, axis=1) if blocks else np.zeros((n, 0))
        if present is not None:
            matrix[~present, : matrix.shape[1] - int(self.with_presence)] = 0.0
        return matrix
