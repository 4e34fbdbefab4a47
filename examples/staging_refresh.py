"""Staging refresh: replace a staging database's rows with a fresh synthetic set.

    python examples/staging_refresh.py STAGING_URL --model-dir DIR [--seed N] [--epochs N]

Run it nightly (cron, CI schedule). The model is trained once and saved to ``--model-dir``
(later runs load it); each run empties the seeded tables and fills them again in ONE
transaction (``if_exists="truncate"``), so the application never sees a half-filled
staging database and a failed run leaves yesterday's rows in place. Change ``--seed``
(e.g. the date) for new rows each time; keep it for the same rows.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from synthohive_seed import Synthesizer
from synthohive_seed.cli import sample_database_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("staging_url")
    parser.add_argument("--model-dir", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=50)
    args = parser.parse_args()

    if (args.model_dir / "manifest.json").exists():
        synth = Synthesizer.load(args.model_dir)
    else:  # first run: learn the source (here the bundled Chinook sample) and keep the model
        synth = Synthesizer.from_url(sample_database_url(), epochs=args.epochs).fit()
        synth.save(args.model_dir)
        print(f"trained and saved the model to {args.model_dir}")
    counts = synth.sample({"Artist": 80, "Genre": 12}, target_url=args.staging_url,
                          seed=args.seed, if_exists="truncate")
    print("refreshed: " + ", ".join(f"{t}: {n}" for t, n in counts.items()))  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
