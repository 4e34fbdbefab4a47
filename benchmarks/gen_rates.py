"""Rows/s of generation per table kind (issue 6), on Chinook scaled up.

Usage (from the repository root)::

    python benchmarks/gen_rates.py [--scale 100] [--repeat 3]

Trains on the bundled Chinook database (epochs=1: generation speed does not depend on
the epochs) and generates ``--scale`` times its root tables' rows (children follow their
linkage models) to DataFrames, block by block through ``sampling.cascade.stream``,
timing each table. Each table is labelled with its kind:

* ``gan root`` / ``gan child``: value columns from the conditional GAN;
* ``small``: fewer source rows than ``min_gan_rows``: each column drawn from its own
  distribution, no GAN;
* ``link``: every column is an FK column (rows are key pairs only);
* ``+ personal``: some columns are made up by Faker (names, e-mails, addresses...).

Prints rows/s per table and per kind (median of ``--repeat`` runs). Nothing is written
to disk.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict

import _issue6 as common
import pandas as pd

from synthohive_seed import Synthesizer
from synthohive_seed.cli import sample_database_url
from synthohive_seed.sampling import cascade
from synthohive_seed.training.fit import TrainedModel


def kind(model: TrainedModel, key: str) -> str:
    spec = model.schema.table(key)
    recipe = model.recipes[key]
    table_model = model.models.get(key)
    if spec.column_names and set(spec.column_names) <= spec.fk_columns:
        label = "link"
    elif table_model is not None and table_model.gan is not None:
        label = "gan child" if recipe.driver else "gan root"
    else:
        label = "small"
    if table_model is not None and table_model.personal is not None:
        label += " + personal"
    return label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100, help="root rows x this")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    synth = Synthesizer.from_url(sample_database_url(), epochs=1, seed=0).fit()
    model = synth.model
    assert model is not None
    num_rows = {key: recipe.source_rows * args.scale for key, recipe in model.recipes.items()
                if recipe.driver is None}
    seconds: dict[str, list[float]] = defaultdict(list)
    rows: dict[str, int] = {}
    for run in range(args.repeat):
        plan = synth.plan(num_rows, seed=run)
        for spec, blocks in cascade.stream(model, plan):
            start = time.perf_counter()
            frame = pd.concat(list(blocks), ignore_index=True)
            seconds[spec.key].append(time.perf_counter() - start)
            rows[spec.key] = len(frame)
    print(f"machine: {common.machine()}")
    print(f"Chinook x{args.scale} (epochs=1), median of {args.repeat} runs")
    print("| table | kind | rows | s | rows/s |")
    print("|---|---|---|---|---|")
    by_kind: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for key in rows:
        secs = statistics.median(seconds[key])
        label = kind(model, key)
        by_kind[label][0] += rows[key]
        by_kind[label][1] += secs
        print(f"| {key} | {label} | {rows[key]:,} | {secs:.2f} | {rows[key] / max(secs, 1e-9):,.0f} |")
    print()
    print("| kind | rows | s | rows/s |")
    print("|---|---|---|---|")
    for label, (n, secs) in sorted(by_kind.items()):
        print(f"| {label} | {int(n):,} | {secs:.2f} | {n / max(secs, 1e-9):,.0f} |")
    total_rows, total_s = sum(rows.values()), sum(statistics.median(v) for v in seconds.values())
    print(f"SUMMARY gen_rates: {total_rows:,} rows in {total_s:.1f} s = "
          f"{total_rows / total_s:,.0f} rows/s over {len(rows)} tables")


if __name__ == "__main__":
    main()
