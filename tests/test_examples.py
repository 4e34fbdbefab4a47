"""Smoke tests: every script in examples/ and alembic_example/ runs and does what it says.

Each runs as a user would run it (a subprocess from a shell-like command line) with one
training epoch; the assertions check the output they promise, not just the exit code.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from synthohive_seed.sinks.delta import read_delta

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ALEMBIC = ROOT / "alembic_example"
VERIFY = Path(__file__).parent / "tools" / "verify_db.py"


def run(*command: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def verify(url: str) -> str:
    done = run(sys.executable, VERIFY, url, "--min-rows", "1")
    return done.stdout.strip().splitlines()[-1]


def test_dataframes_example_prints_valid_keys() -> None:
    out = run(sys.executable, EXAMPLES / "dataframes.py", "--epochs", "1").stdout
    match = re.search(r"customers: (\d+) rows, orders: (\d+) rows, orphan orders: (\d+)", out)
    assert match, out
    assert int(match[1]) == 40 and int(match[2]) > 0 and int(match[3]) == 0


def test_delta_export_writes_every_table(tmp_path: Path) -> None:
    out = run(sys.executable, EXAMPLES / "delta_export.py", tmp_path / "delta",
              "--epochs", "1").stdout
    lines = dict(re.findall(r"^(\w+): (\d+) rows", out, flags=re.M))
    assert len(lines) == 11 and lines["Artist"] == "60", out
    assert read_delta(str(tmp_path / "delta" / "Track")).num_rows > 0


def test_cli_one_shot_seeds_a_sqlite_file(tmp_path: Path) -> None:
    db = tmp_path / "one_shot.db"
    out = run("bash", EXAMPLES / "cli_one_shot.sh", f"sqlite:///{db}", "1").stdout
    assert "seeded" in out
    with sqlite3.connect(db) as conn:
        assert conn.execute('SELECT COUNT(*) FROM "Artist"').fetchone()[0] == 50
        assert conn.execute('SELECT COUNT(*) FROM "Genre"').fetchone()[0] == 10
    assert verify(f"sqlite:///{db}").startswith("OK")


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``train_then_sample.py train``: one saved model for the examples that load one."""
    model = tmp_path_factory.mktemp("example_model") / "model"
    out = run(sys.executable, EXAMPLES / "train_then_sample.py", "train", model,
              "--epochs", "1").stdout
    assert "saved model to" in out and (model / "manifest.json").is_file()
    return model


def test_train_then_sample_without_the_source(saved_model: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'from_model.db'}"
    out = run(sys.executable, EXAMPLES / "train_then_sample.py", "sample", saved_model, url,
              "--artists", "15").stdout
    assert "Artist: 15" in out, out
    assert verify(url).startswith("OK")


def test_staging_refresh_replaces_rows(saved_model: Path, tmp_path: Path) -> None:
    db = tmp_path / "staging.db"
    names = []
    for seed in ("1", "2"):
        out = run(sys.executable, EXAMPLES / "staging_refresh.py", f"sqlite:///{db}",
                  "--model-dir", saved_model, "--seed", seed).stdout
        assert "trained" not in out and "refreshed: Artist: 80" in out, out  # loaded, not trained
        with sqlite3.connect(db) as conn:
            assert conn.execute('SELECT COUNT(*) FROM "Artist"').fetchone()[0] == 80  # replaced
            names.append(conn.execute('SELECT "Name" FROM "Artist" ORDER BY 1').fetchall())
    assert names[0] != names[1]
    assert verify(f"sqlite:///{db}").startswith("OK")


def test_pytest_example_passes() -> None:
    out = run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
              EXAMPLES / "test_with_plugin.py", cwd=EXAMPLES).stdout
    assert "2 passed" in out, out
    assert "models trained 1" in out, out


def test_alembic_example_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    out = run("bash", ALEMBIC / "run.sh", url, env={"SEED_EPOCHS": "1"}).stdout
    assert re.search(r"authors: 40, books: \d+, reviews: \d+", out), out
    assert verify(url).startswith("OK: 4 tables")  # three app tables plus alembic_version


@pytest.mark.postgres
def test_alembic_example_on_postgresql(pg_url: str) -> None:
    out = run("bash", ALEMBIC / "run.sh", pg_url.replace("+psycopg", ""),
              env={"SEED_EPOCHS": "1"}).stdout
    assert re.search(r"authors: 40, books: \d+, reviews: \d+", out), out
    assert verify(pg_url).startswith("OK: 4 tables")


def test_alembic_example_stops_on_schema_drift(tmp_path: Path) -> None:
    """A database one revision behind the models: nothing is trained or written."""
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    run(sys.executable, "-m", "alembic", "-c", "alembic.ini", "-x", f"db_url={url}",
        "upgrade", "0002", cwd=ALEMBIC)
    done = subprocess.run([sys.executable, "seed.py", url], cwd=ALEMBIC, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1
    assert "column books.page_count differs between the database and the models" in done.stderr
    with sqlite3.connect(tmp_path / "behind.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM authors").fetchone()[0] == 0
