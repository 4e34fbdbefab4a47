"""Generate the next blocks in a worker thread while the caller writes the current one.

A database load alternates two kinds of work: generating a block (mostly torch and
numpy, which release the GIL) and sending it (converting it for the driver, then the
server inserts it). Done one after the other, the load runs at the sum of both speeds;
:func:`run_ahead` lets generation of block k+1 overlap the write of block k, with at most
``depth`` blocks waiting, so memory stays bounded by the block size (see
:mod:`synthohive_seed.prefetch`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd

from ..prefetch import prefetch
from .cascade import TableStream


def run_ahead(tables: Iterator[TableStream], *, depth: int = 2) -> Iterator[TableStream]:
    """``tables`` (as :func:`~.cascade.stream` yields them) generated in a worker thread.

    Yields the same tables and blocks in the same order. An exception in generation is
    raised in the caller at the block where it happened. If the caller stops early (an
    error while writing, or it simply stops iterating) the worker is told to stop and is
    joined before this generator finishes.
    """

    def flat() -> Iterator[tuple[str, Any]]:
        for spec, blocks in tables:
            yield "table", spec
            for frame in blocks:
                yield "block", frame
            yield "end", None

    items = prefetch(flat(), depth=depth, name="synthohive-generate")

    def blocks() -> Iterator[pd.DataFrame]:
        for kind, item in items:
            if kind == "end":
                return
            if kind != "block":
                raise RuntimeError(f"generation worker sent {kind!r} inside a table")
            yield item

    try:
        for kind, spec in items:
            if kind != "table":
                raise RuntimeError(f"generation worker sent {kind!r} between tables")
            table_blocks = blocks()
            yield spec, table_blocks
            # The caller must take every block before the next table; drain what it left.
            for _ in table_blocks:
                pass
    finally:
        items.close()
