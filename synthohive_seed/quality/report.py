"""Real vs synthetic: SDMetrics' quality properties plus key checks, as plain data.

:func:`evaluate` runs SDMetrics' ``QualityReport`` (column shapes, column-pair trends,
cardinality, inter-table trends) on metadata built from our schema and adds what
SDMetrics does not score: referential integrity (every FK value points at an existing
row, primary keys unique) and the children-per-parent counts the pictures draw.
The result is a frozen :class:`QualityResult` that serialises to JSON for CI.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..schema.model import Schema
from .metadata import comparable_frames, sdv_metadata

PROPERTIES = ("Column Shapes", "Column Pair Trends", "Cardinality", "Intertable Trends")


@dataclass(frozen=True)
class QualityResult:
    """Scores in [0, 1] (higher is closer to the real data) and key checks."""

    overall: float
    """SDMetrics' overall quality score: the mean of the properties it could compute."""
    properties: dict[str, float]
    """Property name -> score; a property with nothing to score (one table) is absent."""
    tables: dict[str, dict[str, float]] = field(default_factory=dict)
    """Table -> {"Column Shapes": ..., "Column Pair Trends": ...} (mean over its columns)."""
    relationships: dict[str, float] = field(default_factory=dict)
    """``child.fk -> parent`` -> cardinality score of that relationship."""
    integrity: dict[str, float] = field(default_factory=dict)
    """``child.fk`` -> share of non-NULL synthetic FK values that point at a row (1.0 = all)."""
    duplicate_keys: dict[str, int] = field(default_factory=dict)
    """Table -> synthetic rows whose primary key repeats an earlier row's (0 = none)."""

    @property
    def keys_valid(self) -> bool:
        """Every FK value points at a row and no primary key repeats."""
        return all(v == 1.0 for v in self.integrity.values()) and not any(
            self.duplicate_keys.values())

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "keys_valid": self.keys_valid}

    def write_json(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n")

    def summary(self) -> str:
        """A few human lines: overall, each property, key validity."""
        lines = [f"overall quality {self.overall:.3f}"]
        lines += [f"  {name:<20} {score:.3f}" for name, score in self.properties.items()]
        lines.append("  keys valid" if self.keys_valid else "  KEY PROBLEMS: " + json.dumps(
            {**{k: v for k, v in self.integrity.items() if v < 1.0},
             **{k: v for k, v in self.duplicate_keys.items() if v}}))
        return "\n".join(lines)


def evaluate(
    schema: Schema,
    real: Mapping[str, pd.DataFrame],
    synthetic: Mapping[str, pd.DataFrame],
) -> QualityResult:
    """Score ``synthetic`` against ``real`` (both: table key -> DataFrame of ``schema``)."""
    missing = [t.key for t in schema.tables if t.key not in synthetic]
    if missing:
        raise ConfigError(f"the synthetic data has no table {missing[0]!r}; compare data "
                          "generated from the same schema", option="synthetic", table=missing[0])
    from sdmetrics.reports import QualityReport  # heavy import: only when a report is made

    real_frames = comparable_frames(schema, real)
    fake_frames = comparable_frames(schema, synthetic)
    metadata = sdv_metadata(schema, real_frames)
    report = QualityReport()
    with warnings.catch_warnings():
        # SDMetrics warns per constant or all-NULL column; the scores say enough.
        warnings.simplefilter("ignore")
        report.generate(real_frames, fake_frames, metadata, verbose=False)
    scores = report.get_properties()
    properties = {str(r.Property): float(r.Score) for r in scores.itertuples()
                  if str(r.Property) in PROPERTIES and not np.isnan(r.Score)}
    overall = float(report.get_score())
    return QualityResult(
        overall=overall,
        properties=properties,
        tables=_per_table(report, properties),
        relationships=_per_relationship(report, properties),
        integrity=integrity(schema, synthetic),
        duplicate_keys=duplicate_keys(schema, synthetic),
    )


def integrity(schema: Schema, frames: Mapping[str, pd.DataFrame]) -> dict[str, float]:
    """Per FK: share of child rows with a non-NULL FK whose value exists in the parent."""
    shares: dict[str, float] = {}
    for table in schema.tables:
        frame = frames[table.key]
        for fk in table.foreign_keys:
            keys = frame[list(fk.columns)].dropna()
            parent = frames[fk.referred_table][list(fk.referred_columns)].dropna()
            known = set(_tuples(parent))
            found = sum(1 for k in _tuples(keys) if k in known)
            shares[f"{table.key}.{fk.name}"] = found / len(keys) if len(keys) else 1.0
    return shares


def duplicate_keys(schema: Schema, frames: Mapping[str, pd.DataFrame]) -> dict[str, int]:
    """Per table with a primary key: rows whose key repeats an earlier row's."""
    return {t.key: int(frames[t.key].duplicated(list(t.primary_key)).sum())
            for t in schema.tables if t.primary_key and len(frames[t.key])}


def children_counts(schema: Schema, frames: Mapping[str, pd.DataFrame],
                    child: str, fk_name: str) -> np.ndarray:
    """Children per parent row (zeros included) through one FK of ``child``."""
    table = schema.table(child)
    fk = next(f for f in table.foreign_keys if f.name == fk_name)
    parent_keys = _tuples(frames[fk.referred_table][list(fk.referred_columns)])
    position = {k: i for i, k in enumerate(parent_keys)}
    owners = [position.get(k, -1) for k in _tuples(frames[child][list(fk.columns)].dropna())]
    owners_arr = np.array([o for o in owners if o >= 0], dtype="int64")
    return np.bincount(owners_arr, minlength=len(parent_keys))


def _tuples(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    """Rows as tuples of plain values (1 and 1.0 and Int64 1 compare equal)."""
    cols = [[_plain(v) for v in frame[c].tolist()] for c in frame.columns]
    return list(zip(*cols))


def _plain(value: object) -> object:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _per_table(report: Any, properties: Mapping[str, float]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name in ("Column Shapes", "Column Pair Trends"):
        if name not in properties:
            continue
        details = report.get_details(name)
        if details.empty or "Table" not in details or "Score" not in details:
            continue
        for table, score in details.groupby("Table")["Score"].mean().items():
            if not np.isnan(score):
                out.setdefault(str(table), {})[name] = float(score)
    return out


def _per_relationship(report: Any, properties: Mapping[str, float]) -> dict[str, float]:
    if "Cardinality" not in properties:
        return {}
    details = report.get_details("Cardinality")
    needed = {"Child Table", "Parent Table", "Foreign Key", "Score"}
    if details.empty or not needed <= set(details.columns):
        return {}
    return {f"{r['Child Table']}.{r['Foreign Key']} -> {r['Parent Table']}": float(r["Score"])
            for _, r in details.iterrows() if not pd.isna(r["Score"])}
