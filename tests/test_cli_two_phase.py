"""``train`` then ``sample``: the two-phase command line, as a user runs it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from synthohive_seed import Synthesizer
from synthohive_seed.cli import build_sample_parser, build_train_parser, main


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "synthohive_seed", *args],
                          capture_output=True, text=True, timeout=600)


def dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "model"
    done = run_cli("train", "--quiet", "--model-path", str(path), "--epochs", "1", "--seed", "4")
    assert done.returncode == 0, done.stderr
    return path


def test_help_explains_every_flag() -> None:
    train = build_train_parser().format_help()
    for flag in ("--db-url", "--model-path", "--epochs", "--schema", "--seed"):
        assert flag in train
    sample = build_sample_parser().format_help()
    for flag in ("--model-path", "--target-url", "--output-path", "--output-format",
                 "--num-rows", "--seed", "--dry-run"):
        assert flag in sample


def test_sample_from_a_saved_model_is_deterministic(model_path: Path, tmp_path: Path) -> None:
    cli_db = tmp_path / "cli.db"
    done = run_cli("sample", "--quiet", "--model-path", str(model_path),
                   "--target-url", f"sqlite:///{cli_db}", "--num-rows", "Artist=40", "--seed", "7")
    assert done.returncode == 0, done.stderr
    api_db = tmp_path / "api.db"
    Synthesizer.load(model_path).sample({"Artist": 40}, target_url=f"sqlite:///{api_db}", seed=7)
    rows = dump(cli_db)
    assert rows == dump(api_db)
    assert sum(1 for line in rows if line.startswith('INSERT INTO "Artist"')) == 40


def test_dry_run_prints_the_plan_and_writes_nothing(model_path: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "t.db"
    code = main(["sample", "--quiet", "--model-path", str(model_path), "--dry-run",
                 "--target-url", f"sqlite:///{target}", "--num-rows", "Artist=12"])
    assert code == 0
    out = capsys.readouterr().out
    assert "Artist: 12 rows (root)" in out and "Track: children of Album" in out
    assert "Artist: not in the target: it will be created" in out  # the drift report
    assert not target.exists() or dump(target) in ([], ["BEGIN TRANSACTION;", "COMMIT;"])


def test_sample_errors_are_one_line(model_path: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sample", "--model-path", str(tmp_path / "none"), "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "no saved model" in err and len(err.strip().splitlines()) == 1
    assert main(["sample", "--model-path", str(model_path)]) == 2
    assert "--target-url" in capsys.readouterr().err
    assert main(["sample", "--model-path", str(model_path), "--dry-run",
                 "--num-rows", "Track=5"]) == 2
    assert "root tables" in capsys.readouterr().err
    code = main(["sample", "--quiet", "--model-path", str(model_path),
                 "--target-url", "postgresql://scott:tiger-secret@127.0.0.1:1/nowhere"])
    captured = capsys.readouterr()
    assert code == 3
    assert "tiger-secret" not in captured.err + captured.out and "***" in captured.err


def test_target_url_comes_from_the_environment(model_path: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "env.db"
    monkeypatch.setenv("SEED_TARGET_URL", f"sqlite:///{target}")
    assert main(["sample", "--quiet", "--model-path", str(model_path),
                 "--num-rows", "Artist=5", "--num-rows", "Employee=3"]) == 0
    assert any(line.startswith('INSERT INTO "Artist"') for line in dump(target))


def test_if_exists_truncate_replaces_the_rows(model_path: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "staging.db"
    args = ["sample", "--quiet", "--model-path", str(model_path), "--target-url",
            f"sqlite:///{target}", "--num-rows", "Artist=20", "--seed", "3"]
    assert main(args) == 0
    first = dump(target)
    assert main(args) == 2  # the default refuses tables that hold rows
    assert "if-exists" in capsys.readouterr().err.replace("_", "-")
    assert dump(target) == first
    assert main([*args, "--if-exists", "truncate", "--dry-run"]) == 0
    assert "would empty first" in capsys.readouterr().out
    assert main([*args, "--if-exists", "truncate"]) == 0
    assert dump(target) == first  # emptied, then the same model and seed: the same rows
    assert main(["sample", "--model-path", str(model_path), "--output-path",
                 str(tmp_path / "d"), "--if-exists", "append"]) == 2
