"""Peak RSS of sampling 1x and 10x the rows to Delta and to PostgreSQL (issue 6).

Usage (from the repository root; PostgreSQL on 127.0.0.1:5432, user postgres)::

    python benchmarks/memory.py [--customers 12500] [--factor 10] [--sinks delta,postgres]

The customers -> orders model of ``load_rate.py`` (epochs=1) is trained and saved once;
then each (sink, size) runs in its own fresh subprocess that loads the saved model and
samples ``customers`` root rows (children follow, ~4 rows in all per customer) into a
fresh PostgreSQL database or a fresh Delta directory. The subprocess reports its own
peak RSS (``getrusage(RUSAGE_SELF).ru_maxrss``) and its RSS just before sampling (model
loaded, libraries imported), so the fixed cost and the part that grows can be told
apart. Issue 6's target: peak at 10x <= 1.3 x peak at 1x. Databases and Delta
directories are removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _issue6 as common
import pyarrow as pa
from deltalake import DeltaTable


def child(args: argparse.Namespace) -> None:
    from synthohive_seed import Synthesizer

    synth = Synthesizer.load(args.model_dir)
    before = common.rss_now_mb()
    start = time.perf_counter()
    num_rows = {"customers": args.customers}
    extra: dict[str, object] = {}
    if args.sink == "delta":
        out = Path(tempfile.mkdtemp(prefix="mem_delta_"))
        try:
            paths = synth.sample(num_rows, output_path=out / "d", seed=args.seed)
            # Rows from the Delta log (each file's record count): no data is read back.
            files = [pa.table(DeltaTable(p).get_add_actions(flatten=True))
                     for p in paths.values()]
            rows = sum(sum(f.column("num_records").to_pylist()) for f in files)
            extra = {"files": sum(f.num_rows for f in files),
                     "largest_file_mb": max((max(f.column("size_bytes").to_pylist(), default=0)
                                             for f in files), default=0) / 2**20,
                     "versions": sorted({DeltaTable(p).version() for p in paths.values()})}
        finally:
            shutil.rmtree(out, ignore_errors=True)
    else:
        with common.scratch_db(f"mem_{os.getpid()}") as url:
            counts = synth.sample(num_rows, target_url=url, seed=args.seed)
            rows = sum(int(v) for v in counts.values())
    secs = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"before_mb": before, "peak_mb": peak, "seconds": secs, "rows": rows, **extra}))


def run_child(model_dir: Path, sink: str, customers: int, seed: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--model-dir", str(model_dir), "--sink", sink,
         "--customers", str(customers), "--seed", str(seed)],
        check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=12_500, help="root rows at 1x (~4 rows in all each)")
    parser.add_argument("--factor", type=int, default=10)
    parser.add_argument("--sinks", default="delta,postgres")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--sink", help=argparse.SUPPRESS)
    parser.add_argument("--model-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    from synthohive_seed import Synthesizer

    tmp = Path(tempfile.mkdtemp(prefix="mem_model_"))
    try:
        Synthesizer(common.metadata(), common.frames(3000, seed=0), epochs=1, seed=0).fit().save(tmp / "m")
        print(f"machine: {common.machine()}")
        summary = []
        for sink in args.sinks.split(","):
            res = {}
            for mult in (1, args.factor):
                r = run_child(tmp / "m", sink, args.customers * mult, args.seed)
                res[mult] = r
                rows = f"{r['rows']:,} rows" if r["rows"] else f"{args.customers * mult:,} customers"
                delta = (f", {r['files']} files (largest {r['largest_file_mb']:.0f} MB), table "
                         f"versions {r['versions']}" if "files" in r else "")
                print(f"{sink} {mult}x ({rows}): peak RSS {r['peak_mb']:.0f} MB "
                      f"(before sampling {r['before_mb']:.0f} MB, growth {r['peak_mb'] - r['before_mb']:.0f} MB), "
                      f"{r['seconds']:.1f} s = {r['rows'] / r['seconds']:,.0f} rows/s{delta}")
            ratio = res[args.factor]["peak_mb"] / res[1]["peak_mb"]
            growth = ((res[args.factor]["peak_mb"] - res[args.factor]["before_mb"])
                      / max(res[1]["peak_mb"] - res[1]["before_mb"], 1e-9))
            print(f"{sink}: peak {args.factor}x / 1x = {ratio:.2f} (growth above the loaded model: {growth:.1f}x)")
            summary.append(f"{sink} {ratio:.2f} ({'met' if ratio <= 1.3 else 'missed'})")
        print(f"SUMMARY memory: peak RSS {args.factor}x/1x ({args.customers:,} vs "
              f"{args.customers * args.factor:,} customers): {', '.join(summary)}; target <= 1.3")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
