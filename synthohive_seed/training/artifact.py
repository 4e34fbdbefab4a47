"""Save a trained model as data and load it back: a directory, no pickle anywhere.

Layout of an artifact directory::

    model/
      manifest.json   format and package version, schema fingerprint, training options,
                      per-table statistics, the schema and every model parameter (JSON)
      weights.pt      GAN generator weights: {"gan0": {param: tensor}, ...}, written by
                      torch.save and read with torch.load(weights_only=True)

Loading never runs code from the artifact: JSON is data; the only classes built are the
registered model parts of :mod:`.manifest` and SQLAlchemy types from
:mod:`.sqltypes`; ``weights_only=True`` makes torch refuse any pickle global other than
tensors and plain containers. The manifest records the weights file's size and SHA-256,
so a damaged or truncated file is reported as such before it is parsed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import torch

from ..errors import ArtifactError
from ..schema.model import Schema
from .fit import TrainedModel
from .manifest import PartEncoder, PartError, decode

FORMAT = "synthohive_seed.model"
FORMAT_VERSION = 1
"""Bump when a saved model can no longer be read the old way."""
MANIFEST, WEIGHTS = "manifest.json", "weights.pt"


def save_model(model: TrainedModel, path: str | os.PathLike[str]) -> Path:
    """Write ``model`` to the directory ``path`` (created; an older artifact there is replaced)."""
    from .. import __version__

    root = Path(path)
    if root.exists() and not root.is_dir():
        raise ArtifactError(f"cannot save the model to {root}: it is a file; give a directory",
                            path=str(root))
    if root.is_dir() and any(root.iterdir()) and not (root / MANIFEST).exists():
        raise ArtifactError(f"cannot save the model to {root}: the directory holds other files; "
                            "give a new or empty directory", path=str(root))
    encoder = PartEncoder()
    try:
        schema = encoder.encode(model.schema, "schema")
        options = encoder.encode(model.options, "options")
        parts = {name: encoder.encode(getattr(model, name), name) for name in _part_names()}
    except PartError as exc:
        raise ArtifactError(f"cannot save the model: {exc}", path=str(root)) from None
    root.mkdir(parents=True, exist_ok=True)
    weights = root / WEIGHTS
    _replace(weights, lambda tmp: torch.save(encoder.tensors, tmp))
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "package_version": __version__,
        "schema_fingerprint": fingerprint(schema),
        "weights": {"file": WEIGHTS, "bytes": weights.stat().st_size, "sha256": _sha256(weights)},
        "tables": table_statistics(model),
        "options": options,
        "schema": schema,
        "model": parts,
    }
    text = json.dumps(manifest, indent=1, allow_nan=False, ensure_ascii=False)
    # The manifest goes last: until it is replaced, the old one's checksum refuses the new weights.
    _replace(root / MANIFEST, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return root


def load_model(path: str | os.PathLike[str]) -> TrainedModel:
    """Read a model saved by :func:`save_model`; ArtifactError when it cannot be used."""
    root = Path(path)
    manifest = read_manifest(root)
    weights_info = manifest.get("weights") or {}
    weights = root / str(weights_info.get("file", WEIGHTS))
    if weights.parent != root:
        raise ArtifactError(f"{root / MANIFEST} names a weights file outside the artifact",
                            path=str(root))
    tensors = _read_weights(weights, weights_info)
    try:
        schema = decode(manifest["schema"], tensors, "schema")
        options = decode(manifest["options"], tensors, "options")
        parts = {name: decode(manifest["model"][name], tensors, name) for name in _part_names()}
    except (PartError, KeyError) as exc:
        raise ArtifactError(f"{root / MANIFEST} is damaged: {exc}", path=str(root)) from None
    if not isinstance(schema, Schema) or fingerprint(manifest["schema"]) != manifest.get(
            "schema_fingerprint"):
        raise ArtifactError(f"{root / MANIFEST} is damaged: its schema does not match its "
                            "fingerprint", path=str(root))
    return TrainedModel(schema=schema, options=options, **parts)


def read_manifest(root: Path) -> dict[str, Any]:
    """The checked manifest of the artifact at ``root`` (format and version verified)."""
    file = root / MANIFEST
    if not file.is_file():
        what = "does not exist" if not root.exists() else f"has no {MANIFEST}"
        raise ArtifactError(f"no saved model at {root}: it {what}; train one with "
                            "`python -m synthohive_seed train --model-path ...`", path=str(root))
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{file} is damaged (not valid JSON: {exc})", path=str(file)) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArtifactError(f"{file} is not a synthohive_seed model", path=str(file))
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ArtifactError(
            f"{root} has model format version {version!r} (written by synthohive_seed "
            f"{manifest.get('package_version', '?')}); this version reads format "
            f"{FORMAT_VERSION} only: retrain the model or use a matching synthohive_seed",
            path=str(root))
    return manifest


def fingerprint(schema_data: Any) -> str:
    """SHA-256 of the stored schema in canonical JSON: equal schemas, equal fingerprints."""
    canonical = json.dumps(schema_data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def table_statistics(model: TrainedModel) -> dict[str, dict[str, Any]]:
    """What the manifest says about each table, for people reading it."""
    stats: dict[str, dict[str, Any]] = {}
    for table in model.schema.tables:
        recipe = model.recipes[table.key]
        table_model = model.models.get(table.key)
        generator = "none"
        if table_model is not None:
            generator = "gan" if table_model.gan is not None else "marginals"
        stats[table.key] = {
            "source_rows": recipe.source_rows,
            "value_columns": len(recipe.value_columns),
            "driver_fk": recipe.driver,
            "generator": generator,
        }
    return stats


def _part_names() -> list[str]:
    import dataclasses

    return [f.name for f in dataclasses.fields(TrainedModel) if f.name not in ("schema", "options")]


def _read_weights(file: Path, info: dict[str, Any]) -> dict[str, dict[str, torch.Tensor]]:
    if not file.is_file():
        raise ArtifactError(f"{file} is missing; the artifact is incomplete", path=str(file))
    size = file.stat().st_size
    if size != info.get("bytes") or _sha256(file) != info.get("sha256"):
        raise ArtifactError(f"{file} is damaged or truncated ({size} bytes, manifest says "
                            f"{info.get('bytes')}; checksum differs)", path=str(file))
    try:
        tensors = torch.load(file, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises UnpicklingError/RuntimeError/ValueError alike
        raise ArtifactError(f"{file} was refused: it is not plain tensor data "
                            f"({exc.__class__.__name__}: {str(exc).splitlines()[0][:200]})",
                            path=str(file)) from None
    if not isinstance(tensors, dict) or not all(
            isinstance(v, dict) and all(isinstance(t, torch.Tensor) for t in v.values())
            for v in tensors.values()):
        raise ArtifactError(f"{file} does not hold GAN weights", path=str(file))
    return tensors


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _replace(target: Path, write: Any) -> None:
    """Write through a temporary file and rename, so a crash never leaves half a file."""
    tmp = target.with_name(target.name + ".tmp")
    write(tmp)
    os.replace(tmp, target)
