"""A generated shop: users -> orders -> order_items <- products (about 21k rows).

Built so that the relations a seeder must keep are known and measurable:

* premium users are older on average and place about four times as many orders
  (children per parent depends on a parent column);
* an order's shipping fee depends on its user's tier, its status on its date;
* an item's ``unit_price`` follows its product's ``price`` (a child value inherited
  from the *secondary* parent), and cheap products are bought in larger quantities.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa


def shop_metadata() -> sa.MetaData:
    """The four tables, keys and FKs of the shop."""
    md = sa.MetaData()
    sa.Table("users", md,
             sa.Column("user_id", sa.Integer, primary_key=True),
             sa.Column("tier", sa.String(10), nullable=False),
             sa.Column("age", sa.Integer, nullable=False),
             sa.Column("country", sa.String(2), nullable=False),
             sa.Column("signup_date", sa.Date, nullable=False),
             sa.Column("referral", sa.String(12), nullable=True))
    sa.Table("products", md,
             sa.Column("product_id", sa.Integer, primary_key=True),
             sa.Column("category", sa.String(20), nullable=False),
             sa.Column("price", sa.Numeric(10, 2), nullable=False),
             sa.Column("weight_kg", sa.Float, nullable=False))
    sa.Table("orders", md,
             sa.Column("order_id", sa.Integer, primary_key=True),
             sa.Column("user_id", sa.Integer, sa.ForeignKey("users.user_id"), nullable=False),
             sa.Column("ordered_at", sa.DateTime, nullable=False),
             sa.Column("status", sa.String(12), nullable=False),
             sa.Column("shipping", sa.Numeric(8, 2), nullable=False))
    sa.Table("order_items", md,
             sa.Column("item_id", sa.Integer, primary_key=True),
             sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.order_id"), nullable=False),
             sa.Column("product_id", sa.Integer, sa.ForeignKey("products.product_id"),
                       nullable=False),
             sa.Column("quantity", sa.Integer, nullable=False),
             sa.Column("unit_price", sa.Numeric(10, 2), nullable=False))
    return md


def shop_frames(seed: int = 0, users: int = 2300, products: int = 400) -> dict[str, pd.DataFrame]:
    """Rows of the shop; the same seed gives the same rows."""
    rng = np.random.default_rng(seed)
    premium = rng.random(users) < 0.2
    age = np.clip(np.where(premium, rng.normal(46, 10, users), rng.normal(33, 9, users)), 18, 85)
    signup = pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 5 * 365, users), "D")
    user_frame = pd.DataFrame({
        "user_id": np.arange(1, users + 1),
        "tier": np.where(premium, "premium", "basic"),
        "age": age.round().astype(int),
        "country": rng.choice(["US", "DE", "FR", "GB", "JP", "BR", "IN"], users,
                              p=[0.4, 0.15, 0.12, 0.12, 0.1, 0.09, 0.02]),
        "signup_date": [d.date() for d in signup],
        "referral": np.where(rng.random(users) < 0.3, None,
                             rng.choice(["ads", "friend", "search", "social"], users)),
    })
    category = rng.choice(["books", "toys", "garden", "electronics", "food"], products,
                          p=[0.3, 0.2, 0.15, 0.15, 0.2])
    base = {"books": 2.6, "toys": 3.0, "garden": 3.4, "electronics": 4.6, "food": 1.8}
    price = np.exp(np.array([base[c] for c in category]) + rng.normal(0, 0.5, products))
    product_frame = pd.DataFrame({
        "product_id": np.arange(1, products + 1),
        "category": category,
        "price": price.round(2),
        "weight_kg": np.round(np.exp(rng.normal(0, 0.8, products))
                              * (1 + (category == "garden")), 3),
    })
    orders_per_user = rng.poisson(np.where(premium, 7.0, 1.8))
    owner = np.repeat(np.arange(users), orders_per_user)
    n_orders = owner.size
    start = signup.to_numpy()[owner]
    ordered = start + pd.to_timedelta(rng.integers(0, 400 * 86400, n_orders), "s").to_numpy()
    late = ordered > np.datetime64("2023-06-01")
    status = np.where(late & (rng.random(n_orders) < 0.5), "pending",
                      rng.choice(["delivered", "returned", "cancelled"], n_orders,
                                 p=[0.85, 0.1, 0.05]))
    shipping = np.where(premium[owner], 0.0,
                        rng.choice([4.99, 7.99, 12.5], n_orders, p=[0.6, 0.3, 0.1]))
    order_frame = pd.DataFrame({
        "order_id": np.arange(1, n_orders + 1),
        "user_id": owner + 1,
        "ordered_at": pd.Series(ordered).astype("datetime64[us]"),
        "status": status,
        "shipping": shipping,
    })
    items_per_order = 1 + rng.poisson(np.where(premium[owner], 1.0, 0.5))
    item_order = np.repeat(np.arange(n_orders), items_per_order)
    popularity = rng.pareto(1.5, products) + 0.1
    product = rng.choice(products, item_order.size, p=popularity / popularity.sum())
    unit_price = price[product] * rng.uniform(0.85, 1.0, item_order.size)
    quantity = 1 + rng.poisson(np.clip(3.0 - np.log(price[product]) * 0.6, 0.1, None))
    item_frame = pd.DataFrame({
        "item_id": np.arange(1, item_order.size + 1),
        "order_id": item_order + 1,
        "product_id": product + 1,
        "quantity": quantity,
        "unit_price": unit_price.round(2),
    })
    return {"users": user_frame, "products": product_frame, "orders": order_frame,
            "order_items": item_frame}


if __name__ == "__main__":
    frames = shop_frames()
    print({k: len(v) for k, v in frames.items()}, sum(len(v) for v in frames.values()))
