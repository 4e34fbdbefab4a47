"""The command line as a user runs it: real processes, real SQLite files."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from synthohive_seed.cli import build_parser, parse_num_rows
from synthohive_seed.errors import ConfigError


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "synthohive_seed", "--quiet", *args],
                          capture_output=True, text=True, timeout=600)


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def test_help_explains_every_flag() -> None:
    text = build_parser().format_help()
    for flag in ("--db-url", "--target-url", "--output-path", "--output-format", "--num-rows",
                 "--seed", "--epochs", "--schema", "--dry-run", "--quiet", "--precision"):
        assert flag in text


def test_parse_num_rows() -> None:
    assert parse_num_rows(["Artist=3", "cd.members=0"]) == {"Artist": 3, "cd.members": 0}
    with pytest.raises(ConfigError):
        parse_num_rows(["Artist"])
    with pytest.raises(ConfigError) as err:
        parse_num_rows(["Artist=many"])
    assert err.value.table == "Artist"


@pytest.mark.parametrize("precision", ["auto", "float32"])
def test_same_seed_twice_gives_identical_databases(tmp_path: Path, precision: str) -> None:
    outputs = []
    for name in ("a.db", "b.db"):
        target = tmp_path / name
        done = run_cli("--target-url", f"sqlite:///{target}", "--epochs", "1", "--seed", "4",
                       "--num-rows", "Artist=40", "--precision", precision)
        assert done.returncode == 0, done.stderr
        outputs.append(dump(target))
    assert outputs[0] == outputs[1]
    assert sum(1 for line in outputs[0] if line.startswith('INSERT INTO "Artist"')) == 40


def test_unknown_table_is_refused_and_nothing_written(tmp_path: Path) -> None:
    target = tmp_path / "t.db"
    done = run_cli("--target-url", f"sqlite:///{target}", "--epochs", "1", "--num-rows", "Nope=3")
    assert done.returncode == 2
    assert "Nope" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not target.exists() or dump(target) in ([], ["BEGIN TRANSACTION;", "COMMIT;"])


def test_negative_count_is_refused(tmp_path: Path) -> None:
    done = run_cli("--target-url", f"sqlite:///{tmp_path / 't.db'}", "--num-rows", "Artist=-5")
    assert done.returncode == 2
    assert "Artist" in done.stderr and "--num-rows" in done.stderr and ">= 0" in done.stderr


def test_unreachable_url_is_one_line_without_password(tmp_path: Path) -> None:
    done = run_cli("--db-url", "postgresql://scott:tiger-secret@127.0.0.1:1/nowhere",
                   "--target-url", f"sqlite:///{tmp_path / 't.db'}")
    assert done.returncode == 3
    assert "tiger-secret" not in done.stderr + done.stdout
    assert "***" in done.stderr and "Traceback" not in done.stderr
    missing = run_cli("--db-url", f"sqlite:///{tmp_path / 'no' / 'such.db'}",
                      "--target-url", f"sqlite:///{tmp_path / 't.db'}")
    assert missing.returncode == 3
    assert not (tmp_path / "t.db").exists()
    typo = run_cli("--db-url", f"sqlite:///{tmp_path / 'typo.db'}", "--output-path",
                   str(tmp_path / "delta"))
    assert typo.returncode == 3 and "no SQLite file" in typo.stderr
    assert not (tmp_path / "typo.db").exists()  # a mistyped source is not created empty
    (tmp_path / "empty.db").touch()
    empty = run_cli("--db-url", f"sqlite:///{tmp_path / 'empty.db'}", "--output-path",
                    str(tmp_path / "delta"))
    assert empty.returncode == 1 and "no tables" in empty.stderr


def test_output_needs_a_destination() -> None:
    done = run_cli()
    assert done.returncode == 2
    assert "--target-url" in done.stderr


def test_one_shot_refresh_with_dry_run_first(tmp_path: Path) -> None:
    target = tmp_path / "staging.db"
    url = f"sqlite:///{target}"
    first = run_cli("--target-url", url, "--epochs", "1", "--num-rows", "Artist=30")
    assert first.returncode == 0, first.stderr
    before = dump(target)
    plan = run_cli("--target-url", url, "--epochs", "1", "--num-rows", "Artist=12",
                   "--if-exists", "truncate", "--dry-run")
    assert plan.returncode == 0, plan.stderr
    assert "would empty first" in plan.stdout and "Artist: 30 rows" in plan.stdout
    assert dump(target) == before  # a dry run writes nothing
    # Appending without --seed: the plan shows the seed derived from what the target holds.
    appending = run_cli("--target-url", url, "--epochs", "1", "--if-exists", "append",
                        "--dry-run")
    assert appending.returncode == 0, appending.stderr
    assert appending.stdout.startswith("seed ") and not appending.stdout.startswith("seed 0;")
    done = run_cli("--target-url", url, "--epochs", "1", "--num-rows", "Artist=12",
                   "--if-exists", "truncate")
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM Artist").fetchone()[0] == 12


def test_bad_urls_are_bad_options_without_the_password() -> None:
    unknown = run_cli("--target-url", "foo://x:s3cretPW@h/db", "--epochs", "1")
    assert unknown.returncode == 2 and "unknown database kind 'foo'" in unknown.stderr
    assert "s3cretPW" not in unknown.stderr
    garbled = run_cli("--target-url", "not-a-url:s3cretPW", "--epochs", "1")
    assert garbled.returncode == 2 and "not a database URL" in garbled.stderr
    assert "s3cretPW" not in garbled.stderr and "ArgumentError" not in garbled.stderr


def test_write_options_need_a_database_target(tmp_path: Path) -> None:
    done = run_cli("--output-path", str(tmp_path / "d"), "--fk-checks", "off")
    assert done.returncode == 2 and "--fk-checks applies to --target-url" in done.stderr


def test_a_failed_or_dry_run_leaves_no_new_sqlite_file(tmp_path: Path) -> None:
    failed = tmp_path / "failed.db"
    done = run_cli("--target-url", f"sqlite:///{failed}", "--num-rows", "Artist=0", "--epochs", "1")
    assert done.returncode == 1 and "--num-rows Artist=N" in done.stderr
    assert not failed.exists()  # the run made it, the run failed: removed
    dry = tmp_path / "dry.db"
    done = run_cli("--target-url", f"sqlite:///{dry}", "--dry-run", "--epochs", "1")
    assert done.returncode == 0 and "it will be created" in done.stdout
    assert not dry.exists()  # looking at a target that does not exist does not create it
