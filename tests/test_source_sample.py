"""Large sources are read as an FK-consistent sample (issue 6: training that scales)."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from synthohive_seed import Synthesizer


def source(url: str) -> str:
    """customers -> orders (big tree); products (small) <- reviews -> customers (secondary)."""
    m = sa.MetaData()
    sa.Table("customers", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("tier", sa.String(8), nullable=False))
    sa.Table("orders", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("customer_id", sa.ForeignKey("customers.id"), nullable=True),
             sa.Column("amount", sa.Float, nullable=False))
    sa.Table("products", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(20), nullable=False))
    sa.Table("reviews", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("product_id", sa.ForeignKey("products.id"), nullable=False),
             sa.Column("xcustomer_id", sa.ForeignKey("customers.id"), nullable=False),
             sa.Column("stars", sa.Integer, nullable=False))
    rng = np.random.default_rng(2)
    tier = rng.choice(["basic", "gold"], 400, p=[0.8, 0.2])
    per = rng.poisson(np.where(tier == "gold", 6, 2))
    owner = np.repeat(np.arange(1, 401), per).astype(object)
    owner[rng.random(owner.size) < 0.05] = None  # some orders without a customer
    engine = sa.create_engine(url)
    m.create_all(engine)
    with engine.begin() as conn:
        pd.DataFrame({"id": range(1, 401), "tier": tier}).to_sql("customers", conn, if_exists="append", index=False)
        pd.DataFrame({"id": range(1, owner.size + 1), "customer_id": owner,
                      "amount": rng.gamma(2, 20, owner.size).round(2)}).to_sql(
            "orders", conn, if_exists="append", index=False)
        pd.DataFrame({"id": range(1, 11), "name": [f"p{i}" for i in range(10)]}).to_sql(
            "products", conn, if_exists="append", index=False)
        pd.DataFrame({"id": range(1, 201), "product_id": rng.integers(1, 11, 200),
                      "xcustomer_id": rng.integers(1, 401, 200),
                      "stars": rng.integers(1, 6, 200)}).to_sql("reviews", conn, if_exists="append", index=False)
    engine.dispose()
    return url


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_big_tree_is_read_as_an_fk_consistent_sample(backend: str, request: pytest.FixtureRequest,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    # PostgreSQL reads the sampled tables through a server-side cursor, chunk by chunk.
    url = source(str(request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")))
    with sa.create_engine(url).connect() as conn:
        full = {t: pd.read_sql(f"SELECT * FROM {t}", conn)
                for t in ("customers", "orders", "products", "reviews")}
    with caplog.at_level(logging.WARNING, logger="synthohive_seed"):
        synth = Synthesizer.from_url(url, epochs=1, seed=4, max_source_rows=300)
    data = synth.data
    assert "FK-consistent sample" in caplog.text and "orders" in caplog.text
    # The tree's largest table comes to about the cap; the root is thinned to match.
    assert 150 < len(data["orders"]) < 450 and len(data["customers"]) < 200
    kept = set(data["customers"]["id"])
    linked = data["orders"]["customer_id"].dropna().astype(int)
    assert set(linked) <= kept  # no order points at a customer left out
    # Every kept customer keeps all its orders: children per parent are exact.
    real = full["orders"]["customer_id"].dropna().astype(int).value_counts()
    got = linked.value_counts()
    assert all(got.get(c, 0) == real.get(c, 0) for c in kept)
    assert data["orders"]["customer_id"].isna().any()  # orders without a customer sampled too
    # Small trees are read whole; rows pointing at customers left out are dropped.
    assert len(data["products"]) == 10
    assert set(data["reviews"]["xcustomer_id"].astype(int)) <= kept
    assert 0 < len(data["reviews"]) < 200
    assert synth.source_rows == {k: len(v) for k, v in full.items()}
    frames = synth.fit().sample({"customers": 50, "products": 10})
    assert isinstance(frames, dict) and len(frames["orders"]) > 0


def test_under_the_cap_everything_is_read(sqlite_url: str) -> None:
    url = source(sqlite_url)
    synth = Synthesizer.from_url(url, epochs=1)
    with sa.create_engine(url).connect() as conn:
        orders = conn.execute(sa.text("SELECT count(*) FROM orders")).scalar_one()
    assert len(synth.data["orders"]) == orders and len(synth.data["customers"]) == 400
