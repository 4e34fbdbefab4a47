"""How a secondary FK's parent is chosen, per FK (issue 4): match, popularity, uniform."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from synthohive_seed import Synthesizer
from synthohive_seed.errors import ConfigError

from .frames_check import key_problems


def shop() -> tuple[sa.MetaData, dict[str, pd.DataFrame]]:
    """items driven by buyers; the product is a secondary parent whose price the item follows."""
    m = sa.MetaData()
    sa.Table("buyers", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("age", sa.Integer))
    sa.Table("products", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("price", sa.Float, nullable=False))
    sa.Table("items", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("buyer_id", sa.ForeignKey("buyers.id"), nullable=False),
             sa.Column("product_id", sa.ForeignKey("products.id"), nullable=False),
             sa.Column("unit_price", sa.Float, nullable=False))
    rng = np.random.default_rng(5)
    prices = np.round(rng.uniform(1, 100, 20), 2)
    popularity = 1.0 / np.arange(1, 21) ** 1.5  # product 1 sells far more than the others
    product = rng.choice(20, 400, p=popularity / popularity.sum())
    items = pd.DataFrame({"id": range(1, 401), "buyer_id": rng.integers(1, 61, 400),
                          "product_id": product + 1,
                          "unit_price": np.round(prices[product] * rng.uniform(0.97, 1.03, 400), 2)})
    return m, {"buyers": pd.DataFrame({"id": range(1, 61), "age": rng.integers(18, 80, 60)}),
               "products": pd.DataFrame({"id": range(1, 21), "price": prices}), "items": items}


def sample(choice: str | None) -> tuple[dict[str, pd.DataFrame], Synthesizer]:
    metadata, data = shop()
    options = {"secondary_parents": {"items": {"product_id": choice}}} if choice else {}
    synth = Synthesizer(metadata, data, epochs=1, seed=3, **options).fit()
    frames = synth.sample({"buyers": 180, "products": 20})
    assert isinstance(frames, dict) and key_problems(synth.schema, frames) == []
    return frames, synth


def price_correlation(frames: dict[str, pd.DataFrame]) -> float:
    joined = frames["items"].merge(frames["products"], left_on="product_id", right_on="id")
    return float(np.corrcoef(joined["unit_price"].astype(float), joined["price"].astype(float))[0, 1])


def top_share(frames: dict[str, pd.DataFrame]) -> float:
    return float(frames["items"]["product_id"].value_counts(normalize=True).iloc[0])


def test_default_matches_values_and_keeps_popularity() -> None:
    frames, _ = sample(None)
    assert price_correlation(frames) > 0.8  # an item's price follows its product's price
    assert top_share(frames) > 0.2  # the best seller still sells most (source: ~0.4)


def test_popularity_keeps_popularity_without_looking_at_values() -> None:
    frames, _ = sample("popularity")
    assert top_share(frames) > 0.2
    assert price_correlation(frames) < 0.5


def test_uniform_spreads_children_evenly(tmp_path: Path) -> None:
    frames, synth = sample("uniform")
    assert top_share(frames) < 0.15  # 20 products: about 0.05 each
    # The choice is part of the model: a saved artifact samples the same rows.
    synth.save(tmp_path / "model")
    again = Synthesizer.load(tmp_path / "model").sample({"buyers": 180, "products": 20})
    assert isinstance(again, dict)
    pd.testing.assert_frame_equal(again["items"], frames["items"])


def test_bad_choices_name_the_option_and_table() -> None:
    metadata, data = shop()
    with pytest.raises(ConfigError, match="must be one of match, popularity, uniform") as bad:
        Synthesizer(metadata, data, epochs=1, secondary_parents={"items": {"product_id": "random"}})
    assert bad.value.option == "secondary_parents" and bad.value.table == "items"
    with pytest.raises(ConfigError, match="not one of its secondary FKs") as driver:
        Synthesizer(metadata, data, epochs=1,
                    secondary_parents={"items": {"buyer_id": "uniform"}}).fit()
    assert driver.value.table == "items"
