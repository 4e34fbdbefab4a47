"""synthohive_seed: seed databases with realistic synthetic rows learned from real ones.

The public API is what ``__all__`` lists; everything else may change.
"""

from .config import TrainOptions
from .errors import (
    ArtifactError,
    ConfigError,
    ConnectionFailed,
    CycleError,
    SchemaDriftError,
    SchemaError,
    SeedError,
    TrainingError,
    WriteError,
)
from .schema.introspect import reflect_metadata, schema_from_metadata
from .schema.model import ColumnSpec, ForeignKeySpec, Schema, TableSpec
from .synthesizer import Synthesizer

__version__ = "0.1.0"

__all__ = [
    "ArtifactError",
    "ColumnSpec",
    "ConfigError",
    "ConnectionFailed",
    "CycleError",
    "ForeignKeySpec",
    "Schema",
    "SchemaDriftError",
    "SchemaError",
    "SeedError",
    "Synthesizer",
    "TableSpec",
    "TrainOptions",
    "TrainingError",
    "WriteError",
    "__version__",
    "reflect_metadata",
    "schema_from_metadata",
]
