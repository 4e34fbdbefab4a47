"""Column fidelity and parent-aware linkage on a small generated shop (one short fit).

customers (tier) -> orders <- products (price): premium customers order more, an order's
``amount`` is positive and skewed with 20 % NULLs, ``qty`` is an integer, ``channel`` has
a 2 % category, and ``unit_price`` follows the *secondary* parent's (product's) price.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from synthohive_seed import Synthesizer

Frames = dict[str, pd.DataFrame]
Pair = tuple[Frames, Frames]
"""(real frames, synthetic frames)."""


def _metadata() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("customers", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("tier", sa.String(8), nullable=False))
    sa.Table("products", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("price", sa.Float, nullable=False))
    sa.Table("orders", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), nullable=False),
             sa.Column("product_id", sa.Integer, sa.ForeignKey("products.id"), nullable=False),
             sa.Column("amount", sa.Float, nullable=True),
             sa.Column("qty", sa.Integer, nullable=False),
             sa.Column("channel", sa.String(8), nullable=False),
             sa.Column("unit_price", sa.Float, nullable=False))
    return md


def _frames(rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    customers, products = 300, 60
    premium = rng.random(customers) < 0.3
    per_customer = rng.poisson(np.where(premium, 8.0, 2.0))
    owner = np.repeat(np.arange(customers), per_customer)
    n = owner.size
    price = np.round(np.exp(rng.normal(3.0, 0.7, products)), 2)
    product = rng.integers(0, products, n)
    amount = np.round(np.exp(rng.normal(3.5, 1.0, n)), 2)
    channel = rng.choice(["web", "store", "phone"], n, p=[0.7, 0.28, 0.02])
    return {
        "customers": pd.DataFrame({"id": np.arange(1, customers + 1),
                                   "tier": np.where(premium, "premium", "basic")}),
        "products": pd.DataFrame({"id": np.arange(1, products + 1), "price": price}),
        "orders": pd.DataFrame({
            "id": np.arange(1, n + 1), "customer_id": owner + 1, "product_id": product + 1,
            "amount": np.where(rng.random(n) < 0.2, np.nan, amount),
            "qty": rng.integers(1, 6, n),
            "channel": channel,
            "unit_price": np.round(price[product] * rng.uniform(0.9, 1.0, n), 2)}),
    }


@pytest.fixture(scope="module")
def shop() -> Pair:
    real = _frames(np.random.default_rng(3))
    synth = Synthesizer(_metadata(), real, epochs=3, seed=2).fit()
    return real, synth.sample(seed=4)  # type: ignore[return-value]


def test_positive_column_never_negative(shop: Pair) -> None:
    real, fake = shop
    amount = fake["orders"]["amount"].dropna()
    assert len(amount) > 100
    assert (amount > 0).all()
    assert amount.min() >= real["orders"]["amount"].min()


def test_integer_column_stays_integer(shop: Pair) -> None:
    _, fake = shop
    qty = fake["orders"]["qty"]
    assert str(qty.dtype) == "Int64"
    assert set(qty.dropna().unique()) <= {1, 2, 3, 4, 5}


def test_null_share_within_five_points(shop: Pair) -> None:
    real, fake = shop
    assert fake["orders"]["amount"].isna().mean() == pytest.approx(
        real["orders"]["amount"].isna().mean(), abs=0.05)


def test_two_percent_category_survives(shop: Pair) -> None:
    _, fake = shop
    share = (fake["orders"]["channel"] == "phone").mean()
    assert 0.005 < share < 0.05


def test_children_per_parent_follow_a_parent_column(shop: Pair) -> None:
    real, fake = shop

    def ratio(frames: dict[str, pd.DataFrame]) -> float:
        counts = frames["orders"]["customer_id"].astype("int64").value_counts()
        customers = frames["customers"].set_index("id")
        per = counts.reindex(customers.index.astype("int64"), fill_value=0)
        tiers = customers["tier"].to_numpy()
        return per[tiers == "premium"].mean() / max(per[tiers == "basic"].mean(), 1e-9)

    assert ratio(real) > 3
    assert ratio(fake) > 2  # premium customers still order clearly more


def test_value_follows_secondary_parent(shop: Pair) -> None:
    real, fake = shop

    def correlation(frames: dict[str, pd.DataFrame]) -> float:
        joined = frames["orders"].merge(frames["products"], left_on="product_id", right_on="id")
        return float(np.corrcoef(joined["unit_price"].astype(float),
                                 joined["price"].astype(float))[0, 1])

    source = correlation(real)
    assert source > 0.9
    assert correlation(fake) > source / 2
