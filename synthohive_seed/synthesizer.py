"""The public facade: :class:`Synthesizer` ties introspection, training, sampling and sinks."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import replace
from typing import Literal

import pandas as pd
import sqlalchemy as sa

from .config import TrainOptions
from .connection import display_url, new_sqlite_file, open_engine
from .drift import DriftReport, check_drift
from .errors import ConfigError, SchemaError, SeedError
from .sampling.ahead import run_ahead
from .sampling.cascade import can_stream, generate, stream
from .sampling.dbchecks import DatabaseChecks
from .sampling.plan import SamplingPlan, check_num_rows, check_precision, make_plan
from .schema.introspect import reflect_metadata, schema_from_metadata
from .schema.model import Schema
from .schema.rows import count_rows, read_rows
from .sinks.memory import to_frames
from .training.fit import TrainedModel, driver_fk, train


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
        self.options = _train_options(options)
        unknown = [k for k in (data or {}) if k not in self.schema]
        if unknown:
            raise ConfigError(f"data names table {unknown[0]!r}, which is not in the metadata",
                              option="data", table=unknown[0])
        self.data = dict(data or {})
        self.progress = progress
        self.model: TrainedModel | None = None
        self.source_rows: dict[str, int] | None = None
        """Rows per table in the source when ``data`` was read from a live database."""

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
        checked = _train_options(options)  # bad options fail before any row is read
        engine = open_engine(db_url, existing=True)
        try:
            metadata = reflect_metadata(engine, list(schemas) or [None])
            if not metadata.tables:
                raise SchemaError(f"{display_url(db_url)} has no tables to learn from"
                                  + (f" in schema(s) {', '.join(schemas)}" if schemas else
                                     " in its default schema (see --schema)"))
            schema = schema_from_metadata(metadata, dialect=engine.dialect.name)
            counts = count_rows(engine, schema)
            drivers = {t.key: driver_fk(schema, t, checked, counts) for t in schema.tables}
            data = read_rows(engine, schema, max_rows=checked.max_source_rows, drivers=drivers,
                             counts=counts, seed=checked.seed)
        finally:
            engine.dispose()
        synth = cls(schema, data, progress=progress, **options)
        synth.source_rows = counts
        return synth

    def fit(self) -> Synthesizer:
        """Train every table model and linkage model; returns ``self``."""
        self.model = train(self.schema, self.data, self.options, progress=self.progress,
                           source_rows=self.source_rows)
        return self

    def plan(self, num_rows: Mapping[str, int] | None = None, *, seed: int | None = None,
             precision: str = "auto") -> SamplingPlan:
        """The checked sampling plan for these counts (what ``--dry-run`` prints)."""
        return make_plan(self._fitted(), num_rows, self.options.seed if seed is None else seed,
                         precision)

    def sample(
        self,
        num_rows: Mapping[str, int] | None = None,
        output_path: str | os.PathLike[str] | None = None,
        *,
        output_format: Literal["delta"] | None = None,
        target_url: str | None = None,
        seed: int | None = None,
        overwrite: bool = False,
        if_exists: Literal["error", "append", "truncate"] = "error",
        fk_checks: Literal["on", "off"] = "on",
        precision: Literal["auto", "float32"] = "auto",
    ) -> dict[str, pd.DataFrame] | dict[str, str] | dict[str, int]:
        """Generate every table.

        * ``output_path=None`` and no ``target_url``: a dict of DataFrames.
        * ``output_path`` given: Delta tables there (``output_format="delta"``, the
          default), returns table -> path.
        * ``target_url``: bulk insert into that database in one transaction, returns
          table -> rows written. Target tables that hold rows are refused
          (``if_exists="error"``), added to with keys above theirs (``"append"``), or
          emptied in the same transaction (``"truncate"``). ``fk_checks="off"`` loads
          FK cycles of NOT NULL columns where the database lets the user switch FK
          checks off (see :func:`~synthohive_seed.sinks.database.write_database`).
        Root tables not named in ``num_rows`` keep their source row count. ``seed=None``
        samples with the model's seed, except when appending to tables that hold rows: then
        the seed is derived from the model's seed and the rows the target holds, so that
        appending again adds other rows (the same seed would repeat UNIQUE values).
        ``precision="auto"`` runs the generators' hidden layers in bfloat16 on CPUs with
        native bfloat16 instructions (generation about 1.3x faster, values within ~0.3% of
        float32 before calibration); ``"float32"`` never does, so the same seed gives the
        same rows on CPUs with and without those instructions.
        """
        if output_format not in (None, "delta"):
            raise ConfigError(f"output_format must be 'delta', got {output_format!r}",
                              option="output_format")
        if output_path is not None and target_url is not None:
            raise ConfigError("give output_path or target_url, not both", option="output_path")
        if target_url is not None:
            return self._sample_into(target_url, num_rows, seed=seed, if_exists=if_exists,
                                     fk_checks=fk_checks, precision=precision)
        plan = self.plan(num_rows, seed=seed, precision=precision)
        if output_path is not None:
            from .sinks.delta import write_delta, write_delta_blocks

            mode: Literal["error", "overwrite"] = "overwrite" if overwrite else "error"
            if can_stream(self._fitted()):
                with closing(run_ahead(stream(self._fitted(), plan))) as blocks:
                    return write_delta_blocks(blocks, self.schema, output_path, mode=mode,
                                              progress=self.progress)
            return write_delta(generate(self._fitted(), plan, progress=self.progress),
                               self.schema, output_path, mode=mode, progress=self.progress)
        return to_frames(generate(self._fitted(), plan, progress=self.progress))

    def _sample_into(self, target_url: str, num_rows: Mapping[str, int] | None, *,
                     seed: int | None, if_exists: Literal["error", "append", "truncate"],
                     fk_checks: Literal["on", "off"], precision: str) -> dict[str, int]:
        """``sample(target_url=...)``: generate and load in one transaction."""
        from .sinks.database import (
            IF_EXISTS,
            held_uniques,
            key_starts,
            rows_held,
            write_database,
        )

        if if_exists not in IF_EXISTS:
            raise ConfigError(f"if_exists must be one of {', '.join(IF_EXISTS)}, got "
                              f"{if_exists!r}", option="if_exists")
        check_num_rows(self.schema, num_rows)  # before a new SQLite file is made
        check_precision(precision)
        new_file = new_sqlite_file(target_url)
        engine = open_engine(target_url)
        try:
            try:
                # Before any work: a target whose schema moved away stops here (see drift).
                target = check_drift(self.schema, engine).adapt(self.schema)
                if if_exists == "append" and seed is None:
                    seed = append_seed(self.options.seed, rows_held(engine, self.schema))
                plan = self.plan(num_rows, seed=seed, precision=precision)
                if if_exists == "append":
                    plan = replace(plan, key_start=key_starts(engine, self.schema),
                                   taken=held_uniques(engine, self.schema))
                model, checks = self._fitted(), DatabaseChecks(engine)
                if can_stream(model):
                    # Blocks go into the load as they are generated (COPY on PostgreSQL), the
                    # next block generated while the database takes the current one.
                    # closing(): a failed load stops and joins the generating thread now, not
                    # whenever the generator is collected (at exit it could be inside torch).
                    with closing(run_ahead(stream(model, plan, database=checks))) as blocks:
                        return write_database(blocks, target, engine, if_exists=if_exists,
                                              fk_checks=fk_checks, progress=self.progress)
                frames = generate(model, plan, progress=self.progress, database=checks)
                return write_database(frames, target, engine, if_exists=if_exists,
                                      fk_checks=fk_checks, progress=self.progress)
            finally:
                engine.dispose()
        except BaseException:
            if new_file is not None:
                # A SQLite file this failed run created is removed: the target stays as it was.
                new_file.unlink(missing_ok=True)
            raise

    def drift(self, target_url: str) -> DriftReport:
        """How the database at ``target_url`` differs from the model's schema (writes nothing).

        Raises ``SchemaDriftError`` when the differences stop sampling into it.
        """
        # A SQLite file that does not exist yet is an empty database; looking must not create it.
        engine = open_engine("sqlite://" if new_sqlite_file(target_url) else target_url)
        try:
            return check_drift(self._fitted().schema, engine)
        finally:
            engine.dispose()

    def rows_in(self, target_url: str) -> dict[str, int]:
        """Rows each of the model's tables already holds in ``target_url`` (non-empty only)."""
        from .sinks.database import rows_held

        if new_sqlite_file(target_url) is not None:
            return {}  # no file yet: no rows, and asking must not create it
        engine = open_engine(target_url)
        try:
            return rows_held(engine, self.schema)
        finally:
            engine.dispose()

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the trained model to the directory ``path``; returns it.

        The artifact holds no source rows and no pickle: a JSON manifest plus tensor
        weights (see :mod:`synthohive_seed.training.artifact`).
        """
        from .training.artifact import save_model

        return str(save_model(self._fitted(), path))

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, progress: bool = False) -> Synthesizer:
        """A fitted synthesizer read from an artifact written by :meth:`save`.

        It samples exactly as the one that was saved (same seed, same rows) but has no
        source rows (``data`` is empty). Raises ``ArtifactError`` for a missing, damaged or
        foreign artifact; loading never runs code stored in it.
        """
        from .training.artifact import load_model

        model = load_model(path)
        synth = cls(model.schema, progress=progress)
        synth.options = model.options
        synth.model = model
        return synth

    def _fitted(self) -> TrainedModel:
        if self.model is None:
            raise SeedError("call fit() before sample()")
        return self.model





def _train_options(options: Mapping[str, object]) -> TrainOptions:
    try:
        return TrainOptions(**options)  # type: ignore[arg-type]
    except TypeError as exc:
        raise ConfigError(f"unknown option: {exc}", option=str(exc).split("'")[1]
                          if "'" in str(exc) else "options") from None


def append_seed(seed: int, held: Mapping[str, int]) -> int:
    """The model's seed for an empty target, else one derived from what the target holds."""
    if not held:
        return seed
    digest = hashlib.sha256(repr((seed, sorted(held.items()))).encode()).digest()
    return int.from_bytes(digest[:4], "big")
