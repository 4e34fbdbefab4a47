"""One column of every type family, through training, sampling and each database."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from synthohive_seed import Synthesizer

from .test_cases import read

N = 120



def every_type() -> tuple[sa.MetaData, dict[str, pd.DataFrame]]:
    m = sa.MetaData()
    sa.Table(
        "everything", m,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("small", sa.SmallInteger, nullable=False),
        sa.Column("big", sa.BigInteger),
        sa.Column("money", sa.Numeric(8, 3), nullable=False),
        sa.Column("ratio", sa.Float),
        sa.Column("code", sa.CHAR(4), nullable=False),
        sa.Column("label", sa.String(12)),
        sa.Column("body", sa.Text),
        sa.Column("flag", sa.Boolean, nullable=False),
        sa.Column("day", sa.Date),
        sa.Column("clock", sa.Time),
        sa.Column("stamp", sa.DateTime, nullable=False),
        sa.Column("stamp_tz", sa.DateTime(timezone=True)),
        sa.Column("span", sa.Interval),
        sa.Column("mood", sa.Enum("happy", "sad", "meh", name="mood_kind")),
        sa.Column("token", sa.Uuid, nullable=False),
        sa.Column("doc", sa.JSON),
        sa.Column("blob", sa.LargeBinary),
    )
    rng = np.random.default_rng(12)
    data = pd.DataFrame({
        "id": range(1, N + 1),
        "small": rng.integers(-300, 300, N),
        "big": [None if i % 9 == 0 else int(v) for i, v in enumerate(rng.integers(1, 10**12, N))],
        "money": rng.uniform(-9999, 9999, N).round(3),
        "ratio": [None if i % 5 == 0 else float(v) for i, v in enumerate(rng.random(N))],
        "code": [f"C{i % 50:03d}" for i in range(N)],
        "label": rng.choice(["alpha", "béta", "gamma ray", "déjà-vu"], N),
        "body": [f"free text number {i} über alles" for i in range(N)],
        "flag": rng.random(N) < 0.3,
        "day": [dt.date(2020, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 900, N)],
        "clock": [dt.time(int(h), int(mi)) for h, mi in zip(rng.integers(0, 24, N), rng.integers(0, 60, N))],
        "stamp": pd.to_datetime("2022-01-01") + pd.to_timedelta(rng.integers(0, 10**7, N), unit="s"),
        "stamp_tz": pd.to_datetime("2022-01-01", utc=True) + pd.to_timedelta(rng.integers(0, 10**7, N), unit="s"),
        "span": pd.to_timedelta(rng.integers(60, 86400, N), unit="s"),
        "mood": rng.choice(["happy", "sad", "meh"], N),
        "token": [uuid.UUID(int=int(v)) for v in rng.integers(1, 2**62, N)],
        "doc": [{"kind": "k", "n": int(i), "tags": ["a", "b"]} for i in range(N)],
        "blob": [bytes(rng.integers(0, 256, 8).astype("uint8")) for _ in range(N)],
    })
    return m, {"everything": data}


def test_every_type_family_goes_in(target_url: str) -> None:
    metadata, data = every_type()
    synth = Synthesizer(metadata, data, epochs=1, seed=3).fit()
    frames = synth.sample({"everything": 200})
    out = frames["everything"]
    src = data["everything"]
    assert str(out["small"].dtype) == "Int64" and out["small"].between(-300, 300).all()
    assert out["money"].abs().max() < 10**5
    assert (out["code"].str.len() <= 4).all() and (out["label"].dropna().str.len() <= 12).all()
    assert set(out["mood"].dropna()) <= {"happy", "sad", "meh"}
    assert out["flag"].mean() == pytest.approx(0.3, abs=0.12)
    assert all(isinstance(v, dt.date) for v in out["day"].dropna())
    assert all(isinstance(v, dt.time) for v in out["clock"].dropna())
    assert str(out["stamp_tz"].dtype) == "datetime64[us, UTC]"
    assert out["stamp"].between(src["stamp"].min(), src["stamp"].max()).all()
    assert out["token"].nunique() == 200
    assert not set(map(str, out["token"])) & set(map(str, src["token"]))
    assert all(isinstance(v, dict) and set(v) == {"kind", "n", "tags"} for v in out["doc"].dropna())
    assert all(isinstance(v, bytes) for v in out["blob"].dropna())

    written = synth.sample({"everything": 200}, target_url=target_url)
    assert written == {"everything": 200}
    back = read(target_url, "SELECT count(*), count(stamp), count(token) FROM everything")[0]
    assert back == (200, 200, 200)
    (doc,) = read(target_url, "SELECT doc FROM everything WHERE doc IS NOT NULL LIMIT 1")[0]
    parsed = json.loads(doc) if isinstance(doc, str) else doc
    assert set(parsed) == {"kind", "n", "tags"}


@pytest.mark.postgres
def test_postgres_only_types(postgresql: object, pg_url: str, tmp_path: Path,
                             caplog: pytest.LogCaptureFixture) -> None:
    """Named enum in another schema, domain, jsonb, array, interval, bytea, uuid, inet, box."""
    conn = postgresql
    with conn.cursor() as cur:  # type: ignore[attr-defined]
        cur.execute("""
            CREATE SCHEMA kinds;
            CREATE TYPE kinds.mood AS ENUM ('happy', 'sad', 'meh');
            CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
            CREATE TABLE things (
                id serial PRIMARY KEY, mood kinds.mood NOT NULL, qty positive_int NOT NULL,
                doc jsonb, tags text[], span interval, raw bytea, token uuid NOT NULL,
                at timestamptz NOT NULL, addr inet, shape box);
            INSERT INTO things (mood, qty, doc, tags, span, raw, token, at, addr, shape)
            SELECT (ARRAY['happy','sad','meh']::kinds.mood[])[1 + g % 3], 1 + g % 17,
                   jsonb_build_object('n', g, 'name', 'item ' || g),
                   ARRAY['t' || (g % 4), 'x'], (g || ' minutes')::interval,
                   decode(md5(g::text), 'hex'), md5(g::text)::uuid,
                   timestamptz '2024-01-01 00:00+00' + g * interval '1 hour',
                   ('10.0.0.' || (g % 250))::inet, box(point(g, g), point(0, 0))
            FROM generate_series(1, 80) g;
        """)
    conn.commit()  # type: ignore[attr-defined]
    synth = Synthesizer.from_url(pg_url, epochs=1).fit()
    target = pg_url + "_types_target"
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{target.rsplit("/", 1)[1]}"')
    try:
        written = synth.sample({"things": 150}, target_url=target)
        assert written == {"things": 150}
        rows = read(target, "SELECT mood::text, qty, doc, span, token FROM things")
        assert {r[0] for r in rows} <= {"happy", "sad", "meh"}
        assert all(r[1] > 0 for r in rows)
        assert all(set(r[2]) == {"n", "name"} for r in rows if r[2] is not None)
        assert len({r[4] for r in rows}) == 150
        # an unknown type is named in a warning and, being nullable, filled with NULL
        assert any("shape" in rec.getMessage() and "not modelled" in rec.getMessage()
                   for rec in caplog.records)
        assert read(target, "SELECT count(*) FROM things WHERE shape IS NOT NULL") == [(0,)]
        # arrays keep their shape; inet values (detected as IPs) are valid addresses
        tags = read(target, "SELECT tags FROM things WHERE tags IS NOT NULL")
        assert tags and all(len(t[0]) == 2 for t in tags)
        assert read(target, "SELECT count(*) FROM things WHERE addr IS NOT NULL")[0][0] > 0
    finally:
        with admin.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.rsplit("/", 1)[1]}" WITH (FORCE)')
        admin.dispose()
