"""Sampling a saved model into a target whose schema moved on (schema drift)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from synthohive_seed import Synthesizer
from synthohive_seed.errors import SchemaDriftError


def shop(amount_type: sa.types.TypeEngine = sa.Numeric(8, 2), *, note: bool = True,
         extra: list[sa.Column] | None = None, audit: bool = False) -> sa.MetaData:
    metadata = sa.MetaData()
    sa.Table("customers", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("tier", sa.String(10), nullable=False))
    sa.Table("orders", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("customer_id", sa.ForeignKey("customers.id"), nullable=False),
             sa.Column("amount", amount_type, nullable=False),
             *([sa.Column("note", sa.String(40))] if note else []), *(extra or []))
    if audit:
        sa.Table("audit", metadata, sa.Column("id", sa.Integer, primary_key=True))
    return metadata


@pytest.fixture(scope="module")
def model() -> Synthesizer:
    customers = pd.DataFrame({"id": range(1, 31), "tier": ["gold", "basic", "basic"] * 10})
    orders = pd.DataFrame({"id": range(1, 91), "customer_id": [1 + i % 30 for i in range(90)],
                           "amount": [round(3.5 + i * 1.25, 2) for i in range(90)],
                           "note": [None if i % 3 else f"n{i}" for i in range(90)]})
    return Synthesizer(shop(), {"customers": customers, "orders": orders}, epochs=1).fit()


def target(tmp_path: Path, metadata: sa.MetaData) -> str:
    url = f"sqlite:///{tmp_path / 'target.db'}"
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    return url


def count(url: str, table: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        n = conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
    engine.dispose()
    return int(n or 0)


def test_same_schema_has_no_drift(model: Synthesizer, tmp_path: Path) -> None:
    url = target(tmp_path, shop())
    assert model.drift(url).differences == ()
    assert model.drift(url).describe() == "target schema matches the model"


def test_added_nullable_column_and_added_table_are_left_alone(model: Synthesizer,
                                                              tmp_path: Path) -> None:
    url = target(tmp_path, shop(extra=[sa.Column("coupon", sa.String(8))], audit=True))
    report = model.drift(url)
    assert {(d.table, d.column, d.change) for d in report.differences} == {
        ("orders", "coupon", "column_added"), ("audit", None, "table_added")}
    assert not report.incompatible
    written = model.sample({"customers": 10}, target_url=url)
    assert written["orders"] == count(url, "orders") > 0
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM orders WHERE coupon IS NOT NULL"
                                    ).scalar() == 0
    engine.dispose()
    assert count(url, "audit") == 0


def test_dropped_nullable_column_is_not_written(model: Synthesizer, tmp_path: Path) -> None:
    url = target(tmp_path, shop(note=False))
    assert [d.change for d in model.drift(url).differences] == ["column_dropped"]
    assert model.sample({"customers": 5}, target_url=url)["orders"] == count(url, "orders")


@pytest.mark.parametrize(("metadata", "where"), [
    (shop(amount_type=sa.String(20)), ("orders", "amount", "type_changed")),
    (shop(amount_type=sa.Numeric(6, 1)), ("orders", "amount", "type_changed")),
    (shop(extra=[sa.Column("status", sa.String(5), nullable=False)]),
     ("orders", "status", "column_added")),
])
def test_incompatible_changes_stop_before_writing(model: Synthesizer, tmp_path: Path,
                                                  metadata: sa.MetaData,
                                                  where: tuple[str, str, str]) -> None:
    url = target(tmp_path, metadata)
    with pytest.raises(SchemaDriftError) as err:
        model.sample({"customers": 5}, target_url=url)
    assert where in {(d.table, d.column, d.change) for d in err.value.differences}
    assert "incompatible" in str(err.value) and where[1] in str(err.value)
    assert count(url, "customers") == 0 and count(url, "orders") == 0
