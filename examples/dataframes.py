"""In memory: SQLAlchemy models plus DataFrames of rows in, DataFrames of synthetic rows out.

    python examples/dataframes.py [--epochs N]

No database is involved: the schema comes from the models' ``MetaData`` and the rows
from pandas (in a real project: ``pd.read_sql`` or a fixture file).
"""

from __future__ import annotations

import argparse
import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from synthohive_seed import Synthesizer


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    tier: Mapped[str] = mapped_column(sa.String(10))
    signed_up: Mapped[dt.date]


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"))
    amount: Mapped[float] = mapped_column(sa.Numeric(10, 2))
    placed_at: Mapped[dt.datetime]


def real_rows(seed: int = 0) -> dict[str, pd.DataFrame]:
    """A small, deterministic stand-in for production rows."""
    rng = np.random.default_rng(seed)
    n = 120
    first = ["Ada", "Grace", "Linus", "Alan", "Edsger", "Barbara", "Ken", "Margaret"]
    last = ["Lovelace", "Hopper", "Torvalds", "Turing", "Dijkstra", "Liskov", "Thompson"]
    customers = pd.DataFrame({
        "id": range(1, n + 1),
        "name": [f"{rng.choice(first)} {rng.choice(last)}" for _ in range(n)],
        "tier": rng.choice(["free", "pro", "team"], n, p=[0.6, 0.3, 0.1]),
        "signed_up": [dt.date(2023, 1, 1) + dt.timedelta(days=int(d))
                      for d in rng.integers(0, 700, n)],
    })
    per_customer = rng.poisson(3, n)
    owner = np.repeat(customers["id"].to_numpy(), per_customer)
    orders = pd.DataFrame({
        "id": range(1, len(owner) + 1),
        "customer_id": owner,
        "amount": np.round(rng.lognormal(3.5, 0.8, len(owner)), 2),
        "placed_at": [dt.datetime(2024, 1, 1) + dt.timedelta(minutes=int(m))
                      for m in rng.integers(0, 500_000, len(owner))],
    })
    return {"customers": customers, "orders": orders}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=50)
    args = parser.parse_args()

    synth = Synthesizer(Base.metadata, data=real_rows(), epochs=args.epochs, seed=1).fit()
    frames = synth.sample(num_rows={"customers": 40}, seed=7)
    customers, orders = frames["customers"], frames["orders"]
    # Every order points at a generated customer: the keys are valid by construction.
    orphans = ~orders["customer_id"].isin(customers["id"])
    print(f"customers: {len(customers)} rows, orders: {len(orders)} rows, "
          f"orphan orders: {int(orphans.sum())}")
    print(orders.head().to_string(index=False))


if __name__ == "__main__":
    main()
