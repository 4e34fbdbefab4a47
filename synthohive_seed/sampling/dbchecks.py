"""CHECK constraints the parser does not understand, evaluated by the target database.

When rows go to a database, a CHECK such as ``json_valid(doc)`` or
``length(code) = 3 OR code LIKE 'X%'`` is asked of the database itself, on the generated
rows, before anything is written: ``WITH t(...) AS (VALUES ...) SELECT (<check>) FROM t``
in a transaction that is rolled back. PostgreSQL and SQLite are asked; other backends
(and checks the database cannot evaluate this way) are left to the load, where a
violation rolls everything back and names the constraint.
"""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd
import sqlalchemy as sa

from ..schema.model import TableSpec
from ..sinks.values import python_values

log = logging.getLogger("synthohive_seed")
_CHUNK = 500
_WORD = re.compile(r'"((?:[^"]|"")+)"|\[([^\]]+)\]|`([^`]+)`|([A-Za-z_][A-Za-z0-9_$]*)')


class DatabaseChecks:
    """Evaluates CHECK expressions on generated rows with the target's own SQL engine."""

    def __init__(self, engine: sa.Engine) -> None:
        # SQLite evaluates CHECKs the same in a private in-memory database; asking the
        # target file itself would wait on the load's write lock while rows stream in.
        self.engine = sa.create_engine("sqlite://") if engine.dialect.name == "sqlite" else engine
        self.supported = engine.dialect.name in ("postgresql", "sqlite")

    def failing(self, table: TableSpec, sql: str, frame: pd.DataFrame) -> np.ndarray | None:
        """True for rows the CHECK rejects; None when the database cannot say."""
        columns = [c for c in columns_named(sql, table) if c in frame.columns]
        if not self.supported or not columns or frame.empty:
            return None
        specs = [table.column(c) for c in columns]
        values = [python_values(frame[c], spec, table.key) for c, spec in zip(columns, specs)]
        out = np.zeros(len(frame), dtype=bool)
        preparer = self.engine.dialect.identifier_preparer
        names = ", ".join(preparer.quote(c) for c in ["seed_row", *columns])
        casts = [_cast(spec.sa_type, self.engine) for spec in specs]
        try:
            with self.engine.connect() as conn:
                for start in range(0, len(frame), _CHUNK):
                    stop = min(start + _CHUNK, len(frame))
                    rows, params = [], {}
                    for i in range(start, stop):
                        cells = [f":r{i}"]
                        params[f"r{i}"] = i
                        for j, column_values in enumerate(values):
                            name = f"v{i}_{j}"
                            params[name] = column_values[i]
                            # The first row's casts type the columns for PostgreSQL.
                            cells.append(f"CAST(:{name} AS {casts[j]})" if i == start and casts[j]
                                         else f":{name}")
                        rows.append(f"({', '.join(cells)})")
                    query = (f"WITH seed_rows({names}) AS (VALUES {', '.join(rows)}) "
                             f"SELECT seed_row, ({sql}) FROM seed_rows")
                    for row, verdict in conn.execute(sa.text(query), params):
                        out[int(row)] = verdict is not None and not bool(verdict)
                conn.rollback()
        except sa.exc.SQLAlchemyError as exc:
            log.warning("%s: the database could not evaluate CHECK (%s) on generated rows "
                        "(%s); it is left to the load", table.key, sql,
                        str(getattr(exc, "orig", exc)).splitlines()[0])
            return None
        return out


def columns_named(sql: str, table: TableSpec) -> list[str]:
    """Columns of ``table`` that ``sql`` mentions, in table order."""
    words = set()
    for match in _WORD.finditer(re.sub(r"'(?:[^']|'')*'", "''", sql)):
        words.add(next(g for g in match.groups() if g is not None).replace('""', '"'))
    return [c for c in table.column_names if c in words]


def _cast(sa_type: sa.types.TypeEngine, engine: sa.Engine) -> str | None:
    if engine.dialect.name != "postgresql":
        return None
    try:
        return str(sa_type.compile(dialect=engine.dialect))
    except Exception:  # a type from another dialect: let the database infer it
        return None
