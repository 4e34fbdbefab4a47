"""Read the source rows of every table for training."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from ..errors import SchemaError
from .model import Schema
from .tables import to_metadata


def read_rows(engine: sa.Engine, schema: Schema) -> dict[str, pd.DataFrame]:
    """One DataFrame per table, columns in declared order, values as the driver gives them."""
    metadata = to_metadata(schema)
    frames: dict[str, pd.DataFrame] = {}
    with engine.connect() as conn:
        for spec in schema.tables:
            table = metadata.tables[spec.key]
            try:
                result = conn.execute(sa.select(table))
                frames[spec.key] = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
            except sa.exc.SQLAlchemyError as exc:
                raise SchemaError(f"cannot read rows of {spec.key}: "
                                  f"{str(exc.orig if hasattr(exc, 'orig') else exc).splitlines()[0]}",
                                  table=spec.key) from None
    return frames
