"""Produce the next items of an iterator in a worker thread while the caller uses the current one.

Loading alternates kinds of work that can overlap: generating a block (torch and numpy,
which release the GIL), encoding it for the driver (numpy), and the database taking it
(another process). :func:`prefetch` runs an iterator in a worker thread with at most
``depth`` items waiting, so the stages overlap while memory stays bounded.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
_POLL_S = 0.1


def prefetch(items: Iterable[T], *, depth: int = 2, name: str = "synthohive-ahead") -> Iterator[T]:
    """``items`` in the same order, produced in a worker thread.

    An exception raised while producing an item is raised in the caller where that item
    would have been. When the caller stops early (an error, or ``close()``), the worker
    is told to stop and is joined before this generator finishes: it ends after the item
    it is producing, and nothing runs behind the caller's back afterwards.
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
            for item in items:
                if not put(("item", item)):
                    return
            put(("done", None))
        except BaseException as exc:  # handed to the caller, raised there
            put(("error", exc))

    worker = threading.Thread(target=work, name=name, daemon=True)
    worker.start()
    try:
        while True:
            kind, item = handoff.get()
            if kind == "done":
                return
            if kind == "error":
                raise item
            yield item
    finally:
        stop.set()
        worker.join()
