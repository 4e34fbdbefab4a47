"""The ``report`` subcommand: compare a real and a synthetic source, write JSON and pictures.

Kept beside the report so the CLI module only dispatches to it::

    python -m synthohive_seed report --db-url REAL --synthetic-url SYN \
        [--json P] [--html P] [--png P]

Either side may be a directory of Delta tables instead of a URL; the schema is read from
a database side. The summary goes to stdout; ``--min-quality`` makes CI fail (exit 1)
when the overall score is lower or a key is broken.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import SeedError


class QualityTooLow(SeedError):
    """The overall score is under ``--min-quality`` or a synthetic key is broken."""


def build_report_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m synthohive_seed report",
        description="Compare synthetic tables with the real ones (SDMetrics quality: column "
        "shapes, column-pair trends, cardinality, inter-table trends; plus key checks).")
    parser.add_argument("--db-url", default=os.environ.get("SEED_DB_URL"), required=False,
                        help="the real data: database URL or directory of Delta tables "
                        "(env SEED_DB_URL)")
    parser.add_argument("--synthetic-url", required=True, metavar="URL_OR_DIR",
                        help="the synthetic data: database URL or directory of Delta tables")
    parser.add_argument("--schema", action="append", default=[], metavar="NAME",
                        help="database schema to read (repeatable)")
    parser.add_argument("--json", metavar="PATH", help="write the scores as JSON here")
    parser.add_argument("--html", metavar="PATH", help="write an HTML report with charts here")
    parser.add_argument("--png", metavar="PATH", help="write the charts as one PNG (matplotlib)")
    parser.add_argument("--min-quality", type=float, default=None, metavar="SCORE",
                        help="exit 1 when the overall score is below SCORE or a key is broken")
    parser.add_argument("--quiet", action="store_true", help="no summary on stdout")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    return parser


def run_report(args: argparse.Namespace) -> int:
    """Carry out ``report``; raises SeedError (ConfigError for bad options) on failure."""
    from ..errors import ConfigError
    from .plots import panels, write_html, write_png
    from .report import evaluate
    from .sources import read_pair

    if not args.db_url:
        raise ConfigError("report needs the real data: --db-url URL (or a Delta directory)",
                          option="db_url")
    schema, real, synthetic = read_pair(args.db_url, args.synthetic_url, args.schema)
    result = evaluate(schema, real, synthetic)
    if args.json:
        result.write_json(args.json)
    if args.html or args.png:
        charts = panels(schema, real, synthetic)
        if args.html:
            write_html(result, charts, args.html)
        if args.png:
            write_png(result, charts, args.png)
    if not args.quiet:
        print(result.summary(), file=sys.stdout)
    if args.min_quality is not None and (result.overall < args.min_quality
                                         or not result.keys_valid):
        raise QualityTooLow(f"overall quality {result.overall:.3f} is below --min-quality "
                            f"{args.min_quality}" if result.keys_valid
                            else "the synthetic data has broken keys (see the summary)")
    return 0
