"""One 2,000-category column: plain ``ctgan`` against ours, fit, sample and peak RSS (issue 6).

Usage (from the repository root)::

    python benchmarks/categories.py [--epochs 10] [--rows 5000] [--sample-rows 100000]
                                    [--categories 2000]

The source is one generated table of ``--rows`` rows (seeded numpy): ``product``, a
string column with ``--categories`` distinct codes (``SKU-`` + 5 digits) at Zipf-like
frequencies, every code present at least once; ``amount`` (positive float, depends a
little on the product), ``quantity`` (integer) and ``channel`` (4 categories).

* ``ctgan``: ``ctgan.CTGAN(epochs=...)`` fit with ``discrete_columns=["product",
  "channel"]``, then ``sample(--sample-rows)``.
* ``ours``: ``Synthesizer(metadata, {"table": frame}, epochs=..., seed=0).fit()`` on a
  SQLAlchemy table with an integer primary key ``id`` plus the same columns
  (``product`` as ``String(20)``), every other option at its default, then
  ``sample({"table": --sample-rows})``.

Each side runs in its own fresh subprocess (this script re-invoked with ``--side``) that
reports its RSS right after its imports, its peak RSS after fitting and after sampling
(``getrusage(RUSAGE_SELF).ru_maxrss``), and the seconds of each phase; the sides run one
after the other, never at the same time. Both outputs are then scored against the source
with SDMetrics' single-table ``QualityReport`` ("Column Shapes"; ``product`` and
``channel`` categorical, ``amount`` and ``quantity`` numerical, ``id`` left out).

Issue 6's target: the 2,000-category case trains >= 5x faster and in >= 4x less memory
than plain ``ctgan`` in the same run, at an equal or better column-shape score. Memory
counts as met only when both the peak after fitting and the peak of the whole run
(fit + sample) are >= 4x lower. Nothing is kept on disk.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import _issue6 as common
import numpy as np
import pandas as pd

CATEGORY = "product"
DISCRETE = [CATEGORY, "channel"]
NUMERICAL = ["amount", "quantity"]
SIDES = ("ctgan", "ours")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def source_frame(rows: int, categories: int, seed: int = 0) -> pd.DataFrame:
    """The source table (with ``id``); the same for the same arguments."""
    if rows < categories:
        raise SystemExit(f"--rows ({rows}) must be >= --categories ({categories})")
    rng = np.random.default_rng(seed)
    codes = rng.choice(np.arange(10_000, 100_000), categories, replace=False)
    labels = np.array([f"SKU-{c:05d}" for c in codes], dtype=object)
    # Zipf-like (1/rank^1.1) on top of one row per code, so every code appears.
    weights = 1.0 / np.arange(1, categories + 1) ** 1.1
    extra = rng.choice(categories, rows - categories, p=weights / weights.sum())
    rank = rng.permutation(np.concatenate([np.arange(categories), extra]))
    price = np.exp(rng.normal(3.0, 0.6, categories))  # each product's own price level
    channel = rng.choice(["web", "store", "phone", "partner"], rows, p=[0.5, 0.3, 0.15, 0.05])
    quantity = 1 + rng.poisson(np.where(channel == "partner", 6.0, 1.5))
    amount = np.round(price[rank] * quantity * np.exp(rng.normal(0, 0.1, rows)), 2)
    return pd.DataFrame({
        "id": np.arange(1, rows + 1),
        CATEGORY: labels[rank],
        "amount": amount,
        "quantity": quantity.astype("int64"),
        "channel": channel.astype(object),
    })


def child(args: argparse.Namespace) -> None:
    """One side, in a fresh process: imports, fit, sample; the sample goes to ``--out``."""
    if args.side == "ctgan":
        import ctgan
    else:
        import sqlalchemy as sa

        from synthohive_seed import Synthesizer
    import_mb = common.rss_now_mb()
    frame = source_frame(args.rows, args.categories)
    if args.side == "ctgan":
        model = ctgan.CTGAN(epochs=args.epochs)
        model.set_random_state(0)
        train = frame.drop(columns=["id"])
        start = time.perf_counter()
        model.fit(train, discrete_columns=DISCRETE)
        fit_s = time.perf_counter() - start
        fit_peak = peak_mb()
        start = time.perf_counter()
        out = model.sample(args.sample_rows)
        sample_s = time.perf_counter() - start
    else:
        md = sa.MetaData()
        sa.Table("table", md,
                 sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column(CATEGORY, sa.String(20), nullable=False),
                 sa.Column("amount", sa.Float, nullable=False),
                 sa.Column("quantity", sa.Integer, nullable=False),
                 sa.Column("channel", sa.String(10), nullable=False))
        synth = Synthesizer(md, {"table": frame}, epochs=args.epochs, seed=0)
        start = time.perf_counter()
        synth.fit()
        fit_s = time.perf_counter() - start
        fit_peak = peak_mb()
        start = time.perf_counter()
        out = synth.sample({"table": args.sample_rows})["table"]  # type: ignore[index]
        sample_s = time.perf_counter() - start
    run_peak = peak_mb()
    out.to_parquet(args.out)  # handed to the parent for scoring (no pickle anywhere)
    print(json.dumps({"import_mb": import_mb, "fit_peak_mb": fit_peak, "peak_mb": run_peak,
                      "fit_s": fit_s, "sample_s": sample_s, "rows": len(out)}))


def run_side(side: str, args: argparse.Namespace, out: Path) -> dict:
    cmd = [sys.executable, __file__, "--side", side, "--out", str(out), "--epochs", str(args.epochs),
           "--rows", str(args.rows), "--sample-rows", str(args.sample_rows),
           "--categories", str(args.categories)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{side} side failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for name in NUMERICAL:
        out[name] = pd.to_numeric(frame[name].reset_index(drop=True)).astype("float64")
    for name in DISCRETE:
        out[name] = frame[name].reset_index(drop=True).astype(object)
    return out


def shapes(real: pd.DataFrame, synthetic: pd.DataFrame) -> tuple[float, dict[str, float]]:
    with warnings.catch_warnings():  # the single-table report is deprecated, still works
        warnings.simplefilter("ignore", FutureWarning)
        from sdmetrics.reports.single_table import QualityReport

    metadata = {"columns": {name: {"sdtype": "numerical"} for name in NUMERICAL}
                | {name: {"sdtype": "categorical"} for name in DISCRETE}}
    report = QualityReport()
    report.generate(comparable(real), comparable(synthetic), metadata, verbose=False)
    props = report.get_properties().set_index("Property")["Score"]
    details = report.get_details("Column Shapes").set_index("Column")["Score"]
    return float(props["Column Shapes"]), {k: float(v) for k, v in details.items()}


def ram_gb() -> float:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--rows", type=int, default=5000, help="source rows")
    parser.add_argument("--sample-rows", type=int, default=100_000)
    parser.add_argument("--categories", type=int, default=2000, help="distinct values of product")
    parser.add_argument("--side", choices=SIDES, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        child(args)
        return

    versions = ", ".join(f"{p} {importlib.metadata.version(p)}"
                         for p in ("ctgan", "torch", "sdmetrics", "pandas"))
    print(f"machine: {common.machine()}, {ram_gb():.0f} GB RAM; {versions}")
    real = source_frame(args.rows, args.categories)
    print(f"source: {args.rows:,} rows, {CATEGORY} {real[CATEGORY].nunique():,} distinct "
          f"(most common {real[CATEGORY].value_counts().iloc[0]} rows, "
          f"{(real[CATEGORY].value_counts() == 1).sum():,} codes seen once); epochs={args.epochs}, "
          f"sampling {args.sample_rows:,} rows")
    known = set(real[CATEGORY])
    tmp = Path(tempfile.mkdtemp(prefix="categories_"))
    res: dict[str, dict] = {}
    try:
        for side in SIDES:
            r = run_side(side, args, tmp / f"{side}.parquet")
            out = pd.read_parquet(tmp / f"{side}.parquet")
            r["shapes"], r["columns"] = shapes(real, out)
            values = out[CATEGORY].dropna().astype(str)
            r["distinct"] = int(values.nunique())
            r["real_share"] = float(values.isin(known).mean())
            r["real_distinct"] = int(values[values.isin(known)].nunique())
            res[side] = r
            print(f"{side}: fit {r['fit_s']:.1f} s, sample {r['sample_s']:.1f} s ({r['rows']:,} rows), "
                  f"RSS after imports {r['import_mb']:.0f} MB, peak after fit {r['fit_peak_mb']:.0f} MB, "
                  f"peak {r['peak_mb']:.0f} MB, column shapes {r['shapes']:.3f}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    c, o = res["ctgan"], res["ours"]
    rows = [
        ("fit s", "fit_s", "{:.1f}"), ("sample s", "sample_s", "{:.1f}"),
        ("RSS after imports MB", "import_mb", "{:,.0f}"), ("peak RSS after fit MB", "fit_peak_mb", "{:,.0f}"),
        ("peak RSS fit + sample MB", "peak_mb", "{:,.0f}"), ("column shapes (SDMetrics)", "shapes", "{:.3f}"),
    ]
    print()
    print("| measure | plain ctgan | ours | ctgan / ours |")
    print("|---|---|---|---|")
    for label, key, fmt in rows:
        print(f"| {label} | {fmt.format(c[key])} | {fmt.format(o[key])} | {c[key] / o[key]:.2f} |")
    for name in NUMERICAL + DISCRETE:
        print(f"| -- shape `{name}` | {c['columns'][name]:.3f} | {o['columns'][name]:.3f} | |")
    print(f"| `{CATEGORY}` distinct values sampled (source {args.categories:,}) | {c['distinct']:,} "
          f"| {o['distinct']:,} | |")
    print(f"| -- of them real codes | {c['real_distinct']:,} | {o['real_distinct']:,} | |")
    print(f"| share of sampled `{CATEGORY}` values that are real codes | {c['real_share']:.1%} "
          f"| {o['real_share']:.1%} | |")
    print()

    speed = c["fit_s"] / o["fit_s"]
    mem_fit = c["fit_peak_mb"] / o["fit_peak_mb"]
    mem_run = c["peak_mb"] / o["peak_mb"]
    print(f"ratios: fit ctgan/ours {speed:.1f}x; peak RSS ctgan/ours {mem_fit:.1f}x after fit, "
          f"{mem_run:.1f}x fit + sample; column shapes ctgan {c['shapes']:.3f}, ours {o['shapes']:.3f}")
    print(f"machine at the end: {common.machine()}")

    def status(ok: bool) -> str:
        return "met" if ok else "missed"

    print(f"SUMMARY categories: {args.categories:,}-category column, {args.rows:,} rows, "
          f"epochs={args.epochs}: training {speed:.1f}x faster (target >= 5: {status(speed >= 5)}); "
          f"memory {min(mem_fit, mem_run):.1f}x less (after fit {mem_fit:.1f}x, fit + sample "
          f"{mem_run:.1f}x; target >= 4: {status(min(mem_fit, mem_run) >= 4)}); column shapes "
          f"{o['shapes']:.3f} vs ctgan {c['shapes']:.3f} (target >= ctgan: "
          f"{status(o['shapes'] >= c['shapes'])})")


if __name__ == "__main__":
    main()
