"""Dependency order of tables, with FK cycles returned as data.

SQLAlchemy's :func:`sort_tables_and_constraints` does the topological sort; this module
only decides *where* a cycle is broken: at a nullable FK (written NULL, then UPDATEd
once the referred rows exist) or a DEFERRABLE one (written with its value; the database
checks it at commit). A cycle of NOT NULL, non-deferrable FKs is returned as data: it
can be generated, and written where the database defers FK checks (SQLite) or the user
switches them off for the load; elsewhere the database sink raises
:class:`~synthohive_seed.errors.CycleError` before anything is written.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.schema import ForeignKeyConstraint, sort_tables_and_constraints


def order_tables(
    tables: list[sa.Table],
) -> tuple[list[sa.Table], set[ForeignKeyConstraint], list[list[str]]]:
    """Tables parents-first, the FK constraints to defer so that the order holds, and the
    cycles (table names) that only NOT NULL, non-deferrable FKs close.

    Self-referencing FKs are not edges of the table graph (rows are ordered instead),
    so they never appear among the deferred constraints.
    """
    first = sort_tables_and_constraints(tables)
    cyclic = {fkc for table, fkcs in first if table is None for fkc in fkcs}
    if not cyclic:
        return [t for t, _ in first if t is not None], set(), []

    in_cycle = {fkc.table for fkc in cyclic} | {fkc.referred_table for fkc in cyclic}

    def breakable(fkc: ForeignKeyConstraint) -> bool | None:
        # Break every nullable FK between tables of a cycle; SQLAlchemy then only has
        # to break further edges if a cycle is made of NOT NULL FKs alone.
        if fkc.table in in_cycle and fkc.referred_table in in_cycle:
            if all(col.nullable for col in fkc.columns) or fkc.deferrable:
                return True
        return None

    second = sort_tables_and_constraints(tables, filter_fn=breakable)
    deferred = {fkc for table, fkcs in second if table is None for fkc in fkcs}
    stuck = [fkc for fkc in deferred
             if not all(col.nullable for col in fkc.columns) and not fkc.deferrable]
    cycles = [_cycle_through(fkc, tables) for fkc in sorted(stuck, key=lambda f: f.table.fullname)]
    return [t for t, _ in second if t is not None], deferred, cycles


def _cycle_through(start: ForeignKeyConstraint, tables: list[sa.Table]) -> list[str]:
    """Names of the tables on one FK cycle through ``start`` (for the error message)."""
    graph: dict[sa.Table, set[sa.Table]] = {t: set() for t in tables}
    for t in tables:
        for fkc in t.foreign_key_constraints:
            if fkc.referred_table is not t:
                graph[t].add(fkc.referred_table)
    # Breadth-first from the referred table back to the start table gives the cycle.
    origin, target = start.table, start.referred_table
    paths = {target: [target]}
    queue = [target]
    while queue:
        node = queue.pop(0)
        if node is origin:
            return [t.fullname for t in paths[node]]
        for nxt in sorted(graph.get(node, ()), key=lambda t: t.fullname):
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    return [origin.fullname, target.fullname]
