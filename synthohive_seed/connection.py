"""Opening database URLs: driver choice and password-free display."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from .errors import ConfigError, ConnectionFailed

# psycopg 3 gives COPY; PyMySQL is pure Python and always installable.
_DEFAULT_DRIVERS = {"postgresql": "postgresql+psycopg", "mysql": "mysql+pymysql", "mariadb": "mariadb+pymysql"}


def parse_url(url: str | URL) -> URL:
    """A SQLAlchemy URL with the project's default driver for its backend."""
    try:
        parsed = make_url(url)
    except Exception:  # SQLAlchemy raises ArgumentError with the raw text
        # The text is not echoed: it may hold a password.
        raise ConfigError("not a database URL (expected backend://user:password@host/database, "
                          "e.g. postgresql://..., mysql://... or sqlite:///file.db)",
                          option="db_url") from None
    driver = _DEFAULT_DRIVERS.get(parsed.drivername)
    return parsed.set(drivername=driver) if driver else parsed


def display_url(url: str | URL) -> str:
    """The URL as text with the password replaced by ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparseable URL>"


def new_sqlite_file(url: str | URL) -> Path | None:
    """The file a SQLite ``url`` names when it does not exist yet (connecting creates it)."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    path = parsed.database or ""
    if not path or path == ":memory:" or str(parsed.query.get("uri", "")).lower() == "true":
        return None
    return None if Path(path).exists() else Path(path)


def open_engine(url: str | URL, *, check: bool = True, existing: bool = False) -> sa.Engine:
    """An engine for ``url``; with ``check``, connect once so bad URLs fail early and clearly.

    ``existing`` (for sources): a SQLite file that does not exist is an error, not a new
    empty database, so a mistyped path cannot look like a successful run.
    """
    parsed = parse_url(url)
    missing = new_sqlite_file(parsed) if existing else None
    if missing is not None:
        raise ConnectionFailed(display_url(url), f"no SQLite file at {missing}")
    try:
        engine = sa.create_engine(parsed)
    except sa.exc.NoSuchModuleError:
        raise ConfigError(f"{display_url(url)}: unknown database kind {parsed.drivername!r} "
                          "(PostgreSQL, MySQL/MariaDB and SQLite are supported)",
                          option="db_url") from None
    except Exception as exc:
        raise ConnectionFailed(display_url(url), _reason(exc)) from None
    if check:
        try:
            with engine.connect():
                pass
        except Exception as exc:
            engine.dispose()
            raise ConnectionFailed(display_url(url), _reason(exc)) from None
    return engine


def _reason(exc: BaseException) -> str:
    """First line of the driver's message; drivers do not echo passwords there."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip().splitlines()
    return text[0] if text else inner.__class__.__name__
