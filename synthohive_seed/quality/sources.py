"""Where the report's two sides come from: a database URL or a directory of Delta tables.

The schema (keys, kinds) is read from a database side: the real one usually, else the
synthetic one. A Delta directory holds one table per sub-directory named by table key,
as :func:`synthohive_seed.sinks.delta.write_delta` writes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ..connection import open_engine
from ..errors import ConfigError
from ..schema.introspect import reflect_metadata, schema_from_metadata
from ..schema.model import Schema
from ..schema.rows import read_rows

_INTEGERS = {t: pd.Int64Dtype() for t in (pa.int8(), pa.int16(), pa.int32(), pa.int64())}


def is_url(source: str) -> bool:
    """A SQLAlchemy URL (``dialect[+driver]://...``) rather than a directory path."""
    head, sep, _ = source.partition("://")
    return bool(sep) and head.replace("+", "").isalnum()


def read_database(url: str, schemas: Sequence[str] = ()) -> tuple[Schema, dict[str, pd.DataFrame]]:
    """The schema and every table's rows of a live database."""
    engine = open_engine(url)
    try:
        metadata = reflect_metadata(engine, list(schemas) or [None])
        schema = schema_from_metadata(metadata, dialect=engine.dialect.name)
        return schema, read_rows(engine, schema)
    finally:
        engine.dispose()


def read_delta(path: str | Path, schema: Schema) -> dict[str, pd.DataFrame]:
    """One frame per table of ``schema`` from ``path/<table key>`` Delta tables."""
    from deltalake import DeltaTable

    from ..sinks.delta import read_delta as read_table

    root = Path(path)
    if not root.is_dir():
        raise ConfigError(f"{root} is neither a database URL nor a directory of Delta tables",
                          option="synthetic")
    frames: dict[str, pd.DataFrame] = {}
    for table in schema.tables:
        location = root / table.key
        if not DeltaTable.is_deltatable(str(location)):
            raise ConfigError(f"{location} is not a Delta table; the directory must hold one "
                              f"Delta table per table of the schema", option="synthetic",
                              table=table.key)
        arrow = read_table(location)
        # Integer columns with NULLs stay integers (plain to_pandas would make them float).
        frames[table.key] = arrow.to_pandas(types_mapper=_INTEGERS.get)
    return frames


def read_pair(real: str, synthetic: str, schemas: Sequence[str] = ()) -> tuple[
        Schema, dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Schema, real frames and synthetic frames for two sources (URLs or Delta directories)."""
    if is_url(real):
        schema, real_frames = read_database(real, schemas)
        if is_url(synthetic):
            synthetic_frames = read_database(synthetic, schemas)[1]
        else:
            synthetic_frames = read_delta(synthetic, schema)
        return schema, real_frames, synthetic_frames
    if not is_url(synthetic):
        raise ConfigError("one side must be a database URL: the schema (keys, types) is read "
                          "from it", option="db_url")
    schema, synthetic_frames = read_database(synthetic, schemas)
    return schema, read_delta(real, schema), synthetic_frames
