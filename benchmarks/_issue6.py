"""Shared pieces of the issue 6 benchmarks (load_rate.py, memory.py, fit_time.py).

A small generated schema: ``customers`` (root, 6 mixed columns) -> ``orders`` (child,
6 mixed columns, about 3 orders per customer), plus helpers to create and drop scratch
PostgreSQL databases and to measure peak RSS of a child process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
from collections.abc import Iterator

import numpy as np
import pandas as pd
import psycopg
import sqlalchemy as sa

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def pg_url(dbname: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{dbname}"


def create_db(dbname: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as admin:  # type: ignore[arg-type]
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        admin.execute(f'CREATE DATABASE "{dbname}"')


def drop_db(dbname: str) -> None:
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as admin:  # type: ignore[arg-type]
        admin.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@contextlib.contextmanager
def scratch_db(dbname: str) -> Iterator[str]:
    """A fresh empty database, dropped afterwards; yields its URL."""
    create_db(dbname)
    try:
        yield pg_url(dbname)
    finally:
        drop_db(dbname)


def metadata(with_child: bool = True) -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("customers", md,
             sa.Column("customer_id", sa.Integer, primary_key=True),
             sa.Column("age", sa.Integer, nullable=False),
             sa.Column("segment", sa.String(12), nullable=False),
             sa.Column("balance", sa.Float, nullable=False),
             sa.Column("signup", sa.Date, nullable=False),
             sa.Column("active", sa.Boolean, nullable=False))
    if with_child:
        sa.Table("orders", md,
                 sa.Column("order_id", sa.Integer, primary_key=True),
                 sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.customer_id"),
                           nullable=False),
                 sa.Column("amount", sa.Numeric(10, 2), nullable=False),
                 sa.Column("status", sa.String(10), nullable=False),
                 sa.Column("ordered_at", sa.DateTime, nullable=False),
                 sa.Column("quantity", sa.Integer, nullable=False))
    return md


def frames(customers: int = 3000, seed: int = 0, with_child: bool = True) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    segment = rng.choice(["retail", "business", "vip", "student"], customers, p=[0.5, 0.25, 0.1, 0.15])
    signup = pd.Timestamp("2018-01-01") + pd.to_timedelta(rng.integers(0, 6 * 365, customers), "D")
    out = {"customers": pd.DataFrame({
        "customer_id": np.arange(1, customers + 1),
        "age": np.clip(rng.normal(40, 12, customers), 18, 90).round().astype(int),
        "segment": segment,
        "balance": np.round(np.exp(rng.normal(6, 1.2, customers)) * (1 + (segment == "vip")), 2),
        "signup": [d.date() for d in signup],
        "active": rng.random(customers) < 0.8,
    })}
    if with_child:
        per = rng.poisson(np.where(segment == "vip", 6.0, 2.5))
        owner = np.repeat(np.arange(customers), per)
        n = owner.size
        when = signup.to_numpy()[owner] + pd.to_timedelta(rng.integers(0, 400 * 24 * 3600, n), "s").to_numpy()
        out["orders"] = pd.DataFrame({
            "order_id": np.arange(1, n + 1),
            "customer_id": owner + 1,
            "amount": np.round(np.exp(rng.normal(3.5, 0.8, n)), 2),
            "status": rng.choice(["new", "paid", "shipped", "returned"], n, p=[0.1, 0.3, 0.55, 0.05]),
            "ordered_at": when,
            "quantity": rng.integers(1, 6, n),
        })
    return out


def machine() -> str:
    return (f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.machine()} "
            f"{os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {os.getloadavg()[0]:.1f}")


def rss_now_mb() -> float:
    """This process's resident memory now, in MB (Linux ``/proc``)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")
