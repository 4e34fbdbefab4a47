"""Block-wise generation (issue 6): tables come in blocks, keys stay valid across blocks."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
import torch
from ctgan.synthesizers.ctgan import Generator
from deltalake import DeltaTable

from synthohive_seed import Synthesizer
from synthohive_seed.errors import ConfigError, WriteError
from synthohive_seed.sampling import cascade
from synthohive_seed.sampling.ahead import run_ahead
from synthohive_seed.schema.tables import to_metadata
from synthohive_seed.sinks.database import write_database
from synthohive_seed.sinks.delta import read_delta, write_delta_blocks
from synthohive_seed.training.gan import FoldedGenerator, sampling_dtype

from .frames_check import key_problems
from .test_cases import read
from .test_keys import key_schema


def staff_schema() -> tuple[sa.MetaData, dict[str, pd.DataFrame]]:
    """A self-referencing table with a UNIQUE text column, and a child with a composite key."""
    m = sa.MetaData()
    sa.Table("staff", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("boss", sa.ForeignKey("staff.id"), nullable=True),
             sa.Column("badge", sa.String(12), nullable=False, unique=True),
             sa.Column("salary", sa.Float))
    sa.Table("shifts", m, sa.Column("staff_id", sa.ForeignKey("staff.id"), primary_key=True),
             sa.Column("n", sa.Integer, primary_key=True), sa.Column("hours", sa.Integer))
    rng = np.random.default_rng(3)
    staff = pd.DataFrame({"id": range(1, 81),
                          "boss": [None] + [int(b) for b in rng.integers(1, 40, 79)],
                          "badge": [f"B-{i:04d}" for i in range(80)],
                          "salary": rng.normal(3000, 400, 80).round(2)})
    owners = rng.integers(1, 81, 200)
    shifts = pd.DataFrame({"staff_id": owners,
                           "n": pd.Series(owners).groupby(owners).cumcount() + 1,
                           "hours": rng.integers(4, 10, 200)})
    return m, {"staff": staff, "shifts": shifts}


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(cascade, "BLOCK_ROWS", 7)
    return 7


def stream_blocks(synth: Synthesizer, num_rows: dict[str, int]) -> dict[str, list[pd.DataFrame]]:
    plan = synth.plan(num_rows)
    assert synth.model is not None
    return {spec.key: list(blocks) for spec, blocks in cascade.stream(synth.model, plan)}


def test_keys_stay_valid_across_blocks(small_blocks: int) -> None:
    metadata, data = key_schema()
    synth = Synthesizer(metadata, data, epochs=1, seed=6).fit()
    blocks = stream_blocks(synth, {"countries": 30, "sheets": 10})
    assert len(blocks["users"]) > 2 and len(blocks["notes"]) > 2
    # Children blocks are cut between parents: none far past the block size.
    frames = {key: pd.concat(parts, ignore_index=True) for key, parts in blocks.items()}
    assert key_problems(synth.schema, frames) == []
    assert frames["users"]["handle"].is_unique  # UNIQUE across blocks, not only within
    assert frames["countries"]["code"].is_unique
    assert frames["profiles"]["user_id"].is_unique
    assert frames["users"]["id"].tolist() == list(range(1, len(frames["users"]) + 1))


def test_self_reference_and_composite_keys_across_blocks(small_blocks: int) -> None:
    metadata, data = staff_schema()
    synth = Synthesizer(metadata, data, epochs=1, seed=2).fit()
    blocks = stream_blocks(synth, {"staff": 50})
    assert len(blocks["staff"]) == 8  # 50 rows in blocks of 7
    frames = {key: pd.concat(parts, ignore_index=True) for key, parts in blocks.items()}
    assert key_problems(synth.schema, frames) == []
    staff = frames["staff"]
    assert staff["badge"].is_unique
    position = {key: i for i, key in enumerate(staff["id"])}
    bosses = staff["boss"].dropna().astype(int)
    # Pointing only backwards: no loops, also for rows of later blocks pointing into earlier ones.
    assert all(position[b] < position[i] for i, b in zip(staff.loc[bosses.index, "id"], bosses))
    assert any(position[b] < 7 <= position[i] for i, b in zip(staff.loc[bosses.index, "id"], bosses))
    assert not frames["shifts"].duplicated(["staff_id", "n"]).any()


def test_stream_gives_the_rows_of_generate() -> None:
    metadata, data = staff_schema()
    synth = Synthesizer(metadata, data, epochs=1, seed=2).fit()
    whole = synth.sample({"staff": 40}, seed=9)
    plan = synth.plan({"staff": 40}, seed=9)
    assert synth.model is not None
    for spec, blocks in cascade.stream(synth.model, plan):
        streamed = pd.concat(list(blocks), ignore_index=True)
        pd.testing.assert_frame_equal(streamed, whole[spec.key].reset_index(drop=True),
                                      check_dtype=False)


def test_cycles_are_generated_whole() -> None:
    m = sa.MetaData()
    sa.Table("a", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("b_id", sa.ForeignKey("b.id", use_alter=True), nullable=True))
    sa.Table("b", m, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("a_id", sa.ForeignKey("a.id"), nullable=False))
    data = {"a": pd.DataFrame({"id": [1, 2, 3], "b_id": [1, None, 2]}),
            "b": pd.DataFrame({"id": [1, 2], "a_id": [1, 3]})}
    synth = Synthesizer(m, data, epochs=1, seed=1).fit()
    assert synth.model is not None and not cascade.can_stream(synth.model)
    with pytest.raises(ValueError, match="generated whole"):
        cascade.stream(synth.model, synth.plan())
    frames = synth.sample()
    assert key_problems(synth.schema, frames) == []


def failing_after(blocks: list[pd.DataFrame], error: Exception):  # type: ignore[no-untyped-def]
    """The blocks, then ``error`` (a generator that breaks halfway through a table)."""
    yield from blocks
    raise error


def test_database_stream_failing_halfway_leaves_target_as_it_was(target_url: str) -> None:
    metadata, data = staff_schema()
    synth = Synthesizer(metadata, data, epochs=1, seed=2).fit()
    synth.sample({"staff": 30}, target_url=target_url)
    before = read(target_url, "SELECT id, badge FROM staff ORDER BY id")
    engine = sa.create_engine(target_url)
    try:
        frames = synth.sample({"staff": 20})
        tables = [(synth.schema.table("staff"), [frames["staff"]]),
                  (synth.schema.table("shifts"),
                   failing_after([frames["shifts"]], RuntimeError("generator broke")))]
        with pytest.raises(RuntimeError, match="generator broke"):
            write_database(tables, synth.schema, engine, if_exists="truncate")
    finally:
        engine.dispose()
    assert read(target_url, "SELECT id, badge FROM staff ORDER BY id") == before


def test_database_stream_writes_blocks_into_one_table(pg_url: str, small_blocks: int) -> None:
    metadata, data = staff_schema()
    synth = Synthesizer(metadata, data, epochs=1, seed=2).fit()
    written = synth.sample({"staff": 50}, target_url=pg_url)
    frames = synth.sample({"staff": 50})
    assert written == {k: len(v) for k, v in frames.items()} and written["staff"] == 50
    got = read(pg_url, "SELECT id, boss, badge FROM staff ORDER BY id")
    want = frames["staff"][["id", "boss", "badge"]].astype(object)
    assert [(i, None if pd.isna(b) else b, t) for i, b, t in got] == [
        (i, None if pd.isna(b) else int(b), t) for i, b, t in want.itertuples(index=False)]


def test_delta_stream_is_one_version_per_table(tmp_path: Path, small_blocks: int) -> None:
    metadata, data = staff_schema()
    synth = Synthesizer(metadata, data, epochs=1, seed=2).fit()
    paths = synth.sample({"staff": 50}, tmp_path / "out")
    frames = synth.sample({"staff": 50})
    assert isinstance(paths, dict)
    for key, path in paths.items():
        table = DeltaTable(str(path))
        assert table.version() == 0  # one commit for all of the table's blocks
        assert read_delta(path).num_rows == len(frames[key])
    staff = read_delta(paths["staff"]).to_pandas().sort_values("id")
    assert staff["badge"].tolist() == frames["staff"]["badge"].tolist()


def test_delta_stream_failure_puts_written_tables_back(tmp_path: Path) -> None:
    metadata, data = staff_schema()
    synth = Synthesizer(metadata, data, epochs=1, seed=2).fit()
    out = tmp_path / "out"
    synth.sample({"staff": 10}, out)
    frames = synth.sample({"staff": 25})
    staff, shifts = synth.schema.table("staff"), synth.schema.table("shifts")

    def tables(error: Exception):  # type: ignore[no-untyped-def]
        return [(staff, [frames["staff"]]), (shifts, failing_after([frames["shifts"]], error))]

    with pytest.raises(RuntimeError, match="broke"):
        write_delta_blocks(tables(RuntimeError("broke")), synth.schema, out, mode="overwrite")
    assert read_delta(out / "staff").num_rows == 10  # restored to the earlier run's rows
    fresh = tmp_path / "fresh"
    with pytest.raises(RuntimeError, match="broke"):
        write_delta_blocks(tables(RuntimeError("broke")), synth.schema, fresh)
    assert not (fresh / "staff").exists()  # created by the failed call, so removed


def test_folded_generator_matches_the_module() -> None:
    torch.manual_seed(0)
    generator = Generator(16 + 5, (32, 32), 7)
    generator.train()
    for _ in range(3):  # running statistics away from their initial 0 / 1
        generator(torch.randn(200, 21) * 3 + 1)
    generator.eval()
    noise, context = torch.randn(300, 16), torch.randn(300, 5)
    with torch.no_grad():
        expected = generator(torch.cat([noise, context], dim=1))
        got = FoldedGenerator(generator, (16, 5))(noise, context)
        root = FoldedGenerator(generator, (21,))(torch.cat([noise, context], dim=1))
    assert torch.allclose(got, expected, atol=1e-5)
    assert torch.allclose(root, expected, atol=1e-5)
    assert not torch.allclose(got, generator.seq[-1].bias.expand_as(got))  # not trivially equal
    # bfloat16 hidden layers: float32 out, within the hidden layers' rounding.
    low = FoldedGenerator(generator, (16, 5), hidden_dtype=torch.bfloat16)(noise, context)
    assert low.dtype == torch.float32
    error = (low - expected).abs().max() / expected.abs().max()
    assert 0 < error < 0.03


def test_precision_float32_and_auto_give_rows_alike(tmp_path: Path) -> None:
    metadata, data = staff_schema()
    synth = Synthesizer(metadata, data, epochs=2, seed=2).fit()
    exact = synth.sample({"staff": 3000}, seed=5, precision="float32")
    again = synth.sample({"staff": 3000}, seed=5, precision="float32")
    auto = synth.sample({"staff": 3000}, seed=5)
    assert isinstance(exact, dict) and isinstance(again, dict) and isinstance(auto, dict)
    pd.testing.assert_frame_equal(exact["staff"], again["staff"])
    assert len(auto["shifts"]) == pytest.approx(len(exact["shifts"]), rel=0.1)
    for column in ("salary", "hours"):
        table = "staff" if column == "salary" else "shifts"
        a, b = auto[table][column].astype(float), exact[table][column].astype(float)
        assert abs(a.median() - b.median()) < 0.1 * b.std()
    if sampling_dtype() == torch.bfloat16:  # this CPU takes the bfloat16 path
        assert not exact["staff"]["salary"].equals(auto["staff"]["salary"])
    assert sampling_dtype("float32") == torch.float32
    with pytest.raises(ConfigError, match="precision") as caught:
        synth.sample({"staff": 3}, precision="half")  # type: ignore[arg-type]
    assert caught.value.option == "precision"


def _workers() -> list[threading.Thread]:
    return [t for t in threading.enumerate()
            if t.name in ("synthohive-generate", "synthohive-encode")]


def test_run_ahead_yields_the_same_blocks_and_raises_where_generation_failed() -> None:
    staff, shifts = (staff_schema_spec("staff"), staff_schema_spec("shifts"))
    frames = [pd.DataFrame({"x": [i]}) for i in range(5)]

    def tables():  # type: ignore[no-untyped-def]
        yield staff, iter(frames[:3])
        yield shifts, failing_after(frames[3:], RuntimeError("block 5 broke"))

    got: list[tuple[str, int]] = []
    with pytest.raises(RuntimeError, match="block 5 broke"):
        for spec, blocks in run_ahead(tables()):
            got.extend((spec.key, int(frame["x"][0])) for frame in blocks)
    assert got == [("staff", 0), ("staff", 1), ("staff", 2), ("shifts", 3), ("shifts", 4)]
    assert not _workers()  # the worker is joined, not left running


def test_run_ahead_stops_its_worker_when_the_caller_stops() -> None:
    staff = staff_schema_spec("staff")
    made: list[int] = []

    def endless():  # type: ignore[no-untyped-def]
        i = 0
        while True:
            made.append(i)
            yield pd.DataFrame({"x": [i]})
            i += 1

    ahead = run_ahead(iter([(staff, endless())]), depth=2)
    spec, blocks = next(ahead)
    assert int(next(blocks)["x"][0]) == 0
    ahead.close()  # what a failed write does: the generator is closed
    assert not _workers()
    assert len(made) <= 5  # it ran at most a couple of blocks ahead


def staff_schema_spec(key: str):  # type: ignore[no-untyped-def]
    from synthohive_seed.schema.introspect import schema_from_metadata

    return schema_from_metadata(staff_schema()[0]).table(key)


def test_progress_shows_epochs_and_rows_only_when_asked(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    metadata, data = staff_schema()
    Synthesizer(metadata, data, epochs=2, seed=2).fit().sample({"staff": 20}, tmp_path / "quiet")
    assert capsys.readouterr().err == ""
    synth = Synthesizer(metadata, data, epochs=2, seed=2, progress=True).fit()
    err = capsys.readouterr().err
    assert "training" in err and "epoch" in err  # a bar per table's epochs
    synth.sample({"staff": 20}, tmp_path / "loud")
    err = capsys.readouterr().err
    assert "rows" in err and "delta" in err  # rows per table as they are written


def test_a_failed_load_stops_the_generating_thread(target_url: str, small_blocks: int) -> None:
    metadata, data = staff_schema()
    synth = Synthesizer(metadata, data, epochs=1, seed=2).fit()
    # The target's staff table has a CHECK the model does not know (drift does not stop
    # for it): most bosses break it, so the load fails in an early block while the
    # worker thread is still generating later ones.
    target = to_metadata(synth.schema)
    target.tables["staff"].append_constraint(
        sa.CheckConstraint("boss IS NULL OR boss < 2", name="ck_staff_boss"))
    engine = sa.create_engine(target_url)
    target.create_all(engine)
    engine.dispose()
    with pytest.raises(WriteError, match="staff"):
        synth.sample({"staff": 60}, target_url=target_url)
    assert not _workers()  # stopped and joined when the load failed, not at exit
    assert read(target_url, "SELECT count(*) FROM staff") == [(0,)]


def test_appending_never_repeats_the_targets_unique_values(target_url: str) -> None:
    metadata, data = staff_schema()
    synth = Synthesizer(metadata, data, epochs=1, seed=2).fit()
    synth.sample({"staff": 60}, target_url=target_url)
    # The same seed as the first load, twice: badges (UNIQUE, 10,000 possible values of
    # the shape B-9999) must avoid the ones the target already holds.
    for _ in range(2):
        written = synth.sample({"staff": 60}, target_url=target_url, if_exists="append", seed=2)
        assert written["staff"] == 60
    assert read(target_url, "SELECT count(*), count(DISTINCT badge) FROM staff") == [(180, 180)]
    # Without a seed, appending samples other rows (a seed derived from what is held).
    synth.sample({"staff": 60}, target_url=target_url, if_exists="append")
    assert read(target_url, "SELECT count(DISTINCT badge) FROM staff") == [(240,)]
