"""Train every table model and linkage model of a schema, parents first."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..config import TrainOptions
from ..errors import ConfigError, SchemaError, TrainingError
from ..schema.model import ForeignKeySpec, Schema, TableSpec
from .context import ContextEncoder, default_context_columns
from .linkage import LinkageModel
from .pii import PersonalData, detect_personal
from .secondary import fit_relation
from .table_model import TableModel
from .text import TextShapeGenerator

log = logging.getLogger("synthohive_seed")


@dataclass
class TableRecipe:
    """What sampling needs to know about one table besides its value model."""

    key: str
    source_rows: int
    value_columns: list[str]
    driver: str | None = None
    """Name of the FK whose parents generate this table's rows (None: a root)."""
    secondary: list[str] = field(default_factory=list)
    """Other FKs to earlier tables: they point at rows chosen by popularity."""
    context: ContextEncoder | None = None
    """Encodes the driver parent's rows for this table's model."""
    null_shares: dict[str, float] = field(default_factory=dict)
    """Per FK name: share of source rows whose FK is NULL."""
    key_texts: dict[str, TextShapeGenerator] = field(default_factory=dict)
    """Shapes of non-integer primary-key columns that are not FK columns (codes, natural keys)."""


@dataclass
class TrainedModel:
    """Everything :func:`~synthohive_seed.sampling.cascade.generate` needs; no source rows."""

    schema: Schema
    options: TrainOptions
    recipes: dict[str, TableRecipe]
    models: dict[str, TableModel]
    linkages: dict[tuple[str, str], LinkageModel]
    """(child table key, FK name) -> children-per-parent model."""
    features: dict[str, ContextEncoder]
    """Per parent table: the encoder of its features used by its linkage models."""


def train(
    schema: Schema,
    data: Mapping[str, pd.DataFrame],
    options: TrainOptions,
    *,
    progress: bool = False,
    source_rows: Mapping[str, int] | None = None,
) -> TrainedModel:
    """Fit value models and linkage models for every table of ``schema``.

    ``source_rows``: each table's row count in the source when ``data`` is a sample of it
    (drivers of link tables are chosen by the real sizes, as the sample was drawn).
    """
    _check_options(schema, options)
    frames = {t.key: _training_frame(t, data.get(t.key), options) for t in schema.tables}
    sizes = dict(source_rows) if source_rows else {k: len(f) for k, f in frames.items()}
    personal = _personal_data(schema, frames, options)
    trained = TrainedModel(schema=schema, options=options, recipes={}, models={}, linkages={},
                           features={})
    bar = tqdm(schema.tables, desc="training", unit="table", disable=not progress)
    for index, table in enumerate(bar):
        bar.set_postfix_str(table.key)
        _train_table(trained, table, frames, index, personal, sizes, progress=progress)
    return trained


def _personal_data(schema: Schema, frames: dict[str, pd.DataFrame],
                   options: TrainOptions) -> dict[str, PersonalData]:
    """Find personal-data columns, keep their counts, then blank them in ``frames``.

    Blanking (every value NULL) before any model is fitted means no later step (value
    models, context, linkage or relation features) can store one of their values.
    """
    found: dict[str, PersonalData] = {}
    for table in schema.tables:
        frame = frames[table.key]
        keys = set(table.generated_keys) | table.fk_columns
        columns = [c.name for c in table.columns if c.name not in keys and not c.computed]
        kinds = detect_personal(table, frame, columns, options.personal_data)
        if kinds:
            found[table.key] = PersonalData.fit(table, frame, kinds, options.faker_locale)
            frames[table.key] = frame.assign(**{name: None for name in kinds})
            log.info("%s: personal data made up by Faker, never learned: %s", table.key,
                     ", ".join(f"{name} ({kind})" for name, kind in kinds.items()))
    return found


def driver_fk(schema: Schema, table: TableSpec, options: TrainOptions,
              source_rows: Mapping[str, int] | None = None) -> ForeignKeySpec | None:
    """The FK that drives ``table``: configured, else the first by column names.

    A link table (every column belongs to an FK: ``user_tags(user_id, tag_id)``) has no
    values to condition on; its rows are pairs. It is driven by the FK to the parent with
    the most source rows, the entity side, so that when users are scaled up each user
    keeps its number of tags, while the small side (tags) behaves as a dimension.
    """
    candidates = schema.ordering_fks(table)
    if not candidates:
        return None
    wanted = options.driver_fks.get(table.key)
    if wanted is None:
        first = min(candidates, key=lambda fk: ",".join(fk.columns))
        if source_rows and set(table.column_names) <= table.fk_columns:
            return max(candidates, key=lambda fk: (source_rows.get(fk.referred_table, 0),
                                                   fk is first))
        return first
    for fk in candidates:
        if wanted in (fk.name, ",".join(fk.columns)):
            return fk
    names = ", ".join(fk.name for fk in candidates)
    raise ConfigError(f"driver FK {wanted!r} of table {table.key} is not one of its FKs to "
                      f"earlier tables ({names})", option="driver_fks", table=table.key)


def _train_table(trained: TrainedModel, table: TableSpec, frames: dict[str, pd.DataFrame],
                 index: int, personal: Mapping[str, PersonalData] | None = None,
                 sizes: Mapping[str, int] | None = None, *, progress: bool = False) -> None:
    schema, options = trained.schema, trained.options
    personal = personal or {}
    frame = frames[table.key]
    keys = set(table.generated_keys) | table.fk_columns
    values = [c.name for c in table.columns if c.name not in keys and not c.computed]
    recipe = TableRecipe(key=table.key, source_rows=len(frame), value_columns=values)
    for fk in table.foreign_keys:
        recipe.null_shares[fk.name] = _null_share(frame, fk)
    for name in table.generated_keys:
        column = table.column(name)
        if column.kind == "string":
            recipe.key_texts[name] = TextShapeGenerator.fit(
                name, list(frame[name]), column.length).remember_source(list(frame[name]))
    driver = driver_fk(schema, table, options, sizes or {k: len(f) for k, f in frames.items()})
    context = np.zeros((len(frame), 0))
    for fk in schema.ordering_fks(table):
        parent = schema.table(fk.referred_table)
        counts, orphans, owner = _children_per_parent(frames[parent.key], frame, fk)
        features = _parent_features(trained, parent, frames[parent.key],
                                    _personal_columns(personal, parent.key))
        trained.linkages[(table.key, fk.name)] = LinkageModel.fit(
            child=table.key, parent=parent.key, fk=fk.name, counts=counts,
            features=features.encode(parent, frames[parent.key]), orphans=orphans,
            child_rows=len(frame))
        if fk is driver:
            recipe.driver = fk.name
            # Personal data is blanked and made up by Faker: it says nothing about children.
            visible = frames[parent.key].drop(columns=list(_personal_columns(personal, parent.key)))
            columns = options.context_columns.get(table.key) or default_context_columns(
                parent, visible, options.max_context_columns)
            present = owner >= 0
            siblings = counts[np.where(present, owner, 0)]
            encoder = ContextEncoder.fit(parent, frames[parent.key], columns, child=table.key,
                                         sibling_counts=counts, with_presence=orphans > 0)
            parent_rows = frames[parent.key].iloc[np.where(present, owner, 0)]
            context = encoder.encode(parent, parent_rows.reset_index(drop=True),
                                     sibling_counts=siblings, present=present)
            recipe.context = encoder
        else:
            recipe.secondary.append(fk.name)
            fit_relation(trained.linkages[(table.key, fk.name)], table, frame,
                         features.encode(parent, frames[parent.key]), owner)
    _check_secondary_choices(table, recipe, options)
    trained.recipes[table.key] = recipe
    if not values or frame.empty:
        return
    epochs = tqdm(total=options.epochs, desc=f"  {table.key}", unit="epoch", leave=False,
                  disable=not (progress or log.isEnabledFor(logging.DEBUG)))
    try:
        trained.models[table.key] = TableModel.fit(
            table, frame, values, context, options, seed=options.seed + 7919 * index,
            on_epoch=lambda _: epochs.update(1), personal=personal.get(table.key))
    except (ValueError, RuntimeError) as exc:
        raise TrainingError(f"training table {table.key} failed: {exc}", table=table.key) from exc
    finally:
        epochs.close()
    model = trained.models[table.key]
    if model.high_cardinality:
        log.info("%s: generated by shape (many distinct values): %s", table.key,
                 ", ".join(model.high_cardinality))


def secondary_choice(options: TrainOptions, table: TableSpec, fk: ForeignKeySpec) -> str:
    """How the parent of secondary FK ``fk`` of ``table`` is chosen (see ``TrainOptions``)."""
    choices = options.secondary_parents.get(table.key, {})
    return choices.get(fk.name) or choices.get(",".join(fk.columns)) or "match"


def _check_secondary_choices(table: TableSpec, recipe: TableRecipe, options: TrainOptions) -> None:
    secondary = [fk for fk in table.foreign_keys if fk.name in recipe.secondary]
    for wanted in options.secondary_parents.get(table.key, {}):
        if not any(wanted in (fk.name, ",".join(fk.columns)) for fk in secondary):
            names = ", ".join(fk.name for fk in secondary) or "none"
            raise ConfigError(
                f"secondary_parents names FK {wanted!r} of table {table.key}, which is not one "
                f"of its secondary FKs ({names}; the driver FK is {recipe.driver or 'none'})",
                option="secondary_parents", table=table.key)


def _parent_features(trained: TrainedModel, parent: TableSpec, frame: pd.DataFrame,
                     skip: frozenset[str] = frozenset()) -> ContextEncoder:
    if parent.key not in trained.features:
        columns = default_context_columns(parent, frame.drop(columns=list(skip)),
                                          trained.options.max_context_columns)
        trained.features[parent.key] = ContextEncoder.fit(parent, frame, columns, child=parent.key)
    return trained.features[parent.key]


def _personal_columns(personal: Mapping[str, PersonalData], key: str) -> frozenset[str]:
    found = personal.get(key)
    return frozenset(found.kinds) if found is not None else frozenset()


def _children_per_parent(
    parents: pd.DataFrame, children: pd.DataFrame, fk: ForeignKeySpec
) -> tuple[np.ndarray, int, np.ndarray]:
    """Children count per parent row, NULL-FK child count, and each child's parent row."""
    parent_keys = _key_tuples(parents, fk.referred_columns)
    child_keys = _key_tuples(children, fk.columns)
    position = {k: i for i, k in enumerate(parent_keys)}
    owner = np.array([position.get(k, -1) if None not in k else -1 for k in child_keys],
                     dtype="int64")
    counts = np.bincount(owner[owner >= 0], minlength=len(parents)).astype("int64")
    orphans = int(sum(1 for k in child_keys if None in k))
    return counts, orphans, owner


def _key_tuples(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[tuple[object, ...]]:
    cols = [frame[c].tolist() for c in columns]
    return [tuple(_normal_key(v) for v in row) for row in zip(*cols)] if cols else []


def _normal_key(value: object) -> object:
    """Key values compared across tables: missing -> None, integral floats -> int."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _null_share(frame: pd.DataFrame, fk: ForeignKeySpec) -> float:
    if frame.empty:
        return 0.0
    return float(frame[list(fk.columns)].isna().any(axis=1).mean())


def _training_frame(table: TableSpec, frame: pd.DataFrame | None, options: TrainOptions) -> pd.DataFrame:
    if frame is None:
        return pd.DataFrame({c.name: pd.Series(dtype="object") for c in table.columns})
    missing = [c.name for c in table.columns if c.name not in frame.columns and not c.computed]
    if missing:
        raise SchemaError(f"data for table {table.key} has no column {missing[0]!r}",
                          table=table.key, column=missing[0])
    return frame.reset_index(drop=True)


def _check_options(schema: Schema, options: TrainOptions) -> None:
    for option in ("driver_fks", "context_columns", "secondary_parents"):
        for key in getattr(options, option):
            if key not in schema:
                raise ConfigError(f"{option} names table {key!r}, which is not in the schema",
                                  option=option, table=key)
