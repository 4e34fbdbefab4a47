"""A trained model's parts as JSON data (no pickle), and back.

Every part of a :class:`~.fit.TrainedModel` is a dataclass of plain values, numpy arrays
and other parts. :class:`PartEncoder` writes them as JSON with a few tags:

* ``{"$class": "QuantileCodec", "name": ..., ...}``: a dataclass from :data:`PART_CLASSES`
  (loading builds it through its ``__init__`` with those fields, nothing else);
* ``{"$array": "float64", "shape": [...], "data": [...]}``: a numeric numpy array;
* ``{"$tuple": [...]}``, ``{"$set": [...]}``, ``{"$items": [[key, value], ...]}`` (a dict whose
  keys are not plain strings), ``{"$float": "nan"}``;
* ``{"$date": "2009-01-01"}`` and likewise ``$datetime``, ``$timestamp``, ``$time``,
  ``$timedelta``, ``$decimal``, ``$bytes`` (base64), ``$uuid``, ``$ip``: typed values;
* ``{"$sqltype": ...}``: a SQLAlchemy type (see :mod:`.sqltypes`);
* ``{"$gan": {"spans": ..., "shape": ..., "weights": "gan3"}}``: a GAN whose generator
  weights are the tensors stored under that name in the weights file.

A value of any other type cannot be saved (:class:`PartError` names where it was).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import importlib
import ipaddress
import math
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import torch

from .gan import ConditionalGan, GanShape
from .sqltypes import TypeDataError, type_from_data, type_to_data

PART_MODULES: tuple[str, ...] = (
    "synthohive_seed.config",
    "synthohive_seed.schema.model",
    "synthohive_seed.training.fit",
    "synthohive_seed.training.table_model",
    "synthohive_seed.training.codecs",
    "synthohive_seed.training.text",
    "synthohive_seed.training.documents",
    "synthohive_seed.training.fallbacks",
    "synthohive_seed.training.context",
    "synthohive_seed.training.linkage",
    "synthohive_seed.training.gan",
    "synthohive_seed.training.pii",
)
"""Modules whose dataclasses are plain model parts. A module that adds a part class is
listed here; a part class elsewhere cannot be saved (and so can never be loaded)."""


def _part_classes() -> dict[str, type]:
    found: dict[str, type] = {}
    for name in PART_MODULES:
        module = importlib.import_module(name)
        for attr, obj in vars(module).items():
            if (isinstance(obj, type) and dataclasses.is_dataclass(obj)
                    and obj.__module__ == name and attr == obj.__name__):
                if attr in found:  # names must stay unambiguous in the manifest
                    raise RuntimeError(f"two model part classes are called {attr}")
                found[attr] = obj
    return found


PART_CLASSES: dict[str, type] = _part_classes()
"""The only classes an artifact may build, by class name."""

_TIME_TAGS = ("$date", "$datetime", "$timestamp", "$time", "$timedelta", "$decimal", "$bytes",
              "$uuid", "$ip")


class PartError(ValueError):
    """A part cannot be saved or a stored part cannot be rebuilt; ``where`` locates it."""

    def __init__(self, message: str, where: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where


class PartEncoder:
    """Encodes parts to JSON data; GAN weights are collected in :attr:`tensors`."""

    def __init__(self) -> None:
        self.tensors: dict[str, dict[str, torch.Tensor]] = {}

    def encode(self, value: object, where: str = "model") -> Any:
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float):
            return value if math.isfinite(value) else {"$float": repr(value)}
        if isinstance(value, np.generic):
            return self.encode(value.item(), where)
        if isinstance(value, np.ndarray):
            return _array(value, where)
        if isinstance(value, ConditionalGan):
            name = f"gan{len(self.tensors)}"
            self.tensors[name] = {k: v.detach().clone() for k, v in
                                  value.generator.state_dict().items()}
            return {"$gan": {"spans": self.encode(value.spans, where),
                             "shape": self.encode(value.shape, where), "weights": name}}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            if PART_CLASSES.get(type(value).__name__) is not type(value):
                raise PartError(f"{type(value).__name__} is not a registered model part", where)
            out: dict[str, Any] = {"$class": type(value).__name__}
            for f in dataclasses.fields(value):
                out[f.name] = self.encode(getattr(value, f.name), f"{where}.{f.name}")
            return out
        if isinstance(value, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, tuple):
            return {"$tuple": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]}
        if isinstance(value, (set, frozenset)):
            items = [self.encode(v, where) for v in value]
            return {"$set": sorted(items, key=repr)}  # sorted: the same model, the same bytes
        if isinstance(value, Mapping):
            if all(isinstance(k, str) and not k.startswith("$") for k in value):
                return {k: self.encode(v, f"{where}[{k!r}]") for k, v in value.items()}
            return {"$items": [[self.encode(k, where), self.encode(v, f"{where}[{k!r}]")]
                               for k, v in value.items()]}
        from sqlalchemy.types import TypeEngine

        if isinstance(value, TypeEngine):
            try:
                return {"$sqltype": type_to_data(value)}
            except TypeDataError as exc:
                raise PartError(str(exc), where) from None
        return _typed_value(value, where)


def decode(data: Any, tensors: Mapping[str, Mapping[str, torch.Tensor]],
           where: str = "model") -> Any:
    """Rebuild what :meth:`PartEncoder.encode` wrote; PartError for anything else."""
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v, tensors, f"{where}[{i}]") for i, v in enumerate(data)]
    if not isinstance(data, dict):
        raise PartError(f"unexpected JSON value {data!r:.60}", where)
    if "$class" in data:
        return _decode_part(data, tensors, where)
    tags = [k for k in data if k.startswith("$")]
    if not tags:
        return {k: decode(v, tensors, f"{where}[{k!r}]") for k, v in data.items()}
    tag, body = tags[0], data[tags[0]]
    try:
        if tag == "$tuple":
            return tuple(decode(body, tensors, where))
        if tag == "$set":
            return frozenset(decode(body, tensors, where))
        if tag == "$items":
            return {_hashable(decode(k, tensors, where)): decode(v, tensors, where) for k, v in body}
        if tag == "$float":
            return float(body)
        if tag == "$array":
            return _unarray(data)
        if tag == "$sqltype":
            return type_from_data(body)
        if tag == "$gan":
            return _decode_gan(body, tensors, where)
        if tag in _TIME_TAGS:
            return _untyped_value(tag, body)
    except (TypeError, ValueError, KeyError) as exc:
        if isinstance(exc, PartError):
            raise
        raise PartError(f"bad {tag} value: {exc}", where) from None
    raise PartError(f"unknown tag {tag}", where)


def _decode_part(data: dict[str, Any], tensors: Mapping[str, Mapping[str, torch.Tensor]],
                 where: str) -> Any:
    cls = PART_CLASSES.get(data["$class"])
    if cls is None:
        raise PartError(f"unknown part class {data['$class']!r}", where)
    names = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = set(data) - names - {"$class"}
    if unknown:
        raise PartError(f"{cls.__name__} has no field {sorted(unknown)[0]!r} "
                        "(written by a newer version?)", where)
    kwargs = {k: decode(v, tensors, f"{where}.{k}") for k, v in data.items() if k != "$class"}
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise PartError(f"cannot rebuild {cls.__name__}: {exc}", where) from None


def _decode_gan(body: dict[str, Any], tensors: Mapping[str, Mapping[str, torch.Tensor]],
                where: str) -> ConditionalGan:
    shape = decode(body["shape"], tensors, where)
    spans = [tuple(s) for s in decode(body["spans"], tensors, where)]
    if not isinstance(shape, GanShape) or body["weights"] not in tensors:
        raise PartError(f"GAN weights {body['weights']!r} are missing", where)
    # Building the network draws initial weights; keep the caller's torch RNG untouched.
    with torch.random.fork_rng(devices=[]):
        gan = ConditionalGan(spans, shape)
    try:
        gan.generator.load_state_dict(dict(tensors[body["weights"]]), strict=True)
    except RuntimeError as exc:
        raise PartError(f"GAN weights do not fit the network: {str(exc).splitlines()[0]}",
                        where) from None
    gan.generator.eval()  # BatchNorm must use its stored statistics, as after training
    return gan


def _array(value: np.ndarray, where: str) -> dict[str, Any]:
    if value.dtype.kind not in "biuf":
        raise PartError(f"array of dtype {value.dtype} cannot be saved", where)
    flat = value.ravel().tolist()
    if value.dtype.kind == "f" and not np.isfinite(value).all():
        flat = [v if math.isfinite(v) else {"$float": repr(v)} for v in flat]
    return {"$array": value.dtype.name, "shape": list(value.shape), "data": flat}


def _unarray(data: dict[str, Any]) -> np.ndarray:
    dtype = np.dtype(data["$array"])
    if dtype.kind not in "biuf":
        raise ValueError(f"dtype {dtype} is not numeric")
    flat = [float(v["$float"]) if isinstance(v, dict) else v for v in data["data"]]
    return np.array(flat, dtype=dtype).reshape([int(n) for n in data["shape"]])


def _typed_value(value: object, where: str) -> dict[str, Any]:
    if isinstance(value, pd.Timestamp):
        return {"$timestamp": value.isoformat()}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"$time": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$timedelta": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address,
                          ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return {"$ip": str(value)}
    raise PartError(f"a value of type {type(value).__name__} cannot be saved", where)


def _untyped_value(tag: str, body: Any) -> object:
    if tag == "$timestamp":
        return pd.Timestamp(body)
    if tag == "$datetime":
        return dt.datetime.fromisoformat(body)
    if tag == "$date":
        return dt.date.fromisoformat(body)
    if tag == "$time":
        return dt.time.fromisoformat(body)
    if tag == "$timedelta":
        days, seconds, micro = body
        return dt.timedelta(days=days, seconds=seconds, microseconds=micro)
    if tag == "$decimal":
        return Decimal(body)
    if tag == "$bytes":
        return base64.b64decode(body.encode("ascii"), validate=True)
    if tag == "$uuid":
        return uuid.UUID(body)
    text = str(body)
    return ipaddress.ip_network(text) if "/" in text else ipaddress.ip_address(text)


def _hashable(value: object) -> object:
    """Dict keys decoded from JSON lists (tuple keys) become tuples again."""
    return tuple(_hashable(v) for v in value) if isinstance(value, list) else value
