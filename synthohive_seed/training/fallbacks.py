"""Columns the GAN does not model: binary, arrays, and types the seeder does not know.

* binary (BYTEA/BLOB): random bytes whose lengths follow the source's, NULL share kept;
  source bytes (photos, documents) are never copied;
* arrays: lengths from the source, elements drawn from the source's elements;
* any other type: named in one warning; NULL when the column allows it, otherwise a
  value drawn from the column's own values (the only value certain to be valid).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from ..schema.model import ColumnSpec

log = logging.getLogger("synthohive_seed")
_KEEP = 1000


@dataclass
class Fallback:
    """Draws values for one unmodelled column."""

    mode: str
    """``bytes``, ``array``, ``values`` or ``null``."""
    null_share: float = 0.0
    lengths: list[int] = field(default_factory=list)
    values: list[object] = field(default_factory=list)

    def sample(self, n: int, rng: np.random.Generator) -> list[object]:
        if self.mode == "null" or (not self.values and not self.lengths):
            return [None] * n
        nulls = rng.random(n) < self.null_share
        out: list[object] = []
        for null in nulls:
            if null:
                out.append(None)
            elif self.mode == "bytes":
                size = self.lengths[int(rng.integers(len(self.lengths)))]
                out.append(rng.bytes(size))
            elif self.mode == "array":
                size = self.lengths[int(rng.integers(len(self.lengths)))]
                picks = rng.integers(0, max(1, len(self.values)), size) if self.values else []
                out.append([self.values[i] for i in picks])
            else:
                out.append(self.values[int(rng.integers(len(self.values)))])
        return out


def fallback_for(column: ColumnSpec, values: list[object], table: str) -> Fallback:
    """The fallback generator for ``column`` given its source values."""
    present = [v for v in values if not _missing(v)]
    share = 1.0 - len(present) / len(values) if values else float(column.nullable)
    if column.kind == "binary":
        return Fallback("bytes", share, lengths=[len(bytes(v)) for v in present[:_KEEP]])  # type: ignore[arg-type]
    if column.kind == "array":
        items = [x for v in present[:_KEEP] for x in v]  # type: ignore[union-attr]
        return Fallback("array", share, lengths=[len(v) for v in present[:_KEEP]],  # type: ignore[arg-type]
                        values=items[:_KEEP])
    log.warning("%s.%s: type %s is not modelled; it is filled with %s", table, column.name,
                column.sa_type, "NULL" if column.nullable else "values drawn from the column")
    if column.nullable:
        return Fallback("null", 1.0)
    return Fallback("values", 0.0, values=present[:_KEEP])


def _missing(value: object) -> bool:
    if value is None:
        return True
    return isinstance(value, float) and value != value
