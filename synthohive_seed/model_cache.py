"""Fitted models for test sessions: load an artifact or train once, keyed by a fingerprint.

A test session asks for "the model of this source" from many places (session fixtures,
pytest-postgresql ``load=`` callables run while a template database is built). Training
is the expensive step, so every request goes through one :class:`ModelCache` per session,
which trains a given (schema, data, options) combination at most once and counts what it
did so the plugin can report it (and tests can check it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from .errors import ConfigError

if TYPE_CHECKING:
    from .synthesizer import Synthesizer


@dataclass(frozen=True)
class SessionDefaults:
    """Values from the command line / ini file that apply when a fixture does not say."""

    model_path: str | None = None
    """``--seed-model-path`` / ``seed_model_path``: an artifact to load instead of training."""
    source_url: str | None = None
    """``--seed-source-url`` / ``seed_source_url``: the database to learn from."""
    epochs: int | None = None
    """``--seed-epochs`` / ``seed_epochs``: training epochs (None: the library default)."""
    random_seed: int = 0
    """``--seed-random-seed`` / ``seed_random_seed``: seed for training and sampling."""


@dataclass(frozen=True)
class ModelSource:
    """Where a model comes from: an artifact, a live database, or MetaData plus DataFrames.

    Precedence, so a suite can train locally and load a committed artifact in CI:
    ``artifact`` > the session's model path > ``url`` / ``metadata`` > the session's
    source URL.
    """

    url: str | None = None
    metadata: sa.MetaData | None = None
    data: Mapping[str, pd.DataFrame] | None = field(default=None, hash=False)
    artifact: str | Path | None = None
    epochs: int | None = None
    seed: int | None = None
    options: Mapping[str, object] = field(default_factory=dict, hash=False)
    """Further :class:`TrainOptions` (``batch_size``, ``driver_fks``...)."""

    def __post_init__(self) -> None:
        if self.url is not None and self.metadata is not None:
            raise ConfigError("give a source URL or MetaData plus data, not both", option="source")
        if self.data is not None and self.metadata is None:
            raise ConfigError("data= needs metadata= (the tables the DataFrames fill)",
                              option="data")


class ModelCache:
    """One session's fitted models, keyed by schema + data + options fingerprint."""

    def __init__(self, defaults: SessionDefaults | None = None, *, root: Path | None = None) -> None:
        self.defaults = defaults or SessionDefaults()
        self.root = root or Path.cwd()
        """Directory that relative artifact paths are resolved against (pytest's rootdir)."""
        self._models: dict[str, Synthesizer] = {}
        self.trained = 0
        """Models fitted in this session."""
        self.loaded = 0
        """Models read from an artifact in this session."""
        self.reused = 0
        """Requests answered from the cache."""
        self.seeded = 0
        """Databases (or template databases) the fixtures seeded."""
        self.cloned = 0
        """Per-test copies made of a seeded SQLite template."""

    def get(self, source: ModelSource) -> Synthesizer:
        """The fitted model for ``source``: from the cache, an artifact, or trained now."""
        artifact = source.artifact or self.defaults.model_path
        if artifact:
            return self._load(self.root / Path(artifact))
        synth = self._unfitted(source)
        key = "fit:" + fingerprint(synth)
        if key in self._models:
            self.reused += 1
            return self._models[key]
        synth.fit()
        self.trained += 1
        self._models[key] = synth
        return synth

    def summary(self) -> str:
        """One line for the terminal summary."""
        return (f"models trained {self.trained}, loaded {self.loaded}, reused {self.reused}; "
                f"databases seeded {self.seeded}, cloned {self.cloned}")

    def _load(self, path: Path) -> Synthesizer:
        from .synthesizer import Synthesizer

        if not path.exists():
            raise ConfigError(f"model artifact {path} does not exist; train one with "
                              "Synthesizer.save(path) or unset seed_model_path",
                              option="seed_model_path")
        key = f"artifact:{path.resolve()}:{path.stat().st_mtime_ns}"
        if key in self._models:
            self.reused += 1
            return self._models[key]
        load = getattr(Synthesizer, "load", None)
        if load is None:  # artifacts are being added; say so rather than fail obscurely
            raise ConfigError("this version of synthohive_seed cannot load model artifacts "
                              "(Synthesizer.load is missing); train from a source instead",
                              option="seed_model_path")
        synth: Synthesizer = load(path)
        self.loaded += 1
        self._models[key] = synth
        return synth

    def _unfitted(self, source: ModelSource) -> Synthesizer:
        from .synthesizer import Synthesizer

        options: dict[str, object] = dict(source.options)
        epochs = source.epochs if source.epochs is not None else self.defaults.epochs
        if epochs is not None:
            options["epochs"] = epochs
        options["seed"] = source.seed if source.seed is not None else self.defaults.random_seed
        if source.metadata is not None:
            return Synthesizer(source.metadata, dict(source.data or {}), **options)
        url = source.url or self.defaults.source_url
        if not url:
            raise ConfigError("no model source: pass source_url=/metadata= to seed_model(), "
                              "or set seed_source_url or seed_model_path in the pytest ini file "
                              "(or --seed-source-url / --seed-model-path)", option="seed_source_url")
        return Synthesizer.from_url(url, **options)


def fingerprint(synth: Synthesizer) -> str:
    """Hex digest of the schema, every table's rows and the training options."""
    digest = hashlib.sha256()
    for table in synth.schema.tables:
        # repr of the frozen specs covers names, kinds, NULLability, lengths and keys.
        digest.update(repr(table).encode())
        frame = synth.data.get(table.key)
        if frame is not None and len(frame):
            digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
            digest.update(",".join(map(str, frame.columns)).encode())
    digest.update(repr(synth.options).encode())
    return digest.hexdigest()[:20]


_active: list[ModelCache] = []
"""Caches of the running pytest sessions, innermost last (pytester nests sessions)."""


def active_cache() -> ModelCache:
    """The running session's cache; a process-wide one when no session registered one."""
    if not _active:
        _active.append(ModelCache())
    return _active[-1]


def push_cache(cache: ModelCache) -> None:
    """Make ``cache`` the active one (the plugin calls this in ``pytest_configure``)."""
    _active.append(cache)


def pop_cache(cache: ModelCache) -> None:
    """Undo :func:`push_cache` (``pytest_unconfigure``)."""
    if cache in _active:
        _active.remove(cache)
