"""The scenarios of shared/cases (public bug reports), as tests on SQLite and PostgreSQL.

Each case builds its schema with SQLAlchemy and its source rows with a fixed seed, trains
with one epoch, samples, writes to the target and checks the right values.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from synthohive_seed import CycleError, Synthesizer
from synthohive_seed.sinks.delta import read_delta

from .frames_check import key_problems


def seed(metadata: sa.MetaData, data: dict[str, pd.DataFrame], num_rows: dict[str, int],
         target_url: str | None = None) -> tuple[Synthesizer, dict[str, pd.DataFrame]]:
    synth = Synthesizer(metadata, data, epochs=1, seed=1).fit()
    frames = synth.sample(num_rows)
    assert key_problems(synth.schema, frames) == []
    if target_url is not None:
        written = synth.sample(num_rows, target_url=target_url)
        assert written == {k: len(v) for k, v in frames.items()}
    return synth, frames


def read(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.exec_driver_sql(sql)]
    engine.dispose()
    return rows


def test_b03_self_reference(target_url: str) -> None:
    m = sa.MetaData()
    sa.Table("employees", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(50), nullable=False), sa.Column("salary", sa.Numeric(10, 2)),
             sa.Column("manager_id", sa.Integer, sa.ForeignKey("employees.id"), nullable=True))
    rows = pd.DataFrame({"id": range(1, 11), "name": [f"E{i}" for i in range(10)],
                         "salary": np.linspace(1000, 5000, 10).round(2),
                         "manager_id": [None, 1, 1, 1, 2, 2, 3, 3, 4, 4]})
    _, frames = seed(m, {"employees": rows}, {"employees": 100}, target_url)
    e = frames["employees"]
    assert len(e) == 100 and (e["manager_id"] != e["id"]).all()
    assert (e["manager_id"].dropna() < e.loc[e["manager_id"].notna(), "id"]).all()
    assert e["manager_id"].isna().mean() == pytest.approx(0.10, abs=0.08)
    assert read(target_url, "SELECT count(*) FROM employees")[0][0] == 100


def _cycle_metadata(head_nullable: bool) -> tuple[sa.MetaData, dict[str, pd.DataFrame]]:
    m = sa.MetaData()
    sa.Table("departments", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(30)),
             sa.Column("head_employee_id", sa.Integer,
                       sa.ForeignKey("employees.id", use_alter=True, name="fk_head"),
                       nullable=head_nullable))
    sa.Table("employees", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(30)),
             sa.Column("department_id", sa.Integer, sa.ForeignKey("departments.id"), nullable=False))
    sa.Table("users", m, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("roles", m, sa.Column("id", sa.Integer, primary_key=True))
    sa.Table("roles_users", m, sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
             sa.Column("role_id", sa.ForeignKey("roles.id"), primary_key=True))
    data = {
        "departments": pd.DataFrame({"id": [1, 2, 3], "name": ["a", "b", "c"],
                                     "head_employee_id": [1, 5, 9]}),
        "employees": pd.DataFrame({"id": range(1, 13), "name": [f"e{i}" for i in range(12)],
                                   "department_id": [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]}),
        "users": pd.DataFrame({"id": range(1, 6)}),
        "roles": pd.DataFrame({"id": range(1, 4)}),
        "roles_users": pd.DataFrame({"user_id": [1, 1, 2, 2, 3, 4, 5, 5],
                                     "role_id": [1, 2, 1, 3, 2, 1, 2, 3]}),
    }
    return m, data


def test_b04_cycle_broken_at_nullable_fk(target_url: str) -> None:
    m, data = _cycle_metadata(head_nullable=True)
    synth, frames = seed(m, data, {"departments": 5, "users": 20, "roles": 4}, target_url)
    order = [t.key for t in synth.schema.tables]
    assert order.index("users") < order.index("roles_users") > order.index("roles")
    assert ("departments", "fk_head") in synth.schema.deferred_fks
    heads = read(target_url, "SELECT head_employee_id FROM departments")
    employees = {r[0] for r in read(target_url, "SELECT id FROM employees")}
    assert all(h[0] is None or h[0] in employees for h in heads)
    assert any(h[0] is not None for h in heads)
    assert not frames["roles_users"].duplicated().any()


@pytest.mark.postgres
def test_b04_not_null_cycle_loads_when_deferrable(pg_url: str) -> None:
    m, data = _cycle_metadata(head_nullable=False)
    fk = next(c for c in m.tables["departments"].foreign_key_constraints if c.name == "fk_head")
    fk.deferrable = True
    synth, frames = seed(m, data, {"departments": 4, "users": 5, "roles": 2}, pg_url)
    assert frames["departments"]["head_employee_id"].notna().all()
    heads = read(pg_url, "SELECT count(*) FROM departments d JOIN employees e "
                         "ON e.id = d.head_employee_id")
    assert heads == [(4,)]


def test_b04_not_null_cycle_stops_before_writing(target_url: str) -> None:
    m, data = _cycle_metadata(head_nullable=False)
    synth = Synthesizer(m, data, epochs=1)
    assert {"departments", "employees"} == set(synth.schema.strict_cycles[0])
    frames = synth.fit().sample({"departments": 3})
    assert key_problems(synth.schema, frames) == []  # in memory the cycle is no problem
    if target_url.startswith("sqlite"):
        # SQLite checks FKs at commit: the cycle loads, and every FK holds.
        synth.sample({"departments": 3}, target_url=target_url)
        assert read(target_url, "SELECT count(*) FROM departments d JOIN employees e "
                                "ON e.id = d.head_employee_id") == [(3,)]
        return
    with pytest.raises(CycleError) as err:
        synth.sample({"departments": 3}, target_url=target_url)
    assert set(err.value.cycle) == {"departments", "employees"}
    assert "departments" in str(err.value) and "fk_checks" in str(err.value)
    engine = sa.create_engine(target_url)
    assert sa.inspect(engine).get_table_names() == []  # nothing was written, not even DDL
    engine.dispose()
    synth.sample({"departments": 3}, target_url=target_url, fk_checks="off")
    assert read(target_url, "SELECT count(*) FROM departments d JOIN employees e "
                            "ON e.id = d.head_employee_id") == [(3,)]


def test_b07_unique_columns(target_url: str) -> None:
    m = sa.MetaData()
    sa.Table("customers", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("email", sa.String(120), nullable=False, unique=True),
             sa.Column("tier", sa.String(10)))
    sa.Table("orders", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("customer_id", sa.ForeignKey("customers.id"), nullable=False),
             sa.Column("order_no", sa.String(12), nullable=False, unique=True),
             sa.Column("total", sa.Numeric(10, 2)))
    rng = np.random.default_rng(0)
    emails = [f"user{i:02d}@example.test" for i in range(20)]
    data = {"customers": pd.DataFrame({"id": range(1, 21), "email": emails,
                                       "tier": rng.choice(["gold", "basic"], 20)}),
            "orders": pd.DataFrame({"id": range(1, 61), "customer_id": rng.integers(1, 21, 60),
                                    "order_no": [f"N{i:07d}" for i in range(60)],
                                    "total": rng.uniform(5, 500, 60).round(2)})}
    _, frames = seed(m, data, {"customers": 1000}, target_url)
    assert len(frames["customers"]) == 1000
    assert read(target_url, "SELECT count(*) FROM customers")[0][0] == 1000
    for table, col in (("customers", "email"), ("orders", "order_no")):
        dup = read(target_url, f"SELECT {col} FROM {table} GROUP BY {col} HAVING count(*) > 1")
        assert dup == []
    assert not frames["customers"]["email"].isin(emails).any()


def test_b08_zero_children_kept() -> None:
    m = sa.MetaData()
    sa.Table("accounts", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("plan", sa.String(10), nullable=False))
    sa.Table("tickets", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("account_id", sa.ForeignKey("accounts.id"), nullable=False),
             sa.Column("severity", sa.SmallInteger, nullable=False))
    sa.Table("refunds", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("account_id", sa.ForeignKey("accounts.id"), nullable=False),
             sa.Column("amount", sa.Numeric(8, 2), nullable=False))
    rng = np.random.default_rng(3)
    data = {"accounts": pd.DataFrame({"id": range(1, 201), "plan": rng.choice(["a", "b"], 200)}),
            "tickets": pd.DataFrame({"id": range(1, 81), "account_id": np.repeat(range(1, 41), 2),
                                     "severity": rng.integers(1, 5, 80)}),
            "refunds": pd.DataFrame({"id": range(1, 7), "account_id": [1, 2, 3, 4, 5, 5],
                                     "amount": [10.5, 20, 30, 40, 50, 60]})}
    _, frames = seed(m, data, {"accounts": 2000})
    per_account = frames["tickets"]["account_id"].value_counts()
    assert 1 - len(per_account) / 2000 == pytest.approx(0.80, abs=0.07)
    assert len(frames["tickets"]) == pytest.approx(800, abs=200)
    assert len(frames["refunds"]) == pytest.approx(60, abs=40)
    assert per_account.max() <= 2 * 2


def test_b09_nullable_fk_mostly_null(target_url: str) -> None:
    m = sa.MetaData()
    sa.Table("parents", m, sa.Column("id", sa.Integer, primary_key=True), sa.Column("name", sa.String(30)))
    sa.Table("child", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("parent_id", sa.Integer, sa.ForeignKey("parents.id"), nullable=True),
             sa.Column("value", sa.Float, nullable=False))
    rng = np.random.default_rng(4)
    parent_ids = [None] * 35 + [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5]
    data = {"parents": pd.DataFrame({"id": range(1, 11), "name": [f"p{i}" for i in range(10)]}),
            "child": pd.DataFrame({"id": range(1, 51), "parent_id": parent_ids,
                                   "value": rng.normal(10, 2, 50)})}
    _, frames = seed(m, data, {"parents": 100}, target_url)
    child = frames["child"]
    assert child["parent_id"].isna().sum() == pytest.approx(350, abs=105)
    assert child["parent_id"].notna().sum() == pytest.approx(150, abs=45)
    nulls = read(target_url, "SELECT count(*) FROM child WHERE parent_id IS NULL")[0][0]
    assert nulls == child["parent_id"].isna().sum()
    if target_url.startswith("sqlite"):
        kinds = {r[0] for r in read(target_url, "SELECT typeof(parent_id) FROM child")}
        assert kinds == {"integer", "null"}


def test_b10_ranges_and_checks(target_url: str) -> None:
    m = sa.MetaData()
    sa.Table("products", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("price", sa.Numeric(10, 2), sa.CheckConstraint("price >= 0"), nullable=False),
             sa.Column("stock", sa.Integer, sa.CheckConstraint("stock >= 0"), nullable=False),
             sa.Column("restock_day", sa.SmallInteger,
                       sa.CheckConstraint("restock_day BETWEEN 1 AND 31"), nullable=False),
             sa.Column("weight_kg", sa.Float, nullable=False))
    rng = np.random.default_rng(5)
    price = np.where(rng.random(200) < 0.3, 0.0, np.exp(rng.uniform(np.log(0.5), np.log(900), 200)))
    data = {"products": pd.DataFrame({
        "id": range(1, 201), "price": price.round(2),
        "stock": np.minimum(rng.geometric(0.5, 200) - 1, 50), "restock_day": rng.integers(1, 32, 200),
        "weight_kg": rng.uniform(0.05, 20, 200)})}
    _, frames = seed(m, data, {"products": 5000}, target_url)
    p = frames["products"]
    assert p["price"].min() >= 0 and p["stock"].min() >= 0
    assert p["restock_day"].between(1, 31).all()
    assert p["weight_kg"].min() >= data["products"]["weight_kg"].min()
    assert p["weight_kg"].max() <= data["products"]["weight_kg"].max()
    assert (p["price"] == 0).mean() == pytest.approx(0.30, abs=0.05)


def test_b11_integers_stay_integers(tmp_path: Path) -> None:
    import pyarrow as pa

    m = sa.MetaData()
    sa.Table("customers", m, sa.Column("id", sa.Integer, primary_key=True), sa.Column("region", sa.String(8)))
    sa.Table("orders", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("customer_id", sa.ForeignKey("customers.id"), nullable=False),
             sa.Column("quantity", sa.Integer, nullable=False), sa.Column("year", sa.SmallInteger, nullable=False),
             sa.Column("unit_price", sa.Numeric(8, 2), nullable=False))
    rng = np.random.default_rng(6)
    data = {"customers": pd.DataFrame({"id": range(1, 31), "region": rng.choice(["n", "s"], 30)}),
            "orders": pd.DataFrame({"id": range(1, 101), "customer_id": rng.integers(1, 31, 100),
                                    "quantity": rng.integers(1, 11, 100), "year": rng.integers(2019, 2025, 100),
                                    "unit_price": rng.uniform(1, 99, 100).round(2)})}
    url = f"sqlite:///{tmp_path / 't.db'}"
    synth, _ = seed(m, data, {"customers": 50}, url)
    assert read(url, "SELECT count(*) FROM orders WHERE typeof(quantity) <> 'integer'")[0][0] == 0
    paths = synth.sample({"customers": 50}, output_path=tmp_path / "delta")
    orders = read_delta(paths["orders"])
    for col in ("id", "customer_id", "quantity", "year"):
        assert pa.types.is_integer(orders.schema.field(col).type), col
    years = set(orders.column("year").to_pylist())
    assert years <= set(range(2019, 2025))


def test_b12_nulls_in_value_columns(target_url: str) -> None:
    m = sa.MetaData()
    sa.Table("patients", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("age", sa.Integer, nullable=False), sa.Column("cholesterol", sa.Float),
             sa.Column("smoker", sa.Boolean), sa.Column("ward", sa.String(10)),
             sa.Column("discharge_date", sa.Date))
    rng = np.random.default_rng(7)
    n = 300

    def holes(values: list[object], share: float) -> list[object]:
        return [None if rng.random() < share else v for v in values]

    data = {"patients": pd.DataFrame({
        "id": range(1, n + 1), "age": rng.integers(18, 90, n),
        "cholesterol": holes(list(rng.uniform(120, 320, n)), 0.4),
        "smoker": holes(list(rng.random(n) < 0.3), 0.1),
        "ward": holes(list(rng.choice(["A", "B", "C"], n)), 0.15),
        "discharge_date": holes([dt.date(2023, 1, 1) + dt.timedelta(days=int(d))
                                 for d in rng.integers(0, 365, n)], 0.25)})}
    _, frames = seed(m, data, {"patients": 3000}, target_url)
    p, src = frames["patients"], data["patients"]
    for col in ("cholesterol", "smoker", "ward", "discharge_date"):
        assert p[col].isna().mean() == pytest.approx(src[col].isna().mean(), abs=0.05), col
    assert p["age"].notna().all()
    chol = pd.to_numeric(p["cholesterol"]).dropna()
    assert chol.std() >= 0.5 * pd.to_numeric(src["cholesterol"]).std()
    assert chol.between(120, 320).all()
    assert read(target_url, "SELECT count(*) FROM patients WHERE ward = 'nan'")[0][0] == 0


def test_b14_degenerate_sizes(target_url: str, tmp_path: Path) -> None:
    m = sa.MetaData()
    sa.Table("settings", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("key", sa.String(30), nullable=False), sa.Column("value_num", sa.Float))
    sa.Table("currencies", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("code", sa.CHAR(3), nullable=False), sa.Column("rate", sa.Float, nullable=False))
    sa.Table("users", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("name", sa.String(40)), sa.Column("age", sa.Integer))
    sa.Table("tags", m, sa.Column("id", sa.Integer, primary_key=True), sa.Column("label", sa.String(20)))
    sa.Table("user_tags", m, sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
             sa.Column("tag_id", sa.ForeignKey("tags.id"), primary_key=True))
    sa.Table("audit_log", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False),
             sa.Column("action", sa.String(20)))
    rng = np.random.default_rng(8)
    pairs = sorted({(int(u), int(t)) for u, t in zip(rng.integers(1, 31, 80), rng.integers(1, 11, 80))})[:45]
    data = {"settings": pd.DataFrame({"id": [1], "key": ["mode"], "value_num": [2.5]}),
            "currencies": pd.DataFrame({"id": range(1, 8), "code": ["EUR", "USD", "GBP", "JPY", "CHF", "SEK", "NOK"],
                                        "rate": [1.0, 1.1, 0.86, 160.2, 0.95, 11.4, 11.6]}),
            "users": pd.DataFrame({"id": range(1, 31), "name": [f"u{i}" for i in range(30)],
                                   "age": rng.integers(18, 80, 30)}),
            "tags": pd.DataFrame({"id": range(1, 11), "label": [f"t{i}" for i in range(10)]}),
            "user_tags": pd.DataFrame(pairs, columns=["user_id", "tag_id"]),
            "audit_log": pd.DataFrame({"id": [], "user_id": [], "action": []})}
    synth, frames = seed(m, data, {"settings": 1, "currencies": 7, "users": 300, "tags": 10}, target_url)
    assert len(pairs) == 45
    assert frames["settings"]["value_num"].tolist() == [2.5]
    assert frames["currencies"]["rate"].between(0.86, 160.2).all()
    assert len(frames["user_tags"]) == pytest.approx(450, abs=135)
    assert not frames["user_tags"].duplicated().any()
    assert len(frames["audit_log"]) == 0
    paths = synth.sample({"settings": 1, "currencies": 7, "users": 300, "tags": 10},
                         output_path=tmp_path / "delta")
    audit = read_delta(paths["audit_log"])
    assert audit.num_rows == 0 and audit.schema.names == ["id", "user_id", "action"]


def test_b15_check_value_lists_and_cross_column(target_url: str) -> None:
    m = sa.MetaData()
    sa.Table("region", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("code", sa.String(16), nullable=False, unique=True),
             sa.Column("status", sa.String(32)),
             sa.CheckConstraint("status IN ('Active','Inactive')", name="ck_status"))
    sa.Table("promo", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("region_id", sa.ForeignKey("region.id"), nullable=False),
             sa.Column("discount", sa.Numeric(3, 2), nullable=False),
             sa.Column("start_date", sa.Date, nullable=False), sa.Column("end_date", sa.Date, nullable=False),
             sa.CheckConstraint("discount BETWEEN 0 AND 0.50", name="ck_discount"),
             sa.CheckConstraint("end_date >= start_date", name="ck_dates"))
    rng = np.random.default_rng(9)
    start = [dt.date(2024, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 300, 120)]
    data = {"region": pd.DataFrame({"id": range(1, 41), "code": [f"R{i:03d}" for i in range(40)],
                                    "status": ["Active"] * 30 + ["Inactive"] * 8 + [None] * 2}),
            "promo": pd.DataFrame({"id": range(1, 121), "region_id": rng.integers(1, 41, 120),
                                   "discount": rng.uniform(0, 0.5, 120).round(2), "start_date": start,
                                   "end_date": [s + dt.timedelta(days=int(d))
                                                for s, d in zip(start, rng.integers(0, 60, 120))]})}
    _, frames = seed(m, data, {"region": 500}, target_url)
    promo = frames["promo"]
    assert set(frames["region"]["status"].dropna()) <= {"Active", "Inactive"}
    assert promo["discount"].between(0, 0.5).all()
    assert (promo["end_date"] >= promo["start_date"]).all()
    assert read(target_url, "SELECT count(*) FROM promo")[0][0] == len(promo)


def test_b17_declared_sizes(target_url: str) -> None:
    m = sa.MetaData()
    sa.Table("order_items", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("unit_price", sa.Numeric(5, 2), nullable=False),
             sa.Column("discount_rate", sa.Numeric(3, 3)),
             sa.Column("sku", sa.String(8), nullable=False), sa.Column("note", sa.String(24)))
    rng = np.random.default_rng(10)
    notes = ["café crème", "naïve façade déjà vu", "short", None, "ünïcödé ñote here!", "x" * 24]
    data = {"order_items": pd.DataFrame({
        "id": range(1, 151),
        "unit_price": np.where(rng.random(150) < 0.4, rng.uniform(990, 999.99, 150),
                               rng.uniform(1, 999.99, 150)).round(2),
        "discount_rate": rng.uniform(0, 0.25, 150).round(3),
        "sku": [f"SK{i:06d}" for i in range(150)],
        "note": [notes[i % len(notes)] for i in range(150)]})}
    _, frames = seed(m, data, {"order_items": 5000}, target_url)
    items = frames["order_items"]
    assert items["unit_price"].abs().max() < 1000
    assert items["discount_rate"].dropna().max() < 1
    assert items["sku"].str.len().max() <= 8
    assert items["note"].dropna().str.len().max() <= 24


def test_b20_time_zone_aware_timestamps(target_url: str) -> None:
    m = sa.MetaData()
    sa.Table("events", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
             sa.Column("local_day", sa.DateTime, nullable=False),
             sa.Column("closed_at", sa.DateTime(timezone=True)))
    rng = np.random.default_rng(11)
    created = pd.to_datetime("2023-01-01", utc=True) + pd.to_timedelta(rng.integers(0, 364 * 86400, 200), unit="s")
    closed = [c + pd.Timedelta(hours=int(h)) if rng.random() > 0.3 else None
              for c, h in zip(created, rng.integers(1, 48, 200))]
    data = {"events": pd.DataFrame({"id": range(1, 201), "created_at": created,
                                    "local_day": pd.to_datetime("2023-01-01") + pd.to_timedelta(
                                        rng.integers(0, 364, 200), unit="D"),
                                    "closed_at": closed})}
    _, frames = seed(m, data, {"events": 1000}, target_url)
    ev = frames["events"]
    assert str(ev["created_at"].dtype) == "datetime64[us, UTC]"
    assert ev["created_at"].min() >= created.min() and ev["created_at"].max() <= created.max()
    assert ev["closed_at"].isna().mean() == pytest.approx(0.30, abs=0.07)
    back = read(target_url, "SELECT id, created_at FROM events ORDER BY id LIMIT 5")
    for (key, stamp), expected in zip(back, ev["created_at"].head(5)):
        if "postgresql" in target_url:  # timestamptz: the same instant in any session zone
            assert pd.Timestamp(stamp) == expected, key
        else:  # SQLite and MySQL keep no zone: the documented mapping is UTC wall time
            assert pd.Timestamp(stamp) == expected.tz_convert("UTC").tz_localize(None), key


def test_b13_high_cardinality_columns_are_not_one_hot(caplog: pytest.LogCaptureFixture) -> None:
    m = sa.MetaData()
    sa.Table("events", m, sa.Column("id", sa.BigInteger, primary_key=True),
             sa.Column("session_token", sa.String(36), nullable=False),
             sa.Column("user_agent", sa.String(200), nullable=False),
             sa.Column("country", sa.CHAR(2), nullable=False),
             sa.Column("amount", sa.Float, nullable=False))
    rng = np.random.default_rng(14)
    n = 5000
    agents = [f"Mozilla/5.0 (X11; Linux) Build/{i}" for i in range(1000)]
    countries = [f"{a}{b}" for a in "ABCDE" for b in "FGHIJK"]
    data = {"events": pd.DataFrame({
        "id": range(1, n + 1), "session_token": [str(uuid) for uuid in
                                                 (f"{i:08x}-aaaa-bbbb-cccc-{i:012x}" for i in range(n))],
        "user_agent": rng.choice(agents, n), "country": rng.choice(countries, n),
        "amount": rng.gamma(2, 10, n)})}
    with caplog.at_level("INFO", logger="synthohive_seed"):
        synth = Synthesizer(m, data, epochs=1, seed=2).fit()
    model = synth.model.models["events"]  # type: ignore[union-attr]
    assert {"session_token", "user_agent"} <= set(model.high_cardinality)
    assert model.gan is not None and model.gan.shape.data_dim < 100  # no 1,000-wide one-hot
    assert any("session_token" in r.getMessage() for r in caplog.records)
    out = synth.sample({"events": 1000})["events"]
    assert out["session_token"].is_unique or out["session_token"].nunique() > 990
    assert not out["session_token"].isin(data["events"]["session_token"]).any()
    assert set(out["country"]) <= set(countries)


def test_unparsed_check_is_asked_of_the_database(target_url: str,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    """A CHECK the parser cannot read (arithmetic) is evaluated by the target database."""
    m = sa.MetaData()
    sa.Table("budget", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("a", sa.Integer, nullable=False), sa.Column("b", sa.Integer, nullable=False),
             sa.CheckConstraint("a + b <= 100", name="ck_sum"))
    rng = np.random.default_rng(15)
    a = rng.integers(0, 101, 300)
    b = (rng.random(300) * (100 - a)).astype(int)
    data = {"budget": pd.DataFrame({"id": range(1, 301), "a": a, "b": b})}
    synth = Synthesizer(m, data, epochs=1, seed=4).fit()
    frames = synth.sample({"budget": 400})
    broken = int((frames["budget"]["a"] + frames["budget"]["b"] > 100).sum())
    assert broken > 0  # in memory nobody can evaluate the rule; the model alone breaks it
    if target_url.startswith("mysql"):
        return  # MySQL is not asked; its CHECK is enforced at the load (see the log)
    written = synth.sample({"budget": 400}, target_url=target_url)
    assert 0 < written["budget"] <= 400
    assert read(target_url, "SELECT count(*) FROM budget WHERE a + b > 100") == [(0,)]
