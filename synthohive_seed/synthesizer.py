"""The public facade: :class:`Synthesizer` ties introspection, training, sampling and sinks."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Literal

import pandas as pd
import sqlalchemy as sa

from .config import TrainOptions
from .connection import display_url, open_engine
from .errors import ConfigError, SeedError
from .sampling.cascade import generate
from .sampling.plan import SamplingPlan, make_plan
from .schema.introspect import reflect_metadata, schema_from_metadata
from .schema.model import Schema
from .schema.rows import read_rows
from .training.fit import TrainedModel, train

OutputFormat = Literal["memory", "delta", "database"]


class Synthesizer:
    """Learn a database's tables and generate new ones with valid keys.

    Build it from ``MetaData`` plus DataFrames of rows, or with :meth:`from_url`; then
    :meth:`fit` and :meth:`sample`. Options are those of :class:`TrainOptions`
    (``epochs``, ``seed``, ``batch_size``, ``driver_fks``, ``context_columns``...).
    """

    def __init__(
        self,
        metadata: sa.MetaData | Schema,
        data: Mapping[str, pd.DataFrame] | None = None,
        *,
        progress: bool = False,
        **options: object,
    ) -> None:
        if isinstance(metadata, Schema):
            self.schema = metadata
        else:
            self.schema = schema_from_metadata(metadata)
        try:
            self.options = TrainOptions(**options)  # type: ignore[arg-type]
        except TypeError as exc:
            raise ConfigError(f"unknown option: {exc}", option=str(exc).split("'")[1]
                              if "'" in str(exc) else "options") from None
        unknown = [k for k in (data or {}) if k not in self.schema]
        if unknown:
            raise ConfigError(f"data names table {unknown[0]!r}, which is not in the metadata",
                              option="data", table=unknown[0])
        self.data = dict(data or {})
        self.progress = progress
        self.model: TrainedModel | None = None

    @classmethod
    def from_url(
        cls,
        db_url: str,
        *,
        schemas: Sequence[str] = (),
        progress: bool = False,
        **options: object,
    ) -> Synthesizer:
        """Reflect the tables of a live database and read its rows for training."""
        engine = open_engine(db_url)
        try:
            metadata = reflect_metadata(engine, list(schemas) or [None])
            schema = schema_from_metadata(metadata, dialect=engine.dialect.name)
            data = read_rows(engine, schema)
        finally:
            engine.dispose()
        return cls(schema, data, progress=progress, **options)

    def fit(self) -> Synthesizer:
        """Train every table model and linkage model; returns ``self``."""
        self.model = train(self.schema, self.data, self.options, progress=self.progress)
        return self

    def plan(self, num_rows: Mapping[str, int] | None = None, *, seed: int | None = None) -> SamplingPlan:
        """The checked sampling plan for these counts (what ``--dry-run`` prints)."""
        return make_plan(self._fitted(), num_rows, self.options.seed if seed is None else seed)

    def sample(
        self,
        num_rows: Mapping[str, int] | None = None,
        output_path: str | os.PathLike[str] | None = None,
        *,
        output_format: Literal["delta"] | None = None,
        target_url: str | None = None,
        seed: int | None = None,
        overwrite: bool = False,
    ) -> dict[str, pd.DataFrame] | dict[str, str] | dict[str, int]:
        """Generate every table.

        * ``output_path=None`` and no ``target_url``: a dict of DataFrames.
        * ``output_path`` given: Delta tables there (``output_format="delta"``, the
          default), returns table -> path.
        * ``target_url``: bulk insert into that database in one transaction, returns
          table -> rows written.
        Root tables not named in ``num_rows`` keep their source row count.
        """
        if output_format not in (None, "delta"):
            raise ConfigError(f"output_format must be 'delta', got {output_format!r}",
                              option="output_format")
        if output_path is not None and target_url is not None:
            raise ConfigError("give output_path or target_url, not both", option="output_path")
        plan = self.plan(num_rows, seed=seed)
        frames = generate(self._fitted(), plan, progress=self.progress)
        if target_url is not None:
            from .sinks.database import write_database

            engine = open_engine(target_url)
            try:
                return write_database(frames, self.schema, engine, progress=self.progress)
            finally:
                engine.dispose()
        if output_path is not None:
            from .sinks.delta import write_delta

            return write_delta(frames, self.schema, output_path,
                               mode="overwrite" if overwrite else "error", progress=self.progress)
        return frames

    def _fitted(self) -> TrainedModel:
        if self.model is None:
            raise SeedError("call fit() before sample()")
        return self.model



