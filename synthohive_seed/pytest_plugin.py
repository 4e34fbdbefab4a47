"""pytest plugin (entry point ``pytest11``): options, the session model cache, default fixtures.

Options (command line beats ini file)::

    --seed-model-path / seed_model_path     artifact to load instead of training
    --seed-source-url / seed_source_url     database to learn from when no fixture says
    --seed-epochs     / seed_epochs         training epochs (default: the library's)
    --seed-random-seed / seed_random_seed   seed for training and sampling (default 0)

Default fixtures: ``seed_model`` (session; the model those options describe) and
``seed_db`` (per test; a SQLite copy seeded from ``seed_model``). Build your own with
the factories in :mod:`synthohive_seed.fixtures`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from . import fixtures
from .model_cache import ModelCache, SessionDefaults, pop_cache, push_cache

_CACHE = pytest.StashKey[ModelCache]()

_OPTIONS = {
    "model_path": "model artifact to load instead of training (relative to the rootdir)",
    "source_url": "database URL the seed_model fixture learns from",
    "epochs": "training epochs per table for models trained by the fixtures",
    "random_seed": "seed for training and sampling in the fixtures (default 0)",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("synthohive_seed", "synthetic seeding (synthohive_seed)")
    for name, help_text in _OPTIONS.items():
        group.addoption(f"--seed-{name.replace('_', '-')}", dest=f"seed_{name}", default=None,
                        help=help_text)
        parser.addini(f"seed_{name}", help_text, default=None)


def _setting(config: pytest.Config, name: str) -> str | None:
    value = config.getoption(f"seed_{name}") or config.getini(f"seed_{name}")
    return str(value) if value not in (None, "") else None


def _as_int(config: pytest.Config, name: str) -> int | None:
    value = _setting(config, name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise pytest.UsageError(f"seed_{name} must be a whole number, got {value!r}") from None


def pytest_configure(config: pytest.Config) -> None:
    defaults = SessionDefaults(
        model_path=_setting(config, "model_path"),
        source_url=_setting(config, "source_url"),
        epochs=_as_int(config, "epochs"),
        random_seed=_as_int(config, "random_seed") or 0,
    )
    cache = ModelCache(defaults, root=Path(config.rootpath))
    config.stash[_CACHE] = cache
    push_cache(cache)


def pytest_unconfigure(config: pytest.Config) -> None:
    cache = config.stash.get(_CACHE, None)
    if cache is not None:
        pop_cache(cache)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter,
                            config: pytest.Config) -> None:
    """One line saying what was trained, loaded and seeded; silent when nothing was."""
    cache = config.stash.get(_CACHE, None)
    if cache is not None and (cache.trained or cache.loaded or cache.seeded):
        terminalreporter.write_line(f"synthohive_seed: {cache.summary()}")


seed_model = fixtures.seed_model()
seed_db = fixtures.seed_database("seed_model")
