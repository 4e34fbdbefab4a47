"""Delta export: learn the bundled Chinook sample and write one Delta table per table.

    python examples/delta_export.py OUTPUT_DIR [--epochs N]

Read the result with any Delta reader (deltalake, Spark, DuckDB, Polars).
"""

from __future__ import annotations

import argparse

from synthohive_seed import Synthesizer
from synthohive_seed.cli import sample_database_url
from synthohive_seed.sinks.delta import read_delta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output_dir")
    parser.add_argument("--epochs", type=int, default=50)
    args = parser.parse_args()

    synth = Synthesizer.from_url(sample_database_url(), epochs=args.epochs, seed=1).fit()
    paths = synth.sample({"Artist": 60}, args.output_dir, output_format="delta", overwrite=True)
    for table, path in sorted(paths.items()):  # type: ignore[union-attr]
        rows = read_delta(path).num_rows
        print(f"{table}: {rows} rows -> {path}")


if __name__ == "__main__":
    main()
