"""Time seeding 10,000 rows from a cached (saved) model into a fresh PostgreSQL database.

Usage (from the repository root; PostgreSQL on 127.0.0.1:5432, user postgres)::

    python benchmarks/seed_10k.py [--model-dir .bench_model] [--repeat 3] [--out benchmarks/RESULTS.md]

The model (the Chinook sample, a few epochs) is trained and saved once; later runs load
it. Timed per run: loading the artifact, generating the rows and writing them into a new
database (one transaction, COPY), i.e. what a test session pays per seeded template.
Creating the empty database is not timed. Issue 7's target: under 3 seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import time
from pathlib import Path

import psycopg

from synthohive_seed import Synthesizer
from synthohive_seed.cli import sample_database_url

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
TARGET_ROWS = 10_000
# Artist count that makes the Chinook cascade about 10,000 rows (measured: ~56 rows per artist;
# the source's 275 artists come with 15,600 rows).
ARTISTS = 178


def cached_model(model_dir: Path, epochs: int) -> None:
    if not (model_dir / "manifest.json").exists():
        Synthesizer.from_url(sample_database_url(), epochs=epochs, seed=1).fit().save(model_dir)


def generate_only(model_dir: Path, seed: int) -> float:
    """Seconds to generate the same rows in memory (the write share is the difference)."""
    synth = Synthesizer.load(model_dir)
    start = time.perf_counter()
    synth.sample({"Artist": ARTISTS}, seed=seed)
    return time.perf_counter() - start


def one_run(model_dir: Path, dbname: str, seed: int) -> tuple[float, float, int]:
    """(seconds to load the model, seconds to generate and write, rows written)."""
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as admin:  # type: ignore[arg-type]
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        admin.execute(f'CREATE DATABASE "{dbname}"')
    try:
        start = time.perf_counter()
        synth = Synthesizer.load(model_dir)
        loaded = time.perf_counter()
        counts = synth.sample({"Artist": ARTISTS}, seed=seed,
                              target_url=f"postgresql://postgres@127.0.0.1:5432/{dbname}")
        done = time.perf_counter()
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **PG) as admin:  # type: ignore[arg-type]
            admin.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
    return loaded - start, done - loaded, sum(int(n) for n in counts.values())  # type: ignore[call-overload]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model-dir", type=Path, default=Path(".bench_model"))
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="append the result here")
    args = parser.parse_args()

    cached_model(args.model_dir, args.epochs)
    runs = [one_run(args.model_dir, f"seed10k_{os.getpid()}_{i}", seed=i)
            for i in range(args.repeat)]
    totals = [load + write for load, write, _ in runs]
    generate = statistics.median(generate_only(args.model_dir, seed=i) for i in range(args.repeat))
    rows = runs[0][2]
    lines = [
        "",
        f"## Seeding {rows:,} rows from a saved model into a fresh PostgreSQL database",
        "",
        f"{dt.date.today().isoformat()}, {platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, `python benchmarks/seed_10k.py --repeat "
        f"{args.repeat}` (Chinook model, {args.epochs} epochs; {ARTISTS} artists).",
        "",
        "| run | load model s | generate + write s | total s | rows |",
        "|---|---|---|---|---|",
        *(f"| {i + 1} | {load:.2f} | {write:.2f} | {load + write:.2f} | {n:,} |"
          for i, (load, write, n) in enumerate(runs)),
        "",
        f"Median total {statistics.median(totals):.2f} s (target: under 3 s for "
        f"{TARGET_ROWS:,} rows); of it, generating the rows in memory alone takes "
        f"{generate:.2f} s (median), the rest is writing. The machine is shared: load "
        f"average {os.getloadavg()[0]:.1f} at the end of the run.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        with args.out.open("a") as out:
            out.write(text)


if __name__ == "__main__":
    main()
