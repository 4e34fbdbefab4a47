"""Generate the next blocks in a worker thread while the caller writes the current one.

A database load alternates two kinds of work: generating a block (mostly torch and
numpy, which release the GIL) and sending it (Python tuples into COPY, then the server
parses and inserts). Done one after the other, the load runs at the sum of both speeds;
:func:`run_ahead` lets generation of block k+1 overlap the write of block k, with at most
``depth`` blocks waiting, so memory stays bounded by the block size.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

import pandas as pd

from .cascade import TableStream

_END = object()
"""Marks the end of one table's blocks in the queue."""
_POLL_S = 0.1


def run_ahead(tables: Iterator[TableStream], *, depth: int = 2) -> Iterator[TableStream]:
    """``tables`` (as :func:`~.cascade.stream` yields them) generated in a worker thread.

    Yields the same tables and blocks in the same order. An exception in generation is
    raised in the caller at the block where it happened. If the caller stops early (an
    error while writing, or it simply stops iterating) the worker is told to stop and is
    joined before this generator finishes.
    """
    handoff: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=_POLL_S)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for spec, blocks in tables:
                if not put(("table", spec)):
                    return
                for frame in blocks:
                    if not put(("block", frame)):
                        return
                if not put(("end", _END)):
                    return
            put(("done", None))
        except BaseException as exc:  # handed to the caller, raised there
            put(("error", exc))

    worker = threading.Thread(target=work, name="synthohive-generate", daemon=True)
    worker.start()

    def blocks() -> Iterator[pd.DataFrame]:
        while True:
            kind, item = handoff.get()
            if kind == "block":
                yield item
            elif kind == "end":
                return
            elif kind == "error":
                raise item
            else:
                raise RuntimeError(f"generation worker sent {kind!r} inside a table")

    try:
        while True:
            kind, item = handoff.get()
            if kind == "done":
                return
            if kind == "error":
                raise item
            table_blocks = blocks()
            yield item, table_blocks
            # The caller must take every block before the next table; drain what it left.
            for _ in table_blocks:
                pass
    finally:
        stop.set()
        worker.join()
