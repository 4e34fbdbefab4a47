"""Fit and sample with synthohive_seed and with SDV's HMASynthesizer in one run; score both.

Usage (from the repository root; SDV is a benchmark-only extra, BUSL-licensed)::

    pip install -e ".[bench]"
    python benchmarks/run.py [--only shop] [--skip-sdv] [--epochs N] [--out benchmarks/RESULTS.md]

Both sides get the same source frames and the same scorer
(:func:`synthohive_seed.quality.evaluate`, i.e. SDMetrics' QualityReport on metadata built
from our schema). Wall-clock seconds are noisy on a shared 2-core machine, so the table
also gives ratios measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd  # noqa: E402
from datasets import Dataset, chinook_subset, shop  # noqa: E402

from synthohive_seed import Synthesizer  # noqa: E402
from synthohive_seed.quality.metadata import comparable_frames, sdv_metadata  # noqa: E402
from synthohive_seed.quality.report import evaluate  # noqa: E402

DATASETS = {"shop": shop, "chinook_subset": chinook_subset}


def run_ours(dataset: Dataset, options: dict[str, Any]) -> dict[str, Any]:
    name, md, frames = dataset
    start = time.perf_counter()
    synth = Synthesizer(md, frames, **options).fit()
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    fake = synth.sample()
    sample_s = time.perf_counter() - start
    result = evaluate(synth.schema, frames, fake)
    return {"fit_s": fit_s, "sample_s": sample_s, "result": result}


def run_sdv(dataset: Dataset) -> dict[str, Any]:
    from sdv.metadata import Metadata
    from sdv.multi_table import HMASynthesizer

    class DeepHMA(HMASynthesizer):
        """HMA without its community-edition depth fence (the shop is two levels deep)."""

        def _validate_schema_complexity(self) -> None:
            return None

    name, md, frames = dataset
    synth = Synthesizer(md, frames)
    real = comparable_frames(synth.schema, frames)
    meta = sdv_metadata(synth.schema, real)
    for table in meta["tables"].values():
        for column in table["columns"].values():
            if column["sdtype"] == "text":  # SDV has no "text" sdtype
                column["sdtype"] = "unknown"
    metadata = Metadata.load_from_dict({"METADATA_SPEC_VERSION": "V1", **meta})
    model = DeepHMA(metadata, verbose=False)
    start = time.perf_counter()
    model.fit(real)
    fit_s = time.perf_counter() - start
    print(name, "sdv fit s", round(fit_s, 1), flush=True)
    start = time.perf_counter()
    fake = model.sample_scale(scale=1.0)
    sample_s = time.perf_counter() - start
    result = evaluate(synth.schema, frames, fake)
    return {"fit_s": fit_s, "sample_s": sample_s, "result": result}


def table(name: str, ours: dict[str, Any], sdv: dict[str, Any] | None) -> str:
    rows = [("fit s", ours["fit_s"], sdv and sdv["fit_s"]),
            ("sample s", ours["sample_s"], sdv and sdv["sample_s"]),
            ("fit + sample s", ours["fit_s"] + ours["sample_s"],
             sdv and sdv["fit_s"] + sdv["sample_s"]),
            ("overall quality", ours["result"].overall, sdv and sdv["result"].overall)]
    for prop in ours["result"].properties:
        rows.append((prop, ours["result"].properties[prop],
                     sdv and sdv["result"].properties.get(prop)))
    rows.append(("keys valid", ours["result"].keys_valid, sdv and sdv["result"].keys_valid))
    lines = [f"### {name}", "",
             "| measure | synthohive_seed | SDV HMA | ours - SDV (ratio for s) |",
             "|---|---|---|---|"]
    for label, mine, theirs in rows:
        if isinstance(mine, bool):
            lines.append(f"| {label} | {mine} | {theirs if sdv else '-'} | |")
        elif theirs is None:
            lines.append(f"| {label} | {mine:.3f} | - | |")
        elif label.endswith(" s"):
            lines.append(f"| {label} | {mine:.1f} | {theirs:.1f} | {mine / theirs:.2g}x |")
        else:
            lines.append(f"| {label} | {mine:.3f} | {theirs:.3f} | {mine - theirs:+.3f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(DATASETS))
    parser.add_argument("--skip-sdv", action="store_true")
    parser.add_argument("--skip-ours", action="store_true", help="SDV only (a baseline)")
    parser.add_argument("--epochs", type=int, default=None, help="ours; default: the default")
    parser.add_argument("--out", default=None, help="append the Markdown section here")
    parser.add_argument("--json", default=None, help="write raw figures here")
    args = parser.parse_args()
    options: dict[str, Any] = {} if args.epochs is None else {"epochs": args.epochs}
    sections, raw = [], {}
    for name in args.only or list(DATASETS):
        dataset = DATASETS[name]()
        rows = sum(len(f) for f in dataset[2].values())
        sdv = None if args.skip_sdv else run_sdv(dataset)
        if sdv:
            print(name, "sdv", sdv["fit_s"], sdv["sample_s"], sdv["result"].summary(), flush=True)
        if args.skip_ours:
            continue
        ours = run_ours(dataset, options)
        print(name, "ours", ours["fit_s"], ours["sample_s"], ours["result"].summary(), flush=True)
        sections.append(table(f"{name} ({len(dataset[2])} tables, {rows} rows)", ours, sdv))
        raw[name] = {side: {"fit_s": r["fit_s"], "sample_s": r["sample_s"],
                            **r["result"].to_dict()}
                     for side, r in (("ours", ours), ("sdv", sdv)) if r}
    header = (f"## Run of {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n"
              f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}, pandas {pd.__version__}; "
              f"options {options or 'default'}"
              f".\n\n")
    text = header + "\n".join(sections)
    print(text)
    if args.out:
        with open(args.out, "a") as handle:
            handle.write("\n" + text)
    if args.json:
        Path(args.json).write_text(json.dumps(raw, indent=2, default=str))


if __name__ == "__main__":
    main()
