"""Saved models: round trip, refusal of code-running payloads, clear errors for bad files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import torch
from sqlalchemy.dialects import mysql, postgresql

from synthohive_seed import Synthesizer
from synthohive_seed.cli import sample_database_url
from synthohive_seed.errors import ArtifactError
from synthohive_seed.training.sqltypes import TypeDataError, type_from_data, type_to_data


@pytest.fixture(scope="module")
def chinook() -> Synthesizer:
    return Synthesizer.from_url(sample_database_url(), epochs=1, seed=5).fit()


@pytest.fixture(scope="module")
def saved(chinook: Synthesizer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(chinook.save(tmp_path_factory.mktemp("artifact") / "chinook"))


def copy_artifact(saved: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy"
    target.mkdir()
    for file in saved.iterdir():
        (target / file.name).write_bytes(file.read_bytes())
    return target


def rewrite_manifest(artifact: Path, **changes: object) -> None:
    manifest = json.loads((artifact / "manifest.json").read_text())
    manifest.update(changes)
    (artifact / "manifest.json").write_text(json.dumps(manifest))


def test_round_trip_samples_identical_frames(chinook: Synthesizer, saved: Path) -> None:
    loaded = Synthesizer.load(saved)
    assert loaded.data == {}
    before = chinook.sample({"Artist": 60}, seed=9)
    after = loaded.sample({"Artist": 60}, seed=9)
    assert list(before) == list(after)
    for key in before:
        pd.testing.assert_frame_equal(before[key], after[key], check_exact=True)
    assert sorted(p.name for p in saved.iterdir()) == ["manifest.json", "weights.pt"]


def test_schema_and_options_round_trip(chinook: Synthesizer, saved: Path) -> None:
    loaded = Synthesizer.load(saved)
    assert loaded.options == chinook.options
    assert [t.key for t in loaded.schema] == [t.key for t in chinook.schema]
    for mine, theirs in zip(chinook.schema, loaded.schema):
        assert (mine.primary_key, mine.foreign_keys, mine.unique) == (
            theirs.primary_key, theirs.foreign_keys, theirs.unique)
        for a, b in zip(mine.columns, theirs.columns):
            assert repr(a.sa_type) == repr(b.sa_type)
            assert (a.name, a.kind, a.nullable, a.length, a.scale) == (
                b.name, b.kind, b.nullable, b.length, b.scale)
    manifest = json.loads((saved / "manifest.json").read_text())
    assert manifest["format_version"] == 1 and manifest["schema_fingerprint"].startswith("sha256:")
    assert manifest["tables"]["Track"]["source_rows"] == len(chinook.data["Track"])


@pytest.mark.parametrize("sa_type", [
    sa.NUMERIC(10, 2), sa.NVARCHAR(70), sa.DateTime(timezone=True), sa.Enum("a", "b", name="e"),
    postgresql.ENUM("x", "y", name="mood"), postgresql.ARRAY(sa.Integer, dimensions=2),
    postgresql.TIMESTAMP(timezone=True, precision=3), postgresql.JSONB(), postgresql.INET(),
    mysql.VARCHAR(20, charset="utf8mb4"), mysql.INTEGER(unsigned=True), sa.Uuid(), sa.Interval(),
])
def test_sql_types_are_stored_as_data(sa_type: sa.types.TypeEngine) -> None:
    stored = json.loads(json.dumps(type_to_data(sa_type)))
    assert repr(type_from_data(stored)) == repr(sa_type)


@pytest.mark.parametrize("name", ["os:system", "builtins:eval", "sqlalchemy.types:Table",
                                  "sqlalchemy.types:__class__"])
def test_stored_type_cannot_name_other_callables(name: str) -> None:
    with pytest.raises(TypeDataError):
        type_from_data({"class": name, "args": {}})


class _Payload:
    """Unpickling this creates the marker file: what a malicious artifact would do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def test_pickle_payload_is_refused_without_running(saved: Path, tmp_path: Path) -> None:
    artifact = copy_artifact(saved, tmp_path)
    marker = tmp_path / "pwned"
    weights = artifact / "weights.pt"
    torch.save({"gan0": {"weight": _Payload(marker)}}, weights)
    # A careful attacker gets the checksum right, so torch.load itself must refuse.
    data = weights.read_bytes()
    rewrite_manifest(artifact, weights={"file": "weights.pt", "bytes": len(data),
                                        "sha256": hashlib.sha256(data).hexdigest()})
    with pytest.raises(ArtifactError) as err:
        Synthesizer.load(artifact)
    assert "refused" in str(err.value) and err.value.path == str(weights)
    assert not marker.exists()
    # The payload is real: an unsafe load would have run it.
    torch.load(weights, weights_only=False)
    assert marker.exists()


def test_manifest_cannot_name_unregistered_classes(saved: Path, tmp_path: Path) -> None:
    artifact = copy_artifact(saved, tmp_path)
    manifest = json.loads((artifact / "manifest.json").read_text())
    manifest["options"] = {"$class": "Popen", "args": ["touch", str(tmp_path / "pwned")]}
    (artifact / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="unknown part class 'Popen'"):
        Synthesizer.load(artifact)
    assert not (tmp_path / "pwned").exists()


def test_wrong_format_version_is_a_clear_error(saved: Path, tmp_path: Path) -> None:
    artifact = copy_artifact(saved, tmp_path)
    rewrite_manifest(artifact, format_version=99)
    with pytest.raises(ArtifactError) as err:
        Synthesizer.load(artifact)
    assert "format version 99" in str(err.value) and "reads format 1" in str(err.value)
    assert err.value.path == str(artifact)


def test_truncated_weights_are_a_clear_error(saved: Path, tmp_path: Path) -> None:
    artifact = copy_artifact(saved, tmp_path)
    weights = artifact / "weights.pt"
    weights.write_bytes(weights.read_bytes()[:1000])
    with pytest.raises(ArtifactError, match="damaged or truncated") as err:
        Synthesizer.load(artifact)
    assert err.value.path == str(weights)


def test_missing_and_damaged_files(saved: Path, tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="no saved model"):
        Synthesizer.load(tmp_path / "nowhere")
    artifact = copy_artifact(saved, tmp_path)
    (artifact / "weights.pt").unlink()
    with pytest.raises(ArtifactError, match="missing"):
        Synthesizer.load(artifact)
    (artifact / "manifest.json").write_text('{"format": "synthohive_seed.model", "form')
    with pytest.raises(ArtifactError, match="not valid JSON"):
        Synthesizer.load(artifact)


def test_save_refuses_a_directory_of_other_files(chinook: Synthesizer, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ArtifactError, match="holds other files"):
        chinook.save(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_unfitted_synthesizer_cannot_be_saved(tmp_path: Path) -> None:
    synth = Synthesizer(sa.MetaData())
    with pytest.raises(Exception, match="fit"):
        synth.save(tmp_path / "m")


def test_every_column_kind_round_trips(tmp_path: Path) -> None:
    """Dates, times, intervals, decimals, booleans, JSON, bytes, UUIDs, text keys, self-FKs."""
    import datetime as dt
    import uuid

    metadata = sa.MetaData()
    sa.Table("shop", metadata, sa.Column("code", sa.String(8), primary_key=True),
             sa.Column("opened", sa.Date), sa.Column("since", sa.Interval),
             sa.Column("active", sa.Boolean))
    sa.Table("item", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("shop_code", sa.ForeignKey("shop.code"), nullable=False),
             sa.Column("parent_id", sa.ForeignKey("item.id")),
             sa.Column("price", sa.Numeric(8, 2)), sa.Column("at", sa.Time),
             sa.Column("stamp", sa.DateTime(timezone=True)), sa.Column("doc", sa.JSON),
             sa.Column("blob", sa.LargeBinary), sa.Column("token", sa.Uuid))
    shops = pd.DataFrame({
        "code": [f"S{i:03d}" for i in range(30)],
        "opened": [dt.date(2020, 1, 1) + dt.timedelta(days=7 * i) for i in range(30)],
        "since": [dt.timedelta(hours=i) for i in range(30)],
        "active": [i % 3 == 0 for i in range(30)],
    })
    items = pd.DataFrame({
        "id": range(1, 61), "shop_code": [f"S{i % 30:03d}" for i in range(60)],
        "parent_id": [None] + list(range(1, 60)),
        "price": [round(1.5 + i * 0.37, 2) for i in range(60)],
        "at": [dt.time(i % 24, i % 60) for i in range(60)],
        "stamp": pd.date_range("2024-01-01", periods=60, freq="7h", tz="UTC"),
        "doc": [{"k": i, "tags": ["a"] * (i % 3)} for i in range(60)],
        "blob": [bytes([i, 255 - i]) for i in range(60)],
        "token": [uuid.UUID(int=i) for i in range(60)],
    })
    trained = Synthesizer(metadata, {"shop": shops, "item": items}, epochs=1, seed=2).fit()
    loaded = Synthesizer.load(trained.save(tmp_path / "m"))
    after = loaded.sample(seed=4)
    for key, frame in trained.sample(seed=4).items():
        pd.testing.assert_frame_equal(frame, after[key], check_exact=True)
