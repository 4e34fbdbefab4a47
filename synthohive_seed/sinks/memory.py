"""STAGE 4 sink: keep the generated tables in memory.

The in-memory sink hands the frames back as they are (see the contract in
:mod:`..sinks`): for tests, notebooks, and callers who write the rows themselves.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd


def to_frames(frames: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """A plain dict of ``frames``, same keys in the same (parents-first) order.

    The dict is new, so adding or dropping keys does not touch the caller's mapping; the
    DataFrames themselves are shared, not copied, to avoid doubling memory on big seeds.
    """
    return dict(frames)
