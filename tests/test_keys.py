"""Key shapes: natural text keys, 1:1 tables, composite FKs, FKs to UNIQUE columns, no PK."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from synthohive_seed import Synthesizer

from .frames_check import key_problems
from .test_cases import read


def key_schema() -> tuple[sa.MetaData, dict[str, pd.DataFrame]]:
    m = sa.MetaData()
    sa.Table("countries", m, sa.Column("code", sa.String(3), primary_key=True),
             sa.Column("name", sa.String(40), nullable=False))
    sa.Table("users", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("country", sa.ForeignKey("countries.code"), nullable=False),
             sa.Column("handle", sa.String(20), nullable=False, unique=True))
    sa.Table("profiles", m,  # 1:1, primary key is the FK
             sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
             sa.Column("bio_len", sa.Integer))
    sa.Table("sheets", m, sa.Column("book", sa.Integer, primary_key=True),
             sa.Column("page", sa.Integer, primary_key=True), sa.Column("words", sa.Integer))
    sa.Table("notes", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("book", sa.Integer, nullable=False), sa.Column("page", sa.Integer, nullable=False),
             sa.Column("author", sa.ForeignKey("users.handle"), nullable=True),
             sa.ForeignKeyConstraint(["book", "page"], ["sheets.book", "sheets.page"]))
    sa.Table("events", m,  # no primary key at all
             sa.Column("user_id", sa.ForeignKey("users.id"), nullable=False),
             sa.Column("kind", sa.String(10)))
    rng = np.random.default_rng(13)
    codes = ["FRA", "DEU", "ITA", "ESP", "PRT", "NLD", "BEL", "AUT", "CHE", "POL"]
    users = pd.DataFrame({"id": range(1, 61), "country": rng.choice(codes, 60),
                          "handle": [f"user_{i}" for i in range(60)]})
    sheets = pd.DataFrame([(b, p, int(rng.integers(100, 400))) for b in range(1, 6)
                           for p in range(1, 9)], columns=["book", "page", "words"])
    picks = rng.integers(0, len(sheets), 90)
    data = {
        "countries": pd.DataFrame({"code": codes, "name": [c.title() for c in codes]}),
        "users": users,
        "profiles": pd.DataFrame({"user_id": range(1, 41), "bio_len": rng.integers(0, 500, 40)}),
        "sheets": sheets,
        "notes": pd.DataFrame({"id": range(1, 91), "book": sheets["book"].to_numpy()[picks],
                               "page": sheets["page"].to_numpy()[picks],
                               "author": [None if i % 4 == 0 else f"user_{i % 60}" for i in range(90)]}),
        "events": pd.DataFrame({"user_id": rng.integers(1, 61, 150), "kind": rng.choice(["in", "out"], 150)}),
    }
    return m, data


def test_key_shapes(target_url: str) -> None:
    metadata, data = key_schema()
    synth = Synthesizer(metadata, data, epochs=1, seed=6).fit()
    frames = synth.sample({"countries": 30, "sheets": 10})
    assert key_problems(synth.schema, frames) == []
    countries = frames["countries"]
    assert countries["code"].str.len().le(3).all() and countries["code"].is_unique
    assert not set(countries["code"]) & set(data["countries"]["code"])  # new codes, not copies
    profiles = frames["profiles"]
    assert profiles["user_id"].is_unique  # 1:1 stays 1:1
    assert len(profiles) / len(frames["users"]) == pytest.approx(40 / 60, abs=0.2)
    assert not frames["sheets"].duplicated(["book", "page"]).any()
    assert len(frames["events"]) > 0
    written = synth.sample({"countries": 30, "sheets": 10}, target_url=target_url)
    assert written == {k: len(v) for k, v in frames.items()}
    dangling = read(target_url, "SELECT count(*) FROM notes n LEFT JOIN sheets s ON "
                                "s.book = n.book AND s.page = n.page WHERE s.book IS NULL")
    assert dangling == [(0,)]
