"""The one error tree of synthohive_seed.

Every error the package raises on purpose derives from :class:`SeedError`, so callers
(and the CLI) can catch one type. Errors carry their facts as attributes (``table``,
``column``, ``option``, ``cycle``) so code never has to parse messages::

    SeedError
    ├── ConfigError          an option has a bad value        (.option, .table)
    ├── SchemaError          the schema cannot be seeded      (.table, .column)
    │   ├── CycleError       FK cycle the target cannot load  (.cycle)
    │   └── SchemaDriftError the target's schema moved away from the model (.differences)
    ├── ConnectionFailed     a database URL cannot be reached (.url, password hidden)
    ├── TrainingError        a table model could not be fit   (.table, .column)
    ├── ArtifactError        a saved model cannot be written or read (.path)
    └── WriteError           the target refused the rows      (.table, .constraint)

Messages say what happened and what to do about it.
"""

from __future__ import annotations

from collections.abc import Sequence


class SeedError(Exception):
    """Root of every error raised by synthohive_seed."""


class ConfigError(SeedError):
    """An option has a value that cannot be used."""

    def __init__(self, message: str, *, option: str, table: str | None = None) -> None:
        super().__init__(message)
        self.option = option
        """The option at fault, spelled as in the API (``num_rows``, ``epochs``...)."""
        self.table = table
        """The table the bad value was given for, if any."""


class SchemaError(SeedError):
    """The schema has something the seeder cannot handle."""

    def __init__(self, message: str, *, table: str | None = None, column: str | None = None) -> None:
        super().__init__(message)
        self.table = table
        self.column = column


class CycleError(SchemaError):
    """A foreign-key cycle in which every FK is NOT NULL, so no insert order exists."""

    def __init__(self, cycle: Sequence[str]) -> None:
        names = " -> ".join([*cycle, cycle[0]]) if cycle else "?"
        super().__init__(
            f"foreign-key cycle {names} has no nullable or DEFERRABLE foreign key to break "
            "it, so no insert order exists; nothing was written. Make one of its FK columns "
            "nullable or its constraint DEFERRABLE, or load with fk_checks='off' "
            "(--fk-checks off; needs the right to switch FK checks off)",
            table=cycle[0] if cycle else None,
        )
        self.cycle = tuple(cycle)
        """The tables of the cycle, in FK order."""


class SchemaDriftError(SchemaError):
    """The target's schema changed in ways the model cannot write into; nothing was written."""

    def __init__(self, differences: Sequence[object]) -> None:
        first = differences[0] if differences else None
        lines = "; ".join(getattr(d, "describe", lambda d=d: str(d))() for d in differences)
        super().__init__(
            f"the target's schema differs from the model's in {len(differences)} incompatible "
            f"way(s): {lines}. Migrate the target to match or retrain the model on it",
            table=getattr(first, "table", None), column=getattr(first, "column", None))
        self.differences = tuple(differences)
        """The incompatible :class:`~synthohive_seed.drift.Difference` records."""


class ConnectionFailed(SeedError):
    """A database URL could not be opened. ``url`` never shows the password."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"cannot connect to {url}: {reason}")
        self.url = url


class TrainingError(SeedError):
    """A table model could not be trained."""

    def __init__(self, message: str, *, table: str, column: str | None = None) -> None:
        super().__init__(message)
        self.table = table
        self.column = column


class ArtifactError(SeedError):
    """A saved model cannot be written or read: missing, damaged, or another format version."""

    def __init__(self, message: str, *, path: str) -> None:
        super().__init__(message)
        self.path = path
        """The artifact directory (or the file in it) at fault."""


class WriteError(SeedError):
    """The target refused the generated rows; nothing was kept."""

    def __init__(self, message: str, *, table: str, constraint: str | None = None) -> None:
        super().__init__(message)
        self.table = table
        self.constraint = constraint
