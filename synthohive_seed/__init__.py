"""synthohive_seed: seed databases with realistic synthetic rows learned from real ones.

The public API is what ``__all__`` lists; everything else may change.
"""

from typing import TYPE_CHECKING

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

if TYPE_CHECKING:
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


def __getattr__(name: str) -> object:
    # The Synthesizer brings torch (over a second to import). Loaded when first asked for,
    # so the pytest plugin, which every pytest run of an installing project imports,
    # costs no torch import in runs that never seed.
    if name == "Synthesizer":
        from .synthesizer import Synthesizer

        return Synthesizer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"Synthesizer"})
