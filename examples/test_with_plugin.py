"""A test module using the synthohive_seed pytest plugin (installed with the package).

    python -m pytest examples/test_with_plugin.py

The model is trained once per session (1 epoch here to keep the example fast); every
test gets its own SQLite copy of a database seeded once, so tests may modify it freely.
"""

from __future__ import annotations

import sqlalchemy as sa

from synthohive_seed import fixtures as seed
from synthohive_seed.cli import sample_database_url
from synthohive_seed.fixtures import SeededDatabase

chinook_model = seed.seed_model(sample_database_url(), epochs=1)
music_db = seed.seed_database("chinook_model", num_rows={"Artist": 30}, seed=3)


def test_a_test_may_delete_rows(music_db: SeededDatabase) -> None:
    engine = music_db.engine()
    with engine.begin() as conn:
        conn.execute(sa.text('DELETE FROM "PlaylistTrack"'))
        left = conn.execute(sa.text('SELECT COUNT(*) FROM "PlaylistTrack"')).scalar()
    engine.dispose()
    assert left == 0 < music_db.rows["PlaylistTrack"]


def test_albums_belong_to_artists(music_db: SeededDatabase) -> None:
    engine = music_db.engine()
    with engine.connect() as conn:
        orphans = conn.execute(sa.text(
            'SELECT COUNT(*) FROM "Album" a LEFT JOIN "Artist" r ON a."ArtistId" = r."ArtistId" '
            'WHERE r."ArtistId" IS NULL')).scalar()
        artists = conn.execute(sa.text('SELECT COUNT(*) FROM "Artist"')).scalar()
        playlist_tracks = conn.execute(sa.text('SELECT COUNT(*) FROM "PlaylistTrack"')).scalar()
    engine.dispose()
    assert orphans == 0
    assert artists == 30
    # the previous test emptied PlaylistTrack in its own copy; this copy is untouched
    assert playlist_tracks == music_db.rows["PlaylistTrack"] > 0
