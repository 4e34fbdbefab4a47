"""SQLAlchemy column types as plain data, for model artifacts.

A saved model must recreate the source's column types (target tables are created from
them) without pickle or ``eval``. A type is stored as the public class it is an instance
of plus its constructor arguments that are plain values::

    {"class": "sqlalchemy.types:NUMERIC", "args": {"precision": 10, "scale": 2}}
    {"class": "sqlalchemy.dialects.postgresql:ENUM", "enums": ["a", "b"], "args": {"name": "mood"}}
    {"class": "sqlalchemy.dialects.postgresql:ARRAY", "args": {"dimensions": 1},
     "item_type": {"class": "sqlalchemy.types:INTEGER", "args": {}}}

Loading only looks classes up in :data:`TYPE_MODULES` and only accepts subclasses of
``TypeEngine``: a manifest cannot name any other callable. A type whose own class is not
public (a dialect's private subclass) is stored as its nearest public ancestor.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from sqlalchemy.types import TypeEngine

TYPE_MODULES: tuple[str, ...] = (
    "sqlalchemy.types",
    "sqlalchemy.dialects.postgresql",
    "sqlalchemy.dialects.sqlite",
    "sqlalchemy.dialects.mysql",
    "sqlalchemy.dialects.mssql",
    "sqlalchemy.dialects.oracle",
)
"""The only modules whose classes a manifest may name."""

_PLAIN = (type(None), bool, int, float, str)
# Enum keeps its values in ``enums`` (positional) and derives ``length`` from them.
_ENUM_ARGS = ("name", "schema", "native_enum", "create_constraint", "inherit_schema")
# MySQL string and integer types take these through ``**kw``, invisible to the signature.
_MYSQL_ARGS = ("charset", "collation", "ascii", "binary", "unicode", "national", "unsigned",
               "zerofill")


class TypeDataError(ValueError):
    """A stored type cannot be used; the artifact loader turns it into an ArtifactError."""


def type_to_data(sa_type: TypeEngine[Any]) -> dict[str, Any]:
    """The stored form of ``sa_type`` (see the module docstring)."""
    cls, where = _public_class(type(sa_type))
    data: dict[str, Any] = {"class": where, "args": {}}
    enums = getattr(sa_type, "enums", None)
    if enums is not None and _is_enum(cls):
        data["enums"] = [str(e) for e in enums]
        names: tuple[str, ...] = _ENUM_ARGS
    else:
        names = tuple(_init_parameters(cls))
        if cls.__module__.startswith("sqlalchemy.dialects.mysql"):
            names += _MYSQL_ARGS
    for name in names:
        if name not in vars(sa_type):
            continue
        value = vars(sa_type)[name]
        if isinstance(value, TypeEngine):
            data[name] = type_to_data(value)
        elif isinstance(value, type) and issubclass(value, TypeEngine):
            data[name] = type_to_data(value())
        elif isinstance(value, _PLAIN):
            data["args"][name] = value
    return data


def type_from_data(data: object) -> TypeEngine[Any]:
    """The type stored by :func:`type_to_data`; TypeDataError when it names anything else."""
    if not isinstance(data, dict) or not isinstance(data.get("class"), str):
        raise TypeDataError(f"not a stored SQL type: {data!r:.80}")
    module_name, _, class_name = data["class"].partition(":")
    if module_name not in TYPE_MODULES or not class_name.isidentifier():
        raise TypeDataError(f"SQL type {data['class']!r} is not from an allowed SQLAlchemy module")
    cls = getattr(importlib.import_module(module_name), class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, TypeEngine)):
        raise TypeDataError(f"{data['class']!r} is not a SQLAlchemy type")
    args = data.get("args", {})
    if not isinstance(args, dict) or not all(isinstance(v, _PLAIN) for v in args.values()):
        raise TypeDataError(f"arguments of SQL type {data['class']!r} are not plain values")
    kwargs: dict[str, Any] = dict(args)
    for name, value in data.items():
        if name not in ("class", "args", "enums"):
            kwargs[name] = type_from_data(value)
    enums = data.get("enums", [])
    if not isinstance(enums, list) or not all(isinstance(e, str) for e in enums):
        raise TypeDataError(f"enum values of {data['class']!r} are not strings")
    try:
        return cls(*enums, **kwargs)
    except (TypeError, ValueError) as exc:
        raise TypeDataError(f"cannot rebuild SQL type {data['class']!r}: {exc}") from None


def _public_class(cls: type) -> tuple[type, str]:
    """The first class in ``cls``'s MRO exported by one of TYPE_MODULES, and its address."""
    for candidate in cls.__mro__:
        if not (isinstance(candidate, type) and issubclass(candidate, TypeEngine)):
            continue
        # Prefer the module that defines it (a dialect's DATETIME), then sqlalchemy.types.
        modules = sorted(TYPE_MODULES, key=lambda m: not candidate.__module__.startswith(m))
        for module_name in modules:
            module = importlib.import_module(module_name)
            if getattr(module, candidate.__name__, None) is candidate:
                return candidate, f"{module_name}:{candidate.__name__}"
    raise TypeDataError(f"SQL type {cls.__name__} has no public SQLAlchemy class to store")


def _init_parameters(cls: type) -> list[str]:
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    try:
        params = inspect.signature(cls.__init__).parameters.values()
    except (TypeError, ValueError):
        return []
    return [p.name for p in params if p.kind in kinds and p.name != "self"]


def _is_enum(cls: type) -> bool:
    from sqlalchemy import Enum

    return issubclass(cls, Enum)
