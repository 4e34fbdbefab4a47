"""Fixture factories, in the style of ``pytest_postgresql.factories``.

In a ``conftest.py``::

    from pytest_postgresql import factories as pg
    from synthohive_seed import fixtures as seed

    seed_shop = seed.seed_model("sqlite:///shop_copy.db", epochs=5)        # session: a model
    shop_db = seed.seed_database("seed_shop", num_rows={"customers": 50})  # per test: SQLite

    # PostgreSQL, seeded once into pytest-postgresql's template, cloned per test:
    postgresql_noproc = pg.postgresql_noproc(load=[seed.seed_loader("sqlite:///shop_copy.db",
                                                                    epochs=5, seed=3)])
    postgresql = pg.postgresql("postgresql_noproc")

Models come from :class:`~synthohive_seed.model_cache.ModelCache`, so one source is
trained (or loaded) once per session however many fixtures ask for it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest
import sqlalchemy as sa

from .errors import ConfigError
from .model_cache import ModelSource, active_cache

if TYPE_CHECKING:
    from .synthesizer import Synthesizer


@dataclass(frozen=True)
class SeededDatabase:
    """What a ``seed_database`` fixture gives a test."""

    url: str
    """SQLAlchemy URL of the seeded database (password included: it is the test's own)."""
    rows: Mapping[str, int]
    """Rows written per table key."""

    def engine(self) -> sa.Engine:
        """A new engine on the database; the caller disposes of it."""
        return sa.create_engine(self.url)


def seed_model(
    source_url: str | None = None,
    *,
    metadata: sa.MetaData | None = None,
    data: Mapping[str, pd.DataFrame] | None = None,
    artifact: str | Path | None = None,
    epochs: int | None = None,
    seed: int | None = None,
    **options: object,
) -> Any:
    """A session-scoped fixture giving a fitted :class:`Synthesizer`.

    With no arguments the session's ``seed_model_path`` / ``seed_source_url`` decide.
    ``options`` are further :class:`TrainOptions`.
    """
    source = ModelSource(url=source_url, metadata=metadata, data=data, artifact=artifact,
                         epochs=epochs, seed=seed, options=dict(options))

    @pytest.fixture(scope="session")
    def seed_model_fixture() -> Synthesizer:
        return active_cache().get(source)

    return seed_model_fixture


def seed_database(
    model_fixture_name: str,
    *,
    target: str | sa.Engine | None = None,
    num_rows: Mapping[str, int] | None = None,
    seed: int | None = None,
) -> Any:
    """A per-test fixture giving a :class:`SeededDatabase` filled from the named model.

    ``target`` is where the rows go:

    * ``None``: a SQLite file of the test's own. It is seeded once per session into a
      template file and copied for each test, so tests cannot see each other's changes.
    * the name of a fixture giving pytest-postgresql's ``postgresql`` connection: the
      test's fresh database is seeded (pytest-postgresql drops it afterwards).
    * a URL or an engine, or the name of a fixture giving one: that database is seeded
      for each test and the seeded tables are emptied afterwards (DELETE, tables kept),
      so the next test can be seeded again.
    """
    rows = dict(num_rows or {})

    @pytest.fixture
    def seed_database_fixture(request: pytest.FixtureRequest) -> Iterator[SeededDatabase]:
        synth: Synthesizer = request.getfixturevalue(model_fixture_name)
        the_seed = active_cache().defaults.random_seed if seed is None else seed
        if target is None:
            yield _sqlite_copy(request, synth, model_fixture_name, rows, the_seed)
            return
        by_name = isinstance(target, str) and _is_fixture_name(target)
        value = request.getfixturevalue(target) if by_name else target  # type: ignore[arg-type]
        url = database_url(value)
        written = synth.sample(rows, target_url=url, seed=the_seed)
        active_cache().seeded += 1
        yield SeededDatabase(url, dict(written))  # type: ignore[arg-type]
        # pytest-postgresql drops its database after the test; emptying it first could
        # wait forever on a transaction the test left open on its connection.
        if not _is_psycopg(value):
            empty_tables(url, synth)

    return seed_database_fixture


def seed_loader(
    source_url: str | None = None,
    *,
    num_rows: Mapping[str, int] | None = None,
    sample_seed: int | None = None,
    metadata: sa.MetaData | None = None,
    data: Mapping[str, pd.DataFrame] | None = None,
    artifact: str | Path | None = None,
    epochs: int | None = None,
    seed: int | None = None,
    **options: object,
) -> Callable[..., None]:
    """A callable for ``pytest_postgresql.factories.postgresql_noproc(load=[...])``.

    pytest-postgresql calls it once per session with the template database's
    ``host``/``port``/``user``/``dbname``/``password``; every test's database is then a
    clone of the seeded template. The model comes from the session cache, so a
    ``seed_model`` fixture with the same source shares it. Seeding writes to the
    template's existing tables (created by an earlier loader, e.g. migrations) or creates
    them.
    """
    source = ModelSource(url=source_url, metadata=metadata, data=data, artifact=artifact,
                         epochs=epochs, seed=seed, options=dict(options))
    rows = dict(num_rows or {})

    def load(*, host: str, port: int | str, user: str, dbname: str,
             password: str | None = None, **_: object) -> None:
        url = sa.URL.create("postgresql+psycopg", username=user, password=password or None,
                            host=host, port=int(port), database=dbname)
        cache = active_cache()
        cache.get(source).sample(rows, target_url=url.render_as_string(hide_password=False),
                                 seed=cache.defaults.random_seed if sample_seed is None
                                 else sample_seed)
        cache.seeded += 1

    return load


def database_url(target: object) -> str:
    """SQLAlchemy URL of a URL string, an engine, a psycopg 3 connection, or a
    pytest-postgresql process fixture (its ``host``/``port``/``user``/``dbname``)."""
    if isinstance(target, (str, sa.URL)):
        return str(target) if isinstance(target, str) else target.render_as_string(False)
    if isinstance(target, sa.Engine):
        return target.url.render_as_string(hide_password=False)
    if _is_psycopg(target):  # psycopg 3 connection (pytest-postgresql's ``postgresql``)
        info = target.info  # type: ignore[attr-defined]
        return sa.URL.create("postgresql+psycopg", username=info.user,
                             password=info.password or None, host=info.host,
                             port=int(info.port), database=info.dbname
                             ).render_as_string(hide_password=False)
    if all(hasattr(target, a) for a in ("host", "port", "user", "dbname")):
        # pytest-postgresql's process fixtures (``postgresql_proc`` / ``postgresql_noproc``)
        return sa.URL.create("postgresql+psycopg", username=target.user,  # type: ignore[attr-defined]
                             password=getattr(target, "password", None) or None,
                             host=target.host, port=int(target.port),  # type: ignore[attr-defined]
                             database=target.dbname,  # type: ignore[attr-defined]
                             ).render_as_string(hide_password=False)
    raise ConfigError(f"cannot seed a {type(target).__name__}: give a URL, a SQLAlchemy engine, "
                      "a psycopg connection or a pytest-postgresql process fixture",
                      option="target")


def empty_tables(url: str, synth: Synthesizer) -> None:
    """Delete every seeded row, children first, so the database can be seeded again.

    DELETE rather than TRUNCATE: TRUNCATE waits for every other open transaction on the
    table (a test's idle connection would block it forever).
    """
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for key, fk_name in synth.schema.deferred_fks:  # cycle FKs first, or no order works
                spec = synth.schema.table(key)
                fk = next(f for f in spec.foreign_keys if f.name == fk_name)
                table = sa.table(spec.name, *(sa.column(c) for c in fk.columns),
                                 schema=spec.schema)
                conn.execute(sa.update(table).values({c: None for c in fk.columns}))
            for spec in reversed(synth.schema.tables):
                conn.execute(sa.delete(sa.table(spec.name, schema=spec.schema)))
    finally:
        engine.dispose()


def _is_fixture_name(text: str) -> bool:
    return "://" not in text and not text.startswith("sqlite:")


def _is_psycopg(value: object) -> bool:
    return hasattr(getattr(value, "info", None), "dbname")


_TEMPLATES = pytest.StashKey[dict[tuple[object, ...], tuple[Path, dict[str, int]]]]()


def _sqlite_copy(request: pytest.FixtureRequest, synth: Synthesizer, model_name: str,
                 rows: Mapping[str, int], seed: int) -> SeededDatabase:
    """Seed a session template file once per (model, counts, seed); copy it for this test."""
    templates = request.config.stash.setdefault(_TEMPLATES, {})
    key = (model_name, tuple(sorted(rows.items())), seed)
    cache = active_cache()
    if key not in templates:
        factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
        path = factory.mktemp("seed_template") / "template.db"
        written = synth.sample(rows, target_url=f"sqlite:///{path}", seed=seed)
        cache.seeded += 1
        templates[key] = (path, dict(written))  # type: ignore[arg-type]
    template, written = templates[key]
    tmp_path: Path = request.getfixturevalue("tmp_path")
    copy = tmp_path / f"{model_name}.db"
    shutil.copyfile(template, copy)
    cache.cloned += 1
    return SeededDatabase(f"sqlite:///{copy}", written)
