"""The pytest plugin, tested as a user meets it: small projects run by ``pytester``.

Projects run in a subprocess, so the plugin is loaded through its ``pytest11`` entry
point exactly as in a user's suite (``pip install -e .`` registers it), and because an
in-process run that trains imports torch submodules that pytester then unloads: torch
cannot register them twice. Only the run that trains nothing stays in process.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

VERIFY = Path(__file__).parent / "tools" / "verify_db.py"

# One user project: the Chinook model is trained once and serves three fixtures: SQLite
# copies, a PostgreSQL template seeded through pytest-postgresql's load= hook and cloned
# per test, and a fresh PostgreSQL database seeded for each test.
CONFTEST = """
import os
from pytest_postgresql import factories as pg
from synthohive_seed import fixtures as seed
from synthohive_seed.cli import sample_database_url

SOURCE = sample_database_url()
TAG = f"seedplugin_{os.getpid()}"  # the outer suite's pytest-postgresql uses other names

chinook = seed.seed_model(SOURCE, epochs=1, seed=3)
chinook_sqlite = seed.seed_database("chinook", num_rows={"Artist": 40, "Genre": 6}, seed=2)

postgresql_noproc = pg.postgresql_noproc(
    host="127.0.0.1", port=5432, user="postgres", dbname=TAG,
    load=[seed.seed_loader(SOURCE, epochs=1, seed=3, num_rows={"Artist": 30}, sample_seed=1)])
postgresql = pg.postgresql("postgresql_noproc")

empty_noproc = pg.postgresql_noproc(host="127.0.0.1", port=5432, user="postgres",
                                    dbname=TAG + "_empty")
empty_pg = pg.postgresql("empty_noproc")
chinook_pg = seed.seed_database("chinook", target="empty_pg", num_rows={"Artist": 25}, seed=4)

# A fixed database given by URL: seeded for each test, emptied after it.
FIXED = "sqlite:///" + os.path.abspath("fixed.db")
chinook_fixed = seed.seed_database("chinook", target=FIXED, num_rows={"Artist": 7})
"""

TESTS = """
import sqlite3, subprocess, sys
import sqlalchemy as sa

VERIFY = {verify!r}

def count(url, table):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text(f'SELECT COUNT(*) FROM "{{table}}"')).scalar()
    engine.dispose()
    return n

def verified(url):
    run = subprocess.run([sys.executable, VERIFY, url, "--min-rows", "1"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    return True

def test_sqlite_copy_has_asked_rows_and_valid_keys(chinook_sqlite):
    assert chinook_sqlite.rows["Artist"] == 40 and chinook_sqlite.rows["Genre"] == 6
    assert count(chinook_sqlite.url, "Artist") == 40
    assert count(chinook_sqlite.url, "Track") > 0
    assert verified(chinook_sqlite.url)

def test_sqlite_deleting_rows(chinook_sqlite):
    path = chinook_sqlite.url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute('DELETE FROM "InvoiceLine"')
    assert count(chinook_sqlite.url, "InvoiceLine") == 0

def test_sqlite_next_test_gets_a_clean_copy(chinook_sqlite):
    assert count(chinook_sqlite.url, "InvoiceLine") == chinook_sqlite.rows["InvoiceLine"] > 0

def test_pg_template_clone_is_seeded(postgresql):
    with postgresql.cursor() as cur:
        cur.execute('SELECT COUNT(*) FROM "Artist"')
        assert cur.fetchone()[0] == 30
        cur.execute('SELECT COUNT(*) FROM "Album" a LEFT JOIN "Artist" r '
                    'ON a."ArtistId" = r."ArtistId" WHERE r."ArtistId" IS NULL')
        assert cur.fetchone()[0] == 0
        cur.execute('DELETE FROM "InvoiceLine"')
    postgresql.commit()

def test_pg_next_clone_is_untouched(postgresql):
    with postgresql.cursor() as cur:
        cur.execute('SELECT COUNT(*) FROM "InvoiceLine"')
        assert cur.fetchone()[0] > 0

def test_fixed_url_first(chinook_fixed):
    assert count(chinook_fixed.url, "Artist") == 7

def test_fixed_url_second_is_seeded_again(chinook_fixed):
    assert count(chinook_fixed.url, "Artist") == 7
    assert count(chinook_fixed.url, "Track") == chinook_fixed.rows["Track"]

def test_pg_seeded_per_test(chinook_pg, chinook):
    assert chinook_pg.rows["Artist"] == 25 == count(chinook_pg.url, "Artist")
    assert set(chinook_pg.rows) == {{t.key for t in chinook.schema.tables}}
    assert verified(chinook_pg.url)
"""


@pytest.mark.postgres
def test_user_project_sees_seeded_databases_and_trains_once(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_app=TESTS.format(verify=str(VERIFY)))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=8)
    # one model for the session: the SQLite, fixed-URL and per-test PG fixtures and the
    # template loader all share it; seeded: two templates, the fixed database twice and
    # one fresh PostgreSQL database.
    result.stdout.fnmatch_lines(["synthohive_seed: models trained 1, loaded 0, reused 1; "
                                 "databases seeded 5, cloned 3"])
    with sqlite3.connect(pytester.path / "fixed.db") as conn:  # emptied, tables kept
        assert conn.execute('SELECT COUNT(*) FROM "Artist"').fetchone()[0] == 0


def test_ini_options_drive_the_default_fixtures(pytester: pytest.Pytester) -> None:
    """``seed_source_url``/``seed_epochs`` in the ini file are enough for ``seed_model``."""
    from synthohive_seed.cli import sample_database_url

    pytester.makeini(f"[pytest]\nseed_source_url = {sample_database_url()}\nseed_epochs = 1\n")
    pytester.makeconftest("""
        from synthohive_seed import fixtures as seed
        small_db = seed.seed_database("seed_model", num_rows={"Artist": 12, "Genre": 3})
    """)
    pytester.makepyfile(test_default="""
        def test_default_model(small_db, seed_model):
            assert seed_model.options.epochs == 1
            assert small_db.rows["Artist"] == 12 and small_db.rows["MediaType"] == 5
            assert small_db.url.startswith("sqlite:///")
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["synthohive_seed: models trained 1, *"])


def test_model_path_loads_an_artifact_instead_of_training(pytester: pytest.Pytester) -> None:
    """With ``--seed-model-path`` the session loads the saved model once and trains nothing."""
    from synthohive_seed import Synthesizer
    from synthohive_seed.cli import sample_database_url

    Synthesizer.from_url(sample_database_url(), epochs=1, seed=2).fit().save(
        pytester.path / "chinook_model")
    pytester.makeconftest("""
        from synthohive_seed import fixtures as seed
        db_a = seed.seed_database("seed_model", num_rows={"Artist": 9})
        db_b = seed.seed_database("seed_model", num_rows={"Artist": 11})
    """)
    pytester.makepyfile(test_loaded="""
        def test_both(db_a, db_b, seed_model):
            assert seed_model.data == {}  # loaded models carry no source rows
            assert db_a.rows["Artist"] == 9 and db_b.rows["Artist"] == 11
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider",
                                           "--seed-model-path", "chinook_model")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["synthohive_seed: models trained 0, loaded 1, reused 0; "
                                 "databases seeded 2, cloned 2"])


def test_missing_source_says_what_to_set(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_nothing="""
        def test_needs_a_model(seed_db):
            pass
    """)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*no model source*seed_source_url*seed_model_path*"])


def test_plugin_is_registered_by_entry_point() -> None:
    from importlib.metadata import entry_points

    names = {e.name: e.value for e in entry_points(group="pytest11")}
    assert names.get("synthohive_seed") == "synthohive_seed.pytest_plugin", (
        "run `pip install -e . --no-deps` so the pytest11 entry point is registered")


@pytest.mark.postgres
def test_database_url_of_every_target_kind(postgresql_noproc: object, postgresql: object,
                                           pg_url: str) -> None:
    from synthohive_seed.fixtures import database_url

    proc_url = sa.make_url(database_url(postgresql_noproc))
    assert (proc_url.host, proc_url.port, proc_url.username) == ("127.0.0.1", 5432, "postgres")
    assert proc_url.database == postgresql_noproc.dbname  # type: ignore[attr-defined]
    assert sa.make_url(database_url(postgresql)).database == sa.make_url(pg_url).database
    engine = sa.create_engine(pg_url)
    assert database_url(engine) == engine.url.render_as_string(hide_password=False)
    engine.dispose()


def test_loading_the_plugin_does_not_import_torch() -> None:
    """pytest loads the plugin in every run of a project that installs the package."""
    code = ("import sys, synthohive_seed.pytest_plugin; assert 'torch' not in sys.modules; "
            "from synthohive_seed import Synthesizer; assert 'torch' in sys.modules; "
            "import synthohive_seed; assert 'Synthesizer' in dir(synthohive_seed)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
