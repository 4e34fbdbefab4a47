"""End-to-end rows/s into PostgreSQL against a raw psycopg 3 COPY of the same rows (issue 6).

Usage (from the repository root; PostgreSQL on 127.0.0.1:5432, user postgres)::

    python benchmarks/load_rate.py [--customers 50000] [--train-customers 3000] [--epochs 1]

Trains on a generated ``customers`` (root, 6 mixed columns) -> ``orders`` (child, 6 mixed
columns, ~3 per customer) schema, then in one run:

1. ours: ``Synthesizer.sample(num_rows, target_url=...)`` into a fresh database (timed:
   generation + conversion + COPY + commit, the whole call);
2. generation only: every table's blocks from ``sampling.cascade.stream``, collected into
   DataFrames, with the time per table (root vs child);
3. raw COPY: the frames of step 2 converted to Python tuples (untimed, reported apart),
   then one ``cursor.copy(...)`` + ``write_row`` per table into another fresh database
   whose tables were created beforehand (timed: the COPYs and the commit), three ways:
   text COPY, binary COPY, and binary COPY data prebuilt by psycopg before the clock
   starts (only sending and the server's work timed: the physical limit). The fastest
   of the three is the baseline.

Issue 6's target: ours >= 60% of the raw COPY rate. Runs alternate ours/raw; the median
run by ratio is reported (the lower middle one of an even number), with every run's ratio. Databases are dropped afterwards.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import time
import warnings
from decimal import Decimal
from pathlib import Path

import _issue6 as common
import numpy as np
import pandas as pd
import psycopg
import sqlalchemy as sa

from synthohive_seed import Synthesizer
from synthohive_seed.sampling import cascade


def timed_generation(synth: Synthesizer, num_rows: dict[str, int], seed: int):
    """(frames, seconds total, seconds per table) of generating every table's blocks."""
    per_table: dict[str, float] = {}
    frames = {}
    plan = synth.plan(num_rows, seed=seed)
    start = time.perf_counter()
    for spec, blocks in cascade.stream(synth.model, plan):
        table_start = time.perf_counter()
        frames[spec.key] = pd.concat(list(blocks), ignore_index=True)
        per_table[spec.key] = time.perf_counter() - table_start
    return frames, time.perf_counter() - start, per_table


def server_binary(md: sa.MetaData, url: str) -> dict[str, bytes]:
    """Each table's rows in the server's own binary COPY form (``COPY ... TO STDOUT``)."""
    out = {}
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for table in md.sorted_tables:
            sink = io.BytesIO()
            with cur.copy(f'COPY "{table.name}" TO STDOUT (FORMAT BINARY)') as copy:
                for block in copy:
                    sink.write(block)
            out[table.name] = sink.getvalue()
    return out


def raw_copy(md: sa.MetaData, frames, url: str, mode: str,
             prebuilt: dict[str, bytes] | None = None) -> tuple[float, float, int]:
    """(seconds converting frames to tuples, seconds of COPY + commit, rows).

    One COPY per table: ``text``, ``binary`` (``FORMAT BINARY`` with the columns' type
    OIDs, numerics as Decimal, as psycopg's binary dumpers want) or ``prebuilt``: the
    binary COPY data read beforehand from a database holding the rows
    (``prebuilt``, see :func:`server_binary`), so the timed part is sending bytes and the
    server's work alone.
    """
    binary = mode != "text"
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    md.create_all(engine)
    engine.dispose()
    start = time.perf_counter()
    rows_by_table = {}
    for table in md.sorted_tables:
        frame = frames[table.name][[c.name for c in table.columns]]
        # Plain Python values, as a user holding the same rows would hand them to COPY.
        columns = []
        for c in table.columns:
            s = frame[c.name]
            if s.dtype.kind == "M":
                with warnings.catch_warnings():  # pandas 2.x: ndarray now, Series later
                    warnings.simplefilter("ignore", FutureWarning)
                    values = list(np.asarray(s.dt.to_pydatetime()))
                if isinstance(c.type, sa.Date) and not isinstance(c.type, sa.DateTime):
                    values = [v.date() for v in values]
            elif binary and isinstance(c.type, sa.Numeric) and not isinstance(c.type, sa.Float):
                values = [Decimal(repr(v)) for v in s.astype("float64").tolist()]
            else:
                values = s.tolist()
            columns.append(values)
        rows_by_table[table.name] = list(zip(*columns))
    converted = time.perf_counter() - start
    n = 0
    with psycopg.connect(url) as conn:
        oids = {t.name: [oid for _, oid in conn.execute(
            "SELECT attnum, CAST(atttypid AS integer) FROM pg_attribute WHERE attrelid = "
            "CAST(%s AS regclass) AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            (f'"{t.name}"',)).fetchall()] for t in md.sorted_tables}
        sql = {}
        for table in md.sorted_tables:
            cols = ", ".join(f'"{c.name}"' for c in table.columns)
            options = " (FORMAT BINARY)" if binary else ""
            sql[table.name] = f'COPY "{table.name}" ({cols}) FROM STDIN{options}'
        start = time.perf_counter()
        with conn.cursor() as cur:
            for table in md.sorted_tables:
                with cur.copy(sql[table.name]) as copy:
                    if prebuilt is not None:
                        copy.write(prebuilt[table.name])
                        continue
                    if binary:
                        copy.set_types(oids[table.name])
                    for row in rows_by_table[table.name]:
                        copy.write_row(row)
        conn.commit()
        copied = time.perf_counter() - start
        n = sum(len(rows) for rows in rows_by_table.values())
    return converted, copied, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=50_000, help="root rows to sample (children follow)")
    parser.add_argument("--train-customers", type=int, default=3000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", type=Path, default=None,
                        help="also cProfile one extra end-to-end call, stats saved here, top 15 printed")
    parser.add_argument("--repeat", type=int, default=1, help="alternating ours/raw runs; medians reported")
    args = parser.parse_args()

    md = common.metadata()
    t0 = time.perf_counter()
    synth = Synthesizer(md, common.frames(args.train_customers, seed=0), epochs=args.epochs, seed=0).fit()
    fit_s = time.perf_counter() - t0
    num_rows = {"customers": args.customers}

    results = []
    for i in range(args.repeat):
        tag = f"{os.getpid()}_{i}"
        with common.scratch_db(f"lr_ours_{tag}") as url:
            start = time.perf_counter()
            counts = synth.sample(num_rows, seed=args.seed, target_url=url)
            ours_s = time.perf_counter() - start
        ours_rows = sum(int(v) for v in counts.values())
        frames, gen_s, per_table = timed_generation(synth, num_rows, args.seed)
        raw = {}
        for mode in ("text", "binary"):
            with common.scratch_db(f"lr_raw_{tag}") as url:
                raw[mode] = raw_copy(md, frames, url, mode)
                if mode == "binary":
                    dumped = server_binary(md, url)
            assert raw[mode][2] == ours_rows, (raw[mode][2], ours_rows)
        with common.scratch_db(f"lr_raw_{tag}") as url:
            raw["prebuilt"] = raw_copy(md, frames, url, "prebuilt", dumped)
        # The fastest raw COPY is the limit ours is measured against.
        conv_s, copy_s, _ = min(raw.values(), key=lambda r: r[1])
        results.append((ours_rows, ours_s, gen_s, per_table, conv_s, copy_s,
                        {k: len(v) for k, v in frames.items()},
                        {mode: r[1] for mode, r in raw.items()}))

    if args.profile:
        with common.scratch_db(f"lr_prof_{os.getpid()}") as url:
            prof = cProfile.Profile()
            prof.runcall(synth.sample, num_rows, seed=args.seed, target_url=url)
        prof.dump_stats(args.profile)
        pstats.Stats(prof).sort_stats("tottime").print_stats(15)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(25)

    ratios = [r[5] / r[1] for r in results]  # in run order
    results.sort(key=lambda r: r[5] / r[1])
    # The median run by ratio; of an even number, the lower middle one (the stricter).
    rows, ours_s, gen_s, per_table, conv_s, copy_s, sizes, raw_s = results[(len(results) - 1) // 2]
    print(f"machine: {common.machine()}")
    print(f"fit (epochs={args.epochs}, {args.train_customers} training customers): {fit_s:.1f} s")
    print(f"rows per run: {rows:,} ({', '.join(f'{k} {v:,}' for k, v in sizes.items())})")
    print(f"ours end-to-end (sample -> PostgreSQL): {ours_s:.2f} s = {rows / ours_s:,.0f} rows/s")
    print(f"generation only (to DataFrames): {gen_s:.2f} s = {rows / gen_s:,.0f} rows/s")
    for key, secs in per_table.items():
        print(f"  {key}: {secs:.2f} s = {sizes[key] / secs:,.0f} rows/s")
    print("raw COPY: " + "; ".join(f"{mode}: {secs:.2f} s = {rows / secs:,.0f} rows/s"
                                   for mode, secs in raw_s.items()))
    print(f"raw COPY of the same rows (the fastest): {copy_s:.2f} s = {rows / copy_s:,.0f} rows/s "
          f"(+ {conv_s:.2f} s converting frames to tuples, untimed; "
          f"{rows / (copy_s + conv_s):,.0f} rows/s with it)")
    ratio = copy_s / ours_s
    print("ratio per run, in run order: " + ", ".join(f"{r:.0%}" for r in ratios))
    print(f"SUMMARY load_rate: ours {rows / ours_s:,.0f} rows/s vs raw COPY {rows / copy_s:,.0f} "
          f"rows/s = {ratio:.0%} (target >= 60%: {'met' if ratio >= 0.6 else 'missed'}); "
          f"{rows:,} rows, {args.repeat} run(s)")


if __name__ == "__main__":
    main()
