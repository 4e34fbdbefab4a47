"""Docs and public surface stay true to the code."""

from __future__ import annotations

from pathlib import Path

import synthohive_seed

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = 'pip install torch==2.13.0 && pip install -e ".[test]" && python -m pytest'
    assert command in readme
    assert command.replace("pip install", "python -m pip install") in ci


def test_public_api_is_pinned() -> None:
    assert sorted(synthohive_seed.__all__) == sorted([
        "ArtifactError", "ColumnSpec", "ConfigError", "ConnectionFailed", "CycleError",
        "ForeignKeySpec", "Schema", "SchemaDriftError", "SchemaError", "SeedError", "Synthesizer", "TableSpec", "TrainOptions",
        "TrainingError", "WriteError", "__version__", "reflect_metadata",
        "schema_from_metadata",
    ])
    for name in synthohive_seed.__all__:
        assert getattr(synthohive_seed, name) is not None
