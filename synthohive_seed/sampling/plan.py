"""The sampling plan: plain data saying what will be generated, checked before any work.

It is what ``--dry-run`` prints, and what :func:`.cascade.generate` executes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import ConfigError
from ..schema.model import Schema
from ..training.fit import TrainedModel

PRECISIONS: tuple[str, ...] = ("auto", "float32")
"""Values of ``SamplingPlan.precision`` (``--precision``)."""


@dataclass(frozen=True)
class TableStep:
    """One table in generation order."""

    table: str
    rows: int | None
    """Rows to generate for a root; None for a child (its parents decide)."""
    driver: str | None
    """FK whose parents generate the rows (None for a root)."""
    parent: str | None


@dataclass(frozen=True)
class SamplingPlan:
    """What one sampling run generates."""

    seed: int
    rows: Mapping[str, int]
    """Row count of every root table."""
    steps: tuple[TableStep, ...]
    key_start: Mapping[str, int] = field(default_factory=dict)
    """First value of each table's sequential integer key (1 unless appending)."""
    taken: Mapping[str, Mapping[tuple[str, ...], frozenset[tuple[str, ...]]]] = field(
        default_factory=dict)
    """Appending: per table, per UNIQUE column set (or text key), the values the target
    already holds, as text tuples; generated rows never repeat them."""
    precision: str = "auto"
    """Arithmetic of the generators' hidden layers (one of ``PRECISIONS``): ``"auto"``
    uses bfloat16 on CPUs with native bfloat16 instructions, ``"float32"`` never does.
    See :class:`~synthohive_seed.training.gan.FoldedGenerator`."""

    def describe(self) -> str:
        """A human-readable listing, one line per table."""
        lines = [f"seed {self.seed}; tables in generation order:"]
        for step in self.steps:
            if step.driver is None:
                lines.append(f"  {step.table}: {step.rows} rows (root)")
            else:
                lines.append(f"  {step.table}: children of {step.parent} via {step.driver}")
        return "\n".join(lines)


def check_num_rows(schema: Schema, num_rows: Mapping[str, int] | None) -> dict[str, int]:
    """Refuse unknown tables, child tables and counts that are not whole numbers >= 0.

    Needs only the schema, so callers can check before spending time on training.
    """
    asked = dict(num_rows or {})
    roots = set(schema.roots())
    for key, count in asked.items():
        if key not in schema:
            raise ConfigError(f"num_rows (--num-rows) names table {key!r}, which is not in the schema "
                              f"(root tables: {', '.join(sorted(roots))})",
                              option="num_rows", table=key)
        if key not in roots:
            raise ConfigError(f"num_rows (--num-rows) names table {key!r}, whose rows come from its parent "
                              "tables; give counts for root tables only "
                              f"({', '.join(sorted(roots))})", option="num_rows", table=key)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ConfigError(f"num_rows (--num-rows) for table {key!r} must be a whole number "
                              f">= 0, got {count!r}",
                              option="num_rows", table=key)
    return asked


def check_precision(precision: str) -> None:
    """Refuse a ``precision`` that is not one of ``PRECISIONS``."""
    if precision not in PRECISIONS:
        raise ConfigError(f"precision (--precision) must be one of {', '.join(PRECISIONS)}, "
                          f"got {precision!r}", option="precision")


def make_plan(model: TrainedModel, num_rows: Mapping[str, int] | None, seed: int,
              precision: str = "auto") -> SamplingPlan:
    """Check ``num_rows`` against the schema and fix every root's row count."""
    asked = check_num_rows(model.schema, num_rows)
    check_precision(precision)
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {seed!r}", option="seed")
    steps = []
    rows = {}
    for table in model.schema.tables:
        recipe = model.recipes[table.key]
        if recipe.driver is None:
            rows[table.key] = asked.get(table.key, recipe.source_rows)
            steps.append(TableStep(table.key, rows[table.key], None, None))
        else:
            fk = next(f for f in table.foreign_keys if f.name == recipe.driver)
            steps.append(TableStep(table.key, None, recipe.driver, fk.referred_table))
    return SamplingPlan(seed=seed, rows=rows, steps=tuple(steps), precision=precision)
