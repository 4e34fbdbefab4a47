"""Fit (+ sample) time with default options: Chinook and a generated 30-table schema (issue 6).

Usage (from the repository root)::

    python benchmarks/fit_time.py [--only chinook|generated] [--tables 30] [--root-rows 200]

* ``chinook``: ``Synthesizer.from_url(sample_database_url()).fit()`` with default options
  (epochs=100), then ``sample()`` of the source's counts to DataFrames.
* ``generated``: ``--tables`` tables in three FK levels (about a quarter roots of
  ``--root-rows`` rows, then children of roots, then grandchildren, one in three
  grandchildren with a second FK to a root), each with 5 mixed columns (integer, float,
  category, date, boolean) besides its keys; about 2 children per parent. Default
  options, fit then sample to DataFrames.

Issue 6's target: a 30-table generated schema fits and samples in under 10 minutes on 2
cores. Nothing is written to disk; no databases are created.
"""

from __future__ import annotations

import argparse
import time

import _issue6 as common
import numpy as np
import pandas as pd
import sqlalchemy as sa

from synthohive_seed import Synthesizer
from synthohive_seed.cli import sample_database_url


def generated_schema(tables: int, root_rows: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    md = sa.MetaData()
    frames: dict[str, pd.DataFrame] = {}
    n_roots = max(1, tables // 4)
    n_mid = max(0, (tables - n_roots) // 2)
    levels = [0] * n_roots + [1] * n_mid + [2] * (tables - n_roots - n_mid)
    by_level: dict[int, list[str]] = {0: [], 1: [], 2: []}
    cats = ["a", "b", "c", "d", "e"]
    for i, level in enumerate(levels):
        name = f"t{i:02d}"
        cols = [sa.Column("id", sa.Integer, primary_key=True)]
        fks: list[str] = []
        if level > 0:
            fks.append(by_level[level - 1][int(rng.integers(len(by_level[level - 1])))])
        if level == 2 and i % 3 == 0:
            fks.append(by_level[0][int(rng.integers(len(by_level[0])))])
        for j, parent in enumerate(fks):
            cols.append(sa.Column(f"{parent}_id", sa.Integer, sa.ForeignKey(f"{parent}.id"), nullable=False))
        cols += [sa.Column("n", sa.Integer, nullable=False), sa.Column("x", sa.Float, nullable=False),
                 sa.Column("kind", sa.String(8), nullable=False), sa.Column("day", sa.Date, nullable=False),
                 sa.Column("flag", sa.Boolean, nullable=False)]
        sa.Table(name, md, *cols)
        if level == 0:
            owner = None
            n = root_rows
        else:
            parent_rows = len(frames[fks[0]])
            per = rng.poisson(2.0, parent_rows)
            owner = np.repeat(np.arange(parent_rows), per)
            n = owner.size
        kind = rng.choice(cats, n, p=[0.4, 0.25, 0.15, 0.15, 0.05])
        data = {"id": np.arange(1, n + 1)}
        if owner is not None:
            data[f"{fks[0]}_id"] = owner + 1
        for parent in fks[1:]:
            data[f"{parent}_id"] = rng.integers(1, len(frames[parent]) + 1, n)
        data |= {
            "n": rng.poisson(5 + 3 * (kind == "a"), n),
            "x": np.round(rng.normal(100, 20, n) + 30 * (kind == "b"), 3),
            "kind": kind,
            "day": [d.date() for d in pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), "D")],
            "flag": rng.random(n) < 0.3,
        }
        frames[name] = pd.DataFrame(data)
        by_level[level].append(name)
    return md, frames


def timed(synth: Synthesizer) -> tuple[float, float, int]:
    start = time.perf_counter()
    synth.fit()
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    out = synth.sample(seed=1)
    sample_s = time.perf_counter() - start
    return fit_s, sample_s, sum(len(f) for f in out.values())  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=["chinook", "generated"])
    parser.add_argument("--tables", type=int, default=30)
    parser.add_argument("--root-rows", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(f"machine: {common.machine()}")
    summary = []
    if args.only in (None, "chinook"):
        synth = Synthesizer.from_url(sample_database_url(), seed=args.seed)
        rows_in = sum(len(f) for f in synth.data.values())
        fit_s, sample_s, rows = timed(synth)
        print(f"chinook ({len(synth.schema.tables)} tables, {rows_in:,} rows, default options): "
              f"fit {fit_s:.1f} s, sample {sample_s:.1f} s ({rows:,} rows), total {fit_s + sample_s:.1f} s")
        summary.append(f"chinook fit+sample {fit_s + sample_s:.0f} s")
    if args.only in (None, "generated"):
        md, frames = generated_schema(args.tables, args.root_rows, seed=args.seed)
        synth = Synthesizer(md, frames, seed=args.seed)
        rows_in = sum(len(f) for f in frames.values())
        fit_s, sample_s, rows = timed(synth)
        total = fit_s + sample_s
        print(f"generated ({args.tables} tables, {rows_in:,} rows, default options): fit {fit_s:.1f} s, "
              f"sample {sample_s:.1f} s ({rows:,} rows), total {total:.1f} s")
        summary.append(f"{args.tables}-table generated fit+sample {total:.0f} s "
                       f"(target < 600 s: {'met' if total < 600 else 'missed'})")
    print(f"SUMMARY fit_time: {'; '.join(summary)}")


if __name__ == "__main__":
    main()
