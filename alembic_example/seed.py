"""Seed a migrated bookshop database from a model trained on the shipped dataset.

    python seed.py DB_URL [--authors N] [--epochs N] [--seed N]

Run after ``alembic upgrade head`` (run.sh does both). Before training it compares three
things that drift apart over time: the migrated database, the models in
``bookshop/models.py`` and the columns of the dataset in ``data/``. Any difference stops
the run with a message saying which side to bring up to date (exit status 1).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from bookshop.models import Base

from synthohive_seed import SeedError, Synthesizer

DATA = Path(__file__).parent / "data"
DATES = {"books": ["published"], "reviews": ["created_at"]}
"""Columns the CSV files hold as text that the models declare as dates or timestamps."""


def load_dataset() -> dict[str, pd.DataFrame]:
    frames = {}
    for table in Base.metadata.sorted_tables:
        path = DATA / f"{table.name}.csv"
        if path.exists():
            frame = pd.read_csv(path, parse_dates=DATES.get(table.name, []))
            if table.name == "books":  # a DATE column, not a timestamp
                frame["published"] = frame["published"].dt.date
            frames[table.name] = frame
    return frames


def drift(engine: sa.Engine, frames: dict[str, pd.DataFrame]) -> list[str]:
    """What disagrees between the database, the models and the dataset (empty: nothing)."""
    inspector = sa.inspect(engine)
    in_db = {t for t in inspector.get_table_names() if t != "alembic_version"}
    problems = []
    for name in sorted(in_db ^ set(Base.metadata.tables)):
        side = "the database" if name in in_db else "the models"
        problems.append(f"table {name} exists only in {side}: run `alembic upgrade head` or "
                        "update bookshop/models.py to match the newest revision")
    for table in Base.metadata.sorted_tables:
        wanted = {c.name for c in table.columns}
        if table.name in in_db:
            have = {c["name"] for c in inspector.get_columns(table.name)}
            for col in sorted(wanted ^ have):
                problems.append(f"column {table.name}.{col} differs between the database and "
                                "the models: migrate, or update the models")
        frame = frames.get(table.name)
        missing = sorted(wanted - set(frame.columns)) if frame is not None else ["(all)"]
        for col in missing:
            problems.append(f"no training data for {table.name}.{col}: export the dataset "
                            "again after the migration (here: python make_data.py)")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("db_url")
    parser.add_argument("--authors", type=int, default=40, help="authors to generate")
    parser.add_argument("--epochs", type=int, default=int(os.environ.get("SEED_EPOCHS", 30)))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    frames = load_dataset()
    url = sa.make_url(args.db_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = sa.create_engine(url)
    try:
        problems = drift(engine, frames)
    finally:
        engine.dispose()
    if problems:
        print("schema drift, nothing seeded:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    try:
        synth = Synthesizer(Base.metadata, data=frames, epochs=args.epochs, seed=args.seed).fit()
        counts = synth.sample({"authors": args.authors}, target_url=args.db_url, seed=args.seed)
    except SeedError as exc:
        print(f"seeding failed: {exc}", file=sys.stderr)
        return 1
    print(", ".join(f"{table}: {n}" for table, n in counts.items()))  # type: ignore[union-attr]
    return 0


if __name__ == "__main__":
    sys.exit(main())
