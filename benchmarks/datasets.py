"""The benchmark datasets: the generated shop and a Chinook subset SDV's HMA accepts.

Each dataset is ``(name, MetaData, frames)``. The Chinook subset keeps four tables one
level deep (Genre, MediaType, Album -> Track): HMA refuses deeper schemas, so Album's
FK to Artist is left out.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from shop import shop_frames, shop_metadata

from synthohive_seed.cli import sample_database_url

Dataset = tuple[str, sa.MetaData, dict[str, pd.DataFrame]]
CHINOOK_TABLES = ("Genre", "MediaType", "Album", "Track")


def shop() -> Dataset:
    return "shop", shop_metadata(), shop_frames()


def chinook_subset() -> Dataset:
    engine = sa.create_engine(sample_database_url())
    source = sa.MetaData()
    source.reflect(engine, only=list(CHINOOK_TABLES))
    md = sa.MetaData()
    for name in CHINOOK_TABLES:
        table = source.tables[name]
        columns = []
        for col in table.columns:
            if name == "Album" and col.name == "ArtistId":
                continue
            fks = [sa.ForeignKey(fk.target_fullname) for fk in col.foreign_keys
                   if fk.column.table.name in CHINOOK_TABLES]
            columns.append(sa.Column(col.name, col.type, *fks, primary_key=col.primary_key,
                                     nullable=col.nullable))
        sa.Table(name, md, *columns)
    frames = {}
    with engine.connect() as conn:
        for name in CHINOOK_TABLES:
            cols = [c.name for c in md.tables[name].columns]
            frames[name] = pd.read_sql(sa.select(*(source.tables[name].c[c] for c in cols)), conn)
    engine.dispose()
    return "chinook_subset", md, frames
