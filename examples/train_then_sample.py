"""Train once, sample many times: save the model, then seed from it without the source.

    python examples/train_then_sample.py train MODEL_DIR [--epochs N]
    python examples/train_then_sample.py sample MODEL_DIR TARGET_URL [--artists N] [--seed N]

The artifact is a directory (a JSON manifest plus tensor weights, no pickle and no source
rows), so it can be committed or shipped to CI, where ``sample`` needs no access to the
production database. The command line does the same with
``python -m synthohive_seed train|sample --model-path DIR``.
"""

from __future__ import annotations

import argparse

from synthohive_seed import Synthesizer
from synthohive_seed.cli import sample_database_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    steps = parser.add_subparsers(dest="step", required=True)
    train = steps.add_parser("train", help="learn the Chinook sample and save the model")
    train.add_argument("model_dir")
    train.add_argument("--epochs", type=int, default=50)
    sample = steps.add_parser("sample", help="load the model and fill a database")
    sample.add_argument("model_dir")
    sample.add_argument("target_url")
    sample.add_argument("--artists", type=int, default=100)
    sample.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    if args.step == "train":
        synth = Synthesizer.from_url(sample_database_url(), epochs=args.epochs).fit()
        print(f"saved model to {synth.save(args.model_dir)}")
    else:
        synth = Synthesizer.load(args.model_dir)
        counts = synth.sample({"Artist": args.artists}, target_url=args.target_url,
                              seed=args.seed)
        print(", ".join(f"{table}: {n}" for table, n in counts.items()))  # type: ignore[union-attr]


if __name__ == "__main__":
    main()
